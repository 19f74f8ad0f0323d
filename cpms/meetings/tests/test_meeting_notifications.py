"""The in-application notifications of a meeting: in the list, and opened, to the meeting's page
(where the invitee answers)."""

from django.core import mail
from django.urls import reverse

from cpms.panels.models import Notification
from cpms.panels.notifications import notify
from cpms.test import sign_in

from ..actions import do_cancel_meeting


def test_the_notification_opens_the_meeting(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        do_cancel_meeting(acting_user=world.enrolling, meeting=world.meeting)
    notification = Notification.objects.get(recipient=world.expert, meeting_id=world.meeting.pk)
    assert notification.kind == "meeting_cancelled" and notification.panel_id is None
    assert notification.emailed_at is not None  # the invitation's e-mail told them: no digest again
    sign_in(client, world.expert)
    listing = client.get(reverse("panels:notification-list")).content.decode()
    assert "Meeting cancelled" in listing
    response = client.get(reverse("panels:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == reverse("meetings:meeting-detail", args=[world.meeting.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_organiser_is_not_notified_of_their_own_step(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        do_cancel_meeting(acting_user=world.enrolling, meeting=world.meeting)
    assert not Notification.objects.filter(recipient=world.enrolling).exists()


def test_a_meeting_notification_by_the_panels_notify_links_the_meeting(
    world, django_capture_on_commit_callbacks
):
    """The path meet-calendar's reminders take: notify() with the meeting, e-mailed by the panels' task."""
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(
            [world.expert], Notification.Kind.MEETING_REMINDER, None, meeting_id=world.meeting.pk
        )
    assert notification.meeting_id == world.meeting.pk
    [message] = mail.outbox
    assert reverse("meetings:meeting-detail", args=[world.meeting.pk]) in message.body
    assert "Meeting reminder" in message.body
