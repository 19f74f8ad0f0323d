import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.identity.links import issue_link
from cpms.identity.models import EmailLink, TotpDevice, User, UserSession
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

URL = reverse("identity:delete-account")


def test_it_asks_anonymous_users_to_sign_in(client):
    for method in ("get", "post"):
        response = getattr(client, method)(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("identity:login"))


def test_it_asks_for_a_fresh_verification(client, alice):
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = time.time() - 11 * 60
    session.save()
    response = client.post(URL, {"confirm": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:signin-method"))
    assert User.objects.filter(pk=alice.pk).exists()


def test_it_explains_what_is_erased(client, alice):
    sign_in(client, alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()


def test_it_needs_the_box_ticked(client, alice):
    sign_in(client, alice)
    response = client.post(URL, {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()


def test_it_erases_the_account_and_signs_out_everywhere(
    client, bob, alice, django_capture_on_commit_callbacks
):
    bob_id = bob.pk
    sign_in(client, bob)
    laptop = sign_in(Client(), bob)
    laptop_key = laptop.session.session_key
    issue_link(bob, EmailLink.Purpose.SET_PASSWORD)
    alices_browser = sign_in(Client(), alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"confirm": "on"})

    assert response.status_code == 200
    assert "Your account was deleted" in response.content.decode()
    assert not User.objects.filter(pk=bob_id).exists()
    for model in (TotpDevice, UserSession, EmailLink):
        assert not model.objects.filter(user_id=bob_id).exists(), model
    assert not Session.objects.filter(session_key=laptop_key).exists()
    for browser in (client, laptop):
        assert browser.get(reverse("identity:my-account")).status_code == 302

    event = AuditEvent.objects.get(action="identity.account.deleted")
    assert event.actor_id == bob_id and event.target_id == str(bob_id)
    assert AuditEvent.objects.filter(actor_id=bob_id).count() == 1  # earlier events would stay too

    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "deleted" in mail.outbox[0].body

    assert User.objects.filter(pk=alice.pk).exists()
    assert alices_browser.get(reverse("identity:my-account")).status_code == 200


def test_a_password_only_session_on_an_account_with_an_app_is_asked_for_it(client, bob):
    sign_in(client, bob, methods=("pwd",))
    response = client.post(URL, {"confirm": "on"}, follow=True)
    assert response.redirect_chain == [
        (reverse("identity:signin-method") + "?reverify=1", 302),
        (reverse("identity:signin-totp"), 302),
    ]
    assert "verify with your second factor" in response.content.decode()
    assert User.objects.filter(pk=bob.pk).exists()


def test_after_panic_it_needs_the_mailbox(client, bob, django_capture_on_commit_callbacks):
    sign_in(client, bob, methods=("pwd",))
    client.post(reverse("identity:panic"))
    sign_in(client, bob, methods=("pwd",))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"confirm": "on"})
    assert "Open it to continue deleting your account." in response.content.decode()
    assert User.objects.filter(pk=bob.pk).exists()


def test_a_password_only_account_deletes_itself_with_its_password(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.post(URL, {"confirm": "on"})
    assert response.status_code == 200
    assert not User.objects.filter(pk=alice.pk).exists()
