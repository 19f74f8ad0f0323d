import pytest
from django.db import DatabaseError, connection, transaction

from cpms.audit import triggers
from cpms.audit.chain import background_sealer, seal, verify_chain
from cpms.audit.models import AuditChainHead, AuditEvent
from cpms.audit.record import changes, is_secret, record

pytestmark = pytest.mark.django_db


def test_it_chains_each_event_to_the_previous_one_when_sealed(alice):
    first = record(alice, "identity.password.changed", alice)
    second = record(None, "identity.signin.password_failed", None, {"identifier": "x@example.org"})
    assert seal() == 2
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.seq, second.seq) == (1, 2)
    assert second.previous_hash == first.hash
    assert AuditChainHead.objects.get().last_hash == second.hash
    assert verify_chain(full=True).intact


def test_it_only_inserts_and_seals_after_commit(
    alice, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(1):  # no lock, no shared row: one INSERT
            event = record(alice, "identity.password.changed", alice)
        assert AuditEvent.objects.get(pk=event.pk).seq is None
    assert AuditEvent.objects.get(pk=event.pk).seq == 1


def test_it_leaves_sealing_to_the_regular_job_when_told(alice, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_SEAL_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = record(alice, "identity.password.changed", alice)
    assert callbacks == []
    assert AuditEvent.objects.get(pk=event.pk).seq is None
    assert verify_chain().pending == 1


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


def test_the_database_refuses_updates_and_deletes_of_sealed_events(alice):
    event = record(alice, "test.event", alice)
    seal()
    changes_to_try = (
        lambda q: q.update(action="test.rewritten"),
        lambda q: q.update(hash="0" * 64),
        lambda q: q.update(seq=None),
        lambda q: q.delete(),
    )
    for change in changes_to_try:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change(AuditEvent.objects.filter(pk=event.pk))


def test_the_database_lets_an_unsealed_event_be_sealed_but_not_changed(alice):
    event = record(alice, "test.event", alice)
    for change in (
        lambda q: q.update(action="test.rewritten", seq=99),
        lambda q: q.update(data={"forged": True}, seq=99),
        lambda q: q.update(actor_id=None, seq=99),
        lambda q: q.delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change(AuditEvent.objects.filter(pk=event.pk))
    AuditEvent.objects.filter(pk=event.pk).update(seq=99, previous_hash="a" * 64, hash="b" * 64)


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


def test_it_records_changed_values_in_one_form(alice):
    old = {"email": "alice@example.org", "phone": "+33612345678", "language": "en", "password": "x" * 12}
    new = {"email": "alice@example.com", "phone": "+33698765432", "language": "en", "password": "y" * 12}
    data = changes(old, new, ["email", "phone", "language", "password"])
    assert data == {
        "email": {"old": "alice@example.org", "new": "alice@example.com"},
        "phone": {"old": "+33612345678", "new": "+33698765432"},
        "password": {"old": "x" * 12, "new": "y" * 12},
    }
    assert record(alice, "test.changed", alice, data).data == {
        "email": {"old": "al***@example.org", "new": "al***@example.com"},
        "phone": {"old": "********5678", "new": "********5432"},
        "password": "***",
    }


def test_it_compares_objects_with_dicts(alice):
    assert changes({"first_name": "Alicia"}, alice, ["first_name", "last_name"]) == {
        "first_name": {"old": "Alicia", "new": "Alice"},
        "last_name": {"old": None, "new": "Martin"},
    }
    assert changes(alice, alice, ["first_name"]) == {}


def test_it_records_the_client_ip_of_the_request(client, alice):
    client.post("/login/", {"identifier": "alice@example.org"})
    client.post("/login/method/", {"method": "password"})
    client.post("/login/password/", {"password": "wrong password!!"}, REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action="identity.signin.password_failed")
    assert event.ip == "203.0.113.9"
    assert event.actor_id == alice.pk


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


@pytest.fixture
def committed_trail(transactional_db):
    yield
    triggers.empty_for_tests(connection)


def test_a_thread_of_the_process_seals_committed_events_in_blocks(committed_trail, settings):
    settings.AUDIT_SEAL_IN_BACKGROUND = True
    events = [record(None, "test.committed", None, {"number": number}) for number in range(3)]  # autocommit
    # Wait for the thread without touching the database meanwhile: polling it while the thread
    # writes is what made this test flaky (SQLite's shared in-memory test database answers a read of
    # a table being written "database table is locked", at once, instead of waiting).
    assert background_sealer.wait_until_sealed(timeout=60)
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert AuditEvent.objects.get(pk=events[-1].pk).hash == AuditChainHead.objects.get().last_hash
    assert verify_chain(full=True).intact
