"""Cancelling a meeting: the organiser only; a CANCEL (SEQUENCE up, the same UID) to every invitee."""

import pytest
from django.core import mail
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.panels.models import Notification
from cpms.test import sign_in

from .scheduling_helpers import event_of


def cancel_url(world):
    return reverse("meetings:meeting-cancel", args=[world.meeting.pk])


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.post(cancel_url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("expert", "triager", "other_centre", "other_ern"))
def test_anyone_but_the_organiser_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(cancel_url(world)).status_code == 404
    assert client.post(cancel_url(world)).status_code == 404
    world.meeting.refresh_from_db()
    assert not world.meeting.is_cancelled


def test_the_organiser_confirms_then_everyone_gets_the_cancel(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world.enrolling)
    assert client.get(cancel_url(world)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(world), {"confirm": "yes"})
    assert response.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.is_cancelled and world.meeting.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.expert, world.guest_member, world.outsider_invited)
    )
    for message in mail.outbox:
        calendar, event = event_of(message)
        assert calendar["method"] == "CANCEL" and event["status"] == "CANCELLED"
        assert event["uid"] == world.meeting.calendar_uid and event["sequence"] == 1
    assert Notification.objects.filter(meeting_id=world.meeting.pk, kind="meeting_cancelled").count() == 3
    assert AuditEvent.objects.filter(action="meetings.meeting.cancelled").count() == 1


def test_a_post_without_the_confirmation_cancels_nothing(client, world):
    sign_in(client, world.enrolling)
    response = client.post(cancel_url(world))
    assert response.status_code == 400
    world.meeting.refresh_from_db()
    assert not world.meeting.is_cancelled and not mail.outbox


def test_cancelling_twice_is_refused_with_a_message(client, world):
    sign_in(client, world.enrolling)
    client.post(cancel_url(world), {"confirm": "yes"})
    mail.outbox.clear()
    response = client.post(cancel_url(world), {"confirm": "yes"}, follow=True)
    assert "This meeting was cancelled." in response.content.decode()
    assert not mail.outbox


def test_the_confirmation_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(cancel_url(world))
    with django_assert_num_queries(CANCEL_PAGE_QUERIES):
        client.get(cancel_url(world))


CANCEL_PAGE_QUERIES = 6
