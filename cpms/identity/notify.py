"""E-mails to account holders, in their e-mail language."""

from cpms.lib.email import send_email_on_commit

from .models import User


def email_user(user: User, template: str, context: dict | None = None) -> None:
    send_email_on_commit(
        user.email, f"identity/email/{template}", {"user": user, **(context or {})}, user.email_language
    )


def security_event(user: User, event: str, *, always: bool = True) -> None:
    """Tell the user about a security event. `always=False` events respect "security e-mails"."""
    if always or user.security_emails:
        email_user(user, "security_event", {"event": event})
