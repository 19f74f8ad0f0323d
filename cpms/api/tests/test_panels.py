"""Panels through the API: who reads them (the panel pages' rule), the draft's conditional update."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.panels.models import PanelStatus, Urgency
from cpms.panels.tests.factories import make_panel
from cpms.patients.tests.factories import make_patient

LIST = "/api/v1/panels/"


def detail(panel) -> str:
    return f"/api/v1/panels/{panel.pk}/"


@pytest.mark.parametrize("role", ["enrolling", "expert", "guest_member", "triager", "dispatcher"])
def test_it_lists_the_panel_to_whoever_may_read_it(world, api, role):
    response = api(getattr(world, role)).get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.panel.pk]
    assert response.json()["results"][0]["pseudonym"] == world.patient.pseudonym


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_it_lists_nothing_to_outsiders_and_answers_404(world, api, role):
    caller = api(getattr(world, role))
    assert caller.get(LIST).json()["results"] == []
    for path in ("", "case/", "contributions/", "outcome/"):
        response = caller.get(detail(world.panel) + path)
        assert response.status_code == 404, path
        assert world.patient.pseudonym not in response.content.decode()
    assert not AuditEvent.objects.filter(action="panels.panel.viewed").exists()


def test_it_keeps_a_draft_to_its_requester(world, api):
    draft = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    assert api(world.enrolling).get(detail(draft)).status_code == 200
    for role in ("triager", "expert"):
        assert api(getattr(world, role)).get(detail(draft)).status_code == 404
        assert draft.pk not in [row["id"] for row in api(getattr(world, role)).get(LIST).json()["results"]]


def test_it_filters_by_status_and_urgency(world, api):
    urgent = make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED, urgency=Urgency.URGENT)
    caller = api(world.enrolling)
    assert [r["id"] for r in caller.get(LIST, {"urgency": "urgent"}).json()["results"]] == [urgent.pk]
    assert [r["id"] for r in caller.get(LIST, {"status": "open"}).json()["results"]] == [world.panel.pk]
    response = caller.get(LIST, {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_it_pages_by_keyset(world, api):
    patient = make_patient(world.de22, hospital_number="TUE-2")
    panels = [make_panel(patient, world.enrolling) for _ in range(3)]
    caller = api(world.enrolling)
    first = caller.get(LIST, {"size": 3}).json()
    assert [r["id"] for r in first["results"]] == [p.pk for p in reversed(panels)]
    second = caller.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [world.panel.pk] and second["next"] is None
    assert caller.get(second["previous"]).json()["results"] == first["results"]


def test_it_reads_a_panel_audited_with_the_callers_place(world, api):
    response = api(world.expert).get(detail(world.panel))
    assert response.status_code == 200
    body = response.json()
    assert body["me"]["is_member"] and not body["me"]["is_lead"]
    assert "Mathilde" not in response.content.decode()
    event = AuditEvent.objects.get(action="panels.panel.viewed")
    assert event.actor_id == world.expert.pk and event.data["what"] == "api:panel-detail"


def test_it_reads_the_shared_case_pseudonymised(world, api):
    response = api(world.expert).get(detail(world.panel) + "case/")
    assert response.status_code == 200
    assert response.json()["pseudonym"] == world.patient.pseudonym
    assert "Mathilde" not in response.content.decode() and "TUE-4471-93" not in response.content.decode()


def test_it_reads_the_outcome(world, api):
    response = api(world.triager).get(detail(world.panel) + "outcome/")
    assert response.status_code == 200
    assert response.json()["current"] is None and response.json()["is_signed"] is False


def test_an_invitee_sees_the_panel_but_not_its_outcome(world, api):
    caller = api(world.invited)
    assert caller.get(detail(world.panel)).json()["me"]["is_invited"]
    assert caller.get(detail(world.panel) + "outcome/").status_code == 403


def test_it_reads_a_panel_in_a_fixed_number_of_queries(world, api, django_assert_num_queries):
    caller = api(world.expert)
    # token, gate, the panel, the membership, the audit event
    with django_assert_num_queries(5):
        assert caller.get(detail(world.panel)).status_code == 200


def test_it_lists_panels_in_a_fixed_number_of_queries(world, api, django_assert_num_queries):
    patient = make_patient(world.de22, hospital_number="TUE-2")
    for _ in range(4):
        make_panel(patient, world.enrolling)
    caller = api(world.enrolling)
    with django_assert_num_queries(3):  # token, gate, the page
        assert caller.get(LIST).status_code == 200


# -- the draft's update: If-Match required, 412 when stale


@pytest.fixture
def draft(world):
    return make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT, question="First question")


def test_it_changes_a_draft_with_the_etag_it_read(world, api, draft):
    caller = api(world.enrolling)
    etag = caller.get(detail(draft)).headers["ETag"]
    changes = {"question": "A better question", "urgency": "urgent"}
    response = caller.patch(detail(draft), changes, {"If-Match": etag})
    assert response.status_code == 200, response.content
    assert response.json()["question"] == "A better question" and response.headers["ETag"] != etag
    draft.refresh_from_db()
    assert draft.question == "A better question" and draft.urgency == "urgent"
    event = AuditEvent.objects.get(action="panels.panel.draft_changed")
    assert event.data["question"] == {"old": "First question", "new": "A better question"}


def test_it_requires_if_match_428(world, api, draft):
    response = api(world.enrolling).patch(detail(draft), {"question": "Lost"})
    assert response.status_code == 428
    draft.refresh_from_db()
    assert draft.question == "First question"


def test_it_refuses_a_stale_etag_412(world, api, draft):
    caller = api(world.enrolling)
    etag = caller.get(detail(draft)).headers["ETag"]
    assert caller.patch(detail(draft), {"question": "One"}, {"If-Match": etag}).status_code == 200
    response = caller.patch(detail(draft), {"question": "Two"}, {"If-Match": etag})
    assert response.status_code == 412
    draft.refresh_from_db()
    assert draft.question == "One"


def test_it_checks_the_values_as_the_page_does(world, api, draft):
    caller = api(world.enrolling)
    etag = caller.get(detail(draft)).headers["ETag"]
    response = caller.patch(detail(draft), {"ern": 999999}, {"If-Match": etag})
    assert response.status_code == 400 and "ern" in response.json()["errors"]
    response = caller.patch(detail(draft), {"urgency": "tomorrow"}, {"If-Match": etag})
    assert response.status_code == 400
    assert caller.patch(detail(draft), "not json", {"If-Match": etag}).status_code == 400


def test_it_changes_only_a_draft_409(world, api):
    caller = api(world.enrolling)
    etag = caller.get(detail(world.panel)).headers["ETag"]
    response = caller.patch(detail(world.panel), {"question": "Late"}, {"If-Match": etag})
    assert response.status_code == 409 and response.headers["Content-Type"] == "application/problem+json"


def test_only_the_requester_changes_a_draft(world, api, draft):
    anyway = {"If-Match": "*"}
    assert api(world.expert).patch(detail(world.panel), {"question": "x"}, anyway).status_code == 403
    assert api(world.other_centre).patch(detail(draft), {"question": "x"}, anyway).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/panels/-7/", "/api/v1/panels/seven/case/", "/api/v2/"])
def test_it_answers_a_path_that_matches_no_route_with_a_problem_404(world, api, client, path):
    response = api(world.enrolling).patch(path, {"question": "?"}, {"If-Match": "*"})
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
    assert client.get(path).status_code == 401  # after the same gate as every route


def test_it_pages_by_keyset_on_the_creation_time(world, api):
    others = [make_panel(world.patient, world.enrolling) for _ in range(3)]
    caller = api(world.enrolling)
    first = caller.get(LIST, {"size": 2}).json()
    assert [row["id"] for row in first["results"]] == [others[2].pk, others[1].pk]
    assert first["previous"] is None
    second = caller.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [others[0].pk, world.panel.pk]
    assert second["next"] is None
    assert caller.get(second["previous"]).json()["results"] == first["results"]
