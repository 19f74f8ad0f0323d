"""Reads of CPMS Login: who an identifier names, which verification methods an account has set up,
and My Account's security overview."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Method, PhoneNumber, RecoveryCode, SecurityKey, TotpDevice, User, UserSession

RECENT_SIGNINS = 5
FEW_RECOVERY_CODES = 3


def count_of(queryset) -> Coalesce:
    rows = queryset.filter(user=OuterRef("pk")).order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class SecurityOverview:
    apps: int
    phones: int
    keys: int
    recovery_codes_left: int
    recent_signins: list[UserSession]

    @property
    def second_factors(self) -> int:
        return self.apps + self.phones + self.keys

    @property
    def gaps(self) -> list[str]:
        """What to fix, most urgent first: "no_second_factor", "one_second_factor", "recovery_codes"."""
        if not self.second_factors:
            return ["no_second_factor"]
        gaps = ["one_second_factor"] if self.second_factors == 1 else []
        if self.recovery_codes_left <= FEW_RECOVERY_CODES:
            gaps.append("recovery_codes")
        return gaps


def security_overview(user: User) -> SecurityOverview:
    """The user's own second factors, recovery codes left and last sign-ins: two queries."""
    counts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            apps=count_of(TotpDevice.objects.filter(confirmed=True)),
            phones=count_of(PhoneNumber.objects.filter(verified_at__isnull=False)),
            keys=count_of(SecurityKey.objects.all()),
            recovery_codes_left=count_of(RecoveryCode.objects.filter(used_at=None)),
        )
        .values("apps", "phones", "keys", "recovery_codes_left")
        .get()
    )
    recent = list(UserSession.objects.filter(user=user).order_by("-started_at", "-id")[:RECENT_SIGNINS])
    return SecurityOverview(**counts, recent_signins=recent)


METHOD_STRENGTH = [Method.WEBAUTHN, Method.TOTP, Method.PASSWORD, Method.SMS]


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


def second_factors(methods: list[str]) -> list[str]:
    return [m for m in methods if m != Method.PASSWORD]


def default_method(user: User | None, methods: list[str]) -> str:
    """The user's preference, else the strongest method they have — never SMS unless chosen."""
    if user is not None and user.preferred_method in methods:
        return user.preferred_method
    return next((m for m in METHOD_STRENGTH if m in methods), methods[0])
