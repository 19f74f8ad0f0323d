import io

import pytest
from django.core.management import call_command

from ..models import Patient


@pytest.fixture
def demo(db, settings):
    settings.EMBEDDED = True
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())


def test_it_enrols_the_demo_patients_once(demo):
    call_command("load_demo_patients", stdout=io.StringIO())
    call_command("load_demo_patients", stdout=io.StringIO())
    patients = Patient.objects.unscoped().select_related("centre")
    assert sorted(patient.centre.code for patient in patients) == ["DE05", "DE05", "DE22", "DE22", "DE22"]
    assert all(patient.care_consent == "given" for patient in patients)
    assert all(patient.documents.count() == 1 for patient in patients)
