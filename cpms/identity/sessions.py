"""The state of a browser session: who is half-way through signing in, and how a user verified.

Keys in request.session:
- signin.user_id / signin.method / signin.password_ok: a sign-in in progress (before login()).
- verified.methods: how the signed-in user verified (e.g. ["pwd", "otp"]); verified.at: when.
- session.started_at / session.seen_at: for the absolute and idle timeouts.
"""

import time

from django.conf import settings
from django.contrib.auth import login

from cpms.audit.middleware import client_ip

from .models import Method, User, UserSession

SIGNIN_KEYS = (
    "signin.user_id",
    "signin.identifier",
    "signin.method",
    "signin.password_ok",
    "signin.next",
    "signin.sms_phone_id",
)
RECENT_VERIFICATION_SECONDS = 10 * 60

# OpenID Connect "amr" values (RFC 8176) for each way of verifying.
AMR = {"password": "pwd", Method.SMS: "sms", Method.TOTP: "otp", Method.WEBAUTHN: "hwk", "recovery": "kba"}


def begin_signin(request, user_id: int | None, *, identifier: str = "", next_url: str = "") -> None:
    end_signin(request)
    request.session["signin.user_id"] = user_id
    request.session["signin.identifier"] = identifier
    request.session["signin.next"] = next_url


def signin_user_id(request) -> int | None:
    return request.session.get("signin.user_id")


def signin_started(request) -> bool:
    return "signin.user_id" in request.session


def end_signin(request) -> None:
    for key in SIGNIN_KEYS:
        request.session.pop(key, None)


def complete_signin(request, user: User, methods: list[str]) -> UserSession:
    """Log the user in with a new session id and remember how they verified."""
    next_url = request.session.get("signin.next", "")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return reverify(request, methods)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    end_signin(request)
    now = time.time()
    request.session["session.started_at"] = now
    request.session["session.seen_at"] = now
    request.session["signin.next"] = next_url
    mark_verified(request, methods)
    request.session.save()
    return UserSession.objects.create(
        user=user,
        session_key=request.session.session_key,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", "")[:300],
        methods=methods,
    )


def reverify(request, methods: list[str]) -> UserSession:
    """A signed-in user verified again: new session id, same "Display my sessions" entry."""
    next_url = request.session.get("signin.next", "")
    old_key = request.session.session_key
    end_signin(request)
    request.session.cycle_key()
    request.session["signin.next"] = next_url
    mark_verified(request, methods)
    request.session.save()
    login_session = UserSession.objects.get(session_key=old_key)
    login_session.session_key = request.session.session_key
    login_session.save(update_fields=["session_key"])
    return login_session


def mark_verified(request, methods: list[str]) -> None:
    request.session["verified.methods"] = methods
    request.session["verified.at"] = time.time()


def verified_methods(request) -> list[str]:
    return request.session.get("verified.methods", [])


def has_two_factors(request) -> bool:
    return len(set(verified_methods(request))) >= 2


def recently_verified(request) -> bool:
    return time.time() - request.session.get("verified.at", 0) < RECENT_VERIFICATION_SECONDS


def pop_next_url(request) -> str:
    return request.session.pop("signin.next", "") or ""


def session_expired(request) -> bool:
    now = time.time()
    started = request.session.get("session.started_at", now)
    seen = request.session.get("session.seen_at", now)
    return now - started > settings.SESSION_ABSOLUTE_TIMEOUT or now - seen > settings.SESSION_IDLE_TIMEOUT
