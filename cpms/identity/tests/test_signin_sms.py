import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity import throttle
from cpms.identity.actions import phones
from cpms.identity.actions.phones import (
    SIGNIN,
    VERIFY,
    do_send_sms_code,
    verify_sms_code,
)
from cpms.identity.models import PhoneNumber, SmsCode, UserSession
from cpms.outbox.models import OutboxMessage
from cpms.test import PASSWORD, add_phone, sign_in

pytestmark = pytest.mark.django_db

URL = "/login/sms/"
NUMBER = "+33612345678"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def texts(number: str = NUMBER) -> list[str]:
    return list(
        OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SMS, recipient=number).values_list(
            "body", flat=True
        )
    )


def last_code(number: str = NUMBER) -> str:
    return re.search(r"\b(\d{6})\b", texts(number)[0]).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1000000:06d}"


def to_sms_step(client, capture, identifier="charlie@example.org"):
    """E-mail, password, then the SMS step (the account's only second factor): its first page."""
    client.post("/login/", {"identifier": identifier})
    response = client.post("/login/password/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == URL
    with capture(execute=True):
        return client.get(URL)


def test_it_needs_the_password_first(client, charlie):
    assert client.get(URL).url == "/login/"
    client.post("/login/", {"identifier": "charlie@example.org"})
    assert client.get(URL).url == "/login/"
    client.post("/login/password/", {"password": "not the password"})
    assert client.post(URL, {"code": "123456"}).url == "/login/"
    assert not OutboxMessage.objects.exists()


def test_it_texts_a_code_and_signs_in_with_it(client, charlie, django_capture_on_commit_callbacks):
    response = to_sms_step(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    page = response.content.decode()
    assert "We sent a code to" in page and "+33 ••••••678" in page
    assert NUMBER not in page
    assert "Send a new code" in page
    [text] = texts()
    assert re.fullmatch(r"Votre code CPMS Login est \d{6}\. Il est valable 10 minutes\.", text)  # French
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"code": last_code()})
    assert response.status_code == 302
    assert response.url == "/account/"
    assert client.session["verified.methods"] == ["pwd", "sms"]
    assert UserSession.objects.get(user=charlie).methods == ["pwd", "sms"]
    assert PhoneNumber.objects.get(user=charlie).last_used_at is not None
    assert AuditEvent.objects.filter(action="identity.signin.succeeded", actor_id=charlie.pk).exists()


def test_it_does_not_text_again_when_the_page_is_reloaded(
    client, charlie, django_capture_on_commit_callbacks
):
    to_sms_step(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(URL).status_code == 200
    assert len(texts()) == 1


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_it_explains_a_malformed_code(client, charlie, django_capture_on_commit_callbacks, code):
    to_sms_step(client, django_capture_on_commit_callbacks)
    response = client.post(URL, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_wrong_code(client, charlie, django_capture_on_commit_callbacks):
    to_sms_step(client, django_capture_on_commit_callbacks)
    response = client.post(URL, {"code": wrong(last_code())})
    assert response.status_code == 200
    assert "This code is not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="identity.signin.code_failed", actor_id=charlie.pk).exists()


def test_it_refuses_a_code_after_ten_minutes(client, charlie, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        to_sms_step(client, django_capture_on_commit_callbacks)
        code = last_code()
        traveller.shift(timedelta(minutes=10))
        response = client.post(URL, {"code": code})
    assert response.status_code == 200
    assert "This code is not correct, or it has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_accepts_a_code_until_its_tenth_minute(client, charlie, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        to_sms_step(client, django_capture_on_commit_callbacks)
        traveller.shift(timedelta(minutes=9, seconds=59))
        assert client.post(URL, {"code": last_code()}).url == "/account/"


def test_it_texts_a_new_code_when_the_last_one_expired(client, charlie, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        to_sms_step(client, django_capture_on_commit_callbacks)
        traveller.shift(timedelta(minutes=11))
        with django_capture_on_commit_callbacks(execute=True):
            client.get(URL)
        assert len(texts()) == 2
        assert client.post(URL, {"code": last_code()}).url == "/account/"


@pytest.fixture
def distinct_codes(monkeypatch):
    """Codes 111111, 222222 … so that an old code never equals the new one by chance."""
    codes = iter(f"{digit}" * 6 for digit in range(1, 10))
    monkeypatch.setattr(phones, "new_code", lambda: next(codes))


def test_it_takes_a_code_only_once(client, charlie, django_capture_on_commit_callbacks, distinct_codes):
    to_sms_step(client, django_capture_on_commit_callbacks)
    assert client.post(URL, {"code": "111111"}).url == "/account/"
    client.post("/logout/")
    to_sms_step(client, django_capture_on_commit_callbacks)
    assert last_code() == "222222"  # a new sign-in, a new code
    response = client.post(URL, {"code": "111111"})
    assert response.status_code == 200
    assert "This code is not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_a_new_code_that_replaces_the_old_one(
    client, charlie, django_capture_on_commit_callbacks, distinct_codes
):
    to_sms_step(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action": "resend"})
    assert response.status_code == 302
    assert response.url == URL
    assert texts() == [
        "Votre code CPMS Login est 222222. Il est valable 10 minutes.",
        "Votre code CPMS Login est 111111. Il est valable 10 minutes.",
    ]
    assert "A new code was sent." in client.get(URL).content.decode()
    assert SmsCode.objects.filter(used_at=None, expires_at__gt=timezone.now()).count() == 1
    assert client.post(URL, {"code": "111111"}).status_code == 200
    assert client.post(URL, {"code": "222222"}).url == "/account/"


def test_it_limits_new_codes(client, charlie, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        to_sms_step(client, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                assert client.post(URL, {"action": "resend"}).status_code == 302
            response = client.post(URL, {"action": "resend"})
        assert response.status_code == 200
        assert "Too many codes were sent. Please wait 1 minutes" in response.content.decode()
        assert len(texts()) == 3
        traveller.shift(timedelta(seconds=31))
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(URL, {"action": "resend"}).status_code == 302
        assert len(texts()) == 4
        # A successful sign-in lifts the limit on sending.
        assert client.post(URL, {"code": last_code()}).url == "/account/"
    assert throttle.check({"sms:account": str(charlie.pk)}).allowed


def test_it_stops_guessing_after_a_few_wrong_codes(client, charlie, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        to_sms_step(client, django_capture_on_commit_callbacks)
        code = last_code()
        for _ in range(4):
            assert "This code is not correct" in client.post(URL, {"code": wrong(code)}).content.decode()
        response = client.post(URL, {"code": code})
        assert response.status_code == 200
        assert "Too many failed attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session
        traveller.shift(timedelta(seconds=31))
        assert client.post(URL, {"code": code}).url == "/account/"


def test_it_lets_me_choose_among_several_numbers(client, charlie, django_capture_on_commit_callbacks):
    second = add_phone(charlie, "+4915112345678")
    PhoneNumber.objects.create(user=charlie, number="+32470123456")  # not verified: not offered
    response = to_sms_step(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    page = response.content.decode()
    assert "+33 ••••••678" in page and "+49 ••••••••678" in page
    assert "+32" not in page
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action": "choose", "phone": second.pk})
        assert response.url == URL
        page = client.get(URL).content.decode()
    assert "+49 ••••••••678" in page and "Use another number" in page
    assert texts("+4915112345678") and not texts()
    assert client.post(URL, {"code": last_code("+4915112345678")}).url == "/account/"
    second.refresh_from_db()
    assert second.last_used_at is not None


def test_it_refuses_to_text_a_number_that_is_not_mine(
    client, alice, charlie, django_capture_on_commit_callbacks
):
    add_phone(charlie, "+4915112345678")
    theirs = add_phone(alice, "+32470123456")
    to_sms_step(client, django_capture_on_commit_callbacks)
    response = client.post(URL, {"action": "choose", "phone": theirs.pk})
    assert response.status_code == 200
    assert response.context["choose_form"].errors["phone"]
    assert not OutboxMessage.objects.exists()


def test_it_sends_users_without_a_verified_number_back(client, charlie, django_capture_on_commit_callbacks):
    client.post("/login/", {"identifier": "charlie@example.org"})
    client.post("/login/password/", {"password": PASSWORD})
    PhoneNumber.objects.update(verified_at=None)
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == "/login/method/"
    assert not OutboxMessage.objects.exists()


def test_it_verifies_a_signed_in_user_again(client, charlie, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, charlie, methods=("pwd", "sms"))
        traveller.shift(timedelta(minutes=11))
        assert client.get("/account/phones/add/").url == "/login/method/?reverify=1"
        assert client.get("/login/method/?reverify=1").url == URL  # straight to the second factor
        with django_capture_on_commit_callbacks(execute=True):
            client.get(URL)
        response = client.post(URL, {"code": last_code()})
        assert response.url == "/account/phones/add/"
        assert client.get("/account/phones/add/").status_code == 200
        assert client.session["verified.methods"] == ["pwd", "sms"]
    assert UserSession.objects.filter(user=charlie).count() == 1


# -- The code functions, for other callers


def test_codes_are_bound_to_their_purpose_and_stored_hashed(charlie, django_capture_on_commit_callbacks):
    phone = charlie.phone_numbers.get()
    with django_capture_on_commit_callbacks(execute=True):
        do_send_sms_code(phone=phone, purpose=SIGNIN)
    code = last_code()
    stored = SmsCode.objects.get()
    assert len(stored.code_hash) == 64 and code not in stored.code_hash
    assert not verify_sms_code(phone=phone, purpose=VERIFY, code=code)
    assert not verify_sms_code(phone=add_phone(charlie, "+4915112345678"), purpose=SIGNIN, code=code)
    assert verify_sms_code(phone=phone, purpose=SIGNIN, code=code)
    assert not verify_sms_code(phone=phone, purpose=SIGNIN, code=code)


def test_codes_are_six_random_digits(charlie, django_capture_on_commit_callbacks):
    phone = charlie.phone_numbers.get()
    codes = set()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            do_send_sms_code(phone=phone, purpose=SIGNIN)
        codes.add(last_code())
        throttle.forgive("sms:account", str(charlie.pk))
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) >= 2
