"""The state of a browser session: how a user verified, and since when it is signed in. The
sign-in in progress (before login()) is signin_state's.

Keys in request.session:
- verified.methods: how the signed-in user verified (e.g. ["pwd", "otp"]); verified.at: when.
- session.started_at / session.seen_at: for the absolute and idle timeouts.
"""

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login, update_session_auth_hash
from django.core import signing
from django.utils.translation import gettext_lazy as _

from cpms.audit.middleware import client_ip

from . import signin_state
from .models import Method, User, UserSession
from .queries import live_login_session

RECENT_VERIFICATION_SECONDS = 10 * 60

# OpenID Connect "amr" values (RFC 8176) for each way of verifying. A passkey that verified its
# user (PIN, fingerprint …) is two factors in one: "hwk" plus "mfa".
AMR = {
    "password": "pwd",
    Method.SMS: "sms",
    Method.TOTP: "otp",
    Method.WEBAUTHN: "hwk",
    "recovery": "kba",
    "user_verified": "mfa",
}
AMR_LABELS = {
    "pwd": Method.PASSWORD.label,
    "sms": Method.SMS.label,
    "otp": Method.TOTP.label,
    "hwk": Method.WEBAUTHN.label,
    "kba": _("Recovery code"),
    "mfa": _("Passkey verified with PIN or biometrics"),
}
# OWASP "device cookies": a browser that signed in to an account before is not stopped by that
# account's lock-out (which anyone can trigger); it has its own counter (throttle "password:device").
DEVICE_COOKIE = "cpms_device"
DEVICE_COOKIE_SALT = "cpms.identity.device-cookie"
DEVICE_COOKIE_AGE = timedelta(days=180)


def method_labels(amrs: list[str]) -> list[str]:
    """How a session verified, for people: ["pwd", "otp"] → ["Password", "Authenticator app"]."""
    return [str(AMR_LABELS.get(amr, amr)) for amr in amrs]


def device_nonce_for(request, user_id: int | None) -> str | None:
    """The nonce of this browser's valid device cookie for account `user_id`, or None."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw or not user_id:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("u") != user_id or not isinstance(value.get("n"), str):
        return None
    return value["n"]


def remember_device(request, response, user: User) -> None:
    """After a sign-in: the signed device cookie naming the account (its nonce kept if it had one)."""
    nonce = device_nonce_for(request, user.pk) or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"u": user.pk, "n": nonce}, salt=DEVICE_COOKIE_SALT, compress=True),
        max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
        httponly=True,
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def complete_signin(request, user: User, methods: list[str]) -> UserSession:
    """Log the user in with a new session id and remember how they verified; the sign-in in progress
    is over (read where it was going first: signin_state.next_url). The session is written here, in
    the caller's transaction, once, with all of it."""
    if request.user.is_authenticated and request.user.pk == user.pk:
        login_session = live_login_session(request.session.session_key)
        if login_session is not None:
            return reverify(request, login_session, methods)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new key (or flushed)
    signin_state.end(request.session)
    now = time.time()
    request.session["session.started_at"] = now
    request.session["session.seen_at"] = now
    mark_verified(request, methods)
    request.session.save()  # its row, under the key the entry names; the response writes it no more
    return UserSession.objects.create(
        user=user,
        session_key=request.session.session_key,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", "").replace("\x00", "")[:300],
        methods=methods,
    )


def reverify(request, login_session: UserSession, methods: list[str]) -> UserSession:
    """A signed-in user verified again: new session id, same "Display my sessions" entry."""
    signin_state.end(request.session)
    request.session.cycle_key()
    mark_verified(request, methods)
    request.session.save()
    login_session.session_key = request.session.session_key
    login_session.save(update_fields=["session_key"])
    return login_session


def keep_session_after_password_change(request, user: User) -> None:
    """Django gives the session a new id when its user's password changes: its row follows it."""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    request.session.save()  # its row under the new key, before the entry names it
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


def mark_verified(request, methods: list[str]) -> None:
    request.session["verified.methods"] = methods
    request.session["verified.at"] = time.time()


def verified_at(request) -> float | None:
    return request.session.get("verified.at")


def verified_methods(request) -> list[str]:
    return request.session.get("verified.methods", [])


def has_two_factors(request) -> bool:
    return len(set(verified_methods(request))) >= 2


def recently_verified(request) -> bool:
    return time.time() - request.session.get("verified.at", 0) < RECENT_VERIFICATION_SECONDS


def session_expiry(request) -> str:
    """Why this signed-in session is over ("absolute", "idle"), or "" while it may go on.

    A session that did not sign in through our pages has no start time: it is over at once.
    """
    return expiry_reason(request.session, time.time())


def expiry_reason(session_data, now: float) -> str:
    """session_expiry for the data of a session read from the store (the sweep reads it so)."""
    started = session_data.get("session.started_at")
    if started is None or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - session_data.get("session.seen_at", started) > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return ""
