"""Discovery (/.well-known/openid-configuration) and the JWKS: public documents a service reads first."""

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from jwcrypto import jwk
from oauth2_provider.models import get_application_model

from cpms.identity.admin import ServiceAdmin

pytestmark = pytest.mark.django_db

ROOT = "/.well-known/openid-configuration"


def test_it_publishes_discovery_at_the_issuer_and_under_o(client):
    response = client.get(ROOT)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    issuer = django_settings.SITE_URL
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == f"{issuer}/o/authorize/"
    assert document["token_endpoint"] == f"{issuer}/o/token/"
    assert document["userinfo_endpoint"] == f"{issuer}/o/userinfo/"
    assert document["jwks_uri"] == f"{issuer}/o/.well-known/jwks.json"
    assert document["end_session_endpoint"] == f"{issuer}/o/logout/"
    assert document["revocation_endpoint"] == f"{issuer}/o/revoke_token/"
    assert document["scopes_supported"] == ["openid", "profile", "email", "cpms"]
    assert document["response_types_supported"] == ["code"]
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["acr_values_supported"] == ["cpms:pwd", "cpms:2fa"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"sub", "email", "email_verified", "locale", "acr", "amr", "auth_time", "cpms_grants"} <= set(
        document["claims_supported"]
    )
    assert document["authorization_response_iss_parameter_supported"] is True
    assert client.get(reverse("oauth2_provider:oidc-connect-discovery-info")).json() == document


def test_it_builds_every_url_from_site_url_whatever_the_request_host(client, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://login.example.org"}
    document = client.get(ROOT, HTTP_HOST="localhost").json()
    assert document["issuer"] == "https://login.example.org"
    assert document["token_endpoint"] == "https://login.example.org/o/token/"
    assert document["jwks_uri"] == "https://login.example.org/o/.well-known/jwks.json"


def test_it_publishes_the_public_signing_keys(client, settings):
    response = client.get(reverse("oauth2_provider:jwks-info"))
    assert response.status_code == 200
    keys = response.json()["keys"]
    active = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    assert keys[0]["kid"] == active.thumbprint()
    assert len(keys) == 1 + len(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEYS_INACTIVE"])
    for key in keys:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert "d" not in key and "p" not in key  # public parts only


def test_it_answers_anonymous_requests_without_a_session(client):
    client.get(ROOT)
    client.get(reverse("oauth2_provider:jwks-info"))
    assert "sessionid" not in client.cookies


def test_it_advertises_only_the_algorithm_services_can_be_given(client):
    """Services are registered in the admin, which offers RS256 alone: HS256 is never used."""
    model_admin = ServiceAdmin(get_application_model(), admin.site)
    form = model_admin.get_form(RequestFactory().get("/"))
    offered = [value for value, _ in form.base_fields["algorithm"].choices]
    assert offered == client.get(ROOT).json()["id_token_signing_alg_values_supported"] == ["RS256"]
