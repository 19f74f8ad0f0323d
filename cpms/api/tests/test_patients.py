"""Patients through the API: the patient pages' rule (HPs of the enrolling centre), audited alike."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.patients.models.patient import ConsentKind
from cpms.patients.tests.factories import make_patient

LIST = "/api/v1/patients/"


def detail(patient) -> str:
    return f"/api/v1/patients/{patient.pseudonym}/"


def test_it_lists_the_centres_patients_without_identifying_fields(world, api):
    response = api(world.enrolling).get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["pseudonym"] for row in rows] == [world.patient.pseudonym]
    assert "identity" not in rows[0] and "Mathilde" not in response.content.decode()
    assert rows[0]["centre"]["code"] == "DE22"


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern", "expert"])
def test_it_lists_nothing_of_another_centre(world, api, role):
    response = api(getattr(world, role)).get(LIST)
    assert response.status_code == 200
    assert world.patient.pseudonym not in response.content.decode()


def test_it_answers_401_to_anonymous_callers(world, api):
    assert api().get(LIST).status_code == 401
    assert api().get(detail(world.patient)).status_code == 401


def test_it_filters_by_consent_and_centre(world, api):
    consenting = make_patient(world.de22, consents=(ConsentKind.CARE, ConsentKind.REGISTRIES))
    caller = api(world.enrolling)
    rows = caller.get(LIST, {"registries_consent": "given"}).json()["results"]
    assert [row["pseudonym"] for row in rows] == [consenting.pseudonym]
    rows = caller.get(LIST, {"centre": world.de22.pk, "registries_consent": "not_asked"}).json()["results"]
    assert [row["pseudonym"] for row in rows] == [world.patient.pseudonym]


def test_it_refuses_bad_filters_with_a_400(world, api):
    caller = api(world.enrolling)
    response = caller.get(LIST, {"registries_consent": "maybe"})
    assert response.status_code == 400 and "registries_consent" in response.json()["errors"]
    assert caller.get(LIST, {"centre": "DE22"}).status_code == 400


def test_it_answers_404_for_a_centre_that_is_not_the_callers(world, api):
    assert api(world.enrolling).get(LIST, {"centre": world.de05.pk}).status_code == 404


def test_it_pages_by_keyset(world, api):
    others = [make_patient(world.de22, hospital_number=f"TUE-{n}") for n in range(3)]
    caller = api(world.enrolling)
    first = caller.get(LIST, {"size": 2}).json()
    assert [row["pseudonym"] for row in first["results"]] == [others[2].pseudonym, others[1].pseudonym]
    assert first["previous"] is None
    second = caller.get(first["next"]).json()
    assert [row["pseudonym"] for row in second["results"]] == [others[0].pseudonym, world.patient.pseudonym]
    assert second["next"] is None
    back = caller.get(second["previous"]).json()
    assert back["results"] == first["results"]
    assert caller.get(LIST, {"after": "nonsense"}).json()["results"] == caller.get(LIST).json()["results"]


def test_it_shows_the_identity_to_the_enrolling_centre_and_audits_the_read(world, api):
    response = api(world.enrolling).get(detail(world.patient))
    assert response.status_code == 200
    identity = response.json()["identity"]
    assert identity["given_names"] == "Mathilde" and identity["date_of_birth"] == "1987-03-14"
    event = AuditEvent.objects.get(action="patients.patient.viewed")
    assert event.actor_id == world.enrolling.pk and event.data["what"] == "api:patient-detail"


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern", "expert", "triager"])
def test_it_answers_404_to_anyone_outside_the_enrolling_centre(world, api, role):
    caller = api(getattr(world, role))
    for url in (detail(world.patient), detail(world.patient) + "case/", "/api/v1/patients/CPMS-NOPE/"):
        response = caller.get(url)
        assert response.status_code == 404, url
        assert "Mathilde" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="patients.patient.viewed").exists()


def test_it_sends_an_etag_and_304_when_unchanged(world, api):
    caller = api(world.enrolling)
    response = caller.get(detail(world.patient))
    etag = response.headers["ETag"]
    assert caller.get(detail(world.patient), headers={"If-None-Match": etag}).status_code == 304
    world.patient.vital_status = "deceased"
    world.patient.save(update_fields=["vital_status"])
    changed = caller.get(detail(world.patient), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_it_reads_the_case_and_audits_it(world, api):
    response = api(world.enrolling).get(detail(world.patient) + "case/")
    assert response.status_code == 200
    assert response.json()["pseudonym"] == world.patient.pseudonym and response.json()["diagnoses"] == []
    assert AuditEvent.objects.filter(action="patients.case.viewed", actor_id=world.enrolling.pk).count() == 1


def test_it_reads_the_list_in_a_fixed_number_of_queries(world, api, django_assert_num_queries):
    for n in range(5):
        make_patient(world.de22, hospital_number=f"TUE-{n}")
    caller = api(world.enrolling)
    # token, gate (grants and profile), the page
    with django_assert_num_queries(3):
        assert caller.get(LIST).status_code == 200


def test_it_reads_a_patient_in_a_fixed_number_of_queries(world, api, django_assert_num_queries):
    caller = api(world.enrolling)
    # token, gate, the patient, the audit event (insert and chain)
    with django_assert_num_queries(4):
        assert caller.get(detail(world.patient)).status_code == 200
