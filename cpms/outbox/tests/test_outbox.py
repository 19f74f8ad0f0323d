import importlib

import pytest
from django.core import mail
from django.urls import clear_url_caches

from cpms.lib.sms import send_sms
from cpms.outbox.backends import OutboxEmailBackend
from cpms.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def reload_urls():
    import config.urls

    clear_url_caches()
    importlib.reload(config.urls)


def test_it_keeps_emails_and_sms_and_shows_them_newest_first(client):
    mail.EmailMessage(
        "Choose your password",
        "Open https://cpms.example.org/x",
        to=["dana@example.org"],
        connection=OutboxEmailBackend(),
    ).send()
    send_sms("+33612345678", "Your code is 123456")
    response = client.get("/outbox/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("+33612345678") < body.index("dana@example.org")
    assert '<a href="https://cpms.example.org/x"' in body
    assert OutboxMessage.objects.count() == 2


def test_it_keeps_an_email_whose_subject_is_too_long_for_its_column():
    subject = "New access request to validate: " + "Universitätsklinikum " * 30
    mail.EmailMessage(subject, "Body", to=["helena@example.org"], connection=OutboxEmailBackend()).send()
    kept = OutboxMessage.objects.get()
    assert kept.subject == subject[:300]


def test_it_has_a_helpful_empty_state(client):
    assert "No messages yet" in client.get("/outbox/").content.decode()


def test_it_does_not_exist_outside_the_embedded_default(client, settings):
    settings.EMBEDDED = False
    reload_urls()
    try:
        assert client.get("/outbox/").status_code == 404
    finally:
        settings.EMBEDDED = True
        reload_urls()


def test_it_answers_404_even_if_routed_outside_the_embedded_default(client, settings):
    settings.EMBEDDED = False  # the URL is still routed: the view refuses by itself
    assert client.get("/outbox/").status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.0.0.53"])
def test_it_answers_clients_on_loopback(client, address):
    response = client.get("/outbox/", REMOTE_ADDR=address)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("address", ["192.168.1.20", "10.0.0.5", "2001:db8::1", "not-an-address"])
def test_it_answers_404_to_clients_on_the_network(client, address):
    send_sms("+33612345678", "Your code is 123456")
    response = client.get("/outbox/", REMOTE_ADDR=address)
    assert response.status_code == 404
    assert "123456" not in response.content.decode()


def test_behind_a_trusted_proxy_it_looks_at_the_visitor_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    remote = client.get("/outbox/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    local = client.get("/outbox/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert (remote.status_code, local.status_code) == (404, 200)
