import time

import pytest
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.models import SecurityKey
from cpms.test import sign_in

from .soft_authenticator import save_key

pytestmark = pytest.mark.django_db

ONLY_DEVICE = "This is your only verification device"


def url(key) -> str:
    return f"/account/keys/{key.pk}/remove/"


def test_it_sends_anonymous_visitors_to_login(client, alice):
    _, key = save_key(alice)
    assert client.get(url(key)).url.startswith("/login/?next=")
    assert client.post(url(key)).url.startswith("/login/?next=")
    assert SecurityKey.objects.filter(pk=key.pk).exists()


def test_it_hides_someone_elses_key(client, alice, bob):
    _, key = save_key(bob, "Bob's key")
    sign_in(client, alice)
    assert client.get(url(key)).status_code == 404
    assert client.post(url(key)).status_code == 404
    assert SecurityKey.objects.filter(pk=key.pk).exists()


def test_it_asks_for_a_fresh_verification_first(client, alice):
    _, key = save_key(alice)
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = time.time() - 3600
    session.save()
    assert client.post(url(key)).url == "/login/method/?reverify=1"
    assert SecurityKey.objects.filter(pk=key.pk).exists()


def test_it_asks_for_confirmation_and_warns_about_the_last_device(client, alice):
    _, key = save_key(alice, "Laptop")
    response = sign_in(client, alice).get(url(key))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove “Laptop”?" in page
    assert ONLY_DEVICE in page


def test_it_does_not_warn_when_another_device_remains(client, bob):
    _, key = save_key(bob, "Laptop")  # bob also has an authenticator app
    assert ONLY_DEVICE not in sign_in(client, bob).get(url(key)).content.decode()


def test_it_removes(client, alice, django_capture_on_commit_callbacks):
    _, key = save_key(alice, "Laptop")
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(key))
    assert response.status_code == 302 and response.url == "/account/keys/"
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
    assert AuditEvent.objects.filter(action="identity.security_key.removed", target_id=str(key.pk)).exists()
    assert len(mail.outbox) == 1 and "“Laptop” was removed" in mail.outbox[0].body
    assert "“Laptop” was removed" in client.get("/account/keys/").content.decode()


def test_it_answers_404_for_a_key_already_removed(client, alice):
    _, key = save_key(alice)
    sign_in(client, alice)
    assert client.post(url(key)).status_code == 302
    assert client.post(url(key)).status_code == 404
