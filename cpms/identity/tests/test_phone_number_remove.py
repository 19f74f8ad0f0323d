from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.actions.phones import VERIFY, do_send_sms_code
from cpms.identity.models import PhoneNumber, SmsCode
from cpms.test import add_authenticator, add_phone, sign_in

pytestmark = pytest.mark.django_db


def url(phone) -> str:
    return f"/account/phones/{phone.pk}/remove/"


def test_it_asks_anonymous_users_to_sign_in(client, charlie):
    phone = charlie.phone_numbers.get()
    for response in (client.get(url(phone)), client.post(url(phone))):
        assert response.status_code == 302
        assert response.url.startswith("/login/")
    assert PhoneNumber.objects.filter(pk=phone.pk).exists()


def test_it_hides_other_peoples_numbers(client, alice, charlie):
    phone = charlie.phone_numbers.get()
    sign_in(client, alice)
    assert client.get(url(phone)).status_code == 404
    assert client.post(url(phone)).status_code == 404
    assert PhoneNumber.objects.filter(pk=phone.pk).exists()
    assert not AuditEvent.objects.filter(action="identity.phone.removed").exists()


def test_it_asks_for_confirmation_and_warns_about_the_last_device(client, charlie):
    phone = charlie.phone_numbers.get()
    sign_in(client, charlie)
    response = client.get(url(phone))
    assert response.status_code == 200
    page = response.content.decode()
    assert "+33 ••••••678" in page and "33612345678" not in page
    assert "This is your only verification device" in page
    assert PhoneNumber.objects.filter(pk=phone.pk).exists()


def test_it_does_not_warn_when_another_device_remains(client, charlie):
    add_authenticator(charlie)
    sign_in(client, charlie)
    response = client.get(url(charlie.phone_numbers.get()))
    assert "This is your only verification device" not in response.content.decode()


def test_it_removes_the_number_and_tells_the_user(client, charlie, django_capture_on_commit_callbacks):
    phone = charlie.phone_numbers.get()
    do_send_sms_code(phone=phone, purpose=VERIFY)
    other = add_phone(charlie, "+4915112345678")
    sign_in(client, charlie)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(phone))
    assert response.status_code == 302
    assert response.url == "/account/phones/"
    assert list(charlie.phone_numbers.all()) == [other]
    assert not SmsCode.objects.filter(phone_id=phone.pk).exists()
    event = AuditEvent.objects.get(action="identity.phone.removed", actor_id=charlie.pk)
    assert event.data["number"].endswith("5678") and "3361" not in event.data["number"]
    [email] = mail.outbox
    assert email.to == ["charlie@example.org"]
    assert "+33 ••••••678" in email.body and "supprimé" in email.body  # in Charlie's language, French


def test_it_asks_to_verify_again_after_ten_minutes(client, charlie):
    phone = charlie.phone_numbers.get()
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False) as traveller:
        sign_in(client, charlie)
        traveller.shift(timedelta(minutes=11))
        response = client.post(url(phone))
    assert response.status_code == 302
    assert response.url == "/login/method/?reverify=1"
    assert PhoneNumber.objects.filter(pk=phone.pk).exists()


def test_it_refuses_other_http_methods(client, charlie):
    sign_in(client, charlie)
    assert client.put(url(charlie.phone_numbers.get())).status_code == 405
    assert charlie.phone_numbers.exists()
