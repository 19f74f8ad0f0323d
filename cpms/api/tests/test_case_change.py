"""PATCH of the coded case: the case pages' forms check it, their do_save_case_* actions save it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpms.audit.models import AuditEvent
from cpms.patients.models import Case
from cpms.patients.tests.case_helpers import HPO_TERMS, load_concepts


@pytest.fixture(autouse=True)
def concepts(db):
    load_concepts()


def case_url(world) -> str:
    return f"/api/v1/patients/{world.patient.pseudonym}/case/"


def etag(caller, world) -> dict:
    return {"If-Match": caller.get(case_url(world)).headers["ETag"]}


def saved_sections() -> list[str]:
    events = AuditEvent.objects.filter(action="patients.case.saved").order_by("id")
    return [event.data["section"] for event in events]


def case_of(world) -> Case:
    return Case.objects.unscoped().get(patient=world.patient)


def test_it_changes_the_fields_sent_section_by_section_audited(world, api):
    caller = api(world.enrolling)
    body = {"onset": "HP:0003581", "age_at_onset_years": 30, "family_history": "Father: gait ataxia at 50."}
    response = caller.patch(case_url(world), body, etag(caller, world))
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["onset"], case["age_at_onset_years"], case["age_at_diagnosis_years"]) == (
        "HP:0003581",
        30,
        None,
    )
    assert case["family_history"] == "Father: gait ataxia at 50." and case["clinical_history"] == ""
    assert response.headers["ETag"] == caller.get(case_url(world)).headers["ETag"]
    assert saved_sections() == ["status", "history"]
    history = AuditEvent.objects.get(action="patients.case.saved", data__section="history")
    assert history.data["family_history"] == {"old": 0, "new": 26}  # free text by its length only
    assert history.actor_id == world.enrolling.pk


def test_a_field_left_out_keeps_its_value(world, api):
    caller = api(world.enrolling)
    caller.patch(case_url(world), {"age_at_onset_years": 30, "onset": "HP:0003581"}, etag(caller, world))
    response = caller.patch(case_url(world), {"age_at_diagnosis_years": 38}, etag(caller, world))
    assert response.status_code == 200
    case = case_of(world)
    assert (case.onset, case.age_at_onset_years, case.age_at_diagnosis_years) == ("HP:0003581", 30, 38)


def test_rows_replace_the_sections_rows(world, api):
    caller = api(world.enrolling)
    body = {
        "diagnoses": [{"code": "orpha:95", "is_main": True}, {"code": "G11.1", "certainty": "suspected"}],
        "phenotypes": [
            {"code": "HP:0001251", "onset": "HP:0003581"},
            {"code": "HP:0001250", "excluded": True},
        ],
        "variants": [{"gene_symbol": "fxn", "hgvs": "NM_000144.5:c.165+5G>C", "zygosity": "GENO:0000135"}],
    }
    response = caller.patch(case_url(world), body, etag(caller, world))
    assert response.status_code == 200, response.content
    case = response.json()
    assert [(d["concept"]["code"], d["certainty"]) for d in case["diagnoses"]] == [
        ("ORPHA:95", "confirmed"),
        ("G11.1", "suspected"),
    ]
    assert [(p["concept"]["label"], p["excluded"]) for p in case["phenotypes"]] == [
        ("Ataxia", False),
        ("Seizure", True),
    ]
    assert case["variants"][0]["gene_symbol"] == "FXN"
    assert saved_sections() == ["diagnosis", "phenotype", "genetics"]
    response = caller.patch(case_url(world), {"phenotypes": []}, etag(caller, world))
    assert response.json()["phenotypes"] == [] and len(response.json()["diagnoses"]) == 2


def test_every_sections_errors_at_once_and_nothing_saved_400(world, api):
    caller = api(world.enrolling)
    body = {
        "treatment": "Physiotherapy.",
        "age_at_onset_years": 30,
        "age_at_diagnosis_years": 20,
        "diagnoses": [{"code": "ORPHA:558"}, {"code": "ORPHA:0000"}],
        "variants": [{"gene_symbol": "FBN1", "hgvs": "c.1129C>"}],
    }
    response = caller.patch(case_url(world), body, etag(caller, world))
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert set(errors) == {"age_at_diagnosis_years", "diagnoses.1.code", "variants.0.hgvs"}
    assert errors["diagnoses.1.code"] == ["ORPHA:0000 is not in the loaded ORPHA release."]
    assert not Case.objects.unscoped().filter(patient=world.patient).exists()
    assert not saved_sections()


def test_the_diagnosis_rules_span_the_rows_400(world, api):
    caller = api(world.enrolling)
    two_main = {"diagnoses": [{"code": "ORPHA:558", "is_main": True}, {"code": "ORPHA:95", "is_main": True}]}
    response = caller.patch(case_url(world), two_main, etag(caller, world))
    assert response.json()["errors"] == {"diagnoses": ["Choose one main diagnosis only."]}
    one = {"diagnoses": [{"code": "ORPHA:558"}]}
    assert caller.patch(case_url(world), one, etag(caller, world)).status_code == 200
    # "undiagnosed" alone keeps the rows, which the page's rule checks it against
    response = caller.patch(case_url(world), {"undiagnosed": True}, etag(caller, world))
    assert response.status_code == 400 and "undiagnosed" in response.json()["errors"]
    assert [d.concept.code for d in case_of(world).diagnoses.all()] == ["ORPHA:558"]
    assert case_of(world).diagnoses.get().is_main  # the only diagnosis is the main one


def test_a_body_of_the_wrong_shape_is_a_400(world, api):
    caller = api(world.enrolling)
    response = caller.patch(case_url(world), {"onset": "soon", "diagnoses": [{}]}, etag(caller, world))
    assert response.status_code == 400 and {"onset", "diagnoses"} <= set(response.json()["errors"])
    too_many = {"phenotypes": [{"code": "HP:0001250"}] * 201}
    assert caller.patch(case_url(world), too_many, {"If-Match": "*"}).status_code == 400


def test_it_requires_if_match_428_and_a_fresh_one_412(world, api):
    caller = api(world.enrolling)
    stale = etag(caller, world)
    assert caller.patch(case_url(world), {"treatment": "Rest."}).status_code == 428
    assert caller.patch(case_url(world), {"treatment": "Rest."}, stale).status_code == 200
    assert caller.patch(case_url(world), {"treatment": "Walk."}, stale).status_code == 412
    assert case_of(world).treatment == "Rest."


@pytest.mark.parametrize("role", ["other_centre", "expert", "researcher", "guest", "other_ern"])
def test_only_the_enrolling_centres_hps_change_it_404(world, api, role):
    response = api(getattr(world, role)).patch(case_url(world), {"treatment": "Rest."}, {"If-Match": "*"})
    assert response.status_code == 404
    assert not Case.objects.unscoped().filter(patient=world.patient).exists()


def test_its_queries_do_not_grow_with_the_rows(world, api):
    caller = api(world.enrolling)

    def patched(rows: int) -> int:
        body = {"phenotypes": [{"code": code} for code, _label in HPO_TERMS[:rows]]}
        headers = etag(caller, world)
        with CaptureQueriesContext(connection) as queries:
            assert caller.patch(case_url(world), body, headers).status_code == 200
        return len(queries)

    patched(1)  # the case exists, with rows to replace
    assert patched(2) == patched(20)
