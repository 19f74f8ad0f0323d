import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.models import UserSession
from cpms.identity.queries import users_with_email, users_with_username
from cpms.identity.throttle import delay_after
from cpms.test import PASSWORD, add_authenticator, sign_in

from .oidc_helpers import make_service, tokens_for, userinfo

pytestmark = pytest.mark.django_db


def start(client, identifier, next_url=""):
    return client.post("/login/", {"identifier": identifier, "next": next_url})


def comparable(page: str, identifier: str) -> str:
    """A page, without what differs by design: the typed identifier and the CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page.replace(identifier, "X"))


def test_it_signs_in_with_a_password_and_rotates_the_session(client, alice):
    start(client, "alice@example.org")
    before = client.session.session_key
    response = client.post("/login/password/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/account/"
    assert client.session.session_key != before
    assert client.session["verified.methods"] == ["pwd"]
    assert UserSession.objects.filter(user=alice, session_key=client.session.session_key).exists()
    assert AuditEvent.objects.filter(action="identity.signin.succeeded", actor_id=alice.pk).exists()


def test_it_accepts_the_username_too(client, alice):
    start(client, "NALICE01")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/"


def test_it_finds_the_e_mail_address_whatever_its_case(client, alice):
    start(client, " Alice@EXAMPLE.org ")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/"


def test_it_finds_the_account_by_e_mail_through_the_index(alice):
    users = users_with_email("ALICE@example.org")
    assert list(users) == [alice]
    if connection.vendor == "sqlite":  # PostgreSQL's planner may scan a table this small
        sql, params = users.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            assert "USING INDEX identity_user_email_unique_ci" in str(cursor.fetchall())


def test_it_finds_the_account_by_username_through_the_index(alice):
    users = users_with_username(" NAlice01 ")
    assert list(users) == [alice]
    if connection.vendor == "sqlite":  # PostgreSQL's planner may scan a table this small
        sql, params = users.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            assert "USING INDEX identity_user_username_ci" in str(cursor.fetchall())


def test_it_asks_every_identifier_for_its_password_next(client, alice):
    response = start(client, "alice@example.org")
    assert response.url == "/login/password/"
    page = client.get(response.url).content.decode()
    assert 'autocomplete="current-password"' in page
    assert "Choose another verification method" not in page


def test_it_sends_a_two_factor_account_to_its_second_factor_after_the_password(client, bob):
    start(client, "bob@example.org")
    response = client.post("/login/password/", {"password": PASSWORD})
    assert response.url == "/login/app/"
    assert "_auth_user_id" not in client.session


def test_it_offers_the_preferred_second_factor_first(client, charlie):
    add_authenticator(charlie)
    start(client, "charlie@example.org")
    assert (
        client.post("/login/password/", {"password": PASSWORD}).url == "/login/app/"
    )  # never SMS unless chosen
    charlie.preferred_method = "sms"
    charlie.save()
    start(client, "charlie@example.org")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/login/sms/"


def test_it_lists_only_the_accounts_own_second_factors_after_the_password(client, charlie):
    add_authenticator(charlie)
    start(client, "charlie@example.org")
    assert client.get("/login/method/").url == "/login/"  # not before the password is right
    client.post("/login/password/", {"password": PASSWORD})
    response = client.get("/login/method/")
    choices = [value for value, _ in response.context["form"].fields["method"].choices]
    assert choices == ["sms", "totp"]
    assert client.post("/login/method/", {"method": "sms"}).url == "/login/sms/"
    assert client.post("/login/method/", {"method": "password"}).status_code == 200  # not a second factor


def test_it_answers_the_same_for_an_unknown_account_and_a_wrong_password(client, alice):
    start(client, "nobody@example.org")
    unknown = client.post("/login/password/", {"password": "whatever it is!"}).content.decode()
    start(client, "alice@example.org")
    wrong = client.post("/login/password/", {"password": "whatever it is!"}).content.decode()
    assert "The password is not correct, or there is no account" in unknown

    assert comparable(unknown, "nobody@example.org") == comparable(wrong, "alice@example.org")


def test_it_slows_down_password_guessing_per_account(client, alice):
    start(client, "alice@example.org")
    for _ in range(5):
        client.post("/login/password/", {"password": "wrong password!!"})
    response = client.post("/login/password/", {"password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert client.post("/login/password/", {"password": PASSWORD}).status_code == 302


def test_it_grows_the_delay_with_each_failure(client, alice):
    assert [delay_after("password:account", n).total_seconds() for n in range(3, 8)] == [0, 30, 60, 120, 240]
    start(client, "alice@example.org")
    moment = timezone.now()
    for failures in range(1, 9):  # each wrong guess waits until the previous delay has passed
        with time_machine.travel(moment):
            client.post("/login/password/", {"password": "wrong password!!"})
        moment += delay_after("password:account", failures) + timedelta(seconds=1)
    eighth_delay = delay_after("password:account", 8)
    assert eighth_delay == timedelta(minutes=8)
    with time_machine.travel(moment - timedelta(seconds=2)):
        assert (
            "Too many failed attempts"
            in client.post("/login/password/", {"password": PASSWORD}).content.decode()
        )
    with time_machine.travel(moment):
        assert client.post("/login/password/", {"password": PASSWORD}).status_code == 302


def test_it_forgets_failures_a_day_after_the_last(client, alice):
    start(client, "alice@example.org")
    moment = timezone.now()
    with time_machine.travel(moment):
        for _ in range(3):  # free failures: no lock yet
            client.post("/login/password/", {"password": "wrong password!!"})
    with time_machine.travel(moment + timedelta(hours=25)):
        start(client, "alice@example.org")  # a new session: the first one has expired
        for _ in range(3):  # counted from 0 again: 6 in all would have locked the account
            client.post("/login/password/", {"password": "wrong password!!"})
        response = client.post("/login/password/", {"password": PASSWORD})
        assert response.status_code == 302
        assert response.url == "/account/"


def test_it_still_counts_failures_within_a_day(client, alice):
    start(client, "alice@example.org")
    moment = timezone.now()
    with time_machine.travel(moment):
        for _ in range(3):
            client.post("/login/password/", {"password": "wrong password!!"})
    with time_machine.travel(moment + timedelta(hours=23)):
        start(client, "alice@example.org")  # a new session: the first one has expired
        for _ in range(3):
            client.post("/login/password/", {"password": "wrong password!!"})
        page = client.post("/login/password/", {"password": PASSWORD}).content.decode()
        assert "Too many failed attempts" in page


def test_it_counts_ip_failures_separately_from_accounts(client, alice, bob):
    for i in range(21):
        start(client, f"guess{i}@example.org")
        client.post("/login/password/", {"password": "wrong password!!"}, REMOTE_ADDR="198.51.100.7")
    start(client, "alice@example.org")
    from_bad_ip = client.post("/login/password/", {"password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert "Too many failed attempts" in from_bad_ip.content.decode()
    assert client.post("/login/password/", {"password": PASSWORD}, REMOTE_ADDR="192.0.2.1").status_code == 302


def test_it_follows_a_local_next_url_but_not_a_foreign_one(client, alice):
    start(client, "alice@example.org", next_url="/account/details/")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/details/"
    client.post("/logout/")
    start(client, "alice@example.org", next_url="https://evil.example.com/")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/"


def test_it_sends_steps_out_of_order_back_to_the_start(client):
    assert client.get("/login/method/").url == "/login/"
    assert client.get("/login/password/").url == "/login/"
    assert client.get("/login/app/").url == "/login/"


def test_it_signs_out_on_the_server(client, alice):
    start(client, "alice@example.org")
    client.post("/login/password/", {"password": PASSWORD})
    key = client.session.session_key
    client.post("/logout/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.get(session_key=key).ended_at is not None


def test_it_keeps_only_a_hint_of_an_identifier_that_matches_no_account(client, alice):
    start(client, "Tr0ub4dor&3-my-password")  # a password, typed in the wrong field
    client.post("/login/password/", {"password": "whatever it is"})
    start(client, "alice@example.org")
    client.post("/login/password/", {"password": "not hers"})
    unknown, known = AuditEvent.objects.filter(action="identity.signin.password_failed").order_by("id")
    assert unknown.data == {"identifier": "Tr***"}
    assert known.data == {"identifier": "al***@example.org"}


def test_it_signs_the_previous_account_out_for_good_when_another_signs_in(client, alice, bob):
    sign_in(client, bob)
    bobs_session = UserSession.objects.get(user=bob)
    tokens = tokens_for(client, make_service(trusted=True))
    start(client, "alice@example.org")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    bobs_session.refresh_from_db()
    assert bobs_session.ended_at is not None
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
    event = AuditEvent.objects.get(action="identity.signout")
    assert event.actor_id == bob.pk and event.data == {"replaced_by": alice.pk}


ACCOUNTS = {
    "unknown": "nobody@example.org",
    "password only": "alice@example.org",
    "two factors": "bob@example.org",
}


def answers_until_the_password_is_right(identifier: str) -> list[str]:
    """What a fresh browser sees for `identifier`: each page of a sign-in with wrong passwords,
    up to the lock-out, without what differs by design (the identifier, the CSRF token)."""
    client = Client()
    pages = [client.get("/login/").content.decode()]
    pages.append(client.post("/login/", {"identifier": identifier}, follow=True).content.decode())
    for _ in range(5):
        pages.append(client.post("/login/password/", {"password": "wrong password!!"}).content.decode())
    return [comparable(page, identifier) for page in pages]


def test_it_answers_unknown_password_only_and_two_factor_accounts_alike(alice, bob):
    answers = {kind: answers_until_the_password_is_right(identifier) for kind, identifier in ACCOUNTS.items()}
    assert answers["unknown"] == answers["password only"] == answers["two factors"]
    *_, wrong, locked = answers["unknown"]
    assert "The password is not correct, or there is no account" in wrong
    assert "Too many failed attempts. Please wait 30 seconds and try again." in locked


def test_it_spends_one_password_verification_whatever_the_account(client, alice, bob, settings):
    settings.PASSWORD_HASHERS = ["cpms.identity.tests.test_signin_burst.CountingHasher"]
    from .test_signin_burst import CountingHasher

    for identifier in ACCOUNTS.values():
        CountingHasher.verified = 0
        start(client, identifier)
        client.post("/login/password/", {"password": "wrong password!!"})
        assert CountingHasher.verified == 1, identifier


def test_it_sends_a_signed_in_user_on_instead_of_showing_the_sign_in_form(client, alice):
    sign_in(client, alice, methods=["pwd"])
    assert client.get("/login/").url == "/account/"
    assert client.get("/account/create/").url == "/account/"
    # A service asking for a fresh sign-in (OpenID Connect prompt=login) gets a fresh verification.
    assert client.get("/login/?next=/account/details/").url == "/login/method/?reverify=1"
    assert client.get("/login/method/?reverify=1").url == "/login/password/"
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/details/"


def test_it_rehashes_an_older_argon2_hash_with_owasp_parameters(client, alice, settings):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    settings.PASSWORD_HASHERS = ["cpms.identity.passwords.OwaspArgon2PasswordHasher"]
    old = Argon2PasswordHasher()
    alice.password = old.encode(PASSWORD, old.salt())
    alice.save()
    assert "m=102400,t=2,p=8" in alice.password
    start(client, "alice@example.org")
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/account/"
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_it_checks_an_unknown_account_with_the_same_hasher_and_parameters(client, settings):
    from cpms.identity.actions.signin import _DUMMY_HASHES

    settings.PASSWORD_HASHERS = ["cpms.identity.passwords.OwaspArgon2PasswordHasher"]
    start(client, "nobody@example.org")
    client.post("/login/password/", {"password": "wrong password!!"})
    assert _DUMMY_HASHES["cpms.identity.passwords.OwaspArgon2PasswordHasher"].startswith(
        "argon2$argon2id$v=19$m=19456,t=2,p=1$"
    )
