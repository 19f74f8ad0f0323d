"""Access tokens for the API tests, issued as CPMS Login issues them: a service sign-in of a browser
session (with its verification methods, the token's amr) and the token linked to it."""

import secrets
from datetime import timedelta

from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from cpms.identity.models import ServiceCredential, ServiceSignIn, UserSession
from cpms.identity.tests.oidc_helpers import make_service

TWO_FACTORS = ("pwd", "otp")


def make_token(user, *, scope: str = "openid cpms", methods=TWO_FACTORS, expires_in: int = 900) -> str:
    """A raw access token of `user`, through a live sign-in verified with `methods`."""
    service = make_service()
    now = timezone.now()
    session = UserSession.objects.create(user=user, session_key=secrets.token_hex(20), methods=list(methods))
    signin = ServiceSignIn.objects.create(
        login_session=session, application=service.application, methods=list(methods), verified_at=now
    )
    raw = secrets.token_urlsafe(32)
    token = get_access_token_model().objects.create(
        user=user,
        application=service.application,
        token=raw,
        expires=now + timedelta(seconds=expires_in),
        scope=scope,
    )
    ServiceCredential.objects.create(signin=signin, code_hash=secrets.token_hex(32), access_token=token)
    return raw


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
