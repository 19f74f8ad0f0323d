import pytest

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Contribution, Membership, Notification, OutcomeVersion, PanelStatus
from .outcome_helpers import contribute, draft, messages_of, notified, url


def submit(client, world):
    return client.post(url("outcome-submit", world.panel), follow=True)


def test_the_lead_asks_the_members_who_contributed_to_sign(client, world):
    contribute(world.panel, world.expert)
    contribute(world.panel, world.guest_member, kind=Contribution.Kind.INFORMATION_REQUEST)
    draft(world.panel, world.enrolling)
    sign_in(client, world.enrolling)
    response = submit(client, world)
    assert "Version 1 was sent to the members for signature." in messages_of(response)
    version = OutcomeVersion.objects.get(panel=world.panel)
    assert version.submitted_at is not None
    # A request for information is no contribution: the guest does not sign.
    # The lead does not notify themself.
    assert notified(Notification.Kind.OUTCOME_TO_SIGN) == {world.expert.pk}
    event = AuditEvent.objects.get(action="panels.outcome.submitted")
    assert event.data["version"] == 1 and event.data["signers"] == 2


@pytest.mark.parametrize("role", ("expert", "guest_member", "triager", "invited"))
def test_only_the_lead_submits(client, world, role):
    draft(world.panel, world.enrolling)
    sign_in(client, getattr(world, role))
    assert client.post(url("outcome-submit", world.panel)).status_code == 403
    assert OutcomeVersion.objects.get().submitted_at is None


@pytest.mark.parametrize("role", ("other_centre", "guest", "other_ern"))
def test_it_answers_404_off_the_panel(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url("outcome-submit", world.panel)).status_code == 404


def test_a_lead_no_longer_on_the_panel_cannot_submit(client, world):
    draft(world.panel, world.enrolling)
    Membership.objects.filter(panel=world.panel, user=world.enrolling).update(
        status=Membership.Status.REMOVED
    )
    sign_in(client, world.enrolling)  # still the requester: sees the panel, no longer leads it
    assert client.post(url("outcome-submit", world.panel)).status_code == 403


def test_there_must_be_a_draft(client, world):
    sign_in(client, world.enrolling)
    assert "There is no outcome to submit yet: draft it first." in messages_of(submit(client, world))


def test_a_version_is_submitted_once(client, world):
    draft(world.panel, world.enrolling)
    sign_in(client, world.enrolling)
    submit(client, world)
    assert "Version 1 is already waiting for signatures." in messages_of(submit(client, world))


def test_only_an_open_panel_submits(client, world):
    draft(world.panel, world.enrolling)
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()
    sign_in(client, world.enrolling)
    assert "This panel is Closed: it cannot do that now." in messages_of(submit(client, world))


def test_it_takes_no_get(client, world):
    sign_in(client, world.enrolling)
    assert client.get(url("outcome-submit", world.panel)).status_code == 405
