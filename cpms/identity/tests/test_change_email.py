import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.identity.models import EmailLink, User
from cpms.test import link_in, make_user, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("identity:change-email")


def post(client, email, capture):
    with capture(execute=True):
        return client.post(URL, {"email": email})


def comparable(response, address) -> str:
    page = response.content.decode().replace(address, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)


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
    response = client.post(URL, {"email": "new@example.org"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:signin-method"))
    assert not EmailLink.objects.exists()


def test_it_shows_the_form(client, alice):
    sign_in(client, alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()


def test_it_mails_a_link_to_the_new_address_and_a_notice_to_the_old(
    client, bob, django_capture_on_commit_callbacks
):
    sign_in(client, bob)
    response = post(client, "bob.schmidt@example.net", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    bob.refresh_from_db()
    assert bob.email == "bob@example.org"  # nothing changes before the link is opened
    assert sorted(m.to[0] for m in mail.outbox) == ["bob.schmidt@example.net", "bob@example.org"]
    to_new = next(m for m in mail.outbox if m.to == ["bob.schmidt@example.net"])
    assert link_in(to_new).startswith("/account/email/confirm/")
    to_old = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert "bob.schmidt@example.net" in to_old.body
    assert "/account/email/confirm/" not in to_old.body
    link = EmailLink.objects.get(user=bob, purpose=EmailLink.Purpose.CHANGE_EMAIL)
    assert link.new_email == "bob.schmidt@example.net"
    event = AuditEvent.objects.get(action="identity.email.change_requested")
    assert event.actor_id == bob.pk
    assert "bob.schmidt@example.net" not in str(event.data)  # masked


def test_it_answers_the_same_for_an_address_of_another_account(
    client, alice, django_capture_on_commit_callbacks
):
    make_user("ndana004", "dana@example.org", "Dana", "Novak")
    sign_in(client, alice)
    free = post(client, "free@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    EmailLink.objects.all().delete()
    taken = post(client, "DANA@example.org", django_capture_on_commit_callbacks)
    assert taken.status_code == free.status_code == 200
    assert comparable(taken, "DANA@example.org") == comparable(free, "free@example.org")
    assert mail.outbox == []  # neither the new address nor its owner is told
    assert not EmailLink.objects.exists()
    assert AuditEvent.objects.filter(action="identity.email.change_refused", actor_id=alice.pk).exists()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert User.objects.get(username="ndana004").email == "dana@example.org"


@pytest.mark.parametrize(
    ("email", "message"),
    [("not-an-address", "valid email"), ("", "required"), ("ALICE@example.org", "already your e-mail")],
)
def test_it_explains_bad_input(client, alice, email, message):
    sign_in(client, alice)
    response = client.post(URL, {"email": email})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["email"])
    assert not EmailLink.objects.exists()


def test_it_limits_the_number_of_requests(client, alice, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    for n in range(5):
        assert (
            "Check your e-mail"
            in post(client, f"new{n}@example.org", django_capture_on_commit_callbacks).content.decode()
        )
    mail.outbox.clear()
    response = post(client, "new5@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "too many e-mail changes" in response.content.decode()
    assert mail.outbox == []


def test_a_password_only_session_on_an_account_with_an_app_is_asked_for_it(client, bob):
    sign_in(client, bob, methods=("pwd",))
    response = client.post(URL, {"email": "thief@example.com"}, follow=True)
    assert response.redirect_chain == [
        (reverse("identity:signin-method") + "?reverify=1", 302),
        (reverse("identity:signin-totp"), 302),
    ]
    assert "verify with your second factor" in response.content.decode()
    assert not EmailLink.objects.filter(purpose=EmailLink.Purpose.CHANGE_EMAIL).exists()
