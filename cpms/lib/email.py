"""Templated e-mails, rendered in the recipient's e-mail language and sent after commit.

The message is rendered at commit, where it was asked for, and only the rendered text travels to
the worker (recipient, subject, body): it says what was true at commit (an account deleted since
still gets its goodbye), and the worker needs no model, template context or language of its own.
"""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import ReliableTask, run_now

logger = logging.getLogger(__name__)


def masked_address(address: str) -> str:
    """Logs keep no personal data: two characters and the domain tell addresses apart."""
    local, at, domain = address.partition("@")
    return f"{local[:2]}***{at}{domain}"


def render_email(template: str, context: dict, language: str) -> tuple[str, str]:
    """`template` names a pair: <template>_subject.txt and <template>_body.txt."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", full_context).strip().replace("\n", " ")
        body = render_to_string(f"{template}_body.txt", full_context)
    return subject, body


def send_email(to: str, template: str, context: dict, language: str = "en") -> None:
    subject, body = render_email(template, context, language)
    EmailMessage(subject=subject, body=body, to=[to]).send()


class EmailTask(ReliableTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("E-mail to %s could not be sent: %s", masked_address(args[0]), type(exc).__name__)


class RecipientRefused(Exception):
    """The mail server will never take this address: no retry (and no address in the logs)."""


@shared_task(base=EmailTask, name="lib.deliver_email")
def deliver_email(to: str, subject: str, body: str, attachments=()) -> None:
    """Hand one rendered e-mail to the e-mail backend (SMTP in production); retried when it fails.

    `attachments`: (file name, text, MIME type) triples, text so that they travel as JSON (a
    meeting's .ics, "text/calendar; method=REQUEST")."""
    message = EmailMessage(subject=subject, body=body, to=[to])
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:  # its message names the address, which Celery would log
        raise RecipientRefused("The mail server refused the recipient.") from None


def send_email_on_commit(to: str, template: str, context: dict, language: str = "en", attachments=()) -> None:
    """Send once the transaction is committed; a mail server that is down never undoes or fails the work."""

    def queue():
        subject, body = render_email(template, context, language)
        extra = ([list(attachment) for attachment in attachments],) if attachments else ()
        run_now(deliver_email, (to, subject, body, *extra))

    transaction.on_commit(queue)
