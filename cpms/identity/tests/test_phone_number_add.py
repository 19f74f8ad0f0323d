import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from cpms.audit.models import AuditEvent
from cpms.identity.actions import phones
from cpms.identity.actions.phones import MAX_PHONES
from cpms.identity.models import PhoneNumber, SmsCode
from cpms.outbox.models import OutboxMessage
from cpms.test import add_phone, sign_in

pytestmark = pytest.mark.django_db

URL = "/account/phones/add/"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def sms_to(number: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SMS, recipient=number))


def add(client, capture, number: str, country: str = ""):
    with capture(execute=True):
        return client.post(URL, {"country": country, "number": number})


def test_it_asks_anonymous_users_to_sign_in(client):
    for response in (client.get(URL), client.post(URL, {"number": "+33 6 12 34 56 78"})):
        assert response.status_code == 302
        assert response.url.startswith("/login/")
    assert not PhoneNumber.objects.exists()


def test_it_asks_to_verify_again_after_ten_minutes(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, alice)
        traveller.shift(timedelta(minutes=11))
        response = client.post(URL, {"number": "+33 6 12 34 56 78"})
    assert response.status_code == 302
    assert response.url == "/login/method/?reverify=1"
    assert not PhoneNumber.objects.exists()


def test_it_offers_a_country_guessed_from_the_email_language(client, charlie, alice):
    sign_in(client, charlie)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"]["country"].value() == "FR"
    assert "France (+33)" in response.content.decode()
    sign_in(client, alice)  # English could be anywhere
    assert client.get(URL).context["form"]["country"].value() == ""


def test_it_adds_a_number_and_texts_it_a_code(client, alice, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    response = add(client, django_capture_on_commit_callbacks, "+33 6 12 34 56 78")
    phone = PhoneNumber.objects.get(user=alice)
    assert response.status_code == 302
    assert response.url == f"/account/phones/{phone.pk}/verify/"
    assert phone.number == "+33612345678"
    assert phone.verified_at is None
    [sms] = sms_to("+33612345678")
    assert re.fullmatch(r"Your CPMS Login code is \d{6}\. It is valid for 10 minutes\.", sms.body)
    code = re.search(r"\d{6}", sms.body).group(0)
    stored = SmsCode.objects.get(phone=phone, purpose="verify")
    assert code not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)
    assert AuditEvent.objects.filter(action="identity.sms.code_sent", actor_id=alice.pk).exists()
    assert not AuditEvent.objects.filter(action="identity.phone.added").exists()  # not before the code


@pytest.mark.parametrize(
    ("country", "number", "expected"),
    [
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("", "0033 6 12 34 56 78", "+33612345678"),
        ("FR", "+49 151 12345678", "+4915112345678"),  # an international number ignores the country
        ("BE", "0470 12 34 56", "+32470123456"),
        ("DE", "(0151) 123-456-78", "+4915112345678"),
    ],
)
def test_it_understands_national_and_international_forms(
    client, alice, django_capture_on_commit_callbacks, country, number, expected
):
    sign_in(client, alice)
    assert add(client, django_capture_on_commit_callbacks, number, country).status_code == 302
    assert PhoneNumber.objects.get(user=alice).number == expected
    assert len(sms_to(expected)) == 1


@pytest.mark.parametrize(
    ("country", "number", "message"),
    [
        ("", "+33 6 AB CD EF GH", "digits only"),
        ("", "call me", "digits only"),
        ("", "+33 6 12", "too short"),
        ("FR", "06 12", "too short"),
        ("", "+33 6 12 34 56 78 90 12 34", "too long"),
        ("", "06 12 34 56 78", "international format"),
        ("", "+", "digits only"),
        ("", "+999 123456789", "not a valid phone number"),
        ("", "+33 1 42 68 53 00", "not a mobile phone number"),  # a Paris landline
        ("", "+33 8 00 12 34 56", "not a mobile phone number"),  # a free phone number
        ("XX", "06 12 34 56 78", "valid choice"),
        ("", "", "required"),
    ],
)
def test_it_explains_what_is_wrong_with_a_number(
    client, alice, django_capture_on_commit_callbacks, country, number, message
):
    sign_in(client, alice)
    response = add(client, django_capture_on_commit_callbacks, number, country)
    assert response.status_code == 200
    errors = " ".join(
        response.context["form"].errors.get("number", []) + response.context["form"].errors.get("country", [])
    )
    assert message in errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PhoneNumber.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_refuses_a_number_i_already_have(client, charlie, django_capture_on_commit_callbacks):
    sign_in(client, charlie)
    response = add(client, django_capture_on_commit_callbacks, "06 12 34 56 78", "FR")
    assert response.status_code == 200
    assert "You have already added this number." in response.context["form"].errors["number"]
    assert charlie.phone_numbers.count() == 1
    assert not OutboxMessage.objects.exists()


def test_it_lets_two_people_share_a_number(client, alice, charlie, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    assert add(client, django_capture_on_commit_callbacks, "+33612345678").status_code == 302
    assert PhoneNumber.objects.filter(number="+33612345678").count() == 2


def test_it_sends_a_new_code_to_a_number_still_waiting_for_verification(
    client, alice, django_capture_on_commit_callbacks
):
    sign_in(client, alice)
    add(client, django_capture_on_commit_callbacks, "+33612345678")
    response = add(client, django_capture_on_commit_callbacks, "+33 6 12 34 56 78")
    assert response.status_code == 302
    assert alice.phone_numbers.count() == 1
    assert len(sms_to("+33612345678")) == 2
    assert SmsCode.objects.filter(phone__user=alice, expires_at__gt=timezone.now()).count() == 1


def test_it_limits_the_number_of_phones(client, alice, django_capture_on_commit_callbacks):
    for i in range(MAX_PHONES):
        add_phone(alice, f"+3361234567{i}")
    sign_in(client, alice)
    response = add(client, django_capture_on_commit_callbacks, "+33699999999")
    assert response.status_code == 200
    assert "up to 5" in response.context["form"].errors["number"][0]
    assert alice.phone_numbers.count() == MAX_PHONES


def test_it_limits_how_many_codes_are_sent(client, alice, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, alice)
        for number in ["+33611111111", "+33622222222", "+33633333333"]:
            assert add(client, django_capture_on_commit_callbacks, number).status_code == 302
        response = add(client, django_capture_on_commit_callbacks, "+33644444444")
        assert response.status_code == 200
        assert "Too many codes were sent" in response.content.decode()
        assert not alice.phone_numbers.filter(number="+33644444444").exists()
        assert not sms_to("+33644444444")
        traveller.shift(timedelta(seconds=31))
        assert add(client, django_capture_on_commit_callbacks, "+33644444444").status_code == 302
        assert len(sms_to("+33644444444")) == 1


def test_it_writes_the_text_in_the_email_language(
    client, charlie, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(phones, "gettext", lambda message: f"[{translation.get_language()}] {message}")
    sign_in(client, charlie)
    add(client, django_capture_on_commit_callbacks, "+49 151 12345678")
    [sms] = sms_to("+4915112345678")
    assert sms.body.startswith("[fr] Your CPMS Login code is ")
