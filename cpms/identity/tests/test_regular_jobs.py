"""The daily clean-ups that beat sends (CELERY_BEAT_SCHEDULE), run as the worker runs them."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from oauth2_provider.models import AccessToken

from cpms.identity.tasks import clear_sessions, clear_tokens

from .oidc_helpers import make_service

pytestmark = pytest.mark.django_db


def test_clear_sessions_removes_expired_sessions_only():
    expired, current = SessionStore(), SessionStore()
    expired.set_expiry(1)
    expired.create()
    current.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(1))
    assert clear_sessions.apply().successful()
    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]


def test_clear_tokens_removes_expired_access_tokens(alice):
    application = make_service(trusted=True).application
    now = timezone.now()
    for token, expires in (("old", now - timedelta(days=1)), ("new", now + timedelta(days=1))):
        AccessToken.objects.create(user=alice, application=application, token=token, expires=expires)
    assert clear_tokens.apply().successful()
    assert list(AccessToken.objects.values_list("token", flat=True)) == ["new"]
