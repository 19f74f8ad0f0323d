import json
import time

import pytest

from cpms.test import sign_in, signin_in_progress

from .soft_authenticator import b64, post_json, save_key

pytestmark = pytest.mark.django_db

URL = "/account/keys/add/options/"


def test_it_sends_anonymous_visitors_to_login(client):
    response = post_json(client, URL, {"name": "Laptop"})
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_it_refuses_a_stale_verification_with_a_json_pointer_to_verify_again(client, alice):
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = time.time() - 3600
    session.save()
    response = post_json(client, URL, {"name": "Laptop"})
    assert response.status_code == 403
    assert response.json()["redirect"] == "/login/method/?reverify=1"
    assert signin_in_progress(client).next_url == "/account/keys/add/"
    assert "webauthn.register" not in client.session


def test_it_gives_options_that_exclude_the_keys_already_registered(client, alice, bob):
    _, laptop = save_key(alice, "Laptop", transports=("internal",))
    _, usb = save_key(alice, "USB key", transports=("usb", "nfc"))
    save_key(bob, "Bob's key")
    response = post_json(sign_in(client, alice), URL, {"name": "Phone"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    options = response.json()
    excluded = {(c["id"], tuple(c.get("transports", []))) for c in options["excludeCredentials"]}
    assert excluded == {
        (b64(bytes(laptop.credential_id)), ("internal",)),
        (b64(bytes(usb.credential_id)), ("usb", "nfc")),
    }
    assert options["rp"] == {"id": "localhost", "name": "CPMS Login"}
    assert options["user"]["name"] == alice.email
    assert options["user"]["displayName"] == "Alice Martin"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    kept = client.session["webauthn.register"]
    assert kept["challenge"] == options["challenge"] and kept["user"] == alice.pk


def test_it_uses_the_host_name_when_no_rp_id_is_configured(client, alice, settings):
    settings.WEBAUTHN_RP_ID = ""
    settings.ALLOWED_HOSTS = ["cpms.example.org"]
    sign_in(client, alice)
    response = client.post(
        URL,
        json.dumps({"name": "Laptop"}),
        content_type="application/json",
        headers={"host": "cpms.example.org:8443"},
    )
    assert response.json()["rp"]["id"] == "cpms.example.org"


def test_it_gives_a_new_challenge_each_time(client, alice):
    sign_in(client, alice)
    first = post_json(client, URL, {"name": "Laptop"}).json()["challenge"]
    second = post_json(client, URL, {"name": "Laptop"}).json()["challenge"]
    assert first != second
    assert client.session["webauthn.register"]["challenge"] == second


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'"Laptop"', b"{}", b'{"name": 42}', b"\xff\xfe", b"[" * 100000],
)
def test_it_answers_bad_json_with_a_400(client, alice, raw):
    response = post_json(sign_in(client, alice), URL, raw=raw)
    assert response.status_code == 400
    assert "not understood" in response.json()["error"]
    assert "webauthn.register" not in client.session


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "required"),
        ("   ", "required"),
        ("x" * 61, "at most 60"),
        ("LAPTOP", "already have a key with this name"),
    ],
)
def test_it_checks_the_name_before_the_authenticator_is_asked(client, alice, name, message):
    save_key(alice, "Laptop")
    response = post_json(sign_in(client, alice), URL, {"name": name})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert message in response.json()["error"]


def test_it_accepts_only_post(client, alice):
    assert sign_in(client, alice).get(URL).status_code == 405


def test_it_refuses_a_password_only_session_of_an_account_with_two_factors(client, bob):
    sign_in(client, bob, methods=("pwd",))
    response = post_json(client, URL, {"name": "Laptop"})
    assert response.status_code == 403
    assert response.json()["redirect"] == "/login/method/?reverify=1"
    assert signin_in_progress(client).second_factor_required is True
