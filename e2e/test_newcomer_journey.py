"""Seed Step 1 in a real browser: create an account, set it up with two factors, manage sessions, PANIC."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from cpms.identity.models import PhoneNumber, SecurityKey, TotpDevice, User
from cpms.outbox.models import OutboxMessage

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.seed, pytest.mark.django_db(transaction=True)]
PASSWORD = "Lanterns drift over Tubingen"


@pytest.fixture(autouse=True)
def outbox_backends(settings):
    settings.EMAIL_BACKEND = "cpms.outbox.backends.OutboxEmailBackend"
    settings.SMS_BACKEND = "cpms.outbox.backends.OutboxSmsBackend"


def assert_accessible(page):
    assert accessibility_violations(page) == []


def create_account(page):
    page.goto("/account/create/")
    assert_accessible(page)
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Keller")
    page.get_by_label("E-mail", exact=True).fill("nora.keller@example.org")
    page.get_by_label("Confirm e-mail").fill("nora.keller@example.org")
    page.get_by_label("E-mail language").select_option("en")
    page.get_by_label(re.compile("you acknowledge")).check()
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()


def set_password_from_the_outbox(page):
    page.get_by_role("link", name="Open the outbox").click()
    assert_accessible(page)
    page.locator("a[href*='/password/new/']").first.click()
    expect(page.get_by_role("heading", name="New password")).to_be_visible()
    username = User.objects.get(email="nora.keller@example.org").username
    expect(page.get_by_test_id("username")).to_have_text(username)
    expect(page.get_by_text("(External)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm new password").fill(PASSWORD)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your password is set")).to_be_visible()


def sign_in(page, method: str | None = None, second_step=None):
    """E-mail address, then password, then (for an account with a second factor) that factor:
    the preferred one comes first; `method` is chosen under "Choose another verification method"."""
    page.goto("/login/")
    page.get_by_label("Use your e-mail address or username").fill("nora.keller@example.org")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    if method:
        page.get_by_role("link", name="Choose another verification method").click()
        expect(page.get_by_text("Choose your verification method")).to_be_visible()
        page.get_by_label(method).check()
        page.get_by_role("button", name="Next").click()
    if second_step:
        second_step(page)
    expect(page.get_by_role("heading", name="My Account", exact=True)).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def add_authenticator_app(page) -> str:
    page.get_by_role("link", name="Manage my mobile devices").click()
    page.get_by_role("link", name="Add an authenticator app").click()
    page.get_by_label("Name").fill("Work phone")
    page.get_by_role("button", name="Next").click()
    secret = page.locator("#totp-key").inner_text().replace(" ", "")
    assert_accessible(page)
    page.get_by_label("Verification code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("rowheader", name="Work phone")).to_be_visible()
    return secret


def next_totp_code(secret: str) -> str:
    # The code of the current time step was used to confirm the app and cannot be replayed.
    return pyotp.TOTP(secret).at(time.time() + 30)


def latest_sms_code() -> str:
    return re.search(r"\b(\d{6})\b", OutboxMessage.objects.filter(kind="sms").latest("id").body).group(1)


def add_phone(page):
    page.goto("/account/")
    page.get_by_role("link", name="Manage my mobile phone numbers").click()
    page.get_by_role("link", name="Add a mobile phone number").click()
    page.get_by_label("Mobile phone number").fill("+33 6 12 34 56 78")
    page.get_by_role("button", name="Send the code").click()
    page.get_by_label("Verification code").fill(latest_sms_code())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text(re.compile("Verified", re.IGNORECASE)).first).to_be_visible()


def test_a_newcomer_sets_up_two_factors_and_manages_sessions(page, browser, site):
    create_account(page)
    set_password_from_the_outbox(page)
    sign_in(page)  # password only, for now
    assert_accessible(page)

    secret = add_authenticator_app(page)
    sign_out(page)

    def app_code(page):
        page.get_by_label("Verification code").fill(next_totp_code(secret))
        page.get_by_role("button", name="Sign in").click()

    sign_in(page, second_step=app_code)  # the authenticator app comes first, without choosing
    add_phone(page)
    sign_out(page)

    def sms_code(page):
        page.get_by_label("Verification code").fill(latest_sms_code())
        page.get_by_role("button", name="Sign in").click()

    sign_in(page, "Mobile Phone + SMS", sms_code)

    other_browser = browser.new_context(base_url=site)
    other = other_browser.new_page()
    sign_in(other, "Mobile Phone + SMS", sms_code)
    page.get_by_role("link", name="Display my sessions").click()
    assert_accessible(page)
    expect(page.get_by_text("This session")).to_be_visible()
    page.get_by_role("button", name=re.compile("^End ")).first.click()
    other.goto("/account/")
    expect(other.get_by_label("Use your e-mail address or username")).to_be_visible()
    other_browser.close()

    page.goto("/account/")
    page.get_by_role("link", name="Delete all my devices (PANIC)").click()
    page.get_by_role("button", name="Delete all my devices and end all my sessions").click()
    expect(page.get_by_label("Use your e-mail address or username")).to_be_visible()
    user = User.objects.get(email="nora.keller@example.org")
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not PhoneNumber.objects.filter(user=user).exists()
    assert not SecurityKey.objects.filter(user=user).exists()
    assert OutboxMessage.objects.filter(recipient=user.email, subject__contains="Security").exists()
