import pytest
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.models import TotpDevice
from cpms.test import add_authenticator, add_phone, sign_in

pytestmark = pytest.mark.django_db


def test_it_asks_anonymous_users_to_sign_in(client, bob):
    device = bob.totp_devices.get()
    for method in (client.get, client.post):
        response = method(f"/account/devices/{device.pk}/remove/")
        assert response.url.startswith("/login/?next=")
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_it_asks_to_confirm(client, bob):
    device = bob.totp_devices.get()
    sign_in(client, bob)
    response = client.get(f"/account/devices/{device.pk}/remove/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "My phone" in page
    assert "only verification device" in page
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_it_warns_only_about_the_last_second_factor(client, bob):
    device = bob.totp_devices.get()
    add_phone(bob)
    sign_in(client, bob)
    assert (
        "only verification device" not in client.get(f"/account/devices/{device.pk}/remove/").content.decode()
    )


def test_it_removes_my_app_and_tells_me(client, bob, django_capture_on_commit_callbacks):
    device = bob.totp_devices.get()
    sign_in(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/account/devices/{device.pk}/remove/")
    assert response.url == "/account/devices/"
    assert not TotpDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(action="identity.totp.removed")
    assert (event.actor_id, event.target_id, event.data) == (bob.pk, str(device.pk), {"name": "My phone"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@example.org"]
    assert "My phone" in mail.outbox[0].body


def test_it_needs_a_recent_verification(client, bob):
    device = bob.totp_devices.get()
    sign_in(client, bob)
    session = client.session
    session["verified.at"] = 0
    session.save()
    response = client.post(f"/account/devices/{device.pk}/remove/")
    assert response.url == "/login/method/?reverify=1"
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_it_returns_404_for_someone_elses_app(client, alice, bob):
    device = add_authenticator(alice)
    sign_in(client, bob)
    assert client.get(f"/account/devices/{device.pk}/remove/").status_code == 404
    assert client.post(f"/account/devices/{device.pk}/remove/").status_code == 404
    assert TotpDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(action="identity.totp.removed").exists()


def test_it_returns_404_for_an_unconfirmed_app(client, bob):
    pending = TotpDevice.objects.create(user=bob, name="New", secret="JBSWY3DPEHPK3PXP")
    sign_in(client, bob)
    assert client.post(f"/account/devices/{pending.pk}/remove/").status_code == 404
