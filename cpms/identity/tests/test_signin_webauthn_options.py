import pytest

from cpms.identity.actions.signin import do_record_code_failure
from cpms.identity.models import SecurityKey
from cpms.test import PASSWORD

from .soft_authenticator import at_key_step, b64, post_json, save_key

pytestmark = pytest.mark.django_db

URL = "/login/key/options/"


def test_it_refuses_anyone_without_a_password_step(client, alice):
    save_key(alice)
    response = post_json(client, URL)
    assert response.status_code == 403
    assert response.json()["redirect"] == "/login/"
    client.post("/login/", {"identifier": alice.email})
    client.post("/login/method/", {"method": "webauthn"})
    assert post_json(client, URL).status_code == 403
    assert "webauthn.signin" not in client.session


def test_it_allows_only_the_users_own_keys(client, alice, bob):
    _, laptop = save_key(alice, "Laptop", transports=("internal", "hybrid"))
    _, usb = save_key(alice, "USB key")
    save_key(bob, "Bob's key")
    at_key_step(client, alice, PASSWORD)
    response = post_json(client, URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    options = response.json()
    allowed = {(c["id"], tuple(c.get("transports", []))) for c in options["allowCredentials"]}
    assert allowed == {
        (b64(bytes(laptop.credential_id)), ("internal", "hybrid")),
        (b64(bytes(usb.credential_id)), ("usb",)),
    }
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "preferred"
    assert client.session["webauthn.signin"]["challenge"] == options["challenge"]
    assert client.session["webauthn.signin"]["user"] == alice.pk


def test_it_explains_when_the_keys_are_gone(client, alice):
    save_key(alice)
    at_key_step(client, alice, PASSWORD)
    SecurityKey.objects.filter(user=alice).delete()
    response = post_json(client, URL)
    assert response.status_code == 400 and "no security key" in response.json()["error"]


def test_it_is_throttled_after_repeated_failures(client, alice):
    save_key(alice)
    at_key_step(client, alice, PASSWORD)
    for _ in range(5):
        do_record_code_failure(user=alice, method="webauthn", ip="127.0.0.1")
    response = post_json(client, URL)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.json()["error"]


def test_it_accepts_only_post(client, alice):
    save_key(alice)
    at_key_step(client, alice, PASSWORD)
    assert client.get(URL).status_code == 405
