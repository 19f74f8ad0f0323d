import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Notification, PanelStatus, TriageNote, Urgency
from .requests_helpers import draft, notified, submitted, withdraw_care_consent


def url(panel) -> str:
    return reverse("panels:panel-submit", args=[panel.pk])


def test_it_submits_the_draft_and_tells_the_erns_triagers(client, world):
    panel = draft(world, urgency=Urgency.URGENT)
    sign_in(client, world.enrolling)
    response = client.post(url(panel))
    assert response.status_code == 302 and response.url == reverse("panels:panel-detail", args=[panel.pk])
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED and panel.submitted_at is not None
    note = TriageNote.objects.get(panel=panel)
    assert (note.kind, note.author) == (TriageNote.Kind.SUBMITTED, world.enrolling)
    assert notified(Notification.Kind.SUBMITTED, panel) == {world.triager.pk, world.dispatcher.pk}
    assert all(n.urgent for n in Notification.objects.filter(panel=panel))
    assert AuditEvent.objects.filter(action="panels.panel.submitted", target_id=str(panel.pk)).exists()


def test_the_other_erns_coordinator_is_not_told(client, world):
    panel = draft(world)
    sign_in(client, world.enrolling)
    client.post(url(panel))
    assert world.other_ern.pk not in notified(Notification.Kind.SUBMITTED, panel)


def test_it_needs_a_question(client, world):
    panel = draft(world, question="  ")
    sign_in(client, world.enrolling)
    response = client.post(url(panel), follow=True)
    assert b"Write the question to the panel before submitting the request." in response.content
    panel.refresh_from_db()
    assert panel.status == PanelStatus.DRAFT and not Notification.objects.exists()


def test_it_needs_consent_for_care_in_force(client, world):
    panel = draft(world)
    withdraw_care_consent(world.patient)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), follow=True)
    assert b"consent for care is not in force" in response.content
    panel.refresh_from_db()
    assert panel.status == PanelStatus.DRAFT


def test_it_is_submitted_once(client, world):
    panel = submitted(world)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), follow=True)
    assert b"it cannot do that now" in response.content
    assert TriageNote.objects.filter(panel=panel).count() == 1


@pytest.mark.parametrize("role", ["triager", "other_centre", "guest"])
def test_nobody_else_submits_it(client, world, role):
    panel = draft(world)
    sign_in(client, getattr(world, role))
    assert client.post(url(panel)).status_code == 404
    panel.refresh_from_db()
    assert panel.status == PanelStatus.DRAFT


def test_a_triager_on_a_submitted_panel_gets_403(client, world):
    panel = submitted(world)
    sign_in(client, world.triager)
    assert client.post(url(panel)).status_code == 403


def test_the_overview_offers_submit_change_and_discard_to_the_requester(client, world):
    panel = draft(world)
    sign_in(client, world.enrolling)
    body = client.get(reverse("panels:panel-detail", args=[panel.pk])).content
    for name in ("panels:panel-submit", "panels:panel-edit", "panels:panel-discard"):
        assert reverse(name, args=[panel.pk]).encode() in body


def test_the_triagers_are_emailed_once_it_is_committed(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    panel = draft(world)
    sign_in(client, world.enrolling)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(panel))
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [world.triager.email, world.dispatcher.email]
    )
