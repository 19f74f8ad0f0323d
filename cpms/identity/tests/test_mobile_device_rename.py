import pytest

from cpms.audit.models import AuditEvent
from cpms.test import add_authenticator, sign_in

pytestmark = pytest.mark.django_db


def test_it_asks_anonymous_users_to_sign_in(client, bob):
    device = bob.totp_devices.get()
    response = client.get(f"/account/devices/{device.pk}/rename/")
    assert response.url.startswith("/login/?next=")


def test_it_renames_my_app(client, bob):
    device = bob.totp_devices.get()
    sign_in(client, bob)
    response = client.get(f"/account/devices/{device.pk}/rename/")
    assert response.status_code == 200
    assert 'value="My phone"' in response.content.decode()
    response = client.post(f"/account/devices/{device.pk}/rename/", {"name": "  Old   Pixel "})
    assert response.url == "/account/devices/"
    device.refresh_from_db()
    assert device.name == "Old Pixel"
    event = AuditEvent.objects.get(action="identity.totp.renamed")
    assert event.actor_id == bob.pk
    assert event.target_id == str(device.pk)
    assert event.data == {"name": {"old": "My phone", "new": "Old Pixel"}}


def test_it_returns_404_for_someone_elses_app(client, alice, bob):
    device = add_authenticator(alice)
    sign_in(client, bob)
    assert client.get(f"/account/devices/{device.pk}/rename/").status_code == 404
    assert client.post(f"/account/devices/{device.pk}/rename/", {"name": "Mine"}).status_code == 404
    device.refresh_from_db()
    assert device.name == "My phone"


def test_it_returns_404_for_a_missing_app(client, bob):
    sign_in(client, bob)
    assert client.get("/account/devices/999999/rename/").status_code == 404


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "required"), ("   ", "required"), ("x" * 61, "at most 60"), ("tablet", "already have")],
)
def test_it_explains_a_bad_name(client, bob, name, message):
    device = bob.totp_devices.get()
    add_authenticator(bob, "Tablet")
    sign_in(client, bob)
    response = client.post(f"/account/devices/{device.pk}/rename/", {"name": name})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["name"])
    device.refresh_from_db()
    assert device.name == "My phone"


def test_it_keeps_the_same_name_with_another_case(client, bob):
    device = bob.totp_devices.get()
    sign_in(client, bob)
    assert client.post(f"/account/devices/{device.pk}/rename/", {"name": "MY PHONE"}).status_code == 302
