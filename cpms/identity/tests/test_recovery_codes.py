import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.actions.recovery import (
    ALPHABET,
    do_generate_recovery_codes,
    do_use_recovery_code,
    matches,
    normalized,
)
from cpms.identity.models import RecoveryCode
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

URL = "/account/recovery-codes/"
CODE = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def test_it_asks_anonymous_users_to_sign_in(client):
    for method in (client.get, client.post):
        assert method(URL).url.startswith("/login/?next=")
    assert not RecoveryCode.objects.exists()


def test_it_says_when_there_are_no_codes(client, bob):
    sign_in(client, bob)
    response = client.get(URL)
    assert response.status_code == 200
    assert "You have no unused recovery codes." in response.content.decode()
    assert "Generate recovery codes" in response.content.decode()


def test_it_tells_how_many_codes_are_left_without_showing_them(client, alice, bob):
    codes = do_generate_recovery_codes(acting_user=bob)
    do_generate_recovery_codes(acting_user=alice)
    RecoveryCode.objects.filter(pk=bob.recovery_codes.first().pk).update(used_at=timezone.now())
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "You have 9 unused recovery codes left." in page
    assert not any(code in page for code in codes)


def test_it_generates_ten_codes_shown_once(client, bob, django_capture_on_commit_callbacks):
    sign_in(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = response.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert all(CODE.fullmatch(code) for code in codes)
    page = response.content.decode()
    assert all(code in page for code in codes)
    assert "will not be shown again" in page
    rows = list(bob.recovery_codes.all())
    assert len(rows) == 10
    for row in rows:  # hashed, never in plain text
        assert not any(normalized(code) in row.code_hash or code in row.code_hash for code in codes)
    assert all(any(matches(bob, normalized(code), row.code_hash) for row in rows) for code in codes)
    assert not any(code in client.get(URL).content.decode() for code in codes)
    event = AuditEvent.objects.get(action="identity.recovery_codes.generated")
    assert event.actor_id == bob.pk and event.data == {"count": 10, "replaced": 0}
    assert not any(code in str(event.data) for code in codes)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]
    assert not any(code in mail.outbox[0].body for code in codes)


def test_regenerating_replaces_every_earlier_code(client, bob):
    old = do_generate_recovery_codes(acting_user=bob)
    old_hashes = set(bob.recovery_codes.values_list("code_hash", flat=True))
    sign_in(client, bob)
    new = client.post(URL).context["codes"]
    assert not set(old) & set(new)
    rows = list(bob.recovery_codes.all())
    assert len(rows) == 10
    assert not old_hashes & {row.code_hash for row in rows}
    assert not any(matches(bob, normalized(code), row.code_hash) for code in old for row in rows)
    assert AuditEvent.objects.filter(action="identity.recovery_codes.generated").last().data["replaced"] == 10


def test_it_needs_a_recent_verification(client, bob):
    do_generate_recovery_codes(acting_user=bob)
    before = set(bob.recovery_codes.values_list("code_hash", flat=True))
    sign_in(client, bob)
    session = client.session
    session["verified.at"] = 0
    session.save()
    assert client.get(URL).status_code == 200  # looking needs no fresh verification
    response = client.post(URL)
    assert response.url == "/login/method/?reverify=1"
    assert set(bob.recovery_codes.values_list("code_hash", flat=True)) == before


def test_it_keeps_other_peoples_codes(client, alice, bob):
    do_generate_recovery_codes(acting_user=alice)
    sign_in(client, bob)
    client.post(URL)
    assert alice.recovery_codes.count() == 10


def test_it_makes_a_fixed_number_of_queries(client, bob, django_assert_num_queries):
    do_generate_recovery_codes(acting_user=bob)
    sign_in(client, bob)
    client.get(URL)
    with django_assert_num_queries(3):  # session, user, count
        client.get(URL)


def test_it_stores_a_keyed_hash_bound_to_the_account(alice, bob):
    codes = do_generate_recovery_codes(acting_user=bob)
    row = bob.recovery_codes.first()
    assert re.fullmatch(r"[0-9a-f]{64}", row.code_hash)  # HMAC-SHA256, not a slow password hash
    assert not any(matches(alice, normalized(code), row.code_hash) for code in codes)


def test_codes_hashed_with_an_earlier_secret_key_still_work(bob, settings):
    codes = do_generate_recovery_codes(acting_user=bob)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" * 2
    assert do_use_recovery_code(user=bob, code=codes[0]) == 9


def test_codes_made_with_a_password_hash_keep_working(bob):
    """Codes generated before keyed hashes carry an Argon2 hash: no need to regenerate them."""
    RecoveryCode.objects.create(user=bob, code_hash=make_password("k7q29xmz4hpt"))
    RecoveryCode.objects.create(user=bob, code_hash=make_password("abcdefghjkmn"))
    assert do_use_recovery_code(user=bob, code="wrong-code-here") is None
    assert do_use_recovery_code(user=bob, code="K7Q2-9XMZ-4HPT") == 1
    assert do_use_recovery_code(user=bob, code="k7q2-9xmz-4hpt") is None


def test_the_new_codes_can_be_copied_and_downloaded(client, bob):
    sign_in(client, bob)
    response = client.post(URL)
    codes = response.context["codes"]
    page = response.content.decode()
    assert 'data-copy-target="recovery-codes"' in page and "identity/copy-text.js" in page
    assert 'download="cpms-recovery-codes.txt"' in page
    assert "data:text/plain;charset=utf-8," + "%0A".join(codes) + "%0A" in page
