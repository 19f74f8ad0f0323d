"""The shared layout in a real browser: readable on a phone, messages as written, visible controls, the
design system's error summary, tables and side navigation."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cpms.access.tests.factories import make_grant, make_tree
from cpms.clinical.tests.factories import complete_profile
from cpms.outbox.models import OutboxMessage
from cpms.test import PASSWORD, add_authenticator, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.drawing, pytest.mark.django_db(transaction=True)]

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


def test_it_puts_the_focus_on_the_error_summary_and_its_links_on_the_fields(page):
    page.goto("/account/create/")
    page.get_by_role("button", name="Create an account").click()
    summary = page.locator(".cpms-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Create an account"))
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link", name=re.compile("^First name")).click()
    expect(page.get_by_label("First name")).to_be_focused()


def test_it_turns_the_rows_of_a_table_into_cards_on_a_phone(phone):
    phone.goto("/styleguide/")
    row = phone.locator("#tables ~ .table-responsive tbody tr").first
    action = row.get_by_role("link", name=re.compile("^Open"))
    action.scroll_into_view_if_needed()
    expect(action).to_be_in_viewport()
    box = action.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert row.evaluate("row => getComputedStyle(row).display") == "block"
    assert horizontal_overflow(phone) == 0


def test_it_folds_the_cpms_side_navigation_into_a_menu_on_a_phone(phone, site):
    user = make_user("nphone02", "ida@example.org", "Ida", "Berg")
    add_authenticator(user)
    make_grant(user, make_tree().hcp)
    complete_profile(user)
    cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    phone.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    phone.goto("/cpms/")
    preferences = phone.locator("#cpms-sidenav").get_by_role("link", name="ERN Preferences")
    expect(preferences).to_be_hidden()
    phone.get_by_role("button", name="CPMS menu").click()
    expect(preferences).to_be_visible()
    assert horizontal_overflow(phone) == 0


def test_it_checks_the_type_of_a_file_before_sending_it(page):
    page.goto("/styleguide/")
    page.get_by_label("Signed consent form").set_input_files(
        files=[{"name": "notes.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}]
    )
    expect(page.get_by_text("notes.exe is not a type of file accepted here.")).to_be_visible()
    expect(page.get_by_label("Signed consent form")).to_have_attribute("aria-invalid", "true")


def test_it_shows_progress_on_a_slow_button_and_cannot_be_pressed_twice(page):
    page.goto("/styleguide/")
    # The slow work: a submit that never ends (the page stays, as while a server works).
    hold = "form => form.addEventListener('submit', event => event.preventDefault())"
    page.locator("#progress-sample").evaluate(hold)
    page.get_by_role("button", name="Export").click()
    expect(page.locator("#progress-sample button")).to_be_disabled()
    expect(page.locator("#progress-sample button")).to_contain_text("Exporting…")
    expect(page.locator("#progress-sample .spinner-border")).to_be_visible()
    expect(page.locator("#progress-sample [role=status]")).to_have_text("Exporting…")  # heard, not only seen
