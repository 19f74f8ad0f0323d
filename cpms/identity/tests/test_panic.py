import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.links import issue_link
from cpms.identity.models import (
    EmailLink,
    Method,
    PhoneNumber,
    RecoveryCode,
    SecurityKey,
    SmsCode,
    TotpDevice,
    UserSession,
)
from cpms.test import add_authenticator, add_phone, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("identity:panic")


@pytest.fixture
def equipped(bob):
    """bob with every kind of device, and a preference for his security key."""
    add_authenticator(bob, "Old phone")
    phone = add_phone(bob, "+4915112345678")
    SmsCode.objects.create(
        phone=phone, purpose="signin", code_hash="x", expires_at=timezone.now() + timedelta(minutes=5)
    )
    SecurityKey.objects.create(user=bob, name="YubiKey", credential_id=b"cred-1", public_key=b"pk")
    for n in range(3):
        RecoveryCode.objects.create(user=bob, code_hash=f"hash-{n}")
    bob.preferred_method = Method.WEBAUTHN
    bob.save()
    return bob


def test_it_asks_anonymous_users_to_sign_in(client):
    for method in ("get", "post"):
        response = getattr(client, method)(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("identity:login"))


def test_it_explains_exactly_what_happens(client, equipped):
    sign_in(client, equipped)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "remove your 2 authenticator apps",
        "remove your 1 mobile phone number",
        "remove your 1 security key or trusted platform",
        "delete your 3 unused recovery codes",
        "end your 1 session, including this one",
        "send you an e-mail",
        "Your account, your password and your e-mail address stay",
    ]:
        assert text in page
    assert TotpDevice.objects.filter(user=equipped).count() == 2  # GET changes nothing


def test_it_says_when_there_is_nothing_of_a_kind(client, alice):
    sign_in(client, alice, methods=("pwd",))
    page = client.get(URL).content.decode()
    assert "remove your authenticator apps (you have none now)" in page
    assert "remove your 0" not in page


def test_it_works_with_a_password_only_and_an_old_verification(client, alice):
    sign_in(client, alice, methods=("pwd",))
    session = client.session
    session["verified.at"] = time.time() - 3600
    session.save()
    assert client.get(URL).status_code == 200
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url == reverse("identity:login")


def test_it_removes_every_device_and_ends_every_session(
    client, equipped, charlie, django_capture_on_commit_callbacks
):
    sign_in(client, equipped, methods=("pwd",))
    current_key = client.session.session_key
    laptop = sign_in(Client(), equipped)
    charlies_browser = sign_in(Client(), charlie)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, follow=True)

    assert response.redirect_chain[-1][0] == reverse("identity:login")
    assert "All your verification devices were removed" in response.content.decode()
    for model in (TotpDevice, PhoneNumber, SecurityKey, RecoveryCode):
        assert not model.objects.filter(user=equipped).exists(), model
    assert not SmsCode.objects.filter(phone__user=equipped).exists()
    assert not UserSession.objects.filter(user=equipped, ended_at=None).exists()
    assert not Session.objects.filter(session_key=current_key).exists()
    for browser in (client, laptop):
        assert browser.get(reverse("identity:my-account")).status_code == 302
    equipped.refresh_from_db()
    assert equipped.preferred_method == ""
    assert equipped.check_password("correct horse battery staple")

    # nobody else is touched
    assert PhoneNumber.objects.filter(user=charlie).exists()
    assert charlies_browser.get(reverse("identity:my-account")).status_code == 200

    event = AuditEvent.objects.get(action="identity.panic")
    assert event.actor_id == equipped.pk
    assert event.data == {
        "authenticator_apps": 2,
        "phone_numbers": 1,
        "webauthn_credentials": 1,
        "recovery_left": 3,
        "sessions": 2,
    }
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "PANIC" in mail.outbox[0].body


def test_it_cancels_a_pending_change_of_e_mail_address(client, alice):
    token = issue_link(alice, EmailLink.Purpose.CHANGE_EMAIL, new_email="intruder@example.net")
    sign_in(client, alice, methods=("pwd",))
    client.post(URL)
    response = Client().post(reverse("identity:change-email-confirm", args=[token]))
    assert response.status_code == 410
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_a_password_only_session_may_press_it_on_an_account_with_an_app(client, bob):
    sign_in(client, bob, methods=("pwd",))
    assert client.post(URL).url == reverse("identity:login")
    bob.refresh_from_db()
    assert not TotpDevice.objects.filter(user=bob).exists()
    assert bob.factors_reset_at is not None and bob.had_second_factor
