"""The case page: a summary of every section with its "Change" link, for the enrolling centre's HPs."""

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.coding.models import Concept
from cpms.patients.actions.case import do_save_case_fields, do_save_case_phenotypes

from .case_helpers import HPO_TERMS, case_world, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return case_world()


def url(pseudonym="RND-CASE0001"):
    return reverse("patients:case-detail", kwargs={"pseudonym": pseudonym})


def test_it_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url())
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_hides_the_case_from_an_hp_of_another_centre(world):
    assert signed_in(world.otto).get(url()).status_code == 404


def test_it_answers_404_for_a_patient_that_does_not_exist(world):
    assert signed_in(world.hana).get(url("RND-NOPE0000")).status_code == 404


def test_it_shows_an_empty_case_with_a_link_to_each_section(world):
    response = signed_in(world.hana).get(url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing is recorded yet" in body
    for section in ("status", "history", "diagnosis", "phenotype", "genetics", "investigations", "treatment"):
        assert (
            reverse("patients:case-section", kwargs={"pseudonym": "RND-CASE0001", "section": section}) in body
        )


def test_it_summarises_what_was_saved_and_audits_the_read(world):
    do_save_case_fields(
        acting_user=world.hana, patient=world.patient, section="status", values={"age_at_onset_years": 4}
    )
    seizure = Concept.objects.get(code="HP:0001250")
    do_save_case_phenotypes(
        acting_user=world.hana,
        patient=world.patient,
        rows=[{"concept": seizure, "excluded": True, "onset": ""}],
    )
    response = signed_in(world.hana).get(url())
    body = response.content.decode()
    assert "4 years" in body and "HP:0001250" in body and "Seizure" in body and "Excluded" in body
    viewed = AuditEvent.objects.filter(action="patients.case.viewed").get()
    assert (viewed.actor_id, viewed.target_id, viewed.data) == (
        world.hana.pk,
        str(world.patient.pk),
        {"section": "all"},
    )


@pytest.mark.parametrize("rows", [1, 20])
def test_it_reads_the_case_in_a_constant_number_of_queries(world, rows, django_assert_num_queries):
    concepts = {c.code: c for c in Concept.objects.filter(system="hpo")}
    do_save_case_phenotypes(
        acting_user=world.hana,
        patient=world.patient,
        rows=[
            {"concept": concepts[code], "excluded": False, "onset": ""} for code, _label in HPO_TERMS[:rows]
        ],
    )
    client = signed_in(world.hana)
    client.get(url())  # the session's first request settles its own bookkeeping
    with django_assert_num_queries(14):  # 13, and the Images section's studies (imaging)
        assert client.get(url()).status_code == 200
