import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.actions import phones
from cpms.identity.models import PhoneNumber, SmsCode
from cpms.outbox.models import OutboxMessage
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NUMBER = "+32470123456"


def url(phone) -> str:
    return f"/account/phones/{phone.pk}/verify/"


def last_code(number: str = NUMBER) -> str:
    sms = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SMS, recipient=number).first()
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def still_verified(client) -> None:
    """The user verified again a moment ago (the page needs a verification of the last 10 minutes)."""
    session = client.session
    session["verified.at"] = time.time()
    session.save()


@pytest.fixture
def pending(client, alice, django_capture_on_commit_callbacks):
    """Alice, signed in, added a Belgian number and was sent a code."""
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/phones/add/", {"number": "+32 470 12 34 56"})
    return PhoneNumber.objects.get(user=alice)


def test_it_asks_anonymous_users_to_sign_in(client, charlie):
    phone = charlie.phone_numbers.get()
    for response in (client.get(url(phone)), client.post(url(phone), {"code": "123456"})):
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_it_hides_other_peoples_numbers(client, alice, charlie):
    phone = PhoneNumber.objects.create(user=charlie, number=NUMBER)
    sign_in(client, alice)
    assert client.get(url(phone)).status_code == 404
    assert client.post(url(phone), {"code": "123456"}).status_code == 404
    assert client.post(url(phone), {"action": "resend"}).status_code == 404
    assert client.get("/account/phones/999999/verify/").status_code == 404
    assert not OutboxMessage.objects.exists()


def test_it_shows_where_the_code_went(client, pending):
    response = client.get(url(pending))
    assert response.status_code == 200
    page = response.content.decode()
    assert "We sent a code to" in page and "+32 470 12 34 56" in page
    assert "Send a new code" in page
    assert 'autocomplete="one-time-code"' in page
    assert "This field is required" not in page


def test_it_verifies_the_number_with_the_code(client, alice, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(pending), {"code": last_code()})
    assert response.status_code == 302
    assert response.url == "/account/phones/"
    pending.refresh_from_db()
    assert pending.verified_at is not None
    event = AuditEvent.objects.get(action="identity.phone.added", actor_id=alice.pk)
    assert event.data["number"].endswith("3456") and "470" not in event.data["number"]
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "A mobile phone number (+32 ••••••456) was added to your account." in email.body


def test_it_accepts_the_code_with_a_space(client, pending):
    code = last_code()
    assert client.post(url(pending), {"code": f"{code[:3]} {code[3:]}"}).status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12ab56", "<script>"])
def test_it_explains_a_malformed_code(client, pending, code):
    response = client.post(url(pending), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not AuditEvent.objects.filter(action="identity.signin.code_failed").exists()


def test_it_refuses_a_wrong_code(client, alice, pending):
    code = last_code()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = client.post(url(pending), {"code": wrong})
    assert response.status_code == 200
    assert "This code is not correct" in response.content.decode()
    pending.refresh_from_db()
    assert pending.verified_at is None
    assert AuditEvent.objects.filter(action="identity.signin.code_failed", actor_id=alice.pk).exists()
    assert not mail.outbox


def test_it_refuses_a_code_after_ten_minutes(client, alice, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, alice)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/account/phones/add/", {"number": NUMBER})
        phone = PhoneNumber.objects.get(user=alice)
        traveller.shift(timedelta(minutes=10))
        still_verified(client)
        response = client.post(url(phone), {"code": last_code()})
        assert response.status_code == 200
        assert "This code is not correct, or it has expired" in response.content.decode()
        assert "has expired" in client.get(url(phone)).content.decode()
    phone.refresh_from_db()
    assert phone.verified_at is None


def test_it_accepts_a_code_just_before_it_expires(client, alice, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, alice)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/account/phones/add/", {"number": NUMBER})
        phone = PhoneNumber.objects.get(user=alice)
        traveller.shift(timedelta(minutes=9, seconds=59))
        still_verified(client)
        assert client.post(url(phone), {"code": last_code()}).status_code == 302


def test_it_sends_a_new_code_that_replaces_the_old_one(
    client, pending, django_capture_on_commit_callbacks, monkeypatch
):
    old = last_code()
    monkeypatch.setattr(phones, "new_code", lambda: "000000" if old != "000000" else "111111")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(pending), {"action": "resend"})
    assert response.status_code == 302
    assert response.url == url(pending)
    new = last_code()
    assert OutboxMessage.objects.filter(kind="sms", recipient=NUMBER).count() == 2
    assert new != old
    assert client.post(url(pending), {"code": old}).status_code == 200
    assert client.post(url(pending), {"code": new}).status_code == 302
    assert SmsCode.objects.filter(phone=pending, used_at=None, expires_at__gt=timezone.now()).count() == 0


def test_it_limits_new_codes(client, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post(url(pending), {"action": "resend"}).status_code == 302
        response = client.post(url(pending), {"action": "resend"})
    assert response.status_code == 200
    assert "Too many codes were sent" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="sms", recipient=NUMBER).count() == 3


def test_it_stops_guessing_after_a_few_wrong_codes(client, alice, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, alice)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/account/phones/add/", {"number": NUMBER})
        phone = PhoneNumber.objects.get(user=alice)
        code = last_code()
        wrong = f"{(int(code) + 1) % 1000000:06d}"
        for _ in range(4):
            assert "This code is not correct" in client.post(url(phone), {"code": wrong}).content.decode()
        response = client.post(url(phone), {"code": code})  # even the right one, while locked
        assert response.status_code == 200
        assert "Too many failed attempts" in response.content.decode()
        phone.refresh_from_db()
        assert phone.verified_at is None
        traveller.shift(timedelta(seconds=31))
        assert client.post(url(phone), {"code": code}).status_code == 302


def test_it_does_not_verify_twice(client, charlie):
    sign_in(client, charlie)
    phone = charlie.phone_numbers.get()
    response = client.post(url(phone), {"code": "123456"})
    assert response.status_code == 302
    assert response.url == "/account/phones/"
    assert not AuditEvent.objects.filter(action="identity.signin.code_failed").exists()


def test_it_asks_to_verify_again_after_ten_minutes(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, alice)
        phone = PhoneNumber.objects.create(user=alice, number=NUMBER)
        traveller.shift(timedelta(minutes=11))
        response = client.post(url(phone), {"code": "123456"})
    assert response.status_code == 302
    assert response.url == "/login/method/?reverify=1"


def test_on_the_way_into_cpms_it_goes_on_to_cpms(client, alice, django_capture_on_commit_callbacks):
    """A password-only account sent by the CPMS gate: once the number is verified, on to CPMS."""
    sign_in(client, alice, methods=("pwd",))
    assert client.get("/account/phones/add/?next=/cpms/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/phones/add/", {"number": "+32 470 12 34 56"})
    phone = PhoneNumber.objects.get(user=alice)
    response = client.post(url(phone), {"code": last_code()})
    assert response.status_code == 302 and response.url == "/cpms/"
    assert client.session["verified.methods"] == ["pwd", "sms"]
