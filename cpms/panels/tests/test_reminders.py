"""The daily reminders: before the wished answer date, and before a close that would fail."""

import datetime as dt

import time_machine
from django.core import mail
from django.test import override_settings

from ..models import Contribution, Membership, Notification, NotificationSettings, Panel, PanelStatus, Urgency
from ..reminders import remind_close_rule, remind_wished_date
from ..tasks import send_reminders
from .factories import add_member, make_panel

TODAY = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
WISHED = dt.date(2026, 12, 10)


def reminded(kind) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def contribute(panel, *authors) -> None:
    for author in authors:
        Contribution.objects.create(panel=panel, author=author, text="My opinion.")


def wished_by(world, date, **extra) -> Panel:
    Panel.objects.unscoped().filter(pk=world.panel.pk).update(wished_answer_date=date, **extra)
    world.panel.refresh_from_db()
    return world.panel


def test_before_the_wished_date_it_reminds_the_lead_and_the_silent_members_once(world):
    wished_by(world, WISHED)
    contribute(world.panel, world.expert)
    with time_machine.travel(TODAY, tick=False) as clock:
        assert remind_wished_date(days_before=3) == 0  # 8 days ahead
        clock.move_to(dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC))
        assert remind_wished_date(days_before=3) == 1
        assert remind_wished_date(days_before=3) == 0
    # the lead, and the guest member who has not contributed; not the expert, nor the invitee
    assert reminded(Notification.Kind.REMINDER_WISHED_DATE) == {world.enrolling.pk, world.guest_member.pk}
    world.panel.refresh_from_db()
    assert world.panel.wished_date_reminded_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def test_it_reminds_a_panel_whose_date_passed_unreminded_and_never_one_that_is_not_open(world):
    wished_by(world, dt.date(2026, 11, 30))
    closed = make_panel(world.patient, world.enrolling, status=PanelStatus.CLOSED, wished_answer_date=WISHED)
    undated = make_panel(world.patient, world.enrolling)
    with time_machine.travel(TODAY, tick=False):
        assert remind_wished_date(days_before=3) == 1
    panels = set(Notification.objects.values_list("panel_id", flat=True))
    assert panels == {world.panel.pk} and not {closed.pk, undated.pk} & panels


def test_before_a_close_that_would_fail_it_reminds_the_lead_once(world):
    wished_by(world, dt.date(2026, 12, 4))
    contribute(world.panel, world.expert, world.expert)  # one member, twice: still one contributor
    with time_machine.travel(TODAY, tick=False):
        assert remind_close_rule(days_before=3) == 1
        assert remind_close_rule(days_before=3) == 0
    assert reminded(Notification.Kind.REMINDER_CLOSE_RULE) == {world.enrolling.pk}
    world.panel.refresh_from_db()
    assert world.panel.close_rule_reminded_at is not None


def test_two_members_who_contributed_need_no_close_reminder(world):
    wished_by(world, dt.date(2026, 12, 4))
    contribute(world.panel, world.expert, world.guest_member)
    with time_machine.travel(TODAY, tick=False):
        assert remind_close_rule(days_before=3) == 0
    assert not reminded(Notification.Kind.REMINDER_CLOSE_RULE)


def test_a_contribution_by_someone_no_longer_a_member_does_not_count(world):
    wished_by(world, dt.date(2026, 12, 4))
    contribute(world.panel, world.expert, world.guest_member)
    world.panel.memberships.filter(user=world.guest_member).update(status=Membership.Status.REMOVED)
    with time_machine.travel(TODAY, tick=False):
        assert remind_close_rule(days_before=3) == 1


def test_the_daily_task_uses_the_configured_days_and_urgent_reminders_are_emailed_at_once(
    world, django_capture_on_commit_callbacks
):
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT, wished_answer_date=WISHED)
    add_member(urgent, world.expert)
    NotificationSettings.objects.create(user=world.enrolling, email=NotificationSettings.Email.DIGEST)
    with time_machine.travel(TODAY, tick=False), override_settings(PANELS_REMINDER_DAYS_BEFORE=3):
        assert send_reminders() == {"wished_date": 0, "close_rule": 0}
    with (
        time_machine.travel(TODAY, tick=False),
        override_settings(PANELS_REMINDER_DAYS_BEFORE=8),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_reminders() == {"wished_date": 1, "close_rule": 1}
    subjects = {(m.to[0], m.subject) for m in mail.outbox}
    assert (
        "helena@example.org",
        f"[URGENT] Reminder: fewer than two contributions · {urgent.reference}",
    ) in subjects
    assert (
        "erik@example.org",
        f"[URGENT] Reminder: the wished answer date is near · {urgent.reference}",
    ) in subjects
