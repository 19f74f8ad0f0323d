"""Proof of the mailbox: after PANIC, or once an account lost the second factors it had.

PANIC works with a password alone, so that a user who lost their phone can use it. Without this,
whoever stole the password could press PANIC and set up their own app, phone or key, or change the
password, since with no second factor left a fresh verification asks only for the password.

The account remembers that it had a second factor (User.had_second_factor) until the mailbox is
proven: by the link sent here, or by choosing a new password through the e-mailed link.
"""

from django.db import transaction

from cpms.audit.record import record

from ..links import find_usable_link, issue_link, use_link
from ..models import EmailLink, Method, User
from ..notify import email_user
from ..queries import links_in_last_hour, live_setup_link_exists, methods_for

SETUP_LINKS_PER_HOUR = 5


class TooManySetupLinks(Exception):
    pass


def remember_second_factor(user: User) -> None:
    """Every action that adds or removes a second factor calls this, and so does PANIC."""
    if not user.had_second_factor:
        user.had_second_factor = True
        User.objects.filter(pk=user.pk).update(had_second_factor=True)


def forget_second_factor_history(user: User) -> None:
    """The mailbox was proven: only the second factors the account has now still count (saves)."""
    user.factors_reset_at = None
    user.had_second_factor = methods_for(user.pk) != [Method.PASSWORD]
    user.save(update_fields=["factors_reset_at", "had_second_factor"])


@transaction.atomic
def do_send_setup_link(*, acting_user: User, again: bool = False) -> bool:
    """E-mail the link that lifts the restriction; returns whether one was sent.

    On first display (`again=False`) nothing is sent while an earlier link still works; "Send the
    link again" replaces it. Either way at most SETUP_LINKS_PER_HOUR links an hour (TooManySetupLinks).
    """
    User.objects.select_for_update().filter(pk=acting_user.pk).first()  # one sender at a time
    if not again and live_setup_link_exists(acting_user):
        return False
    if links_in_last_hour(acting_user, EmailLink.Purpose.CONFIRM_SETUP) >= SETUP_LINKS_PER_HOUR:
        record(
            acting_user, "identity.factor_setup.link_refused", acting_user, {"per_hour": SETUP_LINKS_PER_HOUR}
        )
        raise TooManySetupLinks
    token = issue_link(acting_user, EmailLink.Purpose.CONFIRM_SETUP)
    record(acting_user, "identity.factor_setup.link_sent", acting_user, {"again": again})
    email_user(acting_user, "confirm_setup", {"token": token})
    return True


@transaction.atomic
def do_confirm_setup(*, token: str) -> User:
    """Use the link (once): its account may set up a new second factor. Raises LinkProblem."""
    link = find_usable_link(token, EmailLink.Purpose.CONFIRM_SETUP)
    use_link(link)
    user = link.user
    forget_second_factor_history(user)
    record(user, "identity.factor_setup.confirmed", user)
    return user
