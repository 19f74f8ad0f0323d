import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Membership, Notification, PanelStatus


def url(panel, membership) -> str:
    return reverse("panels:member-remove", args=[panel.pk, membership.pk])


def membership_of(world, user) -> Membership:
    return Membership.objects.get(panel=world.panel, user=user)


def test_the_lead_removes_a_member_who_loses_access_at_once(client, world):
    member = sign_in(client.__class__(), world.expert)
    assert member.get(reverse("panels:panel-detail", args=[world.panel.pk])).status_code == 200
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel, membership_of(world, world.expert)), follow=True)
    assert b"Erik Larsen is no longer on the panel." in response.content
    removed = membership_of(world, world.expert)
    assert removed.status == "removed" and removed.removed_at is not None
    assert Notification.objects.get(recipient=world.expert).kind == Notification.Kind.REMOVED
    event = AuditEvent.objects.get(action="panels.member.removed")
    assert event.data["status"] == {"old": "accepted", "new": "removed"}
    assert member.get(reverse("panels:panel-detail", args=[world.panel.pk])).status_code == 404
    assert member.get(reverse("panels:panel-members", args=[world.panel.pk])).status_code == 404


def test_the_lead_withdraws_an_invitation(client, world):
    sign_in(client, world.enrolling)
    client.post(url(world.panel, membership_of(world, world.invited)))
    assert membership_of(world, world.invited).status == "removed"
    invitee = sign_in(client.__class__(), world.invited)
    assert invitee.get(reverse("panels:panel-detail", args=[world.panel.pk])).status_code == 404


def test_the_lead_cannot_be_removed(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel, membership_of(world, world.enrolling)), follow=True)
    assert b"The panel lead cannot be removed" in response.content
    assert membership_of(world, world.enrolling).status == "accepted"


def test_removing_twice_says_so(client, world):
    sign_in(client, world.enrolling)
    client.post(url(world.panel, membership_of(world, world.expert)))
    response = client.post(url(world.panel, membership_of(world, world.expert)), follow=True)
    assert b"This person is not on the panel." in response.content
    assert Notification.objects.filter(recipient=world.expert).count() == 1


@pytest.mark.parametrize("role", ["expert", "guest_member", "invited", "triager", "dispatcher"])
def test_only_the_lead_removes(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel, membership_of(world, world.guest_member))).status_code == 403
    assert membership_of(world, world.guest_member).status == "accepted"


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_outside_it_is_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel, membership_of(world, world.expert))).status_code == 404


def test_a_closed_panel_keeps_its_members(client, world):
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel, membership_of(world, world.expert)), follow=True)
    assert b"it cannot do that now" in response.content
    assert membership_of(world, world.expert).status == "accepted"


def test_a_membership_of_another_panel_is_not_found(client, world):
    from .factories import add_member, make_panel

    other = make_panel(world.patient, world.other_centre)
    elsewhere = add_member(other, world.guest)
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel, elsewhere), follow=True)
    assert b"This person is not on the panel." in response.content
    assert Membership.objects.get(pk=elsewhere.pk).status == "accepted"
