import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.access.models import Grant
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Membership, Notification, PanelStatus
from .factories import add_member

OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")
NOT_LEAD = ("expert", "guest_member", "invited", "triager", "dispatcher")


def url(panel) -> str:
    return reverse("panels:member-invite", args=[panel.pk])


def test_the_lead_invites_an_hp_of_another_centre(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"user": world.other_centre.pk})
    assert response.status_code == 302 and response.url == reverse(
        "panels:panel-members", args=[world.panel.pk]
    )
    membership = Membership.objects.get(panel=world.panel, user=world.other_centre)
    assert membership.status == "invited" and membership.via == "individual"
    assert membership.invited_by == world.enrolling and membership.role == "member"
    notification = Notification.objects.get(recipient=world.other_centre)
    assert notification.kind == Notification.Kind.INVITED and notification.panel == world.panel
    event = AuditEvent.objects.get(action="panels.member.invited")
    assert event.actor_id == world.enrolling.pk and event.data["user"] == world.other_centre.pk


@pytest.mark.parametrize("who", ["guest", "other_ern"])
def test_guests_and_hps_of_other_erns_may_be_invited(client, world, who):
    sign_in(client, world.enrolling)
    client.post(url(world.panel), {"user": getattr(world, who).pk})
    assert Membership.objects.filter(panel=world.panel, user=getattr(world, who), status="invited").exists()


def test_someone_without_hp_access_cannot_be_invited(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"user": world.researcher.pk}, follow=True)
    assert b"Only experts" in response.content
    assert not Membership.objects.filter(panel=world.panel, user=world.researcher).exists()


def test_an_expired_grant_is_no_expert(client, world):
    Grant.objects.filter(user=world.guest).update(expires_at=timezone.now())
    sign_in(client, world.enrolling)
    client.post(url(world.panel), {"user": world.guest.pk})
    assert not Membership.objects.filter(panel=world.panel, user=world.guest).exists()


@pytest.mark.parametrize("who", ["expert", "invited"])
def test_nobody_is_invited_twice(client, world, who):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"user": getattr(world, who).pk}, follow=True)
    assert b"on the panel or invited already" in response.content
    assert Membership.objects.filter(panel=world.panel, user=getattr(world, who)).count() == 1
    assert not Notification.objects.filter(recipient=getattr(world, who)).exists()


@pytest.mark.parametrize("status", [Membership.Status.DECLINED, Membership.Status.REMOVED])
def test_someone_who_declined_or_was_removed_may_be_invited_again(client, world, status):
    add_member(world.panel, world.other_centre, status=status, decline_reason="Busy.")
    sign_in(client, world.enrolling)
    client.post(url(world.panel), {"user": world.other_centre.pk})
    membership = Membership.objects.get(panel=world.panel, user=world.other_centre)
    assert membership.status == "invited" and membership.decline_reason == ""


def test_the_lead_does_not_invite_themselves(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"user": world.enrolling.pk}, follow=True)
    assert b"You lead this panel already." in response.content


@pytest.mark.parametrize("role", NOT_LEAD)
def test_only_the_lead_invites(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"user": world.other_centre.pk}).status_code == 403
    assert not Membership.objects.filter(panel=world.panel, user=world.other_centre).exists()


@pytest.mark.parametrize("role", OUTSIDE)
def test_outside_the_panel_it_is_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"user": world.other_centre.pk}).status_code == 404


@pytest.mark.parametrize("status", [PanelStatus.CLOSED, PanelStatus.ARCHIVED])
def test_only_an_open_panel_takes_new_members(client, world, status):
    world.panel.status = status
    world.panel.save()
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"user": world.other_centre.pk}, follow=True)
    assert "it cannot do that now" in response.content.decode()
    assert not Membership.objects.filter(panel=world.panel, user=world.other_centre).exists()


@pytest.mark.parametrize(
    "data", [{}, {"user": ""}, {"user": "x"}, {"user": "-4"}, {"user": "99999999"}, {"user": "9" * 30}]
)
def test_a_hostile_post_gets_a_message_not_a_500(client, world, data):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), data, follow=True)
    assert response.status_code == 200
    assert Membership.objects.filter(panel=world.panel).count() == 4


def test_get_is_not_allowed(client, world):
    sign_in(client, world.enrolling)
    assert client.get(url(world.panel)).status_code == 405


def test_its_queries_are_a_fixed_few(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.post(url(world.panel), {"user": world.guest.pk})
    # gate (5), panel and membership (2), lock, lead, expert, existing rows, insert, audit, touch, notify (2)
    with django_assert_num_queries(15):
        client.post(url(world.panel), {"user": world.other_centre.pk})
