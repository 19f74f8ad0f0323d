"""The case page's Images section (templates/imaging/_patient_studies.html): the patient's studies.

The case page is the enrolling centre's alone (patients:case-detail checks it): the tag only reads."""

from django import template

from ..intake_queries import list_patient_studies

register = template.Library()


@register.simple_tag
def studies_of(patient):
    return list_patient_studies(patient)
