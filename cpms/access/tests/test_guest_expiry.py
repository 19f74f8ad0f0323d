from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from cpms.access.models import Grant
from cpms.access.queries.grants import active_grants, has_active_grant
from cpms.access.tests.factories import make_grant
from cpms.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run_command(capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("expire_guest_grants", stdout=out)
    return out.getvalue()


def test_guest_access_ends_after_90_days_without_any_job(alice, rnd):
    with time_machine.travel(NOW, tick=False):
        grant = make_grant(alice, rnd.guest, "hp")
    assert grant.expires_at == NOW + timedelta(days=90)
    with time_machine.travel(NOW + timedelta(days=90) - timedelta(seconds=1), tick=False):
        assert has_active_grant(alice)
        assert list(active_grants(alice)) == [grant]
        assert Grant.objects.get(pk=grant.pk).is_active
    with time_machine.travel(NOW + timedelta(days=90), tick=False):
        assert not has_active_grant(alice)
        assert list(active_grants(alice)) == []
        assert not Grant.objects.get(pk=grant.pk).is_active


def test_other_access_does_not_expire(alice, rnd):
    with time_machine.travel(NOW, tick=False):
        make_grant(alice, rnd.hcp, "hp")
    with time_machine.travel(NOW + timedelta(days=3650), tick=False):
        assert has_active_grant(alice)


def test_it_warns_once_within_14_days(alice, charlie, bob, rnd, django_capture_on_commit_callbacks):
    soon = make_grant(charlie, rnd.guest, "hp", expires_at=NOW + timedelta(days=10))
    make_grant(alice, rnd.guest, "researcher", expires_at=NOW + timedelta(days=30))  # not yet
    make_grant(alice, rnd.guest, "hp", expires_at=NOW - timedelta(days=1))  # already over
    make_grant(bob, rnd.guest, "hp", expires_at=NOW + timedelta(days=3), revoked_at=NOW)  # revoked
    make_grant(bob, rnd.hcp, "hp", expires_at=NOW + timedelta(days=3))  # not a guest grant
    with time_machine.travel(NOW, tick=False):
        output = run_command(django_capture_on_commit_callbacks)
    assert "1 notified, 0 already notified" in output
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["charlie@example.org"]
    assert "12 mars 2026" in message.body  # in charlie's e-mail language
    event = AuditEvent.objects.get(action="access.grant.expiry_notice")
    assert event.actor_id is None and event.target_id == str(soon.pk)

    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        output = run_command(django_capture_on_commit_callbacks)
    assert "0 notified, 1 already notified" in output
    assert len(mail.outbox) == 1


def test_it_warns_again_after_a_renewal(charlie, rnd, django_capture_on_commit_callbacks):
    grant = make_grant(charlie, rnd.guest, "hp", expires_at=NOW + timedelta(days=10))
    with time_machine.travel(NOW, tick=False):
        run_command(django_capture_on_commit_callbacks)
    grant.expires_at = NOW + timedelta(days=90)  # renewed
    grant.save()
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        assert "0 notified, 0 already notified" in run_command(django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + timedelta(days=80), tick=False):
        assert "1 notified" in run_command(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_it_says_so_when_there_is_nothing_to_do(rnd, django_capture_on_commit_callbacks):
    output = run_command(django_capture_on_commit_callbacks)
    assert "0 notified, 0 already notified" in output
    assert mail.outbox == []
