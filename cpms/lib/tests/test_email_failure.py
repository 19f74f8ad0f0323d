import socket

import pytest

from cpms.identity.models import User

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_mail_server_that_is_down_loses_no_work(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/create/",
            {
                "first_name": "Dana",
                "last_name": "Novak",
                "email": "dana@example.org",
                "confirm_email": "dana@example.org",
                "email_language": "en",
                "privacy": "on",
            },
        )
    assert response.status_code == 302
    assert User.objects.filter(email="dana@example.org").exists()
    assert "could not be sent" in caplog.text
    assert "da***@example.org" in caplog.text
    assert "dana@example.org" not in caplog.text  # logs keep no personal data
