"""The daily digest: one e-mail per person who chose it, with what they were not told yet."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from ..models import Notification, NotificationSettings, Urgency
from ..notifications import notify
from ..tasks import DIGEST_MAX_ITEMS, email_digests, email_notifications
from .factories import make_panel

Email = NotificationSettings.Email


def choose(user, email: str) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"email": email})


def test_it_sends_one_digest_per_reader_of_what_they_were_not_told(world):
    choose(world.expert, Email.DIGEST)
    choose(world.guest_member, Email.DIGEST)
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT)
    invited = notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    contributed = notify(
        [world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member
    )
    [at_once] = notify([world.expert], Notification.Kind.INVITED, urgent, actor=world.enrolling)
    email_notifications([at_once.pk])  # urgent: already e-mailed, not again in the digest
    mail.outbox.clear()

    assert email_digests() == 1  # the guest member has nothing new
    [digest] = mail.outbox
    assert digest.to == ["erik@example.org"]
    assert digest.subject == "Your daily CPMS digest: 2 notifications"
    assert digest.body.index("invited you to panel") < digest.body.index("Gustav Berg contributed to panel")
    assert urgent.reference not in digest.body
    assert f"/cpms/panels/{world.panel.pk}/" in digest.body
    pending = Notification.objects.filter(pk__in=[invited[0].pk, contributed[0].pk], emailed_at=None)
    assert not pending.exists()
    assert email_digests() == 0  # nothing twice


def test_it_leaves_out_those_who_chose_otherwise(world):
    choose(world.guest_member, Email.URGENT_ONLY)
    notify([world.expert, world.guest_member], Notification.Kind.CLOSED, world.panel, actor=world.enrolling)
    assert email_digests() == 0
    assert mail.outbox == []


def test_it_is_written_in_the_readers_language(world):
    choose(world.expert, Email.DIGEST)
    world.expert.email_language = "fr"
    world.expert.save()
    notify([world.expert], Notification.Kind.CLOSED, world.panel, actor=world.enrolling)
    email_digests()
    [digest] = mail.outbox
    assert digest.subject == "Votre résumé quotidien CPMS : 1 notification"
    assert f"Le panel {world.panel.reference}" in digest.body


def test_a_long_day_says_how_many_more_there_are(world):
    choose(world.expert, Email.DIGEST)
    for _ in range(DIGEST_MAX_ITEMS + 2):
        notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    email_digests()
    [digest] = mail.outbox
    assert digest.body.count("contributed to panel") == DIGEST_MAX_ITEMS
    assert "And 2 more notifications: see them all in CPMS." in digest.body
    assert not Notification.objects.filter(recipient=world.expert, emailed_at=None).exists()


def test_what_is_more_than_a_week_old_stays_in_the_application(world):
    choose(world.expert, Email.DIGEST)
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        [old] = notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    assert email_digests() == 0
    assert Notification.objects.get(pk=old.pk).emailed_at is None
