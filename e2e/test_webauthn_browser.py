"""Security keys in a real browser: Chromium's virtual authenticator (CDP) against the live server."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from cpms.identity.models import SecurityKey, UserSession
from cpms.test import PASSWORD, make_user

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_METHOD = "Security Key or Trusted Platform"


@pytest.fixture
def authenticator(page):
    """A platform authenticator with a resident-key store and user verification (like a laptop's)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.disable")


def sign_in_with_password(page, email: str) -> None:
    """The first two steps: the e-mail address, then the password (then a second factor, if any)."""
    page.goto("/login/")
    page.get_by_label("Use your e-mail address or username").fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Next").click()


def test_it_adds_a_key_and_signs_in_with_it(page, site, authenticator):
    cdp, authenticator_id = authenticator
    user = make_user("nkeys001", "dana@example.org", "Dana", "Novak")

    # Sign in with the password only, then add a key named "Laptop".
    sign_in_with_password(page, user.email)
    expect(page).to_have_url(f"{site}/account/")
    page.get_by_role("link", name="Manage my Security Keys and Trusted Platforms").click()
    expect(page.get_by_text("You have no security key or trusted platform yet.")).to_be_visible()
    page.get_by_role("link", name="Add a security key or trusted platform").click()
    expect(page).to_have_url(f"{site}/account/keys/add/")
    assert accessibility_violations(page) == []
    page.get_by_label("Name of the key").fill("Laptop")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{site}/account/keys/")
    expect(page.get_by_text("Your security key “Laptop” was added.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Laptop")).to_be_visible()

    key = SecurityKey.objects.get(user=user)
    assert key.name == "Laptop" and "internal" in key.transports
    assert any(m.to == [user.email] and "“Laptop” was added" in m.body for m in mail.outbox)
    registered_count = key.sign_count
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]

    # The account has two factors now: adding another asks this password-only session for the key first
    # (straight to the key: the session's password was verified when it signed in).
    page.get_by_role("link", name="Add a security key or trusted platform").click()
    expect(page).to_have_url(f"{site}/login/key/")
    page.get_by_role("button", name="Use my security key").click()
    expect(page).to_have_url(f"{site}/account/keys/add/")

    # The same authenticator cannot be registered twice: the page says so in its live region.
    page.get_by_label("Name of the key").fill("Laptop again")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#webauthn-status")).to_contain_text("This security key is already registered.")
    assert SecurityKey.objects.filter(user=user).count() == 1

    # A name already used is refused before the authenticator is asked.
    page.get_by_label("Name of the key").fill("laptop")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#webauthn-status")).to_contain_text("You already have a key with this name.")
    expect(page.get_by_label("Name of the key")).to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{site}/login/")

    # Sign in again: password, then the key, the account's only second factor.
    sign_in_with_password(page, user.email)
    expect(page).to_have_url(f"{site}/login/key/")
    expect(page.get_by_role("heading", name=KEY_METHOD)).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Use my security key").click()
    expect(page).to_have_url(f"{site}/account/")
    expect(page.get_by_role("heading", name="My Account", exact=True)).to_be_visible()

    key.refresh_from_db()
    assert key.sign_count > registered_count
    assert key.last_used_at is not None
    assert UserSession.objects.filter(user=user, ended_at=None).get().methods == ["pwd", "hwk"]

    # A passkey signs in from the first page, without the e-mail address or the password.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{site}/login/")
    page.get_by_role("button", name="Sign in with a security key or passkey").click()
    expect(page).to_have_url(f"{site}/account/")
    assert UserSession.objects.filter(user=user, ended_at=None).get().methods == ["hwk", "mfa"]


def test_it_explains_a_cancelled_verification(page, site, authenticator):
    cdp, authenticator_id = authenticator
    user = make_user("nkeys002", "erik@example.org", "Erik", "Berg")

    sign_in_with_password(page, user.email)
    page.goto("/account/keys/add/")
    page.get_by_label("Name of the key").fill("Laptop")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{site}/account/keys/")
    page.get_by_role("button", name="Sign out").click()

    # The key is no longer there (lost, or the user cancelled): Chrome reports NotAllowedError.
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    sign_in_with_password(page, user.email)
    page.get_by_role("button", name="Use my security key").click()
    expect(page.locator("#webauthn-status")).to_contain_text("cancelled or timed out")
    expect(page).to_have_url(f"{site}/login/key/")
    assert not UserSession.objects.filter(user=user, ended_at=None).exists()
