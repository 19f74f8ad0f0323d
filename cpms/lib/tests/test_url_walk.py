"""Deny by default: every URL pattern is either public (a short list) or asks anonymous users to sign in."""

import re

import pytest

from .access_matrix import all_patterns

pytestmark = pytest.mark.django_db

PUBLIC = {
    "home",
    "set_language",
    "outbox:outbox",  # embedded default only; see test_outbox
    "styleguide:styleguide",  # embedded default only: the design system's reference page
    "identity:create-account",
    "identity:create-account-done",
    "identity:privacy-statement",
    "identity:set-password",
    "identity:password-link-request",
    "identity:login",
    "identity:signin-method",
    "identity:signin-password",
    "identity:signin-sms",
    "identity:signin-totp",
    "identity:signin-recovery",
    "identity:signin-webauthn",
    "identity:signin-webauthn-options",
    "identity:signin-webauthn-verify",
    "identity:signin-passkey-options",  # the passkey button of the first sign-in page
    "identity:signin-passkey-verify",
    "identity:change-email-confirm",
    "identity:confirm-setup",  # the e-mailed link after PANIC, maybe opened signed out; single use
    "identity:logout",
    "admin:logout",
    "admin:login",  # redirects to identity:login
    # OpenID Connect (cpms/identity/oidc_urls.py). authorize is not here: it asks anonymous users to sign in.
    "openid-configuration",  # discovery at the issuer: public metadata, read by services before any sign-in
    "oauth2_provider:oidc-connect-discovery-info",  # the same document under /o/
    "oauth2_provider:jwks-info",  # the public keys that verify ID tokens
    "oauth2_provider:token",  # services call it, authenticated by their client credentials (POST)
    "oauth2_provider:revoke-token",  # the same: client-authenticated (POST only)
    "oauth2_provider:user-info",  # bearer-token protected: 401 without a valid access token, never a page
    "oauth2_provider:rp-initiated-logout",  # services send the browser here to sign out; checks the request
    "meetings:feed",  # a calendar reads it with no sign-in: the secret in its path is the key (404 otherwise)
    "api:schema",  # the OpenAPI document: what the API offers, no data
    "api:docs",  # its interactive docs (Swagger UI from our static files)
}
# The REST API answers 401 with a bearer challenge (a client follows no redirect to a sign-in page).
API = "api:"
LOGIN_PAGES = re.compile(r"^/(login/|admin/login/)")
SAMPLE_ARGUMENTS = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "sample",
}


def sample_url(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGUMENTS[m.group(1) or "str"], route)
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return "/" + route


ALL_PATTERNS = all_patterns()


def test_it_knows_every_public_name():
    names = {name for name, _ in ALL_PATTERNS}
    embedded_only = {"outbox:outbox", "styleguide:styleguide"}
    assert PUBLIC - names <= embedded_only, "PUBLIC names a URL that does not exist"


@pytest.mark.parametrize(("name", "route"), ALL_PATTERNS, ids=[f"{n}:{r}" for n, r in ALL_PATTERNS])
def test_it_protects_every_url_that_is_not_public(client, name, route):
    url = sample_url(route)
    if name in PUBLIC:
        assert client.get(url).status_code < 500
        return
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if name and name.startswith(API):
            assert response.status_code == 401, (
                f"{method.upper()} {url} ({name}) answered {response.status_code}"
            )
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            continue
        if method == "get" and response.status_code == 405:
            continue
        assert response.status_code == 302, f"{method.upper()} {url} ({name}) answered {response.status_code}"
        assert LOGIN_PAGES.match(response.url), f"{method.upper()} {url} ({name}) went to {response.url}"
