import time

import pytest
from django.core import mail
from django.test import Client

from cpms.audit.models import AuditEvent
from cpms.identity.models import UserSession
from cpms.test import PASSWORD, sign_in

from .oidc_helpers import get_code, make_service, tokens_for, userinfo

pytestmark = pytest.mark.django_db
NEW = "Quiet rivers carry old maps"


def test_it_asks_anonymous_users_to_sign_in(client):
    assert client.get("/account/password/").url.startswith("/login/")


def test_it_asks_for_a_fresh_verification(client, alice):
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = time.time() - 11 * 60
    session.save()
    response = client.get("/account/password/")
    assert response.url == "/login/method/?reverify=1"
    page = client.get(client.get(response.url).url)  # a password-only account: its password
    assert "Please verify again" in page.content.decode()


def test_reverifying_keeps_the_same_session_entry_and_returns(client, alice):
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = 0
    session.save()
    client.get("/account/password/")
    response = client.post("/login/password/", {"password": PASSWORD})
    assert response.url == "/account/password/"
    assert alice.login_sessions.count() == 1
    assert client.get("/account/password/").status_code == 200


def test_it_changes_the_password_and_emails_the_user(client, alice, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/password/", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
        )
    assert response.url == "/account/"
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert mail.outbox[-1].to == ["alice@example.org"]
    assert AuditEvent.objects.filter(action="identity.password.changed").exists()
    assert client.get("/account/").status_code == 200  # still signed in


def test_it_refuses_a_wrong_current_password(client, alice):
    sign_in(client, alice)
    response = client.post(
        "/account/password/",
        {"current_password": "not it at all", "new_password": NEW, "confirm_password": NEW},
    )
    assert "not your current password" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_it_ends_the_other_sessions_and_their_services_tokens(client, bob):
    elsewhere = sign_in(Client(), bob)
    tokens = tokens_for(elsewhere, make_service(trusted=True))
    sign_in(client, bob)
    client.post(
        "/account/password/", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    )
    assert UserSession.objects.filter(user=bob, ended_at=None).get().session_key == client.session.session_key
    assert userinfo(Client(), tokens["access_token"]).status_code == 401
    assert client.get("/account/").status_code == 200
    assert AuditEvent.objects.get(action="identity.password.changed").data == {"sessions_ended": 1}


def test_it_keeps_this_session_listed_and_able_to_sign_in_to_services(client, bob):
    sign_in(client, bob)
    client.post(
        "/account/password/", {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    )
    [row] = client.get("/account/sessions/").context["rows"]
    assert row.current
    code, _request = get_code(client, make_service(trusted=True))
    assert code


def test_a_password_only_session_on_an_account_with_an_app_is_asked_for_it(client, bob):
    sign_in(client, bob, methods=("pwd",))
    data = {"current_password": PASSWORD, "new_password": "x" * 20, "confirm_password": "x" * 20}
    response = client.post("/account/password/", data, follow=True)
    assert response.redirect_chain == [("/login/method/?reverify=1", 302), ("/login/app/", 302)]
    assert "To change your account, verify with your second factor." in response.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_after_panic_it_needs_the_mailbox(client, bob, django_capture_on_commit_callbacks):
    sign_in(client, bob, methods=("pwd",))
    client.post("/account/panic/")
    sign_in(client, bob, methods=("pwd",))
    data = {"current_password": PASSWORD, "new_password": "x" * 20, "confirm_password": "x" * 20}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/", data)
    assert "Open it to continue changing your password." in response.content.decode()
    assert mail.outbox[-1].to == [bob.email]
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
