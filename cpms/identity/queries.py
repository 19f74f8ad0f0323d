"""Reads for My Account: the security overview."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import PhoneNumber, RecoveryCode, SecurityKey, TotpDevice, User, UserSession

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
