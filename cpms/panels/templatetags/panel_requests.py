"""For the patients' case page (templates/patients/case_detail.html), which may not import panels:
the patient's panels, read in one query."""

from django import template

from ..queries.requests import panels_of_patient

register = template.Library()


@register.simple_tag(takes_context=True)
def panels_of(context, patient) -> list:
    """{% panels_of patient as panels %}: the patient's panels the signed-in HP may see listed."""
    return panels_of_patient(patient, context["request"].user)
