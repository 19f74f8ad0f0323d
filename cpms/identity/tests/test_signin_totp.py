from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.actions import totp
from cpms.identity.actions.totp import verify_totp
from cpms.identity.models import TotpDevice, UserSession
from cpms.test import PASSWORD, add_authenticator, sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 1, 15, 9, 0, 10, tzinfo=UTC)  # 10 s into a 30 s time step


def code_at(device: TotpDevice, when: datetime) -> str:
    return pyotp.TOTP(device.secret).at(when)


def at_code_step(client, user, method="totp"):
    client.post("/login/", {"identifier": user.email})
    response = client.post("/login/password/", {"password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_it_is_the_step_after_the_password(client, bob, clock):
    assert at_code_step(client, bob).url == "/login/app/"
    response = client.get("/login/app/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert "Lost your phone? Use a recovery code" in page
    assert 'href="/login/recovery/"' in page


def test_it_sends_anyone_without_a_password_step_back_to_login(client, bob):
    assert client.get("/login/app/").url == "/login/"
    client.post("/login/", {"identifier": bob.email})
    assert client.get("/login/app/").url == "/login/"  # no password yet
    response = client.post("/login/app/", {"code": "123456"})
    assert response.url == "/login/"
    assert not AuditEvent.objects.filter(action="identity.signin.code_failed").exists()


def test_it_signs_in_with_the_current_code(client, bob, clock, django_capture_on_commit_callbacks):
    device = bob.totp_devices.get()
    at_code_step(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/login/app/", {"code": code_at(device, NOW)})
    assert response.status_code == 302
    assert response.url == "/account/"
    assert client.session["verified.methods"] == ["pwd", "otp"]
    assert int(client.session["_auth_user_id"]) == bob.pk
    assert UserSession.objects.get(session_key=client.session.session_key).methods == ["pwd", "otp"]
    device.refresh_from_db()
    assert device.last_used_at == NOW
    assert device.last_used_step == pyotp.TOTP(device.secret).timecode(NOW)
    assert AuditEvent.objects.filter(action="identity.signin.succeeded", actor_id=bob.pk).exists()


def test_it_signs_in_with_a_fixed_number_of_statements(client, bob, clock, django_assert_num_queries):
    # The session, the user; the reservation (3); the code and its release (4); the sign-in: the old
    # session row out, last_login, the new row (written once, with all of it), the entry, the audit
    # row (5); each of the three transactions and the session's write is a savepoint here (8). The
    # security e-mail's outbox row is written after commit (not run here).
    code = code_at(bob.totp_devices.get(), NOW)
    at_code_step(client, bob)
    with django_assert_num_queries(22):
        response = client.post("/login/app/", {"code": code})
    assert response.url == "/account/"
    assert client.session["verified.methods"] == ["pwd", "otp"]  # what the one write stored


@pytest.mark.parametrize("offset", [-30, 30])
def test_it_accepts_a_code_one_step_early_or_late(client, bob, clock, offset):
    device = bob.totp_devices.get()
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code_at(device, NOW + timedelta(seconds=offset))})
    assert response.url == "/account/"


def test_it_accepts_spaces_in_the_code(client, bob, clock):
    code = code_at(bob.totp_devices.get(), NOW)
    at_code_step(client, bob)
    assert client.post("/login/app/", {"code": f"{code[:3]} {code[3:]}"}).url == "/account/"


@pytest.mark.parametrize("offset", [-60, 60, 3600])
def test_it_refuses_a_code_outside_the_window(client, bob, clock, offset):
    device = bob.totp_devices.get()
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code_at(device, NOW + timedelta(seconds=offset))})
    assert response.status_code == 200
    assert "not correct" in " ".join(response.context["form"].errors["code"])
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="identity.signin.code_failed", actor_id=bob.pk).count() == 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 56 78"])
def test_it_explains_a_malformed_code(client, bob, clock, code):
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session


def test_it_refuses_the_same_code_twice(client, bob, clock):
    code = code_at(bob.totp_devices.get(), NOW)
    at_code_step(client, bob)
    assert client.post("/login/app/", {"code": code}).url == "/account/"
    client.post("/logout/")
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code})
    assert response.status_code == 200
    assert "This code was already used. Wait until your app shows the next code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_older_step_after_a_newer_one(client, bob, clock):
    device = bob.totp_devices.get()
    at_code_step(client, bob)
    assert (
        client.post("/login/app/", {"code": code_at(device, NOW + timedelta(seconds=30))}).url == "/account/"
    )
    client.post("/logout/")
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code_at(device, NOW)})  # in the window, but older
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_accepts_a_code_of_any_confirmed_app(client, bob, clock):
    second = add_authenticator(bob, "Tablet")
    at_code_step(client, bob)
    assert client.post("/login/app/", {"code": code_at(second, NOW)}).url == "/account/"
    second.refresh_from_db()
    assert second.last_used_at == NOW
    assert bob.totp_devices.get(name="My phone").last_used_at is None


def test_it_ignores_an_unconfirmed_app(client, bob, clock):
    pending = TotpDevice.objects.create(user=bob, name="New", secret=pyotp.random_base32(), confirmed=False)
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code_at(pending, NOW)})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_ignores_someone_elses_app(client, alice, bob, clock):
    alice_device = add_authenticator(alice)
    at_code_step(client, bob)
    response = client.post("/login/app/", {"code": code_at(alice_device, NOW)})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_slows_down_code_guessing(client, bob, clock):
    device = bob.totp_devices.get()
    at_code_step(client, bob)
    for _ in range(4):
        assert client.post("/login/app/", {"code": "000000"}).status_code == 200
    response = client.post("/login/app/", {"code": code_at(device, NOW)})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    clock.shift(31)
    later = NOW + timedelta(seconds=31)
    assert client.post("/login/app/", {"code": code_at(device, later)}).url == "/account/"


def test_a_success_forgives_earlier_failures(client, bob, clock):
    device = bob.totp_devices.get()
    at_code_step(client, bob)
    for _ in range(3):
        client.post("/login/app/", {"code": "000000"})
    assert client.post("/login/app/", {"code": code_at(device, NOW)}).url == "/account/"
    client.post("/logout/")
    clock.shift(30)
    at_code_step(client, bob)
    for _ in range(3):
        client.post("/login/app/", {"code": "000000"})
    later = NOW + timedelta(seconds=30)
    assert client.post("/login/app/", {"code": code_at(device, later)}).url == "/account/"


def test_it_verifies_again_a_signed_in_user(client, bob, clock):
    device = bob.totp_devices.get()
    sign_in(client, bob)
    session = client.session
    session["verified.at"] = 0
    session.save()
    first = client.get("/account/devices/add/")
    assert first.url == "/login/method/?reverify=1"
    assert client.get(first.url).url == "/login/app/"  # straight to the second factor
    response = client.post("/login/app/", {"code": code_at(device, NOW)})
    assert response.url == "/account/devices/add/"
    assert client.get("/account/devices/add/").status_code == 200


def test_verify_totp_keeps_the_replay_rule(bob, clock):
    device = bob.totp_devices.get()
    code = code_at(device, NOW)
    assert verify_totp(bob, code) == device
    assert verify_totp(bob, code) is None
    assert verify_totp(bob, "") is None
    assert verify_totp(bob, "not a code") is None


def test_it_sends_no_security_email_unless_asked(client, bob, clock, django_capture_on_commit_callbacks):
    bob.security_emails = False
    bob.save()
    at_code_step(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/app/", {"code": code_at(bob.totp_devices.get(), NOW)})
    assert mail.outbox == []


def test_it_accepts_a_code_once_even_when_two_requests_race(bob, clock, monkeypatch):
    device = bob.totp_devices.get()
    match = totp.matching_step

    def match_while_the_other_request_accepts_it(secret, code, now=None):
        step = match(secret, code, now)
        TotpDevice.objects.filter(pk=device.pk).update(last_used_step=step)
        return step

    monkeypatch.setattr(totp, "matching_step", match_while_the_other_request_accepts_it)
    assert verify_totp(bob, code_at(device, NOW)) is None


def test_it_verifies_again_a_session_that_lost_its_sessions_entry(client, bob, clock):
    sign_in(client, bob, methods=("pwd",))
    UserSession.objects.all().delete()
    session = client.session
    session["verified.at"] = 0
    session.save()
    client.get("/account/password/")
    assert client.get("/login/method/?reverify=1").url == "/login/password/"  # its password first
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/login/app/"
    response = client.post("/login/app/", {"code": code_at(bob.totp_devices.get(), NOW)})
    assert response.status_code == 302 and response.url == "/account/password/"
    assert UserSession.objects.get(user=bob).session_key == client.session.session_key
