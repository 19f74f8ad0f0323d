"""The shared layout in a real browser: readable on a phone, messages as written, visible controls."""

import pytest
from playwright.sync_api import expect

from cpms.outbox.models import OutboxMessage
from cpms.test import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, site, settings):
    settings.SITE_URL = site
    context = browser.new_context(
        base_url=site, locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_it_keeps_the_line_breaks_of_an_email_in_the_outbox(page):
    OutboxMessage.objects.create(
        kind="email", recipient="nora@example.org", subject="Hello", body="Dear Nora,\n\nYour code is ready."
    )
    page.goto("/outbox/")
    expect(page.locator("article pre")).to_be_visible()
    assert "Dear Nora,\n\nYour code" in page.locator("article pre").inner_text()


def test_it_fits_a_phone_screen_with_the_header_inside_the_margins(phone):
    make_user("nphone01", "dana@example.org", "Dana", "Novak")
    phone.goto("/login/")
    phone.get_by_label("Use your e-mail address or username").fill("dana@example.org")
    phone.get_by_role("button", name="Next").click()
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_role("heading", name="My Account", exact=True)).to_be_visible()

    phone.goto("/account/sessions/")  # a table wider than the phone, with a visually hidden header
    expect(phone.get_by_text("This session")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    brand = phone.locator(".navbar-brand").bounding_box()
    heading = phone.get_by_role("heading", name="My sessions").bounding_box()
    assert brand["x"] == heading["x"] > 0


def test_it_draws_checkboxes_that_can_be_seen(phone):
    phone.goto("/account/create/")
    checkbox = phone.get_by_role("checkbox")
    border = checkbox.evaluate("element => getComputedStyle(element).borderTopColor")
    assert border == "rgb(108, 117, 125)"  # 4.7:1 against white; Bootstrap's default is a faint 25% black
