"""Only a live two-factor token with the `cpms` scope, of a user with a CPMS grant, opens the API."""

from datetime import timedelta

from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.models import ServiceSignIn
from cpms.test import make_user

URL = "/api/v1/panels/"


def test_it_answers_anonymous_callers_401_with_a_bearer_challenge(world, api):
    response = api().get(URL)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_it_refuses_an_unknown_or_malformed_token(world, client):
    assert client.get(URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer a b"}).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer " + "x" * 300}).status_code == 401


def test_it_refuses_an_expired_token(world, api):
    assert api(world.enrolling, expires_in=-1).get(URL).status_code == 401


def test_it_refuses_a_token_without_the_cpms_scope(world, api):
    response = api(world.enrolling, scope="openid profile").get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    event = AuditEvent.objects.get(action="api.token.refused")
    assert event.actor_id == world.enrolling.pk and event.data["reason"] == "scope"


def test_it_refuses_a_token_from_a_one_factor_sign_in(world, api):
    response = api(world.enrolling, methods=("pwd",)).get(URL)
    assert response.status_code == 403
    assert AuditEvent.objects.get(action="api.token.refused").data["reason"] == "one_factor"


def test_it_refuses_a_token_whose_sign_in_ended(world, api):
    caller = api(world.enrolling)
    assert caller.get(URL).status_code == 200
    ServiceSignIn.objects.update(ended_at=timezone.now())
    assert caller.get(URL).status_code == 401


def test_it_refuses_a_token_older_than_its_browser_session_may_live(world, api, settings):
    caller = api(world.enrolling)
    ServiceSignIn.objects.get().login_session.__class__.objects.update(
        started_at=timezone.now() - timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT + 1)
    )
    assert caller.get(URL).status_code == 401


def test_it_refuses_a_user_without_a_cpms_grant(world, api):
    nobody = make_user("nnobody1", "nobody@example.org", "No", "Body")
    response = api(nobody).get(URL)
    assert response.status_code == 403
    assert "grant" in response.json()["detail"]


def test_it_refuses_a_revoked_grant_from_the_next_call(world, api):
    caller = api(world.expert)
    assert caller.get(URL).status_code == 200
    world.expert.grants.update(revoked_at=timezone.now())
    assert caller.get(URL).status_code == 403


def test_it_refuses_a_deactivated_account(world, api):
    caller = api(world.enrolling)
    world.enrolling.is_active = False
    world.enrolling.save(update_fields=["is_active"])
    assert caller.get(URL).status_code == 401


def test_it_lets_a_valid_token_in(world, api):
    assert api(world.enrolling).get(URL).status_code == 200
