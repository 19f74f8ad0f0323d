"""Display my sessions, end them, and PANIC (remove every device, end every session).

A sign-in creates a UserSession row next to the Django session (cpms.identity.sessions).
Ending one deletes the Django session from the session store, whatever the backend, so
that the browser holding it is signed out on its next request, and marks the row ended.
"""

import time

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record

from ..models import EmailLink, PhoneNumber, RecoveryCode, SecurityKey, SmsCode, TotpDevice, User, UserSession
from ..notify import security_event
from ..queries import abandoned_session_ids, panic_counts, session_store_class
from ..sessions import expiry_reason
from .oidc import end_services_of_sessions


def end_sessions(login_sessions) -> int:
    """Delete the Django sessions behind these rows and mark the rows ended (no audit: callers record).

    The services signed in through these sessions (OpenID Connect) have their tokens revoked.
    """
    store = session_store_class()
    now = timezone.now()
    ended = 0
    login_sessions = list(login_sessions)
    end_services_of_sessions(login_sessions)  # the services signed in through them lose their tokens
    for login_session in login_sessions:
        store(session_key=login_session.session_key).delete()
        login_session.ended_at = now
        login_session.save(update_fields=["ended_at"])
        ended += 1
    return ended


@transaction.atomic
def do_sign_out(
    *, acting_user: User, session_key: str | None, action: str = "identity.signout", data: dict | None = None
) -> None:
    """End this browser session (signed out, timed out, or replaced by another account's sign-in):
    its row is marked ended and its services lose their tokens. The caller logs the browser out.
    """
    end_sessions(UserSession.objects.filter(session_key=session_key, ended_at=None))
    record(acting_user, action, acting_user, data or {})


def do_sweep_sessions(*, now: float | None = None) -> int:
    """End the sessions whose browser went away, past the idle or absolute timeout: their services
    (OpenID Connect) lose their tokens now, not when the browser comes back. Run every few minutes.

    The timeouts are the ones SessionLifetimeMiddleware applies, read from the session itself;
    a session whose data is gone from the store is over too. Returns how many ended.
    """
    now = time.time() if now is None else now
    return sum(_sweep_one(pk, now) for pk in abandoned_session_ids(now))


@transaction.atomic
def _sweep_one(pk: int, now: float) -> bool:
    login_session = (
        UserSession.objects.select_for_update().filter(pk=pk, ended_at=None).select_related("user").first()
    )
    if login_session is None:  # signed out a moment ago
        return False
    data = session_store_class()(session_key=login_session.session_key).load()
    reason = expiry_reason(data, now) if data else "gone"
    if not reason:
        return False
    end_sessions([login_session])
    record(
        login_session.user,
        "identity.session.expired",
        login_session.user,
        {"reason": reason, "session": login_session.pk, "swept": True},
    )
    return True


@transaction.atomic
def do_end_session(*, acting_user: User, login_session: UserSession) -> None:
    if login_session.user_id != acting_user.pk:
        raise Http404
    end_sessions([login_session])
    record(acting_user, "identity.session.ended", login_session, {"ip": login_session.ip})


@transaction.atomic
def do_end_other_sessions(*, acting_user: User, current_session_key: str | None) -> int:
    others = list(
        UserSession.objects.filter(user=acting_user, ended_at=None).exclude(session_key=current_session_key)
    )
    end_sessions(others)
    for login_session in others:
        record(acting_user, "identity.session.ended", login_session, {"ip": login_session.ip})
    return len(others)


@transaction.atomic
def do_panic(*, acting_user: User) -> dict[str, int]:
    """Remove every verification device, end every session (the current one included) and
    cancel pending e-mail address changes.

    Only the password is left; the user signs in with it and sets up new devices.
    """
    counts = panic_counts(acting_user)
    SmsCode.objects.filter(phone__user=acting_user).delete()
    PhoneNumber.objects.filter(user=acting_user).delete()
    TotpDevice.objects.filter(user=acting_user).delete()
    SecurityKey.objects.filter(user=acting_user).delete()
    RecoveryCode.objects.filter(user=acting_user).delete()
    end_sessions(UserSession.objects.filter(user=acting_user, ended_at=None))
    # An intruder may have asked to move the account to their own address: cancel that too.
    EmailLink.objects.filter(user=acting_user, purpose=EmailLink.Purpose.CHANGE_EMAIL, used_at=None).update(
        expires_at=timezone.now()
    )
    # The first new second factor needs proof of the mailbox (actions.mailbox_proof): else a stolen
    # password could PANIC and set up the thief's own devices.
    acting_user.factors_reset_at = timezone.now()
    acting_user.had_second_factor = acting_user.had_second_factor or any(
        counts[kind] for kind in ("authenticator_apps", "phone_numbers", "security_keys")
    )
    acting_user.preferred_method = ""  # the preferred device is gone: back to no preference
    acting_user.save(update_fields=["factors_reset_at", "had_second_factor", "preferred_method"])
    # Names free of "key" and "code", which the audit trail masks as secrets.
    record(
        acting_user,
        "identity.panic",
        acting_user,
        {
            "authenticator_apps": counts["authenticator_apps"],
            "phone_numbers": counts["phone_numbers"],
            "webauthn_credentials": counts["security_keys"],
            "recovery_left": counts["recovery_codes"],
            "sessions": counts["sessions"],
        },
    )
    security_event(
        acting_user,
        _(
            "All your verification devices (authenticator apps, mobile phone numbers, security keys "
            "and recovery codes) were removed, and all your sessions were ended (PANIC). You can "
            "now sign in with your password only; set up new devices under My Account."
        ),
    )
    return counts
