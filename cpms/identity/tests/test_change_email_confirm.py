from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.actions import account_settings
from cpms.identity.links import LinkProblem, find_usable_link
from cpms.identity.models import EmailLink
from cpms.test import last_email_to, link_in, make_user, sign_in

pytestmark = pytest.mark.django_db

NEW = "alice.martin@example.net"


@pytest.fixture
def link(alice, django_capture_on_commit_callbacks) -> str:
    """The confirmation link alice received at her new address, as a path."""
    browser = sign_in(Client(), alice)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("identity:change-email"), {"email": NEW})
    path = link_in(last_email_to(NEW))
    mail.outbox.clear()
    return path


def confirm(client, path, capture):
    with capture(execute=True):
        return client.post(path, follow=True)


def test_it_shows_the_new_address_and_changes_nothing_on_get(client, alice, link):
    response = client.get(link)
    assert response.status_code == 200
    assert NEW in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert EmailLink.objects.get().used_at is None


def test_it_changes_the_address_from_a_signed_out_browser(
    client, alice, link, django_capture_on_commit_callbacks
):
    response = confirm(client, link, django_capture_on_commit_callbacks)
    assert response.redirect_chain[-1][0] == reverse("identity:login")
    assert f"Your e-mail address is now {NEW}." in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == NEW
    assert EmailLink.objects.get().used_at is not None
    event = AuditEvent.objects.get(action="identity.email.changed")
    assert event.actor_id == alice.pk
    assert event.data == {
        "email": {"old": "al***@example.org", "new": NEW[:2] + "***" + NEW[NEW.index("@") :]}
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["alice@example.org", NEW])
    assert NEW in last_email_to("alice@example.org").body
    assert "PANIC" in last_email_to("alice@example.org").body


def test_it_takes_the_owner_back_to_their_details(client, alice, link, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    response = confirm(client, link, django_capture_on_commit_callbacks)
    assert response.redirect_chain[-1][0] == reverse("identity:account-details")
    assert NEW in response.content.decode()


def test_it_changes_only_the_account_of_the_link(
    client, alice, bob, link, django_capture_on_commit_callbacks
):
    sign_in(client, bob)
    confirm(client, link, django_capture_on_commit_callbacks)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.email, bob.email) == (NEW, "bob@example.org")


def test_it_refuses_a_replay(client, alice, link, django_capture_on_commit_callbacks):
    confirm(client, link, django_capture_on_commit_callbacks)
    for method in ("get", "post"):
        response = getattr(client, method)(link)
        assert response.status_code == 410
        assert "already used" in response.content.decode()
    assert AuditEvent.objects.filter(action="identity.email.changed").count() == 1


def test_it_refuses_an_expired_link(client, alice, link):
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        response = client.post(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_it_refuses_a_link_replaced_by_a_newer_one(client, alice, link, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identity:change-email"), {"email": "other@example.net"})
    assert client.post(link).status_code == 410
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_it_answers_404_for_an_invalid_token(client):
    response = client.get(reverse("identity:change-email-confirm", args=["not-a-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_it_refuses_an_address_taken_in_the_meantime(client, alice, link, django_capture_on_commit_callbacks):
    make_user("ndana004", NEW.upper(), "Dana", "Novak")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 409
    assert "now used by another account" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert EmailLink.objects.get().used_at is not None
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="identity.email.changed").exists()


def test_it_uses_a_link_once_even_when_two_requests_race(client, alice, link, monkeypatch):
    token = link.rstrip("/").rsplit("/", 1)[-1]
    read_by_the_other_request = find_usable_link(token, EmailLink.Purpose.CHANGE_EMAIL)
    assert client.post(link).status_code == 302
    monkeypatch.setattr(account_settings, "find_usable_link", lambda *args: read_by_the_other_request)
    with pytest.raises(LinkProblem):
        account_settings.do_confirm_email_change(token=token)
    assert AuditEvent.objects.filter(action="identity.email.changed").count() == 1
