"""Django's SMTP e-mail backend, as configured in production, against a real SMTP server (aiosmtpd)."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage, get_connection

BODY = "Bonjour Zoë,\n\nRéinitialisation demandée : suivez le lien.\n"


class CollectingHandler:
    """Keeps every message the server accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_connection(smtp_server):
    controller, _ = smtp_server
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=controller.hostname,
        port=controller.port,
        username="",
        password="",
        use_tls=False,
        use_ssl=False,
        timeout=10,
        fail_silently=False,
    )


def test_it_delivers_a_non_ascii_message(smtp_server, smtp_connection):
    _, handler = smtp_server
    message = EmailMessage(
        subject="Réinitialisation de votre mot de passe",
        body=BODY,
        from_email="CPMS Login <no-reply@cpms.example.org>",
        to=["alice@example.org"],
        cc=["bob@example.org"],
        bcc=["audit@example.org"],
        connection=smtp_connection,
    )

    sent = message.send()

    assert sent == 1
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.mail_from == "no-reply@cpms.example.org"
    assert sorted(envelope.rcpt_tos) == ["alice@example.org", "audit@example.org", "bob@example.org"]

    raw = envelope.original_content
    assert b"subject: =?utf-8?" in raw.lower()  # RFC 2047-encoded on the wire, not raw 8-bit
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["Subject"] == "Réinitialisation de votre mot de passe"
    assert received["To"] == "alice@example.org"
    assert received["Cc"] == "bob@example.org"
    assert received["Bcc"] is None  # blind copies travel in the envelope only
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().replace("\r\n", "\n") == BODY


def test_it_sends_several_messages_over_one_connection(smtp_server, smtp_connection):
    _, handler = smtp_server
    messages = [
        EmailMessage(subject=f"Code {n}", body=f"Votre code : {n}", to=[f"user{n}@example.org"])
        for n in range(3)
    ]

    sent = smtp_connection.send_messages(messages)

    assert sent == 3
    assert [envelope.rcpt_tos for envelope in handler.envelopes] == [
        ["user0@example.org"],
        ["user1@example.org"],
        ["user2@example.org"],
    ]


def test_it_raises_when_the_server_is_unreachable():
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=free_port(), timeout=5
    )

    message = EmailMessage(
        subject="Réinitialisation", body=BODY, to=["alice@example.org"], connection=connection
    )

    with pytest.raises(OSError):
        message.send()
