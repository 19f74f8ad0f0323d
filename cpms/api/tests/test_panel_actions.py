"""The panel's actions through the API: each through the page's own action, with If-Match, audited."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.panels.models import Membership, PanelStatus
from cpms.panels.tests.factories import make_panel


def detail(panel) -> str:
    return f"/api/v1/panels/{panel.pk}/"


def etag(caller, panel) -> dict:
    return {"If-Match": caller.get(detail(panel)).headers["ETag"]}


@pytest.fixture
def draft(world):
    return make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT, question="Which gene?")


# -- submit a draft


def test_the_requester_submits_a_draft_audited(world, api, draft):
    caller = api(world.enrolling)
    response = caller.post(detail(draft) + "submit/", headers=etag(caller, draft))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == PanelStatus.SUBMITTED
    draft.refresh_from_db()
    assert draft.status == PanelStatus.SUBMITTED and draft.submitted_at is not None
    assert AuditEvent.objects.get(action="panels.panel.submitted").actor_id == world.enrolling.pk


def test_submitting_requires_if_match_428_and_a_fresh_one_412(world, api, draft):
    caller = api(world.enrolling)
    assert caller.post(detail(draft) + "submit/").status_code == 428
    assert caller.post(detail(draft) + "submit/", headers={"If-Match": '"stale"'}).status_code == 412
    draft.refresh_from_db()
    assert draft.status == PanelStatus.DRAFT


def test_submitting_an_open_panel_is_a_409(world, api):
    caller = api(world.enrolling)
    response = caller.post(detail(world.panel) + "submit/", headers=etag(caller, world.panel))
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_draft_without_a_question_is_not_submitted_409(world, api):
    empty = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT, question="")
    caller = api(world.enrolling)
    assert caller.post(detail(empty) + "submit/", headers=etag(caller, empty)).status_code == 409
    empty.refresh_from_db()
    assert empty.status == PanelStatus.DRAFT


def test_only_the_requester_submits(world, api, draft):
    anyway = {"If-Match": "*"}
    assert api(world.expert).post(detail(world.panel) + "submit/", headers=anyway).status_code == 403
    assert api(world.other_centre).post(detail(draft) + "submit/", headers=anyway).status_code == 404
    assert not AuditEvent.objects.filter(action="panels.panel.submitted").exists()


# -- answer an invitation


def invitation(panel) -> str:
    return detail(panel) + "invitation/"


def membership(world) -> Membership:
    return Membership.objects.get(panel=world.panel, user=world.invited)


def test_the_invitee_accepts_audited(world, api):
    caller = api(world.invited)
    response = caller.post(invitation(world.panel), {"decision": "accept"}, etag(caller, world.panel))
    assert response.status_code == 200, response.content
    assert response.json()["me"]["is_member"]
    assert membership(world).status == Membership.Status.ACCEPTED
    assert AuditEvent.objects.filter(actor_id=world.invited.pk, action__contains="accepted").exists()


def test_the_invitee_declines_with_a_reason(world, api):
    caller = api(world.invited)
    answer = {"decision": "decline", "reason": "  Dr Berg knows SCA better. "}
    assert caller.post(invitation(world.panel), answer, etag(caller, world.panel)).status_code == 204
    declined = membership(world)
    assert declined.status == Membership.Status.DECLINED
    assert declined.decline_reason == "Dr Berg knows SCA better."


def test_a_decline_without_a_reason_is_a_400(world, api):
    caller = api(world.invited)
    response = caller.post(invitation(world.panel), {"decision": "decline"}, etag(caller, world.panel))
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = caller.post(invitation(world.panel), {"decision": "maybe"}, {"If-Match": "*"})
    assert response.status_code == 400 and "decision" in response.json()["errors"]
    assert membership(world).status == Membership.Status.INVITED


def test_answering_requires_if_match(world, api):
    caller = api(world.invited)
    assert caller.post(invitation(world.panel), {"decision": "accept"}).status_code == 428
    assert membership(world).status == Membership.Status.INVITED


def test_answering_twice_is_refused(world, api):
    caller = api(world.invited)
    assert caller.post(invitation(world.panel), {"decision": "accept"}, {"If-Match": "*"}).status_code == 200
    # now a member, no longer invited: the page refuses (403) like the API
    again = caller.post(invitation(world.panel), {"decision": "accept"}, {"If-Match": "*"})
    assert again.status_code == 403
    assert membership(world).status == Membership.Status.ACCEPTED


def test_only_the_invitee_answers(world, api):
    anyway = {"If-Match": "*"}
    assert api(world.expert).post(invitation(world.panel), {"decision": "accept"}, anyway).status_code == 403
    assert (
        api(world.other_ern).post(invitation(world.panel), {"decision": "accept"}, anyway).status_code == 404
    )
    assert membership(world).status == Membership.Status.INVITED
