"""Recovery codes: ten single-use codes for signing in when the phone is lost.

A code looks like `k7q2-9xmz-4hpt`: 12 characters from an alphabet without look-alikes
(no 0/o, 1/l/i), about 59 random bits. Only a password hash of each code is stored; the
codes are shown once, right after they are generated. Typing is forgiving: case, spaces and
hyphens do not matter.
"""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cpms.audit.record import record
from cpms.lib.i18n import lazy_format

from ..models import RecoveryCode, User
from ..notify import security_event

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_COUNT = 10
BLOCKS = 3
BLOCK_LENGTH = 4


def new_code() -> str:
    blocks = ("".join(secrets.choice(ALPHABET) for _ in range(BLOCK_LENGTH)) for _ in range(BLOCKS))
    return "-".join(blocks)


def normalized(code: str) -> str:
    """`K7Q2 9XMZ-4hpt ` → `k7q29xmz4hpt`: what is hashed and compared."""
    return "".join(ch for ch in (code or "").lower() if ch not in " -\t\r\n")


def is_well_formed(code: str) -> bool:
    value = normalized(code)
    return len(value) == BLOCKS * BLOCK_LENGTH and all(ch in ALPHABET for ch in value)


def unused_count(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


@transaction.atomic
def do_generate_recovery_codes(*, acting_user: User) -> list[str]:
    """Ten new codes, returned once in plain text; every earlier code stops working."""
    codes = [new_code() for _ in range(CODE_COUNT)]
    replaced = RecoveryCode.objects.filter(user=acting_user).delete()[0]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=acting_user, code_hash=make_password(normalized(code))) for code in codes
    )
    record(
        acting_user,
        "identity.recovery_codes.generated",
        acting_user,
        {"count": CODE_COUNT, "replaced": replaced},
    )
    security_event(
        acting_user, _("New recovery codes were generated for your account. Earlier codes no longer work.")
    )
    return codes


@transaction.atomic
def do_use_recovery_code(*, user: User, code: str) -> int | None:
    """Spend `code`: the number of unused codes left afterwards, or None if it is not valid.

    The code is spent with a conditional update, so it cannot sign in twice, even when two
    requests race (whatever the database: SQLite ignores row locks).
    """
    if not is_well_formed(code):
        return None
    value = normalized(code)
    unused = list(RecoveryCode.objects.filter(user=user, used_at=None))
    match = next((row for row in unused if check_password(value, row.code_hash)), None)
    if match is None:
        return None
    match.used_at = timezone.now()
    if not RecoveryCode.objects.filter(pk=match.pk, used_at=None).update(used_at=match.used_at):
        return None  # spent by another request a moment ago
    remaining = RecoveryCode.objects.filter(user=user, used_at=None).count()
    record(user, "identity.recovery_code.used", match, {"remaining": remaining})
    security_event(
        user,
        lazy_format(
            ngettext_lazy(
                "A recovery code was used to sign in to your account. %(count)d unused code remains.",
                "A recovery code was used to sign in to your account. %(count)d unused codes remain.",
                remaining,
            ),
            count=remaining,
        ),
    )
    return remaining
