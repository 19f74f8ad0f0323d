from collections.abc import Callable
from typing import TypeVar

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record

from .. import throttle
from ..models import Method, PhoneNumber, SecurityKey, TotpDevice, User
from ..notify import security_event

T = TypeVar("T")
METHOD_STRENGTH = [Method.WEBAUTHN, Method.TOTP, Method.PASSWORD, Method.SMS]


class Throttled(Exception):
    def __init__(self, verdict: throttle.Verdict):
        super().__init__(f"retry in {verdict.minutes} min")
        self.minutes = verdict.minutes


def find_signin_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    lookup = {"email__iexact": identifier} if "@" in identifier else {"username__iexact": identifier}
    user = User.objects.filter(is_active=True, **lookup).first()
    return user if user and user.has_usable_password() else None


def methods_for(user_id: int | None) -> list[str]:
    """The methods this account has set up; an unknown account looks like a password-only one."""
    user = (
        User.objects.filter(pk=user_id)
        .annotate(
            has_phone=Exists(PhoneNumber.objects.filter(user=OuterRef("pk"), verified_at__isnull=False)),
            has_app=Exists(TotpDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            has_key=Exists(SecurityKey.objects.filter(user=OuterRef("pk"))),
        )
        .first()
        if user_id
        else None
    )
    methods = [Method.PASSWORD]
    if user is not None:
        if user.has_phone:
            methods.append(Method.SMS)
        if user.has_app:
            methods.append(Method.TOTP)
        if user.has_key:
            methods.append(Method.WEBAUTHN)
    return methods


def default_method(user: User | None, methods: list[str]) -> str:
    """The user's preference, else the strongest method they have — never SMS unless chosen."""
    if user is not None and user.preferred_method in methods:
        return user.preferred_method
    return next(m for m in METHOD_STRENGTH if m in methods)


def _counters(kind: str, account_key, ip) -> dict:
    return {f"{kind}:account": str(account_key) if account_key else None, f"{kind}:ip": ip}


def ensure_not_throttled(kind: str, account_key, ip) -> None:
    verdict = throttle.check(_counters(kind, account_key, ip))
    if not verdict.allowed:
        raise Throttled(verdict)


def do_check_password(*, user_id: int | None, identifier: str, password: str, ip: str | None) -> User | None:
    """The user if the password is right; None otherwise. Raises Throttled while locked out."""
    account_key = user_id or f"unknown:{identifier.lower()}"
    ensure_not_throttled("password", account_key, ip)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is not None and user.check_password(password):
        throttle.forgive("password:account", str(account_key))
        return user
    if user is None:
        User().set_password(password)  # spend the same time as a real check
    throttle.fail(_counters("password", account_key, ip))
    data = {"identifier": audited_identifier(identifier, user)}
    record(user, "identity.signin.password_failed", user, data)
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
    """`verify()`'s result, unless the account or IP is locked out (raises Throttled).

    A None or False result is a wrong code: it is counted and audited.
    """
    ensure_not_throttled("code", user.pk, ip)
    result = verify()
    if result is None or result is False:
        do_record_code_failure(user=user, method=method, ip=ip)
    return result


def do_record_code_success(*, user: User) -> None:
    throttle.forgive("code:account", str(user.pk))


def do_record_signin(*, user: User, methods: list[str]) -> None:
    record(user, "identity.signin.succeeded", user, {"methods": methods})
    security_event(user, _("You signed in to CPMS Login."), always=False)
