"""The sweep ends abandoned sessions (idle 30 minutes, or 12 hours old) without waiting for their
browser to come back, and their services lose their tokens; beat runs it through the worker."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from celery.beat import Service
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from cpms.audit.models import AuditEvent
from cpms.identity.actions.sessions import do_sweep_sessions
from cpms.identity.models import ServiceSignIn, UserSession
from cpms.test import sign_in

from .oidc_helpers import make_service, tokens_for

pytestmark = pytest.mark.django_db
MY_ACCOUNT = reverse("identity:my-account")


def refresh_works(service, tokens) -> bool:
    response = Client().post(
        reverse("oauth2_provider:token"),
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=service.basic_auth(),
    )
    return response.status_code == 200


def test_it_ends_an_idle_session_and_revokes_its_services_tokens(client, bob):
    service = make_service(trusted=True)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, bob)
        key = client.session.session_key
        tokens = tokens_for(client, service)
        clock.shift(timedelta(minutes=31))
        assert do_sweep_sessions() == 1
        assert not refresh_works(service, tokens)
    assert UserSession.objects.get(session_key=key).ended_at is not None
    assert ServiceSignIn.objects.get().ended_at is not None
    assert not Session.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.get(action="identity.session.expired")
    assert event.actor_id == bob.pk
    assert event.data == {"reason": "idle", "session": UserSession.objects.get().pk, "swept": True}


def test_it_leaves_a_session_idle_for_29_minutes(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        clock.shift(timedelta(minutes=29))
        assert do_sweep_sessions() == 0
        assert client.get(MY_ACCOUNT).status_code == 200
    assert UserSession.objects.get().ended_at is None


def test_it_reads_the_last_activity_from_the_session_not_the_row(client, alice):
    """The row's "last active" is written at most once a minute: the session's own time decides."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        clock.shift(timedelta(minutes=20))
        session = client.session
        session["session.seen_at"] = time.time()  # a page seen, the row not touched
        session.save()
        clock.shift(timedelta(minutes=15))  # 35 minutes by the row, 15 by the session
        assert do_sweep_sessions() == 0
    assert UserSession.objects.get().ended_at is None


def test_it_ends_an_active_session_after_twelve_hours(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        for _ in range(12 * 3):
            clock.shift(timedelta(minutes=20))
            client.get(MY_ACCOUNT)
        clock.shift(timedelta(minutes=1))
        assert do_sweep_sessions() == 1
    assert AuditEvent.objects.get(action="identity.session.expired").data["reason"] == "absolute"


def test_it_ends_a_session_whose_data_is_gone(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        Session.objects.all().delete()  # e.g. cleared, or lost with a cache
        clock.shift(timedelta(minutes=31))
        assert do_sweep_sessions() == 1
    assert AuditEvent.objects.get(action="identity.session.expired").data["reason"] == "gone"


def test_it_never_ends_a_session_twice(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, alice)
        clock.shift(timedelta(minutes=31))
        assert do_sweep_sessions() == 1
        assert do_sweep_sessions() == 0
    assert AuditEvent.objects.filter(action="identity.session.expired").count() == 1


def abandon(client, minutes: int) -> None:
    """Make the browser's session look idle for `minutes`, without moving the clock (threads)."""
    then = time.time() - minutes * 60
    session = client.session
    session["session.seen_at"] = then
    session.save()
    UserSession.objects.filter(session_key=session.session_key).update(
        last_active_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.fixture
def start_beat(tmp_path):
    """Starts Celery's beat in a thread, with the real sweep entry due every half second."""
    schedule = app.conf.beat_schedule
    service = Service(app, max_interval=0.5, schedule_filename=str(tmp_path / "beat-schedule"))
    thread = threading.Thread(target=service.start, daemon=True)

    def start():
        app.conf.beat_schedule = {
            "sweep-sessions": {**settings.CELERY_BEAT_SCHEDULE["sweep-sessions"], "schedule": 0.5}
        }
        thread.start()

    try:
        yield start
    finally:
        if thread.is_alive():
            service.stop(wait=True)
            thread.join(10)
        app.conf.beat_schedule = schedule


def test_beat_sweeps_through_the_broker(client, bob, broker, start_beat):
    service = make_service(trusted=True)
    sign_in(client, bob)
    tokens = tokens_for(client, service)
    abandon(client, minutes=31)
    start_beat()
    broker.wait_for("identity.sweep_sessions")
    assert UserSession.objects.get().ended_at is not None
    assert not refresh_works(service, tokens)
    assert AuditEvent.objects.get(action="identity.session.expired").data["reason"] == "idle"
