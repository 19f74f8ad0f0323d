"""The image viewer in a browser: a stored 40-slice study opened by a panel member, scrolled, zoomed,
rotated, windowed, measured and annotated; a second member opens it and sees the annotation; a
non-member gets 404 at the viewer and at the image endpoint.

State is read from what the page exposes: each viewport's data attributes (data-slice, data-zoom,
data-rotation, data-window, data-preset), the viewer's (data-unsaved, data-annotations, data-drawn)
and the annotations list. axe-core checks the page.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from cpms.imaging.models import Annotation
from cpms.imaging.tests.factories import make_stored_study, store_in
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .conftest import accessibility_violations

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
    for step in range(1, 9):
        x = start[0] + (end[0] - start[0]) * step / 8
        y = start[1] + (end[1] - start[1]) * step / 8
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    page.mouse.up()


def test_it_reads_measures_annotates_and_shares_a_study(open_as):
    world = make_panel_world()
    study = make_stored_study(world.patient, slices=40, series=2, panels=[world.panel])
    page = open_as(world.expert)
    page.goto(f"/cpms/panels/{world.panel.pk}/images/")
    page.get_by_role("link", name=study.description).click()
    viewer = page.locator("#cpms-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    first = page.locator("[data-viewport]").first
    expect(first).to_have_attribute("data-rendered", "true")
    expect(first).to_have_attribute("data-slice", "1")
    assert accessibility_violations(page) == []

    # Scroll: keys to slice 20 (the image is in the tab order), the wheel one further, the slider back.
    assert first.get_attribute("tabindex") == "0"
    first.focus()
    for _ in range(19):
        first.press("ArrowDown")
    expect(first).to_have_attribute("data-slice", "20")
    box = first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 120)
    expect(first).to_have_attribute("data-slice", "21")
    page.get_by_label("Image", exact=True).first.press("ArrowLeft")
    expect(first).to_have_attribute("data-slice", "20")
    expect(page.locator("[data-position]").first).to_have_text("20 / 40")

    zoom = float(first.get_attribute("data-zoom"))
    page.get_by_role("button", name="Zoom in").click()
    expect(first).not_to_have_attribute("data-zoom", f"{zoom:.2f}")
    assert float(first.get_attribute("data-zoom")) == pytest.approx(zoom * 1.25, rel=0.02)
    first.press("-")  # the keyboard zooms too: back to where the button started
    expect(first).to_have_attribute("data-zoom", f"{zoom:.2f}")
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Rotate right").click()
    expect(first).to_have_attribute("data-rotation", "90")
    page.get_by_role("button", name="Flip horizontally").click()
    expect(first).to_have_attribute("data-flip-h", "true")
    page.get_by_role("button", name="Flip horizontally").click()
    expect(first).to_have_attribute("data-flip-h", "false")
    page.get_by_label("Window preset").select_option(label="Brain")
    expect(first).to_have_attribute("data-preset", "brain")
    expect(first).to_have_attribute("data-window", "80/40")

    # A length measurement, then an arrow with its text, drawn with the mouse on the canvas.
    page.get_by_role("button", name="Length").click()
    expect(page.get_by_role("button", name="Length")).to_have_attribute("aria-pressed", "true")
    drag(page, first, (0.35, 0.4), (0.6, 0.55))
    expect(viewer).to_have_attribute("data-unsaved", "1")
    page.get_by_label("Text of the next arrow").fill("Lesion here")
    page.get_by_role("button", name="Arrow", exact=True).click()
    drag(page, first, (0.3, 0.7), (0.45, 0.6))
    expect(viewer).to_have_attribute("data-unsaved", "2")
    # An angle: drag its first arm, then click its third point.
    page.get_by_role("button", name="Angle").click()
    drag(page, first, (0.55, 0.3), (0.7, 0.35))
    box = first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.65, box["y"] + box["height"] * 0.5)
    expect(viewer).to_have_attribute("data-unsaved", "3")
    expect(first).to_have_attribute("data-slice", "20")
    page.get_by_role("button", name="Save annotations").click()
    expect(viewer).to_have_attribute("data-unsaved", "0")
    expect(page.locator("#viewer-annotations li")).to_have_count(3)
    slice_20 = study.series.get(number=1).instances.order_by("slice_position")[19]
    saved = {a.tool: a for a in Annotation.objects.filter(study=study)}
    assert set(saved) == {"length", "arrow", "angle"}
    assert len(saved["angle"].data["points"]) == 3
    assert {a.sop_uid for a in saved.values()} == {slice_20.sop_uid}
    assert saved["arrow"].text == "Lesion here" and saved["arrow"].author == world.expert
    (x0, y0), (x1, y1) = saved["length"].data["points"]
    assert min(x0, y0, x1, y1) >= 0 and max(x0, y0, x1, y1) <= 128 and abs(x1 - x0) + abs(y1 - y0) > 5

    # Two series side by side, then Reset.
    page.get_by_role("button", name="Two side by side").click()
    second = page.locator("[data-viewport]").nth(1)
    expect(second).to_have_attribute("data-rendered", "true")
    page.get_by_role("button", name="One series").click()
    page.get_by_role("button", name="Reset").click()
    expect(first).to_have_attribute("data-rotation", "0")
    expect(first).to_have_attribute("data-preset", "")
    page.mouse.move(0, 0)  # off the buttons: axe judges their resting colours
    assert accessibility_violations(page) == []
    assert page.errors == []

    # Another member of the panel sees the annotations, drawn, with their author; cannot delete them.
    other = open_as(world.guest_member)
    other.goto(f"/cpms/studies/{study.pk}/viewer/")
    other_viewer = other.locator("#cpms-viewer")
    expect(other_viewer).to_have_attribute("data-drawn", "3")
    row = other.locator("#viewer-annotations li", has_text="Lesion here")
    expect(row).to_contain_text("Erik Larsen")
    expect(row.get_by_role("button", name="Delete")).to_have_count(0)
    assert other.errors == []

    # The author, back on the study: their annotations drawn again, unchanged, theirs to delete.
    page.reload()
    expect(viewer).to_have_attribute("data-drawn", "3")
    expect(page.locator("canvas[data-thumbnail][data-loaded]")).to_have_count(2)
    assert viewer.get_attribute("data-unsaved") == "0"
    page.locator("#viewer-annotations li", has_text="Length").get_by_role("button", name="Delete").click()
    expect(page.locator("#viewer-annotations li")).to_have_count(2)
    kept = Annotation.objects.filter(study=study, deleted_at=None)
    assert set(kept.values_list("tool", flat=True)) == {"arrow", "angle"}

    # Someone of another centre, not on the panel: 404 at the viewer and at the image endpoint.
    outsider = open_as(world.other_centre)
    assert outsider.goto(f"/cpms/studies/{study.pk}/viewer/").status == 404
    assert outsider.request.get(f"/cpms/studies/{study.pk}/instances/{slice_20.pk}/").status == 404


def test_it_says_so_when_the_browser_cannot_run_webassembly(open_as):
    world = make_panel_world()
    study = make_stored_study(world.patient, slices=3, panels=[world.panel], size=32)
    page = open_as(world.expert)
    page.add_init_script("delete window.WebAssembly")
    page.goto(f"/cpms/studies/{study.pk}/viewer/")
    expect(page.locator("#cpms-viewer")).to_have_attribute("data-state", "failed")
    expect(page.get_by_role("alert")).to_contain_text("cannot run WebAssembly")
    # On a phone the toolbar wraps: the page is no wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
