"""The REST API on a live server, as its callers meet it.

- schemathesis generates calls to every operation of the OpenAPI document (bounded: a few examples
  each, plus the same calls on the world's real pseudonyms and ids) as an HP of DE22, a researcher
  and an anonymous caller: no 5xx, every response matches the document, and no response ever holds
  the other centre's patient (DE05), nor, for the researcher and the anonymous caller, any patient.
- A real OpenID Connect client (Authlib) obtains a token through the authorization code flow with
  PKCE, signing in with two factors in a browser session, and calls the API with it.
"""

import pytest
import requests
import schemathesis
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cpms.access.tests.factories import make_grant
from cpms.api.tests.helpers import bearer, make_token
from cpms.clinical.tests.factories import complete_profile
from cpms.identity.tests.oidc_helpers import REDIRECT_URI, make_service
from cpms.identity.tests.test_oidc_flow import Browser, sign_in_with_app
from cpms.meetings.tests.factories import make_meeting
from cpms.panels.tests.factories import make_panel, make_panel_world
from cpms.patients.tests.factories import make_patient

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 5
FOREIGN = {"given_names": "Wilhelmina", "family_name": "Zandvoort", "hospital_number": "BON-7781-02"}
OWN_NAMES = ("Mathilde", "Grünwald", "TUE-4471-93")


@pytest.fixture
def unthrottled(monkeypatch):
    """The calls of a fuzzing run come faster than any caller may (DRF reads rates into the class)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min"})


@pytest.fixture
def two_centres(transactional_db):
    """The panels' world (DE22's patient and panel) and a patient of DE05 with a panel of its own."""
    world = make_panel_world()
    world.meeting = make_meeting(world.enrolling, panels=[world.panel])
    world.foreign = make_patient(world.de05, enrolled_by=world.other_centre, **FOREIGN)
    world.foreign_panel = make_panel(world.foreign, world.other_centre)
    return world


def real_parameters(world) -> list[dict]:
    """Path parameters that name real rows: the caller's own, the other centre's."""
    return [
        {"pseudonym": world.patient.pseudonym, "panel": world.panel.pk, "meeting": world.meeting.pk},
        {"pseudonym": world.foreign.pseudonym, "panel": world.foreign_panel.pk, "meeting": world.meeting.pk},
    ]


def fuzz(base_url: str, headers: dict, world, forbidden: tuple[str, ...]) -> int:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json")
    calls = 0
    session = requests.Session()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                nonlocal calls
                variants = [dict(case.path_parameters or {})]
                for real in real_parameters(world):
                    variants.append({k: real[k] for k in (case.path_parameters or {}) if k in real})
                for parameters in variants:
                    case.path_parameters = parameters or case.path_parameters
                    response = case.call(base_url=base_url, session=session, headers=headers)
                    calls += 1
                    where = f"{case.method} {case.formatted_path} → {response.status_code}"
                    case.validate_response(response, checks=CHECKS)
                    text = response.text
                    leaked = [value for value in forbidden if value in text]
                    assert not leaked, f"{where} holds {leaked}"

            run()
    finally:
        session.close()
    return calls


def test_schemathesis_as_an_hp_of_de22(live_server, two_centres, unthrottled):
    world = two_centres
    forbidden = (world.foreign.pseudonym, *FOREIGN.values())
    assert fuzz(live_server.url, bearer(make_token(world.enrolling)), world, forbidden) > 50
    # The HP does reach their own patient through the same API.
    own = requests.get(
        f"{live_server.url}/api/v1/patients/{world.patient.pseudonym}/",
        headers=bearer(make_token(world.enrolling)),
        timeout=10,
    )
    assert own.status_code == 200 and own.json()["identity"]["given_names"] == "Mathilde"


def test_schemathesis_as_a_researcher(live_server, two_centres, unthrottled):
    world = two_centres
    forbidden = (world.patient.pseudonym, world.foreign.pseudonym, *OWN_NAMES, *FOREIGN.values())
    assert fuzz(live_server.url, bearer(make_token(world.researcher)), world, forbidden) > 50


def test_schemathesis_as_an_anonymous_caller(live_server, two_centres, unthrottled):
    world = two_centres
    forbidden = (world.patient.pseudonym, world.foreign.pseudonym, *OWN_NAMES, *FOREIGN.values())
    assert fuzz(live_server.url, {}, world, forbidden) > 50


# -- a real OpenID Connect client


def test_a_real_oidc_client_gets_a_token_with_pkce_and_calls_the_api(live_server, settings, bob, rnd):
    issuer = live_server.url
    settings.SITE_URL = issuer
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": issuer}
    make_grant(bob, rnd.hcp, "hp")
    complete_profile(bob)
    patient = make_patient(rnd.hcp, enrolled_by=bob)
    service = make_service("Hospital information system")
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    browser = Browser(issuer)
    oauth = OAuth2Session(
        service.client_id,
        service.secret,
        scope="openid cpms",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    try:
        verifier = generate_token(48)
        url, _state = oauth.create_authorization_url(
            discovery["authorization_endpoint"], code_verifier=verifier, nonce=generate_token(20)
        )
        page = sign_in_with_app(browser, browser.request("GET", url), bob)  # password and app code
        callback = browser.submit(page, {"allow": "1"}, url=url)
        assert callback.status_code == 302
        token = oauth.fetch_token(
            discovery["token_endpoint"],
            authorization_response=callback.headers["Location"],
            code_verifier=verifier,
        )
        assert "cpms" in token["scope"].split()

        listed = oauth.get(f"{issuer}/api/v1/patients/", timeout=10)
        assert listed.status_code == 200, listed.text
        assert [row["pseudonym"] for row in listed.json()["results"]] == [patient.pseudonym]
        detail = oauth.get(f"{issuer}/api/v1/patients/{patient.pseudonym}/", timeout=10)
        assert detail.status_code == 200 and detail.headers["ETag"]
        assert oauth.get(f"{issuer}/api/v1/panels/", timeout=10).status_code == 200

    finally:
        oauth.close()
        browser.session.close()


# -- the interactive docs in a real browser, under the strict CSP


@pytest.mark.browser
def test_the_docs_page_renders_every_operation_under_the_csp(page, site):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/api/docs/", wait_until="domcontentloaded", timeout=60_000)  # a 1.5 MB bundle
    page.locator(".opblock").first.wait_for(timeout=60_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/patients/" in path for path in paths)
    assert any("/api/v1/panels/{panel}/" in path for path in paths)
    assert page.get_by_role("button", name="Authorize").is_visible()
    assert not [error for error in errors if "Content Security Policy" in error], errors
