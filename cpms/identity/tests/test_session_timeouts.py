from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.models import ServiceSignIn, UserSession
from cpms.test import PASSWORD, sign_in

from .oidc_helpers import make_service, tokens_for, userinfo

pytestmark = pytest.mark.django_db

MY_ACCOUNT = reverse("identity:my-account")
LOGIN = reverse("identity:login")


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith(LOGIN)


def test_it_signs_out_after_31_idle_minutes(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        key = client.session.session_key
        clock.shift(timedelta(minutes=29))
        assert client.get(MY_ACCOUNT).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(MY_ACCOUNT, follow=True)
    assert response.redirect_chain[0][0] == LOGIN
    assert "Your session has ended. Please sign in again." in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.get(session_key=key).ended_at is not None
    assert is_signed_out(client.get(MY_ACCOUNT))


def test_it_keeps_an_active_session_for_12_hours_and_no_longer(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        key = client.session.session_key
        for _ in range(12 * 3):  # a page every 20 minutes, up to exactly 12 hours
            clock.shift(timedelta(minutes=20))
            assert client.get(MY_ACCOUNT).status_code == 200
        last_active = UserSession.objects.get(session_key=key).last_active_at
        assert last_active == timezone.now()
        clock.shift(timedelta(minutes=1))
        assert is_signed_out(client.get(MY_ACCOUNT))
    assert UserSession.objects.get(session_key=key).ended_at is not None


def test_it_gives_a_new_session_key_at_sign_in(client, alice):
    client.get(LOGIN)
    client.post(LOGIN, {"identifier": "alice@example.org"})
    before = client.session.session_key
    assert before and "_auth_user_id" not in client.session
    response = client.post(reverse("identity:signin-password"), {"password": PASSWORD})
    assert response.status_code == 302 and response.url == MY_ACCOUNT
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert UserSession.objects.filter(user=alice, session_key=after).exists()


def test_it_deletes_the_server_side_session_at_sign_out(client, alice):
    sign_in(client, alice)
    key = client.session.session_key
    response = client.post(reverse("identity:logout"), follow=True)
    assert "You are signed out." in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.get(session_key=key).ended_at is not None
    assert is_signed_out(client.get(MY_ACCOUNT))


def test_it_revokes_the_services_tokens_when_the_session_times_out(client, bob):
    service = make_service(trusted=True)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, bob)
        tokens = tokens_for(client, service)
        clock.shift(timedelta(minutes=31))
        assert is_signed_out(client.get(MY_ACCOUNT))
        assert userinfo(Client(), tokens["access_token"]).status_code == 401
        refreshed = Client().post(
            reverse("oauth2_provider:token"),
            {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            HTTP_AUTHORIZATION=service.basic_auth(),
        )
    assert refreshed.status_code == 400
    assert ServiceSignIn.objects.get().ended_at is not None
    event = AuditEvent.objects.get(action="identity.session.expired")
    assert event.actor_id == bob.pk and event.data == {"reason": "idle"}


def test_it_ends_a_signed_in_session_that_has_no_start_time(client, alice):
    sign_in(client, alice)
    session = client.session
    del session["session.started_at"]  # not signed in through our pages
    session.save()
    assert is_signed_out(client.get(MY_ACCOUNT))
    assert UserSession.objects.get(user=alice).ended_at is not None
