"""After PANIC, the first new second factor needs proof of the mailbox (identity:confirm-setup)."""

import pytest
from django.core import mail
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.identity.models import EmailLink, PhoneNumber, TotpDevice
from cpms.identity.queries import needs_mailbox_proof
from cpms.outbox.models import OutboxMessage
from cpms.test import add_authenticator, link_in, sign_in

from .soft_authenticator import post_json

pytestmark = pytest.mark.django_db

APP_ADD = reverse("identity:mobile-device-add")
PHONE_ADD = reverse("identity:phone-number-add")
KEY_ADD = reverse("identity:security-key-add")
KEY_OPTIONS = reverse("identity:security-key-register-options")
KEY_REGISTER = reverse("identity:security-key-register")
SUBJECT = "Confirm it is you who sets up a new CPMS Login device"


@pytest.fixture
def panicked(client, bob, django_capture_on_commit_callbacks):
    """bob pressed PANIC, then signed in again with his password (all he has left)."""
    sign_in(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("identity:panic")).status_code == 302
    mail.outbox.clear()
    bob.refresh_from_db()
    assert bob.factors_reset_at is not None
    sign_in(client, bob, methods=("pwd",))
    return bob


def get(client, url, capture):
    with capture(execute=True):
        return client.get(url)


def setup_link(bob) -> str:
    message = mail.outbox[-1]
    assert message.to == [bob.email] and message.subject == SUBJECT
    return link_in(message)


@pytest.mark.parametrize("url", [APP_ADD, PHONE_ADD, KEY_ADD])
def test_it_asks_for_the_mailbox_and_sends_one_link(
    client, panicked, url, django_capture_on_commit_callbacks
):
    response = get(client, url, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "identity/mailbox_proof.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "we sent a link to <strong>bob@example.org</strong>" in page
    assert "The link works once, for 24 hours." in page
    assert len(mail.outbox) == 1
    assert setup_link(panicked).startswith("/account/devices/confirm/")
    assert get(client, url, django_capture_on_commit_callbacks).status_code == 200
    assert len(mail.outbox) == 1  # shown again: no second e-mail
    assert AuditEvent.objects.filter(action="identity.factor_setup.link_sent").count() == 1


def test_it_does_not_start_an_app_or_a_phone(client, panicked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(APP_ADD, {"action": "start", "name": "Thief's phone"})
        response = client.post(PHONE_ADD, {"country": "FR", "number": "0612345678"})
    assert "identity/mailbox_proof.html" in [t.name for t in response.templates]
    assert not TotpDevice.objects.filter(user=panicked).exists()
    assert not PhoneNumber.objects.filter(user=panicked).exists()
    assert not OutboxMessage.objects.filter(kind="sms").exists()
    assert len(mail.outbox) == 1


def test_it_answers_403_to_the_json_endpoints(client, panicked):
    for url in (KEY_OPTIONS, KEY_REGISTER):
        response = post_json(client, url, {"name": "Thief's key", "credential": {}})
        assert response.status_code == 403
        assert response.json()["error"] == "Please open the link we sent to your e-mail address first."
        assert response.json()["redirect"] == KEY_ADD
    assert "webauthn.register" not in client.session


def test_it_also_guards_the_change_of_e_mail_address(client, panicked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("identity:change-email"), {"email": "thief@example.com"})
    assert "Open it to continue changing your e-mail address." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[panicked.email]]
    assert not EmailLink.objects.filter(purpose=EmailLink.Purpose.CHANGE_EMAIL, used_at=None).exists()


def test_the_link_lifts_the_restriction(client, panicked, django_capture_on_commit_callbacks):
    get(client, APP_ADD, django_capture_on_commit_callbacks)
    link = setup_link(panicked)
    response = client.get(link)
    assert response.status_code == 200
    assert "Confirm it is you who sets up a new device" in response.content.decode()
    assert needs_mailbox_proof(panicked)  # GET changes nothing
    response = client.post(link, follow=True)
    assert response.redirect_chain == [(reverse("identity:my-account"), 302)]
    assert "You can now change your account or set up a new device." in response.content.decode()
    panicked.refresh_from_db()
    assert panicked.factors_reset_at is None
    assert AuditEvent.objects.filter(action="identity.factor_setup.confirmed", actor_id=panicked.pk).exists()
    response = get(client, APP_ADD, django_capture_on_commit_callbacks)
    assert "identity/mobile_device_add.html" in [t.name for t in response.templates]
    client.post(APP_ADD, {"action": "start", "name": "New phone"})
    assert TotpDevice.objects.filter(user=panicked, name="New phone").exists()
    assert len(mail.outbox) == 1


def test_it_refuses_a_used_link(client, panicked, django_capture_on_commit_callbacks):
    get(client, KEY_ADD, django_capture_on_commit_callbacks)
    link = setup_link(panicked)
    client.post(link)
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "This link was already used." in response.content.decode()


def test_it_refuses_an_invalid_link(client):
    response = client.post(reverse("identity:confirm-setup", args=["not-a-token"]))
    assert response.status_code == 404
    assert "This link is not valid." in response.content.decode()


def test_a_signed_out_browser_is_sent_to_sign_in(client, panicked, django_capture_on_commit_callbacks):
    get(client, PHONE_ADD, django_capture_on_commit_callbacks)
    link = setup_link(panicked)
    client.logout()
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302 and response.url == reverse("identity:login")
    panicked.refresh_from_db()
    assert not needs_mailbox_proof(panicked)


def test_send_again_replaces_the_link_up_to_five_an_hour(
    client, panicked, django_capture_on_commit_callbacks
):
    get(client, APP_ADD, django_capture_on_commit_callbacks)
    first = setup_link(panicked)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APP_ADD, {"action": "send_setup_link"}, follow=True)
    assert response.redirect_chain == [(APP_ADD, 302)]
    assert "A new link was sent." in response.content.decode()
    assert len(mail.outbox) == 2 and setup_link(panicked) != first
    assert client.get(first).status_code == 410  # replaced
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.post(APP_ADD, {"action": "send_setup_link"})
        response = client.post(APP_ADD, {"action": "send_setup_link"})
    assert len(mail.outbox) == 5
    assert response.status_code == 429
    assert "Too many links were sent." in response.content.decode()


def test_accounts_that_never_pressed_panic_are_unaffected(
    client, alice, charlie, django_capture_on_commit_callbacks
):
    sign_in(client, alice, methods=("pwd",))  # a new account, adding its first factor
    for url in (APP_ADD, PHONE_ADD, KEY_ADD):
        response = get(client, url, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        assert "identity/mailbox_proof.html" not in [t.name for t in response.templates]
    assert post_json(client, KEY_OPTIONS, {"name": "Laptop"}).status_code == 200
    sign_in(client, charlie, methods=("pwd", "sms"))
    assert "identity/mailbox_proof.html" not in [
        t.name for t in get(client, APP_ADD, django_capture_on_commit_callbacks).templates
    ]
    assert mail.outbox == []
    assert not needs_mailbox_proof(alice) and not needs_mailbox_proof(charlie)


def test_a_second_factor_set_up_since_panic_ends_the_restriction(panicked):
    assert needs_mailbox_proof(panicked)
    add_authenticator(panicked)  # e.g. set up before this change, or by an administrator
    assert not needs_mailbox_proof(panicked)


def test_anonymous_visitors_are_asked_to_sign_in(client):
    for url in (APP_ADD, PHONE_ADD, KEY_ADD):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))
