"""RP-initiated logout (end_session_endpoint): the service signs the user out of CPMS Login too."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from cpms.identity.models import ServiceSignIn, UserSession
from cpms.test import sign_in

from .oidc_helpers import POST_LOGOUT_URI, last_audit, make_service, tokens_for, userinfo

pytestmark = pytest.mark.django_db
LOGOUT = reverse("oauth2_provider:rp-initiated-logout")


def logout_url(**params) -> str:
    return LOGOUT + "?" + urlencode(params)


def test_it_signs_out_and_goes_back_to_the_service(client, bob):
    service = make_service(trusted=True)
    sign_in(client, bob)
    tokens = tokens_for(client, service)
    session_key = client.session.session_key
    response = client.get(
        logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT_URI, state="s1")
    )
    assert response.status_code == 302
    assert response.url == f"{POST_LOGOUT_URI}?state=s1"
    assert UserSession.objects.get(session_key=session_key).ended_at is not None
    assert ServiceSignIn.objects.get().ended_at is not None
    assert client.get(reverse("identity:my-account")).status_code == 302  # signed out
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
    event = last_audit("identity.signout")
    assert event.actor_id == bob.pk and event.data == {"client_id": service.client_id, "via": "oidc"}


def test_it_leaves_the_tokens_of_other_sessions_alone(client, bob):
    service = make_service(trusted=True)
    other = sign_in(Client(), bob)
    other_tokens = tokens_for(other, service)
    sign_in(client, bob)
    tokens = tokens_for(client, service)
    client.get(logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT_URI))
    assert userinfo(client, tokens["access_token"]).status_code == 401
    assert userinfo(client, other_tokens["access_token"]).status_code == 200


def test_it_asks_before_signing_out_without_an_id_token_hint(client, bob):
    service = make_service(trusted=True)
    sign_in(client, bob)
    tokens_for(client, service)
    url = logout_url(client_id=service.client_id, post_logout_redirect_uri=POST_LOGOUT_URI)
    response = client.get(url)
    assert response.status_code == 200
    assert response.templates[0].name == "identity/oidc_logout.html"
    assert client.get(reverse("identity:my-account")).status_code == 200  # not yet
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value}
    stay = client.post(url, data)
    assert "You are still signed in" in stay.content.decode()
    response = client.post(url, {**data, "allow": "1"})
    assert response.status_code == 302 and response.url == POST_LOGOUT_URI
    assert client.get(reverse("identity:my-account")).status_code == 302


def test_it_just_goes_back_when_already_signed_out(client, bob):
    service = make_service(trusted=True)
    sign_in(client, bob)
    tokens = tokens_for(client, service)
    client.post(reverse("identity:logout"))
    response = client.get(
        logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT_URI)
    )
    assert response.status_code == 302 and response.url == POST_LOGOUT_URI


def test_it_refuses_an_unregistered_post_logout_redirect_uri(client, bob):
    service = make_service(trusted=True)
    sign_in(client, bob)
    tokens = tokens_for(client, service)
    response = client.get(
        logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri="https://evil.example.net/")
    )
    assert response.status_code == 400
    assert client.get(reverse("identity:my-account")).status_code == 200  # still signed in
    event = last_audit("identity.oidc.invalid_request")
    assert event.actor_id == bob.pk and "redirect" in event.data["description"].lower()


def test_it_refuses_an_unknown_client_or_a_tampered_hint(client, bob):
    service = make_service(trusted=True)
    sign_in(client, bob)
    tokens = tokens_for(client, service)
    assert (
        client.get(logout_url(client_id="nobody", post_logout_redirect_uri=POST_LOGOUT_URI)).status_code
        == 400
    )
    header, payload, signature = tokens["id_token"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    response = client.get(logout_url(id_token_hint=tampered, post_logout_redirect_uri=POST_LOGOUT_URI))
    assert response.status_code == 400
    assert "id token" in last_audit("identity.oidc.invalid_request").data["description"].lower()
    assert client.get(reverse("identity:my-account")).status_code == 200
