"""The authorisation endpoint: sign-in, step-up to two factors, consent once, trusted services, and
bad requests."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.urls import reverse
from oauth2_provider.models import get_grant_model

from cpms.audit.models import AuditEvent
from cpms.identity.models import ServiceConsent, ServiceSignIn
from cpms.test import sign_in, signin_in_progress

from .oidc_helpers import (
    REDIRECT_URI,
    authorization_request,
    consent_data,
    exchange,
    get_code,
    last_audit,
    make_service,
    query_of,
    verified_claims,
)

pytestmark = pytest.mark.django_db
Grant = get_grant_model()


def test_it_asks_anonymous_users_to_sign_in_and_comes_back(client):
    service = make_service()
    request = authorization_request(service)
    response = client.get(request.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login") + "?next=/o/authorize/")


def test_it_asks_for_consent_the_first_time_only(client, bob):
    sign_in(client, bob)
    service = make_service()
    request = authorization_request(service)
    response = client.get(request.url)
    assert response.status_code == 200
    assert response.templates[0].name == "identity/oidc_consent.html"
    page = response.content.decode()
    assert "Sign in to ERN Collaborative Platform" in page
    assert "Your e-mail address" in page and "Your CPMS access" in page
    response = client.post(request.url, consent_data(response))
    assert response.status_code == 302 and response.url.startswith(REDIRECT_URI)
    assert "code" in query_of(response.url)
    consent = ServiceConsent.objects.get(user=bob, application=service.application)
    assert consent.scopes == "cpms email openid profile"
    assert last_audit("identity.service.consented").actor_id == bob.pk

    # The second time: straight back to the service with a code.
    again = authorization_request(service)
    response = client.get(again.url)
    assert response.status_code == 302
    assert query_of(response.url)["state"] == again.state and "code" in query_of(response.url)


def test_it_asks_again_for_a_scope_not_agreed_to(client, bob):
    sign_in(client, bob)
    service = make_service()
    get_code(client, service, scope="openid")
    response = client.get(authorization_request(service, scope="openid email").url)
    assert response.status_code == 200  # consent page, for the e-mail address


def test_it_asks_again_when_the_service_says_prompt_consent(client, bob):
    sign_in(client, bob)
    service = make_service()
    get_code(client, service)
    assert client.get(authorization_request(service, prompt="consent").url).status_code == 200


def test_it_never_asks_consent_for_a_trusted_service(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    response = client.get(authorization_request(service).url)
    assert response.status_code == 302 and "code" in query_of(response.url)
    assert not ServiceConsent.objects.exists()


def test_it_sends_access_denied_when_the_user_refuses(client, bob):
    sign_in(client, bob)
    service = make_service()
    request = authorization_request(service)
    data = consent_data(client.get(request.url))
    del data["allow"]
    response = client.post(request.url, data)
    assert response.status_code == 302
    query = query_of(response.url)
    assert response.url.startswith(REDIRECT_URI)
    assert query["error"] == "access_denied" and query["state"] == request.state
    assert not Grant.objects.exists() and not ServiceConsent.objects.exists()
    event = last_audit("identity.oidc.access_denied")
    assert event.actor_id == bob.pk and event.data["client_id"] == service.client_id


def test_it_answers_consent_required_to_prompt_none(client, bob):
    sign_in(client, bob)
    service = make_service()
    request = authorization_request(service, prompt="none")
    response = client.get(request.url)
    assert response.status_code == 302
    assert query_of(response.url)["error"] == "consent_required"


def test_it_answers_login_required_to_prompt_none_when_signed_out(client):
    service = make_service()
    response = client.get(authorization_request(service, prompt="none").url)
    assert response.status_code == 302
    assert response.url.startswith(REDIRECT_URI) and query_of(response.url)["error"] == "login_required"


# -- Step-up: a service that requires two factors never gets a code for a password-only session


def test_it_asks_a_password_only_session_for_its_second_factor(client, bob):
    sign_in(client, bob, methods=("pwd",))
    service = make_service(requires_two_factors=True)
    request = authorization_request(service)
    response = client.get(request.url)
    assert response.status_code == 302
    assert response.url == reverse("identity:signin-method") + "?reverify=1"
    assert signin_in_progress(client).next_url == request.url
    assert signin_in_progress(client).user_id == bob.pk
    assert not Grant.objects.exists()
    page = client.get(response.url, follow=True)
    assert page.redirect_chain[-1][0] == reverse("identity:signin-totp")
    assert "ERN Collaborative Platform needs two-factor verification" in page.content.decode()


def test_it_refuses_the_consent_form_of_a_password_only_session(client, bob):
    sign_in(client, bob)
    service = make_service()
    request = authorization_request(service)
    data = consent_data(client.get(request.url))
    session = client.session
    session["verified.methods"] = ["pwd"]  # as if this session had verified with a password only
    session.save()
    response = client.post(request.url, data)
    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_it_asks_an_account_without_second_factor_to_set_one_up(client, alice):
    sign_in(client, alice, methods=("pwd",))
    service = make_service(requires_two_factors=True)
    response = client.get(authorization_request(service).url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "needs two-factor verification" in page
    for name in ("identity:mobile-devices", "identity:phone-numbers", "identity:security-keys"):
        assert reverse(name) in page
    assert not Grant.objects.exists()


def test_it_answers_interaction_required_to_prompt_none_without_two_factors(client, bob):
    sign_in(client, bob, methods=("pwd",))
    service = make_service(requires_two_factors=True)
    response = client.get(authorization_request(service, prompt="none").url)
    assert query_of(response.url)["error"] == "interaction_required"


def test_it_lets_a_password_only_session_into_a_service_that_allows_it(client, alice):
    sign_in(client, alice, methods=("pwd",))
    service = make_service(requires_two_factors=False)
    code, request = get_code(client, service)
    tokens = exchange(client, service, code, request.verifier).json()
    claims = verified_claims(client, tokens["id_token"])
    assert claims["acr"] == "cpms:pwd" and claims["amr"] == ["pwd"]


def test_it_steps_up_when_the_service_asks_for_two_factors_with_acr_values(client, charlie):
    sign_in(client, charlie, methods=("pwd",))
    service = make_service(requires_two_factors=False)
    response = client.get(authorization_request(service, acr_values="cpms:2fa").url)
    assert response.url == reverse("identity:signin-method") + "?reverify=1"


def test_it_asks_to_verify_again_after_max_age(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    with time_machine.travel(timedelta(minutes=5)):
        response = client.get(authorization_request(service, max_age="60").url)
        assert response.url == reverse("identity:signin-method") + "?reverify=1"
        response = client.get(authorization_request(service, max_age="600").url)
        assert response.url.startswith(REDIRECT_URI)


def test_it_records_the_service_under_this_browser_session(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    get_code(client, service)
    get_code(client, service)
    signin = ServiceSignIn.objects.get()  # one per (browser session, service)
    assert signin.login_session.session_key == client.session.session_key
    assert signin.application == service.application
    assert signin.methods == ["pwd", "otp"]


# -- Bad requests: the standard errors, audited


def test_it_refuses_an_unknown_client_without_redirecting(client, bob):
    sign_in(client, bob)
    url = (
        reverse("oauth2_provider:authorize")
        + f"?response_type=code&client_id=nobody&redirect_uri={REDIRECT_URI}"
    )
    response = client.get(url)
    assert response.status_code == 400
    assert response.templates[0].name == "identity/oidc_error.html"
    event = last_audit("identity.oidc.invalid_request")
    assert event.data["client_id"] == "nobody" and event.data["error"] == "invalid_request"
    assert "client_id" in event.data["description"]


def test_it_refuses_an_unregistered_redirect_uri_without_redirecting(client, bob):
    sign_in(client, bob)
    service = make_service()
    request = authorization_request(service, redirect_uri="https://evil.example.net/callback")
    response = client.get(request.url)
    assert response.status_code == 400
    assert "evil.example.net" not in response.get("Location", "")
    event = last_audit("identity.oidc.invalid_request")
    assert event.data["client_id"] == service.client_id and "redirect" in event.data["description"].lower()


def test_it_refuses_a_scope_the_service_may_not_ask_for(client, bob):
    sign_in(client, bob)
    service = make_service(allowed_scopes="openid profile")
    response = client.get(authorization_request(service, scope="openid cpms").url)
    assert response.status_code == 302
    assert query_of(response.url)["error"] == "invalid_scope"
    assert last_audit("identity.oidc.invalid_scope").data["client_id"] == service.client_id


def test_it_requires_pkce_from_a_public_client(client, bob):
    sign_in(client, bob)
    service = make_service(client_type="public", trusted=True)
    request = authorization_request(service, pkce=False)
    response = client.get(request.url)
    assert response.status_code == 302
    query = query_of(response.url)
    assert query["error"] == "invalid_request" and "challenge" in query["error_description"].lower()
    assert AuditEvent.objects.filter(action="identity.oidc.invalid_request").exists()


def test_it_refuses_the_plain_pkce_method(client, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    response = client.get(authorization_request(service, code_challenge_method="plain").url)
    assert query_of(response.url)["error"] == "invalid_request"


def test_it_survives_a_tampered_consent_form(client, bob):
    sign_in(client, bob)
    service = make_service()
    request = authorization_request(service)
    data = consent_data(client.get(request.url))
    assert client.post(request.url, {**data, "client_id": "nobody"}).status_code == 400
    assert client.post(request.url, {"allow": "1"}).status_code == 400
    response = client.post(request.url, {**data, "redirect_uri": "https://evil.example.net/"})
    assert response.status_code == 400 and not Grant.objects.exists()


def test_it_steps_up_with_a_second_factor_only(client, bob):
    sign_in(client, bob, methods=("pwd",))
    service = make_service()
    response = client.get(authorization_request(service).url)
    assert client.get(response.url).url == reverse("identity:signin-totp")  # password alone won't do
    code = pyotp.TOTP(bob.totp_devices.get().secret).now()
    client.post(reverse("identity:signin-totp"), {"code": code})
    assert client.session["verified.methods"] == ["pwd", "otp"]


def test_it_comes_back_from_verifying_again_for_max_age_zero(client, bob):
    """max_age=0 asks for a verification now: once done, the user is not sent round in circles."""
    sign_in(client, bob)
    service = make_service(trusted=True)
    request = authorization_request(service, max_age="0")
    assert client.get(request.url).url == reverse("identity:signin-method") + "?reverify=1"
    assert "max_age" not in signin_in_progress(client).next_url
    assert client.get(reverse("identity:signin-method") + "?reverify=1").url == reverse(
        "identity:signin-totp"
    )
    code = pyotp.TOTP(bob.totp_devices.get().secret).now()
    response = client.post(reverse("identity:signin-totp"), {"code": code})
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith(REDIRECT_URI)
    assert query_of(response.url)["state"] == request.state and "code" in query_of(response.url)


def test_it_answers_a_nul_character_with_an_error_page(client, bob):
    sign_in(client, bob)
    service = make_service()
    url = authorization_request(service, nonce="\x00").url
    for request_url in (url, reverse("oauth2_provider:rp-initiated-logout") + "?client_id=a%00"):
        response = client.get(request_url)
        assert response.status_code == 400
        assert response.templates[0].name == "identity/oidc_error.html"
        assert "NUL character" in response.content.decode()
    assert not Grant.objects.exists()
    assert client.get(reverse("identity:my-account")).status_code == 200  # still signed in
