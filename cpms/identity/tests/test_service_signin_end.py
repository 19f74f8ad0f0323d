"""Services in "Display my sessions": listed per browser session, signed out one by one, and signed out
with their session (end it, sign out, PANIC, delete the account)."""

import pytest
from django.test import Client
from django.urls import reverse

from cpms.identity.models import ServiceSignIn, UserSession
from cpms.test import sign_in

from .oidc_helpers import last_audit, make_service, tokens_for, userinfo

pytestmark = pytest.mark.django_db
SESSIONS = reverse("identity:sessions")
TOKEN_URL = reverse("oauth2_provider:token")


def signed_in_service(user, service, client=None):
    """A browser signed in to `service` through CPMS Login: (browser, its tokens, its service sign-in)."""
    browser = sign_in(client or Client(), user)
    tokens = tokens_for(browser, service)
    signin = ServiceSignIn.objects.get(login_session__session_key=browser.session.session_key)
    return browser, tokens, signin


def refresh_works(client, service, refresh_token) -> bool:
    response = client.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=service.basic_auth(),
    )
    return response.status_code == 200


def end_url(signin) -> str:
    return reverse("identity:service-signin-end", args=[signin.pk])


def test_it_lists_the_services_of_each_session(client, bob):
    platform, registry = make_service(trusted=True), make_service("Rare Disease Registry", trusted=True)
    browser, _tokens, signin = signed_in_service(bob, platform, client)
    tokens_for(browser, registry)
    response = client.get(SESSIONS)
    page = response.content.decode()
    assert "Sign out of ERN Collaborative Platform" in page
    assert "Sign out of Rare Disease Registry" in page
    assert end_url(signin) in page
    [row] = response.context["rows"]
    assert [s.application.name for s in row.services] == [
        "ERN Collaborative Platform",
        "Rare Disease Registry",
    ]


def test_it_asks_anonymous_users_to_sign_in(client, bob):
    _browser, _tokens, signin = signed_in_service(bob, make_service(trusted=True))
    response = client.post(end_url(signin))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_signs_out_of_one_service_and_revokes_its_tokens(client, bob):
    platform, registry = make_service(trusted=True), make_service("Rare Disease Registry", trusted=True)
    browser, tokens, signin = signed_in_service(bob, platform, client)
    other_tokens = tokens_for(browser, registry)
    response = client.post(end_url(signin))
    assert response.status_code == 302 and response.url == SESSIONS
    assert userinfo(client, tokens["access_token"]).status_code == 401
    assert not refresh_works(client, platform, tokens["refresh_token"])
    assert userinfo(client, other_tokens["access_token"]).status_code == 200  # the other service stays
    signin.refresh_from_db()
    assert signin.ended_at is not None
    assert client.get(reverse("identity:my-account")).status_code == 200  # still signed in here
    event = last_audit("identity.service.signed_out")
    assert event.actor_id == bob.pk and event.data["client_id"] == platform.client_id
    assert "Sign out of ERN Collaborative Platform" not in client.get(SESSIONS).content.decode()


def test_it_refuses_someone_elses_service_signin(client, alice, bob):
    _browser, tokens, signin = signed_in_service(bob, make_service(trusted=True))
    sign_in(client, alice)
    assert client.post(end_url(signin)).status_code == 404
    assert userinfo(client, tokens["access_token"]).status_code == 200


def test_it_refuses_an_ended_one_and_a_get(client, bob):
    _browser, _tokens, signin = signed_in_service(bob, make_service(trusted=True), client)
    assert client.get(end_url(signin)).status_code == 405
    client.post(end_url(signin))
    assert client.post(end_url(signin)).status_code == 404
    assert client.post(reverse("identity:service-signin-end", args=[999999])).status_code == 404


def test_ending_a_browser_session_revokes_its_services_tokens(client, bob):
    service = make_service(trusted=True)
    sign_in(client, bob)
    _other, tokens, signin = signed_in_service(bob, service)
    client.post(reverse("identity:session-end", args=[signin.login_session.pk]))
    assert userinfo(client, tokens["access_token"]).status_code == 401
    assert not refresh_works(client, service, tokens["refresh_token"])
    signin.refresh_from_db()
    assert signin.ended_at is not None


def test_signing_out_revokes_the_services_tokens(client, bob):
    service = make_service(trusted=True)
    _browser, tokens, _signin = signed_in_service(bob, service, client)
    client.post(reverse("identity:logout"))
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
    assert not refresh_works(Client(), service, tokens["refresh_token"])


def test_panic_revokes_every_services_tokens(client, bob):
    service = make_service(trusted=True)
    _browser, tokens, _signin = signed_in_service(bob, service)
    sign_in(client, bob)
    client.post(reverse("identity:panic"))
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
    assert not ServiceSignIn.objects.filter(ended_at=None).exists()


def test_deleting_the_account_revokes_the_services_tokens(client, bob):
    service = make_service(trusted=True)
    _browser, tokens, _signin = signed_in_service(bob, service)
    sign_in(client, bob)
    response = client.post(reverse("identity:delete-account"), {"confirm": "on"})
    assert response.templates[0].name == "identity/account_deleted.html"
    assert not UserSession.objects.filter(user_id=bob.pk).exists()
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
