"""The invitation e-mails of a change leave in one background task (tasks.send_invitations), rendered
there from what is true then and sent in batches over one connection: a real SMTP server (aiosmtpd)
that fails mid-way leaves only the invitees not reached yet for the retry; the real worker sends them."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from cpms.panels.models import Notification

from .. import invitations
from ..actions import Plan, Slot, do_schedule_meeting
from ..invitations import INVITED, REMOVED, invitation_emails, send_invitation_emails
from ..models import Invitation
from .factories import make_meeting_world
from .scheduling_helpers import event_of, in_days


class FlakyServer:
    """Accepts messages until `fail_after` of them, then answers 451 (try later); refuses `refused`."""

    def __init__(self, fail_after=None, refused=()):
        self.accepted, self.fail_after, self.refused = [], fail_after, set(refused)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_after is not None and len(self.accepted) >= self.fail_after:
            return "451 Try again later"
        self.accepted.append(envelope.rcpt_tos[0])
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    def start(**options):
        handler = FlakyServer(**options)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


def invitee_ids(world):
    return sorted(world.meeting.invitations.values_list("user_id", flat=True))


def test_it_renders_every_invitee_s_email_in_three_queries(world, django_assert_num_queries):
    everyone = invitee_ids(world)
    with django_assert_num_queries(3):  # the meeting, its agenda, the invitations with their users
        emails = invitation_emails(world.meeting.pk, INVITED, everyone)
    assert [user_id for user_id, _ in emails] == everyone
    for user_id, message in emails:
        calendar, event = event_of(message)
        user = next(i.user for i in world.meeting.invitations.select_related("user") if i.user_id == user_id)
        assert message.to == [user.email] and str(event["attendee"]) == f"mailto:{user.email}"


def test_a_mail_server_failing_mid_way_leaves_only_the_rest_for_the_retry(world, smtp, monkeypatch):
    monkeypatch.setattr(invitations, "BATCH", 2)
    server = smtp(fail_after=2)
    everyone = invitee_ids(world)
    left = send_invitation_emails(world.meeting.pk, INVITED, everyone)
    assert left == everyone[2:]
    server.fail_after = None  # the server is back: the retry sends the third, once
    assert send_invitation_emails(world.meeting.pk, INVITED, left) == []
    emails = {i.user_id: i.user.email for i in world.meeting.invitations.select_related("user")}
    assert server.accepted == [emails[user_id] for user_id in everyone]


def test_a_refused_address_is_skipped_and_the_others_sent(world, smtp):
    server = smtp(refused={world.expert.email})
    assert send_invitation_emails(world.meeting.pk, INVITED, invitee_ids(world)) == []
    assert sorted(server.accepted) == sorted([world.guest_member.email, world.outsider_invited.email])


def test_news_overtaken_by_a_later_change_is_not_sent(world):
    """An invitation to someone taken off since, or a removal undone since: their own task says it."""
    Invitation.objects.filter(meeting=world.meeting, user=world.expert).update(removed_at="2026-01-01T00:00Z")
    invited = [user_id for user_id, _ in invitation_emails(world.meeting.pk, INVITED, invitee_ids(world))]
    assert world.expert.pk not in invited and len(invited) == 2
    removed = [user_id for user_id, _ in invitation_emails(world.meeting.pk, REMOVED, invitee_ids(world))]
    assert removed == [world.expert.pk]


def test_a_new_meeting_s_invitations_go_through_the_real_worker(broker):
    world = make_meeting_world()
    plan = Plan(
        title="Worker board",
        starts_at=world.meeting.starts_at.replace(day=in_days(4).day, month=in_days(4).month),
        time_zone="Europe/Berlin",
        duration_minutes=60,
        agenda=(Slot(world.panel, "", 30),),
        extra_invitee_ids=(world.outsider_invited.pk,),
    )
    mail.outbox.clear()
    meeting = do_schedule_meeting(acting_user=world.enrolling, plan=plan)  # commits: a transactional test
    assert broker.wait_for("meetings.send_invitations") == ["SUCCESS"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.expert, world.guest_member, world.outsider_invited)
    )
    assert all(event_of(m)[1]["uid"] == meeting.calendar_uid for m in mail.outbox)
    assert Notification.objects.filter(meeting_id=meeting.pk, kind="meeting_invited").count() == 3


def test_without_a_broker_a_mail_server_that_is_down_fails_once_and_is_recorded(world, settings):
    """The embedded default runs the task here, once (cpms.lib.tasks.run_now): no retry loop in the
    request; the failure is in the audit trail, without the addresses."""
    from cpms.audit.models import AuditEvent
    from cpms.lib.tasks import run_now

    from ..tasks import send_invitations

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    run_now(send_invitations, (world.meeting.pk, INVITED, invitee_ids(world)))
    event = AuditEvent.objects.get(action="lib.task.failed")
    assert event.data["task"] == "meetings.send_invitations" and event.data["error"] == "MailServerFailed"
    assert world.expert.email not in str(event.data)
