"""The state of a browser session: who is half-way through signing in, and how a user verified.

Keys in request.session:
- signin.user_id / signin.identifier / signin.next: a sign-in in progress (before login()); the
  user id is None for an identifier that names no account (the pages look the same).
  signin.password_ok: the password was right (or a signed-in user re-verifies) and a second
  factor is owed; signin.reverify: that signed-in user skipped the password (their session
  verified it); signin.second_factor: this verification must end with a second factor.
  signin.sms_phone_id: the phone chosen for the SMS code.
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

from .models import Method, User, UserSession

SIGNIN_KEYS = (
    "signin.user_id",
    "signin.identifier",
    "signin.password_ok",
    "signin.reverify",
    "signin.second_factor",
    "signin.next",
    "signin.sms_phone_id",
)
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


def begin_signin(
    request, user_id: int | None, *, identifier: str = "", next_url: str = "", second_factor: bool = False
) -> None:
    """Start a sign-in (or a verification of the signed-in user); `second_factor`: password alone won't do."""
    end_signin(request)
    request.session["signin.user_id"] = user_id
    request.session["signin.identifier"] = identifier
    request.session["signin.next"] = next_url
    if second_factor:
        request.session["signin.second_factor"] = True


def start_second_factor(request, *, password_verified: bool) -> None:
    """The password was right (or the signed-in user re-verifies without it): a second factor is next."""
    request.session["signin.password_ok"] = True
    request.session["signin.reverify"] = not password_verified


def signin_reverifying(request) -> bool:
    """A signed-in user verifies again with a second factor alone."""
    return bool(request.session.get("signin.reverify")) and request.user.is_authenticated


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
        login_session = UserSession.objects.filter(
            session_key=request.session.session_key, ended_at=None
        ).first()
        if login_session is not None:
            return reverify(request, login_session, methods)
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
        user_agent=request.headers.get("user-agent", "").replace("\x00", "")[:300],
        methods=methods,
    )


def reverify(request, login_session: UserSession, methods: list[str]) -> UserSession:
    """A signed-in user verified again: new session id, same "Display my sessions" entry."""
    next_url = request.session.get("signin.next", "")
    end_signin(request)
    request.session.cycle_key()
    request.session["signin.next"] = next_url
    mark_verified(request, methods)
    request.session.save()
    login_session.session_key = request.session.session_key
    login_session.save(update_fields=["session_key"])
    return login_session


def keep_session_after_password_change(request, user: User) -> None:
    """Django gives the session a new id when its user's password changes: its row follows it."""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


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
