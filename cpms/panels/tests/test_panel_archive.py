import pytest

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Membership, Notification, PanelStatus
from .outcome_helpers import messages_of, notified, url


def closed(world):
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()


def archive(client, world):
    return client.post(url("panel-archive", world.panel), follow=True)


@pytest.mark.parametrize("role", ("enrolling", "triager"))
def test_the_lead_or_a_coordinator_of_the_ern_archives_a_closed_panel(client, world, role):
    closed(world)
    sign_in(client, getattr(world, role))
    assert "Archive the panel" in client.get(url("panel-archive", world.panel)).content.decode()
    assert "The panel is archived." in messages_of(archive(client, world))
    world.panel.refresh_from_db()
    assert world.panel.status == PanelStatus.ARCHIVED and world.panel.archived_at is not None
    assert world.expert.pk in notified(Notification.Kind.ARCHIVED)
    assert AuditEvent.objects.filter(action="panels.panel.archived").count() == 1


@pytest.mark.parametrize("status", (PanelStatus.OPEN, PanelStatus.ARCHIVED))
def test_only_a_closed_panel_is_archived(client, world, status):
    world.panel.status = status
    world.panel.save()
    sign_in(client, world.enrolling)
    response = archive(client, world)
    assert f"This panel is {world.panel.get_status_display()}: it cannot do that now." in messages_of(
        response
    )
    assert not notified(Notification.Kind.ARCHIVED)


@pytest.mark.parametrize("role", ("expert", "guest_member", "dispatcher", "invited"))
def test_others_on_the_panel_get_403(client, world, role):
    closed(world)
    sign_in(client, getattr(world, role))
    assert client.get(url("panel-archive", world.panel)).status_code == 403
    assert client.post(url("panel-archive", world.panel)).status_code == 403
    world.panel.refresh_from_db()
    assert world.panel.status == PanelStatus.CLOSED


@pytest.mark.parametrize("role", ("other_centre", "guest", "other_ern"))
def test_it_answers_404_off_the_panel(client, world, role):
    closed(world)
    sign_in(client, getattr(world, role))
    assert client.post(url("panel-archive", world.panel)).status_code == 404


def test_a_lead_removed_from_the_panel_does_not_archive(client, world):
    closed(world)
    Membership.objects.filter(panel=world.panel, user=world.enrolling).update(
        status=Membership.Status.REMOVED
    )
    sign_in(client, world.enrolling)
    assert client.post(url("panel-archive", world.panel)).status_code == 403
