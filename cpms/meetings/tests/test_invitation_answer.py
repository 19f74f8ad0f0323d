"""An invitee answers accept, tentative or decline; the organiser sees it on the meeting's page and
is told: in CPMS, and by e-mail as their notification settings say."""

import pytest
from django.core import mail
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.panels.models import Membership, Notification, NotificationSettings
from cpms.test import sign_in

from ..models import Invitation


def answer_url(world):
    return reverse("meetings:invitation-answer", args=[world.meeting.pk])


def answer_of(world, user) -> str:
    return Invitation.objects.get(meeting=world.meeting, user=user).response


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.post(answer_url(world), {"response": "accepted"})
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("enrolling", "triager", "other_ern", "invited", "guest"))
def test_who_is_not_invited_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(answer_url(world), {"response": "accepted"}).status_code == 404


def test_it_takes_a_get_for_nothing(client, world):
    sign_in(client, world.expert)
    assert client.get(answer_url(world)).status_code == 405


@pytest.mark.parametrize("response", ("accepted", "tentative", "declined"))
def test_an_invitee_answers_and_the_organiser_sees_it(client, world, response):
    sign_in(client, world.expert)
    assert client.post(answer_url(world), {"response": response}).status_code == 302
    assert answer_of(world, world.expert) == response
    sign_in(client, world.enrolling)
    page = client.get(reverse("meetings:meeting-detail", args=[world.meeting.pk])).content.decode()
    assert f'data-answer="{response}"' in page


def test_a_bad_answer_is_refused_with_a_message(client, world):
    sign_in(client, world.expert)
    response = client.post(answer_url(world), {"response": "needs-action"}, follow=True)
    assert "Answer accept, tentative or decline." in response.content.decode()
    assert answer_of(world, world.expert) == "needs-action"


def test_a_cancelled_meeting_takes_no_answer(client, world):
    world.meeting.status = "cancelled"
    world.meeting.save()
    sign_in(client, world.expert)
    response = client.post(answer_url(world), {"response": "accepted"}, follow=True)
    assert "This meeting was cancelled." in response.content.decode()
    assert answer_of(world, world.expert) == "needs-action"


def test_removed_from_the_panel_they_cannot_answer(client, world):
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status="removed")
    sign_in(client, world.expert)
    assert client.post(answer_url(world), {"response": "accepted"}).status_code == 404


def test_an_answer_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.post(answer_url(world), {"response": "tentative"})
    with django_assert_num_queries(ANSWER_QUERIES):
        client.post(answer_url(world), {"response": "accepted"})
    assert answer_of(world, world.expert) == "accepted"


ANSWER_QUERIES = 14  # with the organiser's notification


@pytest.mark.parametrize(
    ("response", "kind", "sentence"),
    (
        ("accepted", "meeting_accepted", "Erik Larsen accepted your meeting invitation."),
        ("tentative", "meeting_tentative", "Erik Larsen accepted your meeting invitation tentatively."),
        ("declined", "meeting_declined", "Erik Larsen declined your meeting invitation."),
    ),
)
def test_the_organiser_is_told_in_cpms_and_by_e_mail(
    client, world, django_capture_on_commit_callbacks, response, kind, sentence
):
    sign_in(client, world.expert)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url(world), {"response": response})
    [notification] = Notification.objects.filter(recipient=world.enrolling)
    assert (notification.kind, notification.meeting_id, notification.actor_id) == (
        kind,
        world.meeting.pk,
        world.expert.pk,
    )
    [message] = mail.outbox
    assert message.to == [world.enrolling.email] and sentence in message.body
    assert reverse("meetings:meeting-detail", args=[world.meeting.pk]) in message.body
    event = AuditEvent.objects.get(action="meetings.invitation.answered")
    assert event.data == {"response": {"old": "needs-action", "new": response}}
    sign_in(client, world.enrolling)
    assert sentence in client.get(reverse("panels:notification-list")).content.decode()


@pytest.mark.parametrize("choice", ("digest", "urgent"))
def test_an_organiser_who_chose_a_digest_or_no_e_mail_gets_none_now(
    client, world, django_capture_on_commit_callbacks, choice
):
    NotificationSettings.objects.create(user=world.enrolling, email=choice)
    sign_in(client, world.expert)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url(world), {"response": "declined"})
    assert mail.outbox == []
    notification = Notification.objects.get(recipient=world.enrolling)
    assert notification.emailed_at is None  # the digest (for those who chose it) tells them


def test_the_same_answer_again_tells_the_organiser_nothing_new(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world.expert)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url(world), {"response": "accepted"})
        client.post(answer_url(world), {"response": "accepted"})
        client.post(answer_url(world), {"response": "declined"})
    kinds = list(Notification.objects.filter(recipient=world.enrolling).values_list("kind", flat=True))
    assert sorted(kinds) == ["meeting_accepted", "meeting_declined"]
