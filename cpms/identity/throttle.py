"""Growing delays after repeated failures, on separate counters per scope and key.

Scopes count one kind of failure for one kind of key: wrong passwords per account, wrong
passwords per IP, wrong codes per account … Each has a number of free failures; after
those, every failure doubles the wait, up to an hour. Counters live in the database so
every app server sees the same ones, and are forgotten a day after the last failure.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Throttle

FREE_FAILURES = {
    "password:account": 4,
    "password:ip": 20,
    "code:account": 4,
    "code:ip": 20,
    "signup:ip": 5,
    "sms:account": 3,
}
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)

    @property
    def minutes(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


def _hashed(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}:{str(key).lower()}".encode()).hexdigest()


def delay_after(scope: str, failures: int) -> timedelta:
    beyond = failures - FREE_FAILURES[scope]
    if beyond < 0:
        return timedelta(0)
    return min(FIRST_DELAY * 2**beyond, LONGEST_DELAY)


def check(counters: dict[str, str | None]) -> Verdict:
    """`counters` maps scope → key (e.g. {"password:account": "42", "password:ip": "10.0.0.1"})."""
    now = timezone.now()
    keys = [_hashed(scope, key) for scope, key in counters.items() if key]
    latest = max(
        Throttle.objects.filter(key__in=keys, locked_until__gt=now).values_list("locked_until", flat=True),
        default=None,
    )
    return Verdict(True) if latest is None else Verdict(False, latest - now)


@transaction.atomic
def fail(counters: dict[str, str | None]) -> None:
    now = timezone.now()
    for scope, key in counters.items():
        if not key:
            continue
        row, _ = Throttle.objects.select_for_update().get_or_create(key=_hashed(scope, key))
        row.failures = 1 if now - row.updated_at > FORGET_AFTER else row.failures + 1
        row.locked_until = now + delay_after(scope, row.failures)
        row.save()


def forgive(scope: str, key: str) -> None:
    """A success clears the account's counter (never the IP's: one good account proves nothing)."""
    Throttle.objects.filter(key=_hashed(scope, key)).delete()
