"""The KPI page in a browser, as ERN-RND's coordinator: the charts are drawn (Chart.js under the
strict CSP), each beside its table, axe-core finds nothing on a desktop and on a phone; then an
activity report is asked for and followed until its download link appears."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from cpms.panels.tests.factories import make_panel_world
from cpms.reports.tests.helpers import build_activity
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("monthly", "time-to-outcome", "centres", "countries", "areas")


@pytest.fixture
def coordinator_page(browser, site, settings):
    settings.SITE_URL = site
    world = make_panel_world()
    build_activity(world)
    context = browser.new_context(base_url=site, locale="en-GB")
    cookie = sign_in(Client(), world.triager).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield world, page, errors
    context.close()


def test_the_kpi_page_draws_its_charts_beside_their_tables(coordinator_page):
    world, page, errors = coordinator_page
    page.goto("/cpms/")
    page.get_by_role("navigation", name="CPMS").get_by_role("link", name="Reports").click()
    expect(
        page.get_by_role("heading", name="ERN-RND - Neurological Diseases: reports", level=1)
    ).to_be_visible()
    page.get_by_label("From (month)").fill("2025-01")
    page.get_by_label("To (month)").fill("2025-12")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="From January 2025 to December 2025")).to_be_visible()
    for slug in CHARTS:
        canvas = page.locator(f'canvas[data-chart="chart-{slug}-data"]')
        expect(canvas).to_have_attribute("data-chart-ready", re.compile(r"^[1-9]\d*$"))  # drawn
        expect(page.locator(f"#chart-{slug}-table caption")).to_be_visible()
    assert page.locator("canvas[data-chart-ready]").count() == len(CHARTS)
    monthly = page.get_by_role("table", name="Panels requested, opened and closed per month")
    expect(monthly.get_by_role("row", name="2025-03")).to_contain_text("2")
    expect(page.get_by_role("table", name="ORPHA codes", exact=False)).to_contain_text(
        "ORPHA:558 Marfan syndrome"
    )
    assert not [error for error in errors if "Content Security Policy" in error or "Refused" in error]
    assert accessibility_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert accessibility_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Make the report").click()
    expect(page.get_by_role("heading", name="Activity report", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Download cpms-activity-2025-01-2025-12.csv")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Ready")
    assert accessibility_violations(page) == []
