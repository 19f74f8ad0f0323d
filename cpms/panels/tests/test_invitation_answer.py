import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Membership, Notification, PanelStatus


def url(panel) -> str:
    return reverse("panels:invitation-answer", args=[panel.pk])


def invitation(world) -> Membership:
    return Membership.objects.get(panel=world.panel, user=world.invited)


def test_the_overview_shows_the_invitation_banner_to_the_invitee_only(client, world):
    detail = reverse("panels:panel-detail", args=[world.panel.pk])
    sign_in(client, world.invited)
    assert b'id="invitation-banner"' in client.get(detail).content
    sign_in(client, world.expert)
    assert b'id="invitation-banner"' not in client.get(detail).content


def test_the_invitee_accepts_and_the_lead_is_told(client, world):
    sign_in(client, world.invited)
    response = client.post(url(world.panel), {"decision": "accept"})
    assert response.status_code == 302 and response.url == reverse(
        "panels:panel-detail", args=[world.panel.pk]
    )
    membership = invitation(world)
    assert membership.status == "accepted" and membership.answered_at is not None
    assert Notification.objects.get(recipient=world.enrolling).kind == Notification.Kind.INVITATION_ACCEPTED
    assert AuditEvent.objects.filter(action="panels.invitation.accepted", actor_id=world.invited.pk).exists()


def test_the_invitee_declines_with_a_reason(client, world):
    sign_in(client, world.invited)
    assert b"Why do you decline?" in client.get(url(world.panel)).content
    response = client.post(
        url(world.panel), {"decision": "decline", "reason": "  Not my field: ask Dr Roux.  "}
    )
    assert response.status_code == 302 and response.url == reverse("clinical:dashboard")
    membership = invitation(world)
    assert membership.status == "declined" and membership.decline_reason == "Not my field: ask Dr Roux."
    assert Notification.objects.get(recipient=world.enrolling).kind == Notification.Kind.INVITATION_DECLINED
    assert client.get(reverse("panels:panel-detail", args=[world.panel.pk])).status_code == 404


def test_declining_needs_a_reason(client, world):
    sign_in(client, world.invited)
    response = client.post(url(world.panel), {"decision": "decline", "reason": "   "})
    assert response.status_code == 400 and b"Say why you decline" in response.content
    assert invitation(world).status == "invited"


@pytest.mark.parametrize(
    "data",
    [{}, {"decision": "maybe"}, {"decision": "decline", "reason": "x" * 3000}, {"decision": ["accept", "x"]}],
)
def test_a_hostile_answer_is_a_400(client, world, data):
    sign_in(client, world.invited)
    assert client.post(url(world.panel), data).status_code == 400
    assert invitation(world).status == "invited"


@pytest.mark.parametrize("role", ["expert", "guest_member", "enrolling", "triager"])
def test_only_the_invitee_answers(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url(world.panel)).status_code == 403
    assert client.post(url(world.panel), {"decision": "accept"}).status_code == 403


@pytest.mark.parametrize("role", ["other_centre", "guest", "other_ern"])
def test_outside_it_is_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"decision": "accept"}).status_code == 404


def test_an_invitation_withdrawn_cannot_be_accepted(client, world):
    Membership.objects.filter(panel=world.panel, user=world.invited).update(status="removed")
    sign_in(client, world.invited)
    assert client.post(url(world.panel), {"decision": "accept"}).status_code == 404


def test_a_closed_panel_takes_no_answer(client, world):
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()
    sign_in(client, world.invited)
    response = client.post(url(world.panel), {"decision": "accept"}, follow=True)
    assert b"it cannot do that now" in response.content
    assert invitation(world).status == "invited"
