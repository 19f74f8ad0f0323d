"""The triage of a request for assistance through the API: the page's forms and actions, If-Match."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.panels.models import Membership, Notification, PanelStatus, TriageNote
from cpms.panels.tests.requests_helpers import notified, submitted, with_areas


@pytest.fixture
def world(world):
    return with_areas(world)


def detail(panel) -> str:
    return f"/api/v1/panels/{panel.pk}/"


def triage(panel) -> str:
    return detail(panel) + "triage/"


def etag(caller, panel) -> dict:
    return {"If-Match": caller.get(detail(panel)).headers["ETag"]}


# -- accept


def test_it_accepts_led_by_the_requester_audited(world, api):
    panel = submitted(world)
    caller = api(world.triager)
    response = caller.post(triage(panel), {"decision": "accept"}, etag(caller, panel))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == PanelStatus.OPEN
    assert response.json()["lead"]["id"] == world.enrolling.pk
    panel.refresh_from_db()
    assert panel.status == PanelStatus.OPEN and panel.lead == world.enrolling
    assert Membership.objects.get(panel=panel, user=world.enrolling).role == Membership.Role.LEAD
    assert AuditEvent.objects.get(action="panels.panel.accepted").actor_id == world.triager.pk
    assert notified(Notification.Kind.ACCEPTED, panel) == {world.enrolling.pk}


def test_it_accepts_with_another_hp_of_the_ern_as_lead(world, api):
    panel = submitted(world)
    caller = api(world.dispatcher)
    answer = {"decision": "accept", "lead": world.expert.pk}
    assert caller.post(triage(panel), answer, etag(caller, panel)).status_code == 200
    panel.refresh_from_db()
    assert panel.lead == world.expert


def test_a_lead_outside_the_ern_is_a_400(world, api):
    panel = submitted(world)
    caller = api(world.triager)
    answer = {"decision": "accept", "lead": world.other_ern.pk}
    response = caller.post(triage(panel), answer, etag(caller, panel))
    assert response.status_code == 400 and "lead" in response.json()["errors"]
    assert response.headers["Content-Type"] == "application/problem+json"
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


# -- return


def test_it_returns_with_a_question(world, api):
    panel = submitted(world)
    caller = api(world.triager)
    answer = {"decision": "return", "text": "Which variant was found?"}
    response = caller.post(triage(panel), answer, etag(caller, panel))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == PanelStatus.RETURNED
    note = TriageNote.objects.get(panel=panel, kind=TriageNote.Kind.RETURNED)
    assert (note.author, note.text) == (world.triager, "Which variant was found?")
    assert notified(Notification.Kind.RETURNED, panel) == {world.enrolling.pk}


def test_returning_needs_the_question_400(world, api):
    panel = submitted(world)
    caller = api(world.triager)
    response = caller.post(triage(panel), {"decision": "return", "text": " "}, etag(caller, panel))
    assert response.status_code == 400 and "text" in response.json()["errors"]
    response = caller.post(triage(panel), {"decision": "reject"}, {"If-Match": "*"})
    assert response.status_code == 400 and "decision" in response.json()["errors"]
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


# -- forward


def test_it_forwards_to_another_thematic_area_of_the_ern(world, api):
    panel = submitted(world, thematic_area=world.ataxia)
    caller = api(world.triager)
    answer = {"decision": "forward", "thematic_area": world.ftd.pk, "text": "FTD fits better."}
    response = caller.post(triage(panel), answer, etag(caller, panel))
    assert response.status_code == 200, response.content
    assert response.json()["thematic_area"] == world.ftd.name
    panel.refresh_from_db()
    assert (panel.ern, panel.thematic_area, panel.status) == (world.rnd.ern, world.ftd, PanelStatus.SUBMITTED)
    event = AuditEvent.objects.get(action="panels.panel.forwarded")
    assert event.data["thematic_area"] == {"old": world.ataxia.pk, "new": world.ftd.pk}


def test_forwarding_to_another_ern_hands_it_over_204(world, api):
    panel = submitted(world)
    caller = api(world.triager)
    answer = {"decision": "forward", "ern": world.nmd.ern.pk, "thematic_area": world.dystrophies.pk}
    assert caller.post(triage(panel), answer, etag(caller, panel)).status_code == 204
    panel.refresh_from_db()
    assert (panel.ern, panel.thematic_area) == (world.nmd.ern, world.dystrophies)
    assert caller.get(detail(panel)).status_code == 404  # the other ERN's request now
    assert api(world.other_ern).get(detail(panel)).json()["me"]["is_triager"]


def test_forwarding_needs_an_area_of_that_ern_and_a_change(world, api):
    panel = submitted(world, thematic_area=world.ataxia)
    caller = api(world.triager)
    wrong = {"decision": "forward", "ern": world.nmd.ern.pk, "thematic_area": world.ftd.pk}
    response = caller.post(triage(panel), wrong, etag(caller, panel))
    assert response.status_code == 400 and "thematic_area" in response.json()["errors"]
    same = {"decision": "forward", "thematic_area": world.ataxia.pk}
    response = caller.post(triage(panel), same, etag(caller, panel))
    assert response.status_code == 409 and "already there" in response.json()["detail"]
    assert not TriageNote.objects.filter(kind=TriageNote.Kind.FORWARDED).exists()


# -- who and when


def test_it_requires_if_match_428_and_a_fresh_one_412(world, api):
    panel = submitted(world)
    caller = api(world.triager)
    assert caller.post(triage(panel), {"decision": "accept"}).status_code == 428
    stale = {"If-Match": '"stale"'}
    assert caller.post(triage(panel), {"decision": "accept"}, stale).status_code == 412
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


def test_a_request_not_waiting_for_triage_is_a_409(world, api):
    caller = api(world.triager)
    response = caller.post(triage(world.panel), {"decision": "accept"}, etag(caller, world.panel))
    assert response.status_code == 409
    assert response.json()["detail"] == "This request is not waiting for triage."


@pytest.mark.parametrize(("role", "status"), [("enrolling", 403), ("other_centre", 404), ("other_ern", 404)])
def test_only_the_erns_triagers_decide(world, api, role, status):
    panel = submitted(world)
    response = api(getattr(world, role)).post(triage(panel), {"decision": "accept"}, {"If-Match": "*"})
    assert response.status_code == status
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="panels.panel.accepted").exists()
