"""Signing in: who an identifier names, which second factors an account has, and the password and
code checks, each counted by the throttle *before* it is evaluated (see cpms.identity.throttle)."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.hashers import get_hasher
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record

from .. import throttle
from ..models import User
from ..notify import security_event
from ..queries import get_active_user

T = TypeVar("T")
_DUMMY_HASHES: dict[str, str] = {}


class Throttled(Exception):
    def __init__(self, verdict: throttle.Verdict):
        super().__init__(f"retry in {verdict.seconds} s")
        self.seconds = verdict.seconds
        self.minutes = verdict.minutes


def _counters(kind: str, account_key, ip) -> dict:
    return {f"{kind}:account": str(account_key) if account_key else None, f"{kind}:ip": ip}


def ensure_not_throttled(kind: str, account_key, ip) -> None:
    verdict = throttle.check(_counters(kind, account_key, ip))
    if not verdict.allowed:
        raise Throttled(verdict)


def reserve_attempt(counters: dict) -> throttle.Reservation:
    """Count the attempt before evaluating it; raises Throttled if a counter is locked."""
    reservation = throttle.reserve(counters)
    if isinstance(reservation, throttle.Verdict):
        raise Throttled(reservation)
    return reservation


def dummy_password_check(password: str) -> None:
    """Spend what checking a real password costs (the same hasher, the same parameters)."""
    hasher = get_hasher()
    name = f"{type(hasher).__module__}.{type(hasher).__qualname__}"
    if name not in _DUMMY_HASHES:
        _DUMMY_HASHES[name] = hasher.encode("no account has this password", hasher.salt())
    hasher.verify(password, _DUMMY_HASHES[name])


def password_account_key(user_id: int | None, identifier: str) -> str:
    """The per-account counter's key: the account, or the typed identifier when none matches."""
    return str(user_id) if user_id else f"unknown:{identifier.strip().lower()}"


def do_check_password(
    *, user_id: int | None, identifier: str, password: str, ip: str | None, device: str | None = None
) -> User | None:
    """The user if the password is right; None otherwise. Raises Throttled while locked out.

    `device`: the nonce of a device cookie this browser holds for this very account. Such a browser
    signed in to it before: the per-account lock (which anyone can trigger) does not stop it; its own
    per-device counter and the per-IP one do.
    """
    account_key = password_account_key(user_id, identifier)
    trusted = device is not None
    first = {"password:device": device} if trusted else {"password:account": account_key}
    reservation = reserve_attempt({**first, "password:ip": ip})
    user = get_active_user(user_id)
    if user is not None and user.check_password(password):  # upgrades an older hash as it goes
        forgiven = {"password:device": device} if trusted else {"password:account": account_key}
        throttle.release(reservation, forgive=forgiven)
        return user
    if user is None:
        dummy_password_check(password)
    record(
        user, "identity.signin.password_failed", user, {"identifier": audited_identifier(identifier, user)}
    )
    return None


def audited_identifier(identifier: str, user: User | None) -> str:
    """What the audit trail keeps of a typed identifier: the account's e-mail address (masked by the
    trail) or username; of one that matches no account, only its first characters, for it may be a
    password typed in the wrong field."""
    return identifier if user is not None else identifier[:2] + "***"


def do_record_code_failure(*, user: User, method: str, ip: str | None) -> None:
    throttle.fail(_counters("code", user.pk, ip))
    record(user, "identity.signin.code_failed", user, {"method": method})


def do_check_second_factor(
    *, user: User, method: str, ip: str | None, verify: Callable[[], T | None]
) -> T | None:
    """`verify()`'s result, counted before it runs: raises Throttled while the account or IP is locked.

    A None or False result is a wrong code: it stays counted, and is audited.
    """
    reservation = reserve_attempt(_counters("code", user.pk, ip))  # committed before the code is checked
    with transaction.atomic():
        result = verify()
        if result is None or result is False:
            record(user, "identity.signin.code_failed", user, {"method": method})
        else:
            throttle.release(reservation, forgive={"code:account": str(user.pk)})
    return result


def do_record_code_success(*, user: User) -> None:
    throttle.forgive("code:account", str(user.pk))


def do_record_signin(*, user: User, methods: list[str]) -> None:
    record(user, "identity.signin.succeeded", user, {"methods": methods})
    security_event(user, _("You signed in to CPMS Login."), always=False)
