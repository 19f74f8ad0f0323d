from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from cpms.audit import triggers
from cpms.audit.models import AuditEvent
from cpms.audit.record import first_broken_link, is_secret, record

pytestmark = pytest.mark.django_db


def test_it_chains_each_event_to_the_previous_one(alice):
    first = record(alice, "identity.password.changed", alice)
    second = record(None, "identity.signin.password_failed", None, {"identifier": "x@example.org"})
    assert second.previous_hash == first.hash
    assert first_broken_link() is None


def test_it_masks_secrets_and_addresses(alice):
    event = record(
        alice,
        "test.masked",
        alice,
        {
            "password": "hunter2hunter2",
            "code": "123456",
            "identifier": "alice@example.org",
            "phone": "+33612345678",
        },
    )
    assert event.data == {
        "password": "***",
        "code": "***",
        "identifier": "al***@example.org",
        "phone": "********5678",
    }


def test_it_refuses_to_change_or_delete_an_event(alice):
    event = record(alice, "test.event", alice)
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@contextmanager
def as_database_owner():
    """Someone who can drop the triggers, as an attacker with the database owner's rights could."""
    triggers.run(connection, "drop")
    try:
        yield
    finally:
        triggers.run(connection, "create")


def test_the_database_refuses_updates_and_deletes(alice):
    event = record(alice, "test.event", alice)
    for change in (lambda q: q.update(action="test.rewritten"), lambda q: q.delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change(AuditEvent.objects.filter(pk=event.pk))


def test_it_reports_the_first_broken_link_after_tampering(alice):
    record(alice, "test.one", alice)
    tampered = record(alice, "test.two", alice)
    record(alice, "test.three", alice)
    with as_database_owner():
        AuditEvent.objects.filter(pk=tampered.pk).update(action="test.rewritten")
    assert first_broken_link().pk == tampered.pk
    with pytest.raises(CommandError, match=f"broken at event {tampered.pk}"):
        call_command("verify_audit_chain")


def test_it_notices_removed_events_at_the_end(alice):
    record(alice, "test.one", alice)
    last = record(alice, "test.two", alice)
    with as_database_owner():
        AuditEvent.objects.filter(pk=last.pk).delete()
    assert first_broken_link() is not None


def test_it_verifies_an_intact_chain(alice, capsys):
    record(alice, "test.one", alice)
    call_command("verify_audit_chain")
    assert "intact: 1 events" in capsys.readouterr().out


def test_it_records_the_client_ip_of_the_request(client, alice):
    client.post("/login/", {"identifier": "alice@example.org"})
    client.post("/login/method/", {"method": "password"})
    client.post("/login/password/", {"password": "wrong password!!"}, REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action="identity.signin.password_failed")
    assert event.ip == "203.0.113.9"
    assert event.actor_id == alice.pk


def test_it_masks_secrets_and_addresses_inside_lists(alice):
    event = record(
        alice,
        "test.masked",
        alice,
        {
            "recipients": ["alice@example.org", "bob@example.org"],
            "codes": ["123456"],
            "items": [{"otp": "1"}],
        },
    )
    assert event.data == {
        "recipients": ["al***@example.org", "bo***@example.org"],
        "codes": "***",
        "items": [{"otp": "***"}],
    }


def test_it_says_when_the_last_events_were_removed(alice):
    record(alice, "test.one", alice)
    last = record(alice, "test.two", alice)
    with as_database_owner():
        AuditEvent.objects.filter(pk=last.pk).delete()
    with pytest.raises(CommandError, match="the last events were removed"):
        call_command("verify_audit_chain")


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("new_password", True),
        ("code_hash", True),
        ("recovery_codes", True),
        ("private-key", True),
        ("challenge", True),
        ("webauthn_credentials", False),
        ("country", False),
        ("keyboard_layout", False),
        ("decode_errors", False),
    ],
)
def test_it_masks_secret_words_not_words_that_contain_them(key, masked):
    assert is_secret(key) is masked
