"""The whole OpenID Connect flow, as a real service would run it: Authlib's OAuth2Session (requests)
against the live server on loopback, a browser session signing in through our pages, and the ID
token verified with joserfc against the JWKS fetched over HTTP."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import pyotp
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.db import connection
from joserfc import jwt
from joserfc.jwk import KeySet

from cpms.access.tests.factories import make_grant
from cpms.audit import triggers
from cpms.audit.models import AuditEvent
from cpms.identity.models import ServiceSignIn
from cpms.test import PASSWORD

from .oidc_helpers import POST_LOGOUT_URI, REDIRECT_URI, make_service, query_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _flushable_audit_trail(transactional_db):
    """The audit table refuses DELETE: empty it before the transactional test's flush."""
    yield
    triggers.empty_for_tests(connection)


@pytest.fixture
def closing(issuer):
    """Close these HTTP sessions before the live server stops: no request thread may outlive the test."""
    sessions = []
    yield sessions.append
    for session in sessions:
        session.close()


@pytest.fixture
def browser(issuer, closing):
    browser = Browser(issuer)
    closing(browser.session)
    return browser


@pytest.fixture
def issuer(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": live_server.url}
    return live_server.url


class FormReader(HTMLParser):
    """The inputs of the first form in the page's <main> (not the header's sign-out or language forms)."""

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.forms: list[dict[str, str]] = []
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main:
            self.in_form = True
            self.forms.append({})
        elif tag == "input" and self.in_form and attrs.get("name") and attrs.get("type") == "hidden":
            self.forms[-1][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "form":
            self.in_form = False


def form_fields(response) -> dict[str, str]:
    reader = FormReader()
    reader.feed(response.text)
    return reader.forms[0]


class Browser:
    """A requests session that follows redirects only while they stay on our site."""

    def __init__(self, site: str):
        self.site = site
        self.session = requests.Session()

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        response = self.session.request(
            method, urljoin(self.site, url), allow_redirects=False, timeout=10, **kwargs
        )
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.site):
                break
            response = self.session.get(target, allow_redirects=False, timeout=10)
        return response

    def submit(self, response: requests.Response, data: dict, url: str | None = None) -> requests.Response:
        """Post a form of the page `response`, with its CSRF token and hidden fields."""
        fields = form_fields(response)
        return self.request("POST", url or response.url, data={**fields, **data})


def sign_in_with_app(browser: Browser, page: requests.Response, user) -> requests.Response:
    """From the login page: e-mail address, password, app code."""
    assert "/login/" in page.url
    page = browser.submit(page, {"identifier": user.email})
    assert page.url.endswith("/login/password/"), page.url
    page = browser.submit(page, {"password": PASSWORD})
    assert page.url.endswith("/login/app/"), page.url
    code = pyotp.TOTP(user.totp_devices.get().secret).now()
    return browser.submit(page, {"code": code})


def test_it_signs_a_user_in_to_a_service_with_a_standard_client_library(issuer, browser, closing, bob, rnd):
    make_grant(bob, rnd.hcp, "hp")
    service = make_service()
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == issuer

    oauth = OAuth2Session(
        service.client_id,
        service.secret,
        scope="openid profile email cpms",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    closing(oauth)
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    assert "code_challenge=" in url and "code_challenge_method=S256" in url

    # The browser is sent to sign in first, then back to the authorisation, which asks for consent.
    page = sign_in_with_app(browser, browser.request("GET", url), bob)
    assert page.status_code == 200 and "ERN Collaborative Platform" in page.text  # the consent page
    callback = browser.submit(page, {"allow": "1"}, url=url)
    assert callback.status_code == 302
    redirect = callback.headers["Location"]
    assert redirect.startswith(REDIRECT_URI)
    assert query_of(redirect)["iss"] == issuer  # RFC 9207

    token = oauth.fetch_token(
        discovery["token_endpoint"], authorization_response=redirect, code_verifier=verifier
    )
    assert {"access_token", "refresh_token", "id_token"} <= set(token)

    # The ID token: signature against the published keys, then the claims.
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": service.client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
    ).validate(id_token.claims)
    claims = id_token.claims
    assert claims["amr"] == ["pwd", "otp"]
    assert claims["acr"] == "cpms:2fa"
    assert claims["acr"] in discovery["acr_values_supported"]
    assert claims["email"] == "bob@example.org" and claims["email_verified"] is True
    assert claims["sub"] not in {str(bob.pk), bob.username, bob.email}
    assert claims["cpms_grants"] == [
        {"application": "cpms", "organisation": "DE22", "ern": "ERN-RND", "profile": "hp"}
    ]
    assert id_token.header["kid"] in {
        key["kid"] for key in requests.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    }

    # userinfo with the access token
    info = oauth.get(discovery["userinfo_endpoint"], timeout=10)
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"] and info.json()["locale"] == "de"

    # The refresh token grant: new tokens, a new ID token for the same person and sign-in.
    refreshed = oauth.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]  # rotated
    new_id_token = jwt.decode(refreshed["id_token"], keys, algorithms=["RS256"])
    assert new_id_token.claims["sub"] == claims["sub"]
    assert new_id_token.claims["amr"] == ["pwd", "otp"]
    assert new_id_token.claims["auth_time"] == claims["auth_time"]

    # "Display my sessions" lists the service under this browser session.
    sessions_page = browser.request("GET", "/account/sessions/")
    assert "Sign out of ERN Collaborative Platform" in sessions_page.text

    # RP-initiated logout: back to the registered address with the state; our session ends too.
    logout = browser.request(
        "GET",
        discovery["end_session_endpoint"],
        params={
            "id_token_hint": refreshed["id_token"],
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "bye",
        },
    )
    assert logout.status_code == 302
    assert logout.headers["Location"] == f"{POST_LOGOUT_URI}?state=bye"
    assert browser.request("GET", "/account/").url.startswith(f"{issuer}/login/")
    assert oauth.get(discovery["userinfo_endpoint"], timeout=10).status_code == 401  # tokens revoked
    assert ServiceSignIn.objects.get().ended_at is not None
    signout = AuditEvent.objects.get(action="identity.signout")
    assert signout.actor_id == bob.pk and signout.data["client_id"] == service.client_id
