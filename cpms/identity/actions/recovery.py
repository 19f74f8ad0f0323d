"""Recovery codes: ten single-use codes for signing in when the phone is lost.

A code looks like `k7q2-9xmz-4hpt`: 12 characters from an alphabet without look-alikes
(no 0/o, 1/l/i), about 59 random bits. Only a keyed hash of each code is stored: HMAC-SHA256
with a key derived from SECRET_KEY (older keys in SECRET_KEY_FALLBACKS still verify). A keyed
hash of a random code needs no slow password hash: without the key a stolen table cannot be
guessed against, and with it 59 bits are still out of reach; generating ten codes takes
microseconds instead of seconds. Codes made before carry an Argon2 hash and keep working
until they are used or replaced. The codes are shown once, right after they are generated.
Typing is forgiving: case, spaces and hyphens do not matter.
"""

import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
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


KEY_SALT = "cpms.identity.recovery_code"


def code_hash(user: User, value: str, secret: str | None = None) -> str:
    """The stored form of a normalised code: bound to its account, so equal codes never match across."""
    return salted_hmac(KEY_SALT, f"{user.pk}:{value}", secret=secret, algorithm="sha256").hexdigest()


def matches(user: User, value: str, stored: str) -> bool:
    if "$" in stored:  # a password hash from before keyed hashes: slow, kept for old codes
        return check_password(value, stored)
    secrets_to_try = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    # Every key is tried, whichever matches, so the time taken tells nothing.
    results = [hmac.compare_digest(code_hash(user, value, key), stored) for key in secrets_to_try]
    return any(results)


@transaction.atomic
def do_generate_recovery_codes(*, acting_user: User) -> list[str]:
    """Ten new codes, returned once in plain text; every earlier code stops working."""
    codes = [new_code() for _ in range(CODE_COUNT)]
    replaced = RecoveryCode.objects.filter(user=acting_user).delete()[0]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=acting_user, code_hash=code_hash(acting_user, normalized(code))) for code in codes
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
    match = next((row for row in unused if matches(user, value, row.code_hash)), None)
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
