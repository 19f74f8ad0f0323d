"""A stolen password alone cannot take an account that has, or had, a second factor (CPMS issue 7).

The attack as it was done: on bob's account (an authenticator app) a session signed in with the
password alone pressed PANIC, signed in again with the password, then changed the password and
deleted the account; the same session had turned off the security e-mails.
"""

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cpms.identity.models import EmailLink, RecoveryCode, TotpDevice, User
from cpms.test import PASSWORD, add_authenticator, last_email_to, link_in, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a thief's brand new passphrase"
SECOND_FACTOR_TEXT = "To change your account, verify with your second factor."
PANIC_TEXT = "Lost it? Use “Delete all my devices (PANIC)” under My Account."
SETUP_SUBJECT = "Confirm it is you who sets up a new CPMS Login device"

# Each change to the account: (URL name, what the attacker posts, what the refusal page says next).
CHANGES = {
    "password": (
        "identity:change-password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        "Open it to continue changing your password.",
    ),
    "email": ("identity:change-email", {"email": "thief@example.com"}, "continue changing your e-mail"),
    "security e-mails": (
        "identity:configure-account",
        {
            "email_language": "de",
            "preferred_method": "",
            "time_zone": "Europe/Brussels",
        },  # the box unticked: no security e-mails
        "Open it to continue changing your account.",
    ),
    "delete": ("identity:delete-account", {"confirm": "on"}, "Open it to continue deleting your account."),
    "add an app": (
        "identity:mobile-device-add",
        {"action": "start", "name": "Thief's phone"},
        "Open it to continue setting up a new device.",
    ),
    "add a phone": (
        "identity:phone-number-add",
        {"country": "FR", "number": "0698765432"},
        "Open it to continue setting up a new device.",
    ),
    "recovery codes": ("identity:recovery-codes", {}, "Open it to continue changing your account."),
}


def sign_in_with_password_alone(client: Client, user: User) -> Client:
    """The attacker's first step. Through the sign-in pages, the password alone now signs in only an
    account without a second factor; for one with a factor, the session the attack started from
    (verified by the password alone) is made directly, as the old sign-in pages left it."""
    client.post(reverse("identity:login"), {"identifier": user.email})
    response = client.post(reverse("identity:signin-password"), {"password": PASSWORD})
    if response.url == reverse("identity:my-account"):
        return client
    assert response.url == reverse("identity:signin-totp")  # the pages ask for the second factor
    return sign_in(client, user, methods=("pwd",))


def page_text(response) -> str:
    return response.content.decode()


def assert_account_unchanged(bob: User) -> None:
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    assert bob.email == "bob@example.org"
    assert bob.security_emails is True
    assert not EmailLink.objects.filter(user=bob, purpose=EmailLink.Purpose.CHANGE_EMAIL).exists()
    assert not TotpDevice.objects.filter(user=bob, name="Thief's phone").exists()
    assert not bob.phone_numbers.exists()
    assert not RecoveryCode.objects.filter(user=bob).exists()


@pytest.fixture
def thief(bob) -> Client:
    return sign_in_with_password_alone(Client(), bob)


@pytest.mark.parametrize("change", CHANGES)
def test_a_password_only_session_is_sent_to_its_second_factor(thief, bob, change):
    url_name, data, _ = CHANGES[change]
    response = thief.post(reverse(url_name), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("identity:signin-totp")
    page = page_text(response)
    assert SECOND_FACTOR_TEXT in page and PANIC_TEXT in page
    assert User.objects.filter(pk=bob.pk).exists()
    assert_account_unchanged(bob)


def test_the_panic_take_over_fails(thief, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = thief.post(reverse("identity:panic"))  # PANIC itself works with a password alone
    assert response.status_code == 302 and response.url == reverse("identity:login")
    assert not TotpDevice.objects.filter(user=bob).exists()
    sign_in_with_password_alone(thief, bob)
    mail.outbox.clear()

    for change, (url_name, data, next_step) in CHANGES.items():
        with django_capture_on_commit_callbacks(execute=True):
            response = thief.post(reverse(url_name), data)
        assert response.status_code == 200, change
        assert "identity/mailbox_proof.html" in [t.name for t in response.templates], change
        page = page_text(response)
        assert "we sent a link to <strong>bob@example.org</strong>" in page, change
        assert next_step in page, change
        assert User.objects.filter(pk=bob.pk).exists(), change
        assert_account_unchanged(bob)
    # One link, to bob's own mailbox; nothing else was sent anywhere.
    assert [(m.to, m.subject) for m in mail.outbox] == [([bob.email], SETUP_SUBJECT)]


def test_the_owner_manages_the_account_again_once_the_mailbox_is_proven(
    client, bob, django_capture_on_commit_callbacks
):
    sign_in_with_password_alone(client, bob)
    client.post(reverse("identity:panic"))
    sign_in_with_password_alone(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identity:change-password"))
    client.post(link_in(last_email_to(bob.email)))  # the owner opens the link in the mailbox
    data = CHANGES["password"][1]
    response = client.post(reverse("identity:change-password"), data)
    assert response.status_code == 302 and response.url == reverse("identity:my-account")
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assert not bob.had_second_factor and bob.factors_reset_at is None


def test_removing_the_last_factor_also_needs_the_mailbox_afterwards(
    client, bob, django_capture_on_commit_callbacks
):
    device = TotpDevice.objects.get(user=bob)
    sign_in(client, bob)  # password and authenticator app
    client.post(reverse("identity:mobile-device-remove", args=[device.pk]))
    assert not TotpDevice.objects.filter(user=bob).exists()
    sign_in_with_password_alone(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("identity:delete-account"), {"confirm": "on"})
    page = page_text(response)
    assert "since your account no longer has a second factor" in page
    assert "Open it to continue deleting your account." in page
    assert User.objects.filter(pk=bob.pk).exists()


def test_a_new_password_through_the_e_mailed_link_also_proves_the_mailbox(
    client, bob, django_capture_on_commit_callbacks
):
    TotpDevice.objects.filter(user=bob).delete()
    User.objects.filter(pk=bob.pk).update(had_second_factor=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identity:password-link-request"), {"email": bob.email})
    link = link_in(last_email_to(bob.email))
    client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD) and not bob.had_second_factor


def test_a_session_with_both_factors_changes_the_account(client, bob):
    sign_in(client, bob)
    response = client.post(reverse("identity:configure-account"), CHANGES["security e-mails"][1])
    assert response.status_code == 302 and response.url == reverse("identity:my-account")
    bob.refresh_from_db()
    assert bob.security_emails is False


def test_adding_a_factor_is_remembered(client, alice):
    assert not alice.had_second_factor
    sign_in(client, alice, methods=("pwd",))
    client.post(reverse("identity:mobile-device-add"), {"action": "start", "name": "Phone"})
    device = TotpDevice.objects.get(user=alice)
    client.post(reverse("identity:mobile-device-add"), {"code": pyotp.TOTP(device.secret).now()})
    alice.refresh_from_db()
    assert TotpDevice.objects.get(user=alice).confirmed and alice.had_second_factor


class TestAnAccountThatNeverHadASecondFactor:
    """alice has her password only, and never had more: she manages her account with it."""

    @pytest.fixture
    def session(self, alice) -> Client:
        return sign_in_with_password_alone(Client(), alice)

    def test_it_changes_the_password(self, session, alice):
        response = session.post(reverse("identity:change-password"), CHANGES["password"][1])
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.check_password(NEW_PASSWORD)

    def test_it_changes_the_e_mail(self, session, alice):
        response = session.post(reverse("identity:change-email"), {"email": "alice@new.example.org"})
        assert "identity/change_email_sent.html" in [t.name for t in response.templates]

    def test_it_turns_off_the_security_e_mails(self, session, alice):
        response = session.post(
            reverse("identity:configure-account"), {"email_language": "en", "time_zone": "Europe/Brussels"}
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.security_emails is False

    def test_it_adds_a_device(self, session, alice):
        session.post(reverse("identity:mobile-device-add"), {"action": "start", "name": "Phone"})
        assert TotpDevice.objects.filter(user=alice, name="Phone").exists()

    def test_it_deletes_the_account(self, session, alice):
        response = session.post(reverse("identity:delete-account"), {"confirm": "on"})
        assert "identity/account_deleted.html" in [t.name for t in response.templates]
        assert not User.objects.filter(pk=alice.pk).exists()


def test_an_app_added_outside_the_actions_still_counts(client):
    """An app added outside the actions (an administrator, these fixtures) still counts."""
    carol = User.objects.create_user(username="ncarol04", email="carol@example.org", password=PASSWORD)
    add_authenticator(carol)
    sign_in_with_password_alone(client, carol)
    response = client.post(reverse("identity:delete-account"), {"confirm": "on"})
    assert response.url == reverse("identity:signin-method") + "?reverify=1"
    assert User.objects.filter(pk=carol.pk).exists()
