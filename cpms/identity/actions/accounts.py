from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.context import current_ip
from cpms.audit.record import record
from cpms.lib.tasks import run_on_commit

from ..links import find_usable_link, issue_link, use_link
from ..models import EmailLink, User, UserSession, new_username
from ..notify import email_user, security_event
from ..queries import find_user_by_email, links_in_last_hour, username_taken
from .mailbox_proof import forget_second_factor_history
from .sessions import end_sessions

PASSWORD_LINKS_PER_HOUR = 5


def unique_username() -> str:
    while True:
        username = new_username()
        if not username_taken(username):
            return username


@transaction.atomic
def do_create_account(*, first_name: str, last_name: str, email: str, email_language: str) -> User | None:
    """Create an account and e-mail a link to choose a password.

    An address already registered gets an e-mail instead of a second account, and the caller
    answers the same either way, so nobody learns who has an account.
    """
    existing = find_user_by_email(email)
    if existing is not None:
        record(existing, "identity.account.signup_for_existing_email", existing)
        email_user(existing, "already_registered")
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=unique_username(),
                email=email.strip(),
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email_language=email_language,
                privacy_acknowledged_at=timezone.now(),
            )
    except IntegrityError:  # the same address, registered a moment ago by another request
        return None
    record(user, "identity.account.created", user, {"email_language": email_language})
    send_set_password_link(user, first=True)
    return user


def send_set_password_link(user: User, *, first: bool = False) -> None:
    token = issue_link(user, EmailLink.Purpose.SET_PASSWORD)
    email_user(user, "set_password" if first else "reset_password", {"token": token})


def do_request_password_link(*, email: str) -> None:
    """ "Forgot your password?" and "send me a new link": silent about unknown addresses.

    The request only queues the e-mail address; the worker looks for the account and writes the
    e-mail. A known address and an unknown one cost the request the same, so the time it takes
    to answer tells nobody which addresses have an account.
    """
    from ..tasks import send_password_link  # the tasks module runs the actions: imported late

    run_on_commit(send_password_link, email, current_ip.get())


@transaction.atomic
def do_send_password_link(*, email: str) -> None:
    """The work of do_request_password_link, in the worker: a link to the account, if there is one."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    if (
        links_in_last_hour(user, EmailLink.Purpose.SET_PASSWORD) >= PASSWORD_LINKS_PER_HOUR
    ):  # nobody can flood a mailbox; the answer stays the same
        record(user, "identity.password.link_refused", user, {"per_hour": PASSWORD_LINKS_PER_HOUR})
        return
    record(user, "identity.password.link_requested", user)
    send_set_password_link(user)


@transaction.atomic
def do_set_password(*, token: str, password: str) -> User:
    """Choose a password through an e-mailed link: every session of the account ends."""
    link = find_usable_link(token, EmailLink.Purpose.SET_PASSWORD)
    user = link.user
    validate_password(password, user)
    use_link(link)
    first_time = not user.has_usable_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    forget_second_factor_history(user)  # the link proved the mailbox
    ended = end_sessions(UserSession.objects.filter(user=user, ended_at=None))
    record(user, "identity.password.set", user, {"first_time": first_time, "sessions_ended": ended})
    if not first_time:
        security_event(user, _("Your password was changed through a link sent by e-mail."))
    return user


@transaction.atomic
def do_change_password(*, acting_user: User, new_password: str, current_session_key: str | None) -> None:
    """Change the password: every other session of the account ends (this one goes on)."""
    validate_password(new_password, acting_user)
    acting_user.set_password(new_password)
    acting_user.save(update_fields=["password"])
    others = UserSession.objects.filter(user=acting_user, ended_at=None)
    ended = end_sessions(others.exclude(session_key=current_session_key))
    record(acting_user, "identity.password.changed", acting_user, {"sessions_ended": ended})
    security_event(acting_user, _("Your password was changed."))
