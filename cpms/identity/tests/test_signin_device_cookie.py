"""OWASP "device cookies": a browser that signed in to an account before gets past that account's
lock-out (which anyone can trigger), but has its own counter, and the per-IP one still applies."""

import pytest
from django.test import Client

from cpms.identity.sessions import DEVICE_COOKIE
from cpms.test import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts"


def sign_in_with_password(client, identifier, password, **extra):
    client.post("/login/", {"identifier": identifier})
    return client.post("/login/password/", {"password": password}, **extra)


def known_browser(user) -> Client:
    """A browser in which the owner signed in before (and out again)."""
    browser = Client()
    assert sign_in_with_password(browser, user.email, PASSWORD).url == "/account/"
    browser.post("/logout/")
    return browser


def lock_out(identifier, client=None, **extra):
    client = client or Client()
    client.post("/login/", {"identifier": identifier})
    for _ in range(5):
        client.post("/login/password/", {"password": "wrong password!!"}, **extra)
    return client


def test_it_gives_a_signed_httponly_lax_device_cookie_after_a_sign_in(client, alice):
    response = sign_in_with_password(client, alice.email, PASSWORD)
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    again = sign_in_with_password(client, alice.email, PASSWORD)
    assert again.cookies[DEVICE_COOKIE].value.split(":")[0] == cookie.value.split(":")[0]  # same nonce


def test_it_lets_the_owner_sign_in_from_a_known_browser_while_the_account_is_locked(alice):
    owner = known_browser(alice)
    attacker = lock_out(alice.email, REMOTE_ADDR="203.0.113.9")
    assert LOCKED in sign_in_with_password(attacker, alice.email, PASSWORD).content.decode()
    assert LOCKED in sign_in_with_password(Client(), alice.email, PASSWORD).content.decode()
    assert sign_in_with_password(owner, alice.email, PASSWORD).url == "/account/"


def test_it_locks_a_device_cookie_that_guesses_wrong(alice):
    owner = known_browser(alice)
    lock_out(alice.email, owner)  # five wrong passwords with the device cookie: that cookie is locked
    assert LOCKED in sign_in_with_password(owner, alice.email, PASSWORD).content.decode()
    assert sign_in_with_password(Client(), alice.email, PASSWORD).url == "/account/"  # the account is not


def test_it_keeps_the_per_ip_limit_for_a_known_browser(alice):
    owner = known_browser(alice)
    for i in range(21):
        lock_out(f"guess{i}@example.org", REMOTE_ADDR="198.51.100.7")
    locked = sign_in_with_password(owner, alice.email, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert LOCKED in locked.content.decode()


def test_it_ignores_a_device_cookie_of_another_account_or_a_forged_one(alice, bob):
    alices_browser = known_browser(alice)
    lock_out(bob.email)
    assert LOCKED in sign_in_with_password(alices_browser, bob.email, PASSWORD).content.decode()
    lock_out(alice.email)
    forged = Client()
    payload, *_ = alices_browser.cookies[DEVICE_COOKIE].value.split(":")
    forged.cookies[DEVICE_COOKIE] = f"{payload}:forged:signature"
    assert LOCKED in sign_in_with_password(forged, alice.email, PASSWORD).content.decode()
