"""Scheduling a meeting in a browser: the panel's lead schedules a board from the panel's page, an
invitee accepts from the meeting's page, the lead sees the answer. axe-core checks each page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cpms.meetings.tests.factories import make_meeting_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, site, settings):
    """A new browser context signed in (two factors) as the given user."""
    settings.SITE_URL = site
    contexts = []

    def open_page(user):
        context = browser.new_context(base_url=site, locale="en-GB")
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_a_lead_schedules_a_board_and_an_invitee_accepts(open_as):
    world = make_meeting_world()
    lead = open_as(world.enrolling)
    lead.goto(f"/cpms/panels/{world.panel.pk}/")
    lead.get_by_role("link", name="Schedule a meeting").click()
    lead.get_by_label("Title", exact=True).fill("Ataxia board")
    day = (timezone.now() + timedelta(days=7)).date().isoformat()
    lead.get_by_label("Date").fill(day)
    lead.get_by_label("Start time").fill("15:00")
    lead.get_by_label("Time zone").select_option("Europe/Berlin")
    lead.get_by_label("Title (item 2)").fill("Any other business")
    lead.get_by_label("Slot (minutes) (item 2)").fill("10")
    lead.get_by_label("Position (item 2)").fill("2")
    assert accessibility_violations(lead) == []
    lead.get_by_role("button", name="Schedule and send the invitations").click()
    expect(lead.get_by_text("The meeting is scheduled")).to_be_visible()
    expect(lead.get_by_role("heading", name="Ataxia board")).to_be_visible()
    assert accessibility_violations(lead) == []
    meeting_url = lead.url

    expert = open_as(world.expert)
    expert.goto(meeting_url)
    expect(expert.get_by_role("cell", name="15:20")).to_be_visible()  # the second slot's start
    assert accessibility_violations(expert) == []
    expert.get_by_role("button", name="Accept").click()
    expect(expert.get_by_text("Your answer is saved.")).to_be_visible()

    lead.reload()
    row = lead.get_by_role("row").filter(has_text="Erik Larsen")
    expect(row.get_by_role("cell", name="Accepted")).to_be_visible()
