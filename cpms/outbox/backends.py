from django.core.mail.backends.base import BaseEmailBackend

from .models import OutboxMessage

SUBJECT_LENGTH = OutboxMessage._meta.get_field("subject").max_length


class OutboxEmailBackend(BaseEmailBackend):
    """Keeps every e-mail in the outbox (embedded default)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            for recipient in message.recipients():
                OutboxMessage.objects.create(
                    kind=OutboxMessage.Kind.EMAIL,
                    recipient=recipient,
                    subject=message.subject[:SUBJECT_LENGTH],
                    body=message.body,
                )
        return len(email_messages)


class OutboxSmsBackend:
    """Keeps every SMS in the outbox (embedded default)."""

    def send(self, number: str, text: str) -> None:
        OutboxMessage.objects.create(kind=OutboxMessage.Kind.SMS, recipient=number, body=text)
