import io

import pytest
from django.core.management import call_command

from cpms.patients.models import Patient

from ..models import ResearchCase, ResearchDiagnosis
from ..sweep import run_sweep


@pytest.fixture
def demo(db, settings, terminologies):
    settings.EMBEDDED = True
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())


def test_it_enrols_the_cohort_once_with_registries_consent(demo):
    call_command("load_demo_cohort", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_cohort", stdout=out)
    patients = Patient.objects.unscoped().select_related("centre")
    assert patients.count() == 40
    assert {patient.centre.code for patient in patients} == {"DE22", "DE05"}
    assert all(patient.registries_consent == "given" for patient in patients)
    assert "0 enrolled, 40 already there" in out.getvalue()


def test_the_researcher_sees_groups_above_the_threshold(demo, settings):
    call_command("load_demo_cohort", stdout=io.StringIO())
    run_sweep()
    assert ResearchCase.objects.count() == 40
    dravet = ResearchDiagnosis.objects.filter(concept__code="ORPHA:33069").count()
    assert dravet >= settings.RESEARCH_SUPPRESSION_THRESHOLD
