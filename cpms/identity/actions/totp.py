"""Authenticator apps (RFC 6238 TOTP): add, confirm, rename, remove, and verify a code.

A new app stays unconfirmed until the user types a first valid code, and an unconfirmed
app older than a day can no longer be confirmed. A code is accepted one time step early
or late (valid_window=1), and never twice: the accepted step is kept in last_used_step.
"""

import pyotp
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import changes, record
from cpms.lib.i18n import lazy_format

from ..models import TotpDevice, User
from ..notify import security_event
from ..queries import list_totp_devices, pending_totp_devices
from ..totp_codes import matching_step
from .mailbox_proof import remember_second_factor

ISSUER = "CPMS Login"


def provisioning_uri(device: TotpDevice, user: User) -> str:
    """The otpauth:// URI that the QR code carries."""
    return pyotp.TOTP(device.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def grouped_secret(secret: str) -> str:
    """The key in blocks of 4 characters, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic(savepoint=False)  # inside do_check_second_factor's transaction: no savepoint of its own
def verify_totp(user: User, code: str) -> TotpDevice | None:
    """The confirmed app of `user` that gives `code` now, or None.

    A code whose time step is not later than the last one accepted for that app is refused,
    so a code seen over someone's shoulder cannot be used again. The step moves on with a
    conditional update, so two requests with the same code cannot both pass, whatever the
    database (SQLite ignores row locks).
    """
    now = timezone.now()
    for device in list_totp_devices(user):
        step = matching_step(device.secret, code, now)
        if step is None or step <= device.last_used_step:
            continue
        moved_on = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
            last_used_step=step, last_used_at=now
        )
        if moved_on:
            device.last_used_step, device.last_used_at = step, now
            return device
    return None


@transaction.atomic
def do_start_totp_device(*, acting_user: User, name: str) -> TotpDevice:
    """A new, unconfirmed app with a fresh secret; it replaces any unfinished one."""
    TotpDevice.objects.filter(user=acting_user, confirmed=False).delete()
    return TotpDevice.objects.create(user=acting_user, name=name.strip(), secret=pyotp.random_base32())


def do_cancel_totp_device(*, acting_user: User, device: TotpDevice) -> None:
    """The unconfirmed app is given up before its first code (nothing was added: nothing to audit)."""
    pending_totp_devices(acting_user).filter(pk=device.pk).delete()


@transaction.atomic
def do_confirm_totp_device(*, acting_user: User, device: TotpDevice, code: str) -> bool:
    """Confirm the app with its first code. False if the code is wrong or the app too old."""
    device = pending_totp_devices(acting_user).select_for_update().filter(pk=device.pk).first()
    step = matching_step(device.secret, code) if device else None
    if step is None:
        return False
    device.confirmed = True
    device.last_used_step = step  # the confirmation code cannot sign anyone in afterwards
    device.created_at = timezone.now()
    device.save(update_fields=["confirmed", "last_used_step", "created_at"])
    remember_second_factor(acting_user)
    record(acting_user, "identity.totp.added", device, {"name": device.name})
    security_event(
        acting_user,
        lazy_format(_("An authenticator app (“%(name)s”) was added to your account."), name=device.name),
    )
    return True


@transaction.atomic
def do_rename_totp_device(*, acting_user: User, device: TotpDevice, name: str) -> None:
    old_name = device.name
    device.name = name.strip()
    device.save(update_fields=["name"])
    record(acting_user, "identity.totp.renamed", device, changes({"name": old_name}, device, ["name"]))


@transaction.atomic
def do_remove_totp_device(*, acting_user: User, device: TotpDevice) -> None:
    name = device.name
    remember_second_factor(acting_user)
    record(acting_user, "identity.totp.removed", device, {"name": name})
    device.delete()
    security_event(
        acting_user,
        lazy_format(_("An authenticator app (“%(name)s”) was removed from your account."), name=name),
    )
