"""My meetings in a browser: the list, the month calendar by keyboard, and the calendar feed's page
(create, copy the address, renew); axe-core checks each page, on a desktop and on a phone."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from cpms.meetings.models import CalendarFeed
from cpms.meetings.tests.factories import make_meeting_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def expert_page(browser, site, settings):
    settings.SITE_URL = site
    world = make_meeting_world()
    context = browser.new_context(base_url=site, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    cookie = sign_in(Client(), world.expert).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield world, page
    context.close()


def test_my_meetings_the_month_and_the_feed(expert_page):
    world, page = expert_page
    page.goto("/cpms/")
    expect(page.get_by_role("heading", name="Your next meetings")).to_be_visible()
    page.get_by_role("link", name="Open My meetings").click()
    expect(page.get_by_role("heading", name="My meetings", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=world.meeting.title)).to_be_visible()
    assert accessibility_violations(page) == []

    page.get_by_role("link", name="Month calendar").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_count(7)
    expect(table.locator('[aria-current="date"]')).to_have_count(1)
    assert accessibility_violations(page) == []
    heading = page.get_by_role("heading", level=1).inner_text()
    next_link = page.get_by_role("link", name="Next month:")
    next_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(heading)
    page.set_viewport_size({"width": 390, "height": 844})
    assert accessibility_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/cpms/meetings/feed/")
    page.get_by_role("button", name="Create my calendar feed").click()
    expect(page.get_by_text("Your calendar feed is ready")).to_be_visible()
    address = page.get_by_label("Address to subscribe to")
    feed = CalendarFeed.objects.get(user=world.expert)
    expect(address).to_have_value(f"{page.url.split('/cpms/')[0]}/cpms/meetings/feed/{feed.token}.ics")
    page.get_by_role("button", name="Copy the address").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
    assert accessibility_violations(page) == []
    response = page.request.get(address.input_value())
    assert response.status == 200 and world.meeting.calendar_uid in response.text()
    page.get_by_role("button", name="Give it a new address").click()
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    assert page.request.get(f"/cpms/meetings/feed/{feed.token}.ics").status == 404
