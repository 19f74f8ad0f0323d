"""Growing delays after repeated failures, on separate counters per scope and key.

Scopes count one kind of failure for one kind of key: wrong passwords per account, wrong
passwords per IP, wrong codes per account … Each has a number of free failures; after
those, every failure doubles the wait, up to an hour. Counters live in the database so
every app server sees the same ones, and are forgotten a day after the last failure.

A guess is *reserved* before it is evaluated (`reserve`): one conditional UPDATE per counter
counts it and sets the lock it would earn, in the same statement, and only while the counter is
not locked. The database serialises these updates on the row (PostgreSQL re-checks the WHERE
after waiting for the row lock; SQLite has one writer at a time), so a burst of N concurrent
guesses gets no more than the free number evaluated. A right guess gives its reservation back
(`release`), or forgives the account's counter altogether (`forgive`).
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Throttle

FREE_FAILURES = {
    "password:account": 4,
    "password:ip": 20,
    "password:device": 4,
    "code:account": 4,
    "code:ip": 20,
    "signup:ip": 5,
    "sms:account": 3,
}
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)
# "Not locked", whatever the clock of a concurrent request says (each takes its own `now`).
UNLOCKED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)

    @property
    def seconds(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds() * 1000) // 1000))

    @property
    def minutes(self) -> int:
        return max(1, -(-self.seconds // 60))


@dataclass(frozen=True)
class Reservation:
    """The attempts counted by `reserve`: give them back with `release` if the guess was right."""

    counted: tuple[tuple[str, int], ...]  # (hashed key, the failure count this attempt made)


def _hashed(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}:{str(key).lower()}".encode()).hexdigest()


def delay_after(scope: str, failures: int) -> timedelta:
    beyond = failures - FREE_FAILURES[scope]
    if beyond < 0:
        return timedelta(0)
    return min(FIRST_DELAY * 2**beyond, LONGEST_DELAY)


def _keys(counters: dict[str, str | None]) -> list[tuple[str, str]]:
    return [(scope, _hashed(scope, key)) for scope, key in counters.items() if key]


def check(counters: dict[str, str | None]) -> Verdict:
    """`counters` maps scope → key (e.g. {"password:account": "42", "password:ip": "10.0.0.1"})."""
    now = timezone.now()
    keys = [hashed for _, hashed in _keys(counters)]
    latest = max(
        Throttle.objects.filter(key__in=keys, locked_until__gt=now).values_list("locked_until", flat=True),
        default=None,
    )
    return Verdict(True) if latest is None else Verdict(False, latest - now)


def _lock_after_one_more(scope: str, now: datetime, failures: tuple[str, list]) -> tuple[str, list]:
    """SQL (and its parameters) for the locked_until that one more failure earns, given the row's
    current failures (`failures`: their SQL expression and its parameters): unchanged while failures
    are free, then each delay of delay_after."""
    count_sql, count_params = failures
    free, whens, params, beyond = FREE_FAILURES[scope], [], [], 0
    while FIRST_DELAY * 2**beyond < LONGEST_DELAY:
        whens.append(f"WHEN {count_sql} = %s THEN %s")
        params += [*count_params, free - 1 + beyond, _db_time(now + delay_after(scope, free + beyond))]
        beyond += 1
    sql = f"CASE WHEN {count_sql} < %s THEN locked_until {' '.join(whens)} ELSE %s END"
    return sql, [*count_params, free - 1, *params, _db_time(now + LONGEST_DELAY)]


def _db_time(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


class _Locked(Exception):
    pass


def reserve(counters: dict[str, str | None]) -> Verdict | Reservation:
    """Count one attempt on every counter before it is evaluated, in one transaction; or refuse it
    (a Verdict, nothing counted) if one of them is locked.

    Plain SQL that SQLite and PostgreSQL both speak: this runs before every password and code check,
    and building the same statements through the ORM cost more than the rest of the page.
    """
    now = timezone.now()
    keys = sorted(_keys(counters), key=lambda scope_key: scope_key[1])  # one order for all: no deadlock
    hashed = [key for _, key in keys]
    table = connection.ops.quote_name(Throttle._meta.db_table)
    at, forget_before = _db_time(now), _db_time(now - FORGET_AFTER)
    rows = ", ".join(["(%s, 0, %s, %s)"] * len(hashed))
    # A counter untouched for a day starts again from 0 (it can be locked no longer than an hour).
    failures = ("(CASE WHEN updated_at < %s THEN 0 ELSE failures END)", [forget_before])
    # Only the table's name, placeholders and constant SQL are put into these strings:
    create = f"INSERT INTO {table} (key, failures, locked_until, updated_at) VALUES {rows} ON CONFLICT (key) DO NOTHING"  # noqa: E501, S608
    count = f"UPDATE {table} SET failures = {failures[0]} + 1, locked_until = {{lock}}, updated_at = %s WHERE key = %s AND locked_until <= %s RETURNING failures"  # noqa: E501, S608
    counted = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(create, [value for key in hashed for value in (key, _db_time(UNLOCKED), at)])
            for scope, key in keys:
                lock_sql, lock_params = _lock_after_one_more(scope, now, failures)
                cursor.execute(count.format(lock=lock_sql), [*failures[1], *lock_params, at, key, at])
                returned = cursor.fetchall()
                if len(returned) != 1:
                    raise _Locked
                counted[key] = returned[0][0]  # in the transaction that wrote it: no other attempt moved it
    except _Locked:
        verdict = check(counters)
        return verdict if not verdict.allowed else Verdict(False, timedelta(seconds=1))
    return Reservation(tuple((key, counted[key]) for key in hashed))


@transaction.atomic(savepoint=False)  # its own transaction, or (a right code) the check's: no savepoint
def release(reservation: Reservation, *, forgive: dict[str, str] | None = None) -> None:
    """The attempt was right: it no longer counts as a failure. If no attempt was counted after it,
    the lock it set is lifted too (it was counted only because none was on). `forgive`: counters
    (scope → key) cleared altogether, in the same transaction."""
    forgiven = [_hashed(scope, key) for scope, key in (forgive or {}).items()]
    if forgiven:
        Throttle.objects.filter(key__in=forgiven).delete()
    for key, failures in reservation.counted:
        if key in forgiven:
            continue
        unchanged = Throttle.objects.filter(key=key, failures=failures).update(
            failures=failures - 1, locked_until=UNLOCKED
        )
        if not unchanged:
            Throttle.objects.filter(key=key, failures__gt=0).update(failures=F("failures") - 1)


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
