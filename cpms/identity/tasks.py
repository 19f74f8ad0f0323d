"""CPMS Login's background work: the "Forgot your password?" e-mail and the regular clean-ups.

The regular ones are scheduled by CELERY_BEAT_SCHEDULE (config/settings.py).
"""

from celery import shared_task
from django.core.management import call_command

from cpms.audit.context import current_ip
from cpms.lib.tasks import ReliableTask

from .actions.accounts import do_send_password_link
from .actions.sessions import do_sweep_sessions


@shared_task(base=ReliableTask, name="identity.send_password_link")
def send_password_link(email: str, ip: str | None = None) -> None:
    """Queued for every "Forgot your password?", known address or not (see do_request_password_link)."""
    token = current_ip.set(ip)  # the audit trail keeps the address the request came from
    try:
        do_send_password_link(email=email)
    finally:
        current_ip.reset(token)


@shared_task(base=ReliableTask, name="identity.sweep_sessions")
def sweep_sessions() -> int:
    """Every few minutes: abandoned sessions end and their services' tokens are revoked."""
    return do_sweep_sessions()


@shared_task(base=ReliableTask, name="identity.clear_sessions")
def clear_sessions() -> None:
    """Daily: expired sessions leave the session store (Django's clearsessions)."""
    call_command("clearsessions")


@shared_task(base=ReliableTask, name="identity.clear_tokens")
def clear_tokens() -> None:
    """Daily: expired OpenID Connect codes and tokens are deleted (django-oauth-toolkit's cleartokens)."""
    call_command("cleartokens")
