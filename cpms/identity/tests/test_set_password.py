from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.actions import accounts
from cpms.identity.actions.accounts import do_create_account
from cpms.identity.links import LinkProblem, find_usable_link
from cpms.identity.models import EmailLink, UserSession
from cpms.test import link_in, sign_in

from .oidc_helpers import make_service, tokens_for, userinfo

pytestmark = pytest.mark.django_db
GOOD = "Blue tide under quiet harbours"


@pytest.fixture
def new_account_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = do_create_account(
            first_name="Dana", last_name="Novak", email="dana@example.org", email_language="en"
        )
    return user, link_in(mail.outbox[-1])


def test_it_shows_the_username_marked_external(client, new_account_link):
    user, link = new_account_link
    body = client.get(link).content.decode()
    assert user.username in body
    assert "(External)" in body
    for label in ["New password", "Please choose your new password.", "Confirm new password", "Submit"]:
        assert label in body


def test_it_sets_the_password_once(client, new_account_link):
    user, link = new_account_link
    response = client.post(link, {"new_password": GOOD, "confirm_password": GOOD})
    assert response.url == "/login/"
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert AuditEvent.objects.filter(action="identity.password.set", actor_id=user.pk).exists()
    again = client.get(link)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert "Send me a new link" in again.content.decode()


def test_it_explains_an_expired_link(client, new_account_link):
    _, link = new_account_link
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_it_explains_an_invalid_link(client, db):
    response = client.get("/password/new/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short one", "short one", "too short"),
        ("password1234", "password1234", "too common"),
        ("dana@example.org!", "dana@example.org!", "too similar"),
        ("123456789012345", "123456789012345", "entirely numeric"),
        (GOOD, GOOD + "x", "not the same"),
        ("x" * 129, "x" * 129, "too long"),
    ],
)
def test_it_refuses_weak_or_mismatched_passwords(client, new_account_link, password, confirm, message):
    user, link = new_account_link
    response = client.post(link, {"new_password": password, "confirm_password": confirm})
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_new_link_replaces_the_old_one(client, new_account_link, django_capture_on_commit_callbacks):
    _, old_link = new_account_link
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/forgot/", {"email": "dana@example.org"})
    new_link = link_in(mail.outbox[-1])
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200


def test_forgot_password_is_silent_about_unknown_addresses(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password/forgot/", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "If an account uses" in response.content.decode()
    assert mail.outbox == []


def test_a_changed_password_by_link_is_a_security_event(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/forgot/", {"email": "alice@example.org"})
    link = link_in(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"new_password": GOOD, "confirm_password": GOOD})
    assert "Security notice" in mail.outbox[-1].subject


def test_it_uses_a_link_once_even_when_two_requests_race(client, new_account_link, monkeypatch):
    user, link = new_account_link
    token = link.rstrip("/").rsplit("/", 1)[-1]
    read_by_the_other_request = find_usable_link(token, EmailLink.Purpose.SET_PASSWORD)
    assert client.post(link, {"new_password": GOOD, "confirm_password": GOOD}).status_code == 302
    monkeypatch.setattr(accounts, "find_usable_link", lambda *args: read_by_the_other_request)
    with pytest.raises(LinkProblem):
        accounts.do_set_password(token=token, password="Another tide, another harbour")
    user.refresh_from_db()
    assert user.check_password(GOOD)


def test_a_password_reset_ends_every_session_and_its_services_tokens(
    client, bob, django_capture_on_commit_callbacks
):
    elsewhere = sign_in(Client(), bob)
    tokens = tokens_for(elsewhere, make_service(trusted=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/forgot/", {"email": "bob@example.org"})
    response = client.post(link_in(mail.outbox[-1]), {"new_password": GOOD, "confirm_password": GOOD})
    assert response.url == "/login/"
    assert not UserSession.objects.filter(user=bob, ended_at=None).exists()
    assert elsewhere.get("/account/").status_code == 302
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
    event = AuditEvent.objects.get(action="identity.password.set")
    assert event.data == {"first_time": False, "sessions_ended": 1}


def test_it_signs_out_the_browser_that_resets_its_own_password(
    client, alice, django_capture_on_commit_callbacks
):
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/forgot/", {"email": "alice@example.org"})
    response = client.post(
        link_in(mail.outbox[-1]), {"new_password": GOOD, "confirm_password": GOOD}, follow=True
    )
    assert response.status_code == 200 and "You can now sign in." in response.content.decode()
    assert client.get("/account/").url.startswith("/login/")


def test_it_sends_at_most_five_links_an_hour_and_answers_the_same(
    client, alice, django_capture_on_commit_callbacks
):
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/password/forgot/", {"email": "alice@example.org"})
        assert "If an account uses" in response.content.decode()
    assert len(mail.outbox) == 5
    assert AuditEvent.objects.filter(action="identity.password.link_refused").count() == 2
    an_hour_later = time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1))
    with an_hour_later, django_capture_on_commit_callbacks(execute=True):
        client.post("/password/forgot/", {"email": "alice@example.org"})
    assert len(mail.outbox) == 6
