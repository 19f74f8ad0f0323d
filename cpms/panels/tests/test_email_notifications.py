"""Notifications by e-mail: at once, in the recipient's language, as their settings say; one path
through the real broker and worker, the rest with the task run in this process."""

import pytest
from django.core import mail
from django.db import transaction

from cpms.test import link_in

from ..models import Notification, NotificationSettings, Urgency
from ..notifications import notify
from ..tasks import email_notifications
from .factories import make_panel, make_panel_world

Email = NotificationSettings.Email


def choose(user, email: str) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"email": email})


def notify_and_commit(capture, recipients, kind, panel, actor):
    with capture(execute=True):
        return notify(recipients, kind, panel, actor=actor)


def test_it_emails_each_recipient_a_sentence_of_its_kind_with_a_link(
    world, django_capture_on_commit_callbacks
):
    notify_and_commit(
        django_capture_on_commit_callbacks,
        [world.expert, world.guest_member],
        Notification.Kind.CONTRIBUTION,
        world.panel,
        world.enrolling,
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["erik@example.org", "gustav@example.org"]
    message = next(m for m in mail.outbox if m.to == ["erik@example.org"])
    assert message.subject == f"New contribution · {world.panel.reference}"
    assert "Dear Erik," in message.body
    sentence = (
        f"Helena Weber contributed to panel {world.panel.reference} on patient {world.patient.pseudonym}."
    )
    assert sentence in message.body
    assert link_in(message) == f"/cpms/panels/{world.panel.pk}/"
    assert "/cpms/notifications/settings/" in message.body
    assert not Notification.objects.filter(
        recipient__in=[world.expert, world.guest_member], emailed_at=None
    ).exists()


def test_each_kind_has_its_own_sentence(world):
    sentences = set()
    # The meetings' kinds name no panel; their e-mail is the invitation's (cpms/meetings/invitations.py).
    kinds = [kind for kind in Notification.Kind.values if not kind.startswith("meeting_")]
    for kind in kinds:
        [notification] = notify([world.expert], kind, world.panel, actor=world.enrolling)
        email_notifications([notification.pk])
        body = mail.outbox[-1].body
        assert world.panel.reference in body and world.patient.pseudonym in body, kind
        sentences.add(body.split("\n\n")[1])
    assert len(sentences) == len(kinds)


def test_it_writes_in_the_recipients_language(world):
    world.expert.email_language = "fr"
    world.expert.save()
    [notification] = notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    email_notifications([notification.pk])
    [message] = mail.outbox
    assert message.subject == f"Invitation à un panel · {world.panel.reference}"
    assert f"vous a invité au panel {world.panel.reference}" in message.body
    assert "Bonjour Erik," in message.body


def test_an_urgent_panel_is_flagged_in_the_subject(world):
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT)
    [notification] = notify([world.expert], Notification.Kind.INVITED, urgent, actor=world.enrolling)
    email_notifications([notification.pk])
    [message] = mail.outbox
    assert message.subject.startswith("[URGENT] Invitation to a panel")
    assert "This panel is urgent." in message.body


@pytest.mark.parametrize(
    ("choice", "routine_sent", "urgent_sent"),
    [(Email.NOW, True, True), (Email.DIGEST, False, True), (Email.URGENT_ONLY, False, True)],
)
def test_it_follows_the_recipients_settings_and_urgent_goes_at_once(world, choice, routine_sent, urgent_sent):
    choose(world.expert, choice)
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT)
    [routine_one] = notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling)
    [urgent_one] = notify([world.expert], Notification.Kind.CONTRIBUTION, urgent, actor=world.enrolling)
    assert email_notifications([routine_one.pk, urgent_one.pk]) == routine_sent + urgent_sent
    subjects = [m.subject for m in mail.outbox]
    assert any(world.panel.reference in s for s in subjects) == routine_sent
    assert any(urgent.reference in s for s in subjects) == urgent_sent
    assert (Notification.objects.get(pk=routine_one.pk).emailed_at is not None) == routine_sent


def test_it_sends_each_one_once_and_none_to_a_closed_account(world):
    world.guest_member.is_active = False
    world.guest_member.save()
    notifications = notify(
        [world.expert, world.guest_member], Notification.Kind.CLOSED, world.panel, actor=world.enrolling
    )
    ids = [n.pk for n in notifications]
    assert email_notifications(ids) == 1
    assert email_notifications(ids) == 0
    assert [m.to for m in mail.outbox] == [["erik@example.org"]]


def test_it_travels_through_the_broker_to_the_worker(broker):
    world = make_panel_world()
    with transaction.atomic():
        notify([world.expert], Notification.Kind.INFORMATION_REQUESTED, world.panel, actor=world.enrolling)
        assert mail.outbox == []  # nothing before the commit
    broker.wait_for("panels.email_notifications")
    [message] = mail.outbox
    assert message.to == ["erik@example.org"]
    assert f"asked for more information on panel {world.panel.reference}" in message.body
    assert Notification.objects.get(recipient=world.expert).emailed_at is not None
