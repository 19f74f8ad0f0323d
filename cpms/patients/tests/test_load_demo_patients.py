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


def test_it_codes_the_demo_cases_with_the_loaded_terminologies(demo, terminologies):
    call_command("load_demo_patients", stdout=io.StringIO())
    patients = {patient.hospital_number: patient for patient in Patient.objects.unscoped().all()}
    dravet = patients["TUE-100231"].case
    assert [(row.concept.code, row.is_main) for row in dravet.diagnoses.order_by("-is_main")] == [
        ("ORPHA:33069", True),
        ("G40.4", False),
    ]
    assert {row.concept.code for row in dravet.phenotypes.all()} == {"HP:0001250", "HP:0001263"}
    assert [variant.gene_symbol for variant in dravet.variants.all()] == ["SCN1A"]
    assert patients["TUE-100874"].case.undiagnosed
