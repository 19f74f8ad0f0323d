"""Signing in with a passkey from the first page: no identifier, no password, two factors in one."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.identity.actions.security_keys import user_handle
from cpms.identity.models import UserSession

from .soft_authenticator import ORIGIN, post_json, save_key

pytestmark = pytest.mark.django_db

OPTIONS_URL = "/login/passkey/options/"
URL = "/login/passkey/verify/"


def options_for(client, next_url="") -> dict:
    response = post_json(client, OPTIONS_URL + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 200, response.content
    return response.json()


def test_it_is_offered_on_the_first_page(client):
    page = client.get("/login/").content.decode()
    assert "Sign in with a security key or passkey" in page
    assert 'data-options-url="/login/passkey/options/?next="' in page


def test_it_asks_for_any_passkey_verified_by_its_user(client):
    options = options_for(client)
    assert options.get("allowCredentials", []) == []
    assert options["userVerification"] == "required"


def test_it_signs_in_with_a_passkey_alone(client, alice):
    authenticator, key = save_key(alice, "Phone", sign_count=3)
    credential = authenticator.get(
        options_for(client, "/account/keys/"), origin=ORIGIN, user_handle=user_handle(alice)
    )
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": "/account/keys/"}
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session["verified.methods"] == ["hwk", "mfa"]
    assert UserSession.objects.get(user=alice).methods == ["hwk", "mfa"]
    assert AuditEvent.objects.filter(action="identity.signin.succeeded", actor_id=alice.pk).exists()
    key.refresh_from_db()
    assert key.sign_count == 4


def test_it_refuses_a_passkey_that_did_not_verify_its_user(client, alice):
    authenticator, _ = save_key(alice)
    credential = authenticator.get(options_for(client), origin=ORIGIN, user_verified=False)
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_unknown_passkey_or_one_whose_user_handle_is_another_account(client, alice, bob):
    authenticator, _ = save_key(alice)
    credential = authenticator.get(options_for(client), origin=ORIGIN, user_handle=user_handle(bob))
    assert post_json(client, URL, {"credential": credential}).status_code == 400
    from .soft_authenticator import SoftAuthenticator

    stranger = SoftAuthenticator()
    credential = stranger.get(options_for(client), origin=ORIGIN)
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400
    assert response.json()["error"] == "This passkey is not registered with CPMS Login."
    assert "_auth_user_id" not in client.session


def test_it_uses_each_challenge_once(client, alice):
    authenticator, _ = save_key(alice)
    credential = authenticator.get(options_for(client), origin=ORIGIN)
    assert post_json(client, URL, {"credential": credential}).status_code == 200
    client.post("/logout/")
    assert post_json(client, URL, {"credential": credential}).status_code == 400


def test_it_answers_a_malformed_body_with_a_400(client):
    options_for(client)
    assert post_json(client, URL, raw=b"not json").status_code == 400
