"""Configure my account, change my e-mail address, delete my account."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import changes, record
from cpms.lib.email import send_email_on_commit
from cpms.lib.i18n import lazy_format

from ..links import find_usable_link, issue_link, use_link
from ..models import EmailLink, User, UserSession, validate_time_zone
from ..notify import security_event
from ..queries import email_taken, links_in_last_hour, methods_for
from .sessions import end_sessions

EMAIL_CHANGES_PER_HOUR = 5


class TooManyEmailChanges(Exception):
    pass


@transaction.atomic
def do_configure_account(
    *,
    acting_user: User,
    email_language: str,
    preferred_method: str,
    security_emails: bool,
    time_zone: str | None = None,
) -> list[str]:
    """Save the settings; returns the names of those that changed. No `time_zone`: unchanged."""
    if preferred_method and preferred_method not in methods_for(acting_user.pk):
        raise ValidationError(_("This verification method is not set up on your account."))
    if time_zone is not None:
        validate_time_zone(time_zone)
    before = User.objects.filter(pk=acting_user.pk).values(
        "email_language", "preferred_method", "security_emails", "time_zone"
    )[0]
    after = {
        "email_language": email_language,
        "preferred_method": preferred_method,
        "security_emails": security_emails,
        "time_zone": before["time_zone"] if time_zone is None else time_zone,
    }
    changed = [name for name, value in after.items() if before[name] != value]
    for name, value in after.items():
        setattr(acting_user, name, value)
    if changed:
        acting_user.save(update_fields=changed)
        record(
            acting_user,
            "identity.account.configured",
            acting_user,
            changes(before, after, changed),
        )
    return changed


@transaction.atomic
def do_request_email_change(*, acting_user: User, new_email: str) -> None:
    """E-mail a confirmation link to the new address and a notice to the current one.

    An address that belongs to another account gets nothing, and the caller answers the same
    either way, so nobody learns which addresses have an account.
    """
    new_email = new_email.strip()
    if links_in_last_hour(acting_user, EmailLink.Purpose.CHANGE_EMAIL) >= EMAIL_CHANGES_PER_HOUR:
        raise TooManyEmailChanges
    if email_taken(new_email, by_other_than=acting_user):
        record(acting_user, "identity.email.change_refused", acting_user, {"new_email": new_email})
        return
    token = issue_link(acting_user, EmailLink.Purpose.CHANGE_EMAIL, new_email=new_email)
    record(acting_user, "identity.email.change_requested", acting_user, {"new_email": new_email})
    send_email_on_commit(
        new_email,
        "identity/email/email_change_confirm",
        {"user": acting_user, "token": token, "new_email": new_email},
        acting_user.email_language,
    )
    security_event(
        acting_user,
        lazy_format(
            _(
                "Somebody asked to change the e-mail address of your account to %(email)s. "
                "Nothing changes until the link sent to that address is opened."
            ),
            email=new_email,
        ),
    )


@transaction.atomic
def do_confirm_email_change(*, token: str) -> User | None:
    """Change the address; None if it was taken by another account since the link was sent.

    Raises LinkProblem for an invalid, used or expired link. The link is used up either way.
    """
    link = find_usable_link(token, EmailLink.Purpose.CHANGE_EMAIL)
    use_link(link)
    user = link.user
    old_email, new_email = user.email, link.new_email
    changed = False
    if not email_taken(new_email, by_other_than=user):
        try:
            with transaction.atomic():
                user.email = new_email
                user.save(update_fields=["email"])
                changed = True
        except IntegrityError:  # registered by another account a moment ago
            user.email = old_email
    if not changed:
        record(user, "identity.email.change_refused", user, {"new_email": new_email, "at": "confirm"})
        return None
    record(user, "identity.email.changed", user, changes({"email": old_email}, user, ["email"]))
    security_event(
        user,
        lazy_format(_("The e-mail address of your account was changed to %(email)s."), email=new_email),
    )
    send_email_on_commit(
        old_email,
        "identity/email/email_changed_notice",
        {"user": user, "old_email": old_email, "new_email": new_email},
        user.email_language,
    )
    return user


@transaction.atomic
def do_delete_account(*, acting_user: User) -> None:
    """Erase the account: the user row and, by cascade, devices, phones, keys, links and sessions.

    The audit trail keeps only the account's number, so its events remain, pseudonymised.
    """
    address, language = acting_user.email, acting_user.email_language
    first_name = acting_user.first_name
    login_sessions = UserSession.objects.filter(user=acting_user, ended_at=None)
    record(acting_user, "identity.account.deleted", acting_user, {"sessions_ended": login_sessions.count()})
    end_sessions(login_sessions)
    acting_user.delete()
    send_email_on_commit(
        address, "identity/email/account_deleted", {"user": {"first_name": first_name}}, language
    )
