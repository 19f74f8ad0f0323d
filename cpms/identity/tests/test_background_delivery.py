"""The e-mails and SMS of sign-up and sign-in travel through a real Redis and Celery worker, and
"Forgot your password?" does the same work in the request whether the address has an account."""

import re

import pytest
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.models import User
from cpms.outbox.models import OutboxMessage
from cpms.test import PASSWORD, link_in

SIGNUP = {
    "first_name": "Dana",
    "last_name": "Novak",
    "email": "dana@example.org",
    "confirm_email": "dana@example.org",
    "email_language": "fr",
    "privacy": "on",
}


def test_it_emails_the_signup_link_through_the_worker(client, broker):
    response = client.post("/account/create/", SIGNUP)
    assert response.status_code == 302
    broker.wait_for("lib.deliver_email")
    [message] = mail.outbox
    assert message.to == ["dana@example.org"]
    page = client.get(link_in(message))
    assert page.status_code == 200
    assert User.objects.get(email="dana@example.org").username in page.content.decode()


def test_it_texts_the_signin_code_through_the_worker(client, charlie, broker):
    client.post("/login/", {"identifier": "charlie@example.org"})
    client.post("/login/method/", {"method": "sms"})
    assert client.post("/login/password/", {"password": PASSWORD}).url == "/login/sms/"
    assert client.get("/login/sms/").status_code == 200
    broker.wait_for("lib.deliver_sms")
    [text] = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SMS, recipient="+33612345678")
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    response = client.post("/login/sms/", {"code": code})
    assert response.status_code == 302 and response.url == "/account/"


def test_forgot_password_leaves_the_account_lookup_to_the_worker(client, alice, broker):
    client.post("/password/forgot/", {"email": "nobody@example.org"})
    client.post("/password/forgot/", {"email": "alice@example.org"})
    broker.wait_for("identity.send_password_link", count=2)
    broker.wait_for("lib.deliver_email")
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert client.get(link_in(message)).status_code == 200
    event = AuditEvent.objects.get(action="identity.password.link_requested")
    assert event.actor_id == alice.pk and event.ip == "127.0.0.1"  # the request's address, in the worker


@pytest.mark.parametrize("email", ["alice@example.org", "nobody@example.org"])
def test_forgot_password_costs_the_request_the_same_for_any_address(
    client, alice, email, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued, django_assert_num_queries(0):
        response = client.post("/password/forgot/", {"email": email})
    assert response.status_code == 200
    assert len(queued) == 1  # one task, whatever the address
