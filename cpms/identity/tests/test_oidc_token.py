"""The token endpoint, the ID token's claims, userinfo and refresh; bad requests answered and audited."""

import base64
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model

from cpms.access.tests.factories import make_application, make_grant, make_tree
from cpms.audit.models import AuditEvent
from cpms.identity.models import User
from cpms.identity.oidc import CpmsOAuth2Validator, subject_for
from cpms.test import sign_in

from .oidc_helpers import (
    REDIRECT_URI,
    exchange,
    get_code,
    last_audit,
    make_service,
    tokens_for,
    userinfo,
    verified_claims,
)

pytestmark = pytest.mark.django_db
TOKEN_URL = reverse("oauth2_provider:token")


def refresh(client, service, refresh_token: str):
    return client.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=service.basic_auth(),
    )


def test_it_issues_a_signed_id_token_with_how_the_user_verified(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    response = exchange(client, service, code, request.verifier)
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 15 * 60
    claims = verified_claims(client, tokens["id_token"])
    assert claims["aud"] == service.client_id
    assert claims["nonce"] == request.nonce
    assert claims["amr"] == ["pwd", "otp"] and claims["acr"] == "cpms:2fa"
    assert claims["sub"] == subject_for(bob)
    assert (
        claims["name"] == "Bob Schmidt"
        and claims["given_name"] == "Bob"
        and claims["family_name"] == "Schmidt"
    )
    assert claims["locale"] == "de"
    assert claims["email"] == "bob@example.org" and claims["email_verified"] is True
    assert claims["cpms_grants"] == []
    assert abs(claims["auth_time"] - claims["iat"]) < 60


def test_it_keeps_sub_stable_and_opaque(bob, alice):
    sub = subject_for(bob)
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", sub)  # neither pk, username nor e-mail
    assert sub == subject_for(User.objects.get(pk=bob.pk))
    assert sub != subject_for(alice)


def test_it_gives_only_the_claims_of_the_scopes_asked_for(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    tokens = tokens_for(client, service, scope="openid")
    claims = verified_claims(client, tokens["id_token"])
    assert "sub" in claims and "amr" in claims
    assert not {"email", "name", "locale", "cpms_grants"} & set(claims)
    assert set(userinfo(client, tokens["access_token"]).json()) == {"sub"}


def test_it_lists_the_active_grants_in_the_cpms_scope(client, bob, rnd):
    make_grant(bob, rnd.hcp, "hp")
    make_grant(bob, rnd.hcp, "researcher")
    make_grant(bob, rnd.hcp, "dispatcher", revoked_at=timezone.now())
    other = make_tree(make_application("ern-cp", "ERN Collaborative Platform"), ern_code="ERN-EYE")
    make_grant(bob, other.hcp, "hp")
    expired = make_grant(bob, rnd.guest, "hp")
    expired.expires_at = expired.created_at - timedelta(days=1)
    expired.save()
    sign_in(client, bob)
    service = make_service(trusted=True)
    tokens = tokens_for(client, service, scope="openid cpms")
    grants = verified_claims(client, tokens["id_token"])["cpms_grants"]
    assert grants == [
        {"application": "cpms", "organisation": "DE22", "ern": "ERN-RND", "profile": "hp"},
        {"application": "cpms", "organisation": "DE22", "ern": "ERN-RND", "profile": "researcher"},
        {"application": "ern-cp", "organisation": "DE22", "ern": "ERN-EYE", "profile": "hp"},
    ]
    assert userinfo(client, tokens["access_token"]).json()["cpms_grants"] == grants


def test_it_answers_userinfo_with_the_access_token(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    tokens = tokens_for(client, service)
    response = userinfo(client, tokens["access_token"])
    assert response.status_code == 200
    assert response.json()["sub"] == subject_for(bob) and response.json()["email"] == "bob@example.org"


def test_it_refreshes_and_rotates_the_refresh_token(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    tokens = tokens_for(client, service)
    response = refresh(client, service, tokens["refresh_token"])
    assert response.status_code == 200
    renewed = response.json()
    assert renewed["refresh_token"] != tokens["refresh_token"]
    claims = verified_claims(client, renewed["id_token"])
    assert claims["amr"] == ["pwd", "otp"] and claims["sub"] == subject_for(bob)
    assert userinfo(client, renewed["access_token"]).status_code == 200
    assert userinfo(client, tokens["access_token"]).status_code == 401  # the old one is gone
    # The old refresh token replayed: refused, and the whole family revoked (reuse protection).
    replay = refresh(client, service, tokens["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert userinfo(client, renewed["access_token"]).status_code == 401
    assert last_audit("identity.oidc.invalid_grant").data["grant_type"] == "refresh_token"


def test_it_lets_a_public_client_exchange_its_code_with_pkce_only(client, bob):
    sign_in(client, bob)
    service = make_service(client_type="public", trusted=True)
    code, request = get_code(client, service)
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": service.client_id,
            "code_verifier": request.verifier,
        },
    )
    assert response.status_code == 200 and "id_token" in response.json()


# -- Bad requests: the standard error responses, audited


def test_it_refuses_a_wrong_pkce_verifier(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    response = exchange(client, service, code, "x" * 50)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    event = last_audit("identity.oidc.invalid_grant")
    assert event.data["client_id"] == service.client_id
    assert "PKCE" in event.data["description"]
    assert exchange(client, service, code, request.verifier).status_code == 200  # the code is still good


def test_it_refuses_a_missing_pkce_verifier(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, _request = get_code(client, service)
    response = client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        HTTP_AUTHORIZATION=service.basic_auth(),
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert last_audit("identity.oidc.invalid_request").data["client_id"] == service.client_id


def test_it_refuses_a_reused_code_and_revokes_its_tokens(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    tokens = exchange(client, service, code, request.verifier).json()
    response = exchange(client, service, code, request.verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert "already used" in response.json()["error_description"]
    assert userinfo(client, tokens["access_token"]).status_code == 401
    assert refresh(client, service, tokens["refresh_token"]).status_code == 400
    event = AuditEvent.objects.filter(
        action="identity.oidc.invalid_grant", data__grant_type="authorization_code"
    ).get()
    assert "already used" in event.data["description"] and event.data["client_id"] == service.client_id


def test_it_refuses_an_expired_code(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    with time_machine.travel(timedelta(minutes=2)):
        response = exchange(client, service, code, request.verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert "expired" in last_audit("identity.oidc.invalid_grant").data["description"]


def test_it_refuses_a_wrong_client_secret(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    wrong = "Basic " + base64.b64encode(f"{service.client_id}:wrong".encode()).decode()
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": request.verifier,
        },
        HTTP_AUTHORIZATION=wrong,
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    event = last_audit("identity.oidc.invalid_client")
    assert event.actor_id is None and event.data["client_id"] == service.client_id
    assert "wrong" not in str(event.data)


def test_it_refuses_an_unknown_client(client):
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": "abc",
            "client_id": "nobody",
            "redirect_uri": REDIRECT_URI,
        },
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert last_audit("identity.oidc.invalid_client").data["client_id"] == "nobody"


def test_it_refuses_a_code_of_another_redirect_uri(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://evil.example.net/cb",
            "code_verifier": request.verifier,
        },
        HTTP_AUTHORIZATION=service.basic_auth(),
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_request"
    assert last_audit("identity.oidc.invalid_request").data["client_id"] == service.client_id


def test_it_refuses_a_tampered_access_token_at_userinfo(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    token = tokens_for(client, service)["access_token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = userinfo(client, tampered)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    event = last_audit("identity.oidc.invalid_token")
    assert event.data["error"] == "invalid_token"
    assert token not in str(event.data) and tampered not in str(event.data)


def test_it_does_not_audit_userinfo_without_any_token(client):
    assert client.get(reverse("oauth2_provider:user-info")).status_code == 401
    assert last_audit("identity.oidc.invalid_token") is None


def test_it_refuses_the_access_token_in_the_query_string(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    token = tokens_for(client, service)["access_token"]
    response = client.get(reverse("oauth2_provider:user-info") + f"?access_token={token}")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert last_audit("identity.oidc.invalid_request") is not None


def test_it_stops_refreshing_when_the_browser_sessions_absolute_lifetime_is_over(client, bob):
    """The browser may never come back to end its session: a refreshing service cannot outlive it."""
    sign_in(client, bob)
    service = make_service(trusted=True)
    tokens = tokens_for(client, service)
    with time_machine.travel(timedelta(hours=11)):
        response = refresh(Client(), service, tokens["refresh_token"])
        assert response.status_code == 200
    with time_machine.travel(timedelta(hours=12, minutes=1)):
        response = refresh(Client(), service, response.json()["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_it_revokes_the_tokens_of_a_code_exchanged_twice_at_the_same_moment(client, bob, monkeypatch):
    sign_in(client, bob)
    service = make_service(trusted=True)
    code, request = get_code(client, service)
    save = CpmsOAuth2Validator.save_bearer_token

    def save_then_lose_the_race(self, token, oauth_request, *args, **kwargs):
        save(self, token, oauth_request, *args, **kwargs)
        get_grant_model().objects.all().delete()  # another request exchanged the code meanwhile

    monkeypatch.setattr(CpmsOAuth2Validator, "save_bearer_token", save_then_lose_the_race)
    response = exchange(client, service, code, request.verifier)
    assert response.status_code == 400 and json.loads(response.content)["error"] == "invalid_grant"
    assert not get_access_token_model().objects.exists()  # revoked, those of the other request too


def test_it_answers_a_nul_character_with_invalid_request(client, bob):
    """PostgreSQL cannot look such values up: without this, a 500."""
    sign_in(client, bob)
    service = make_service(trusted=True)
    for data in (
        {"grant_type": "authorization_code", "code": "abc\x00", "redirect_uri": REDIRECT_URI},
        {"grant_type": "refresh_token", "refresh_token": "\x00"},
    ):
        response = client.post(TOKEN_URL, data, HTTP_AUTHORIZATION=service.basic_auth())
        assert response.status_code == 400
        assert response.json() == {
            "error": "invalid_request",
            "error_description": "The request contains a NUL character.",
        }
    nul_client = "Basic " + base64.b64encode(b"x\x00:secret").decode()
    response = client.post(TOKEN_URL, {"grant_type": "refresh_token"}, HTTP_AUTHORIZATION=nul_client)
    assert response.json()["error"] == "invalid_request"
    assert last_audit("identity.oidc.invalid_request").data["client_id"] == "x"
    response = client.post(reverse("oauth2_provider:revoke-token"), {"token": "a\x00"})
    assert response.status_code == 400
