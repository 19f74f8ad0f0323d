"""Templated e-mails, rendered in the recipient's e-mail language and sent after commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

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


def send_email_on_commit(to: str, template: str, context: dict, language: str = "en") -> None:
    """Send once the transaction is committed; a mail server that is down never undoes or fails the work."""

    def send():
        try:
            send_email(to, template, context, language)
        except OSError:
            logger.exception("E-mail %s to %s could not be sent", template, masked_address(to))

    transaction.on_commit(send)
