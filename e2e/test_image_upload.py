"""Images: an HP of the enrolling centre sends a synthetic 40-slice MR series (made with pydicom, with
a patient name, ID, birth date and private tags) and a second series flagged burned-in, from the
patient's case; sees each file's progress (the first chunk's connection drops, and sending goes on),
the de-identification's progress, the tags before and after with the burned-in warning; masks a
region of the flagged series; confirms and shares the study with the patient's panel. axe-core
checks each page."""

import pytest
from django.core.files.storage import storages
from django.test import Client
from playwright.sync_api import expect

from cpms.imaging.models import Study, Upload
from cpms.imaging.tests.intake_helpers import mr_study
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    settings.IMAGING_INTAKE_DIR = tmp_path / "intake"
    settings.STORAGES = {
        **settings.STORAGES,
        "imaging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "store"},
        },
    }
    storages._storages.pop("imaging", None)
    yield make_panel_world()
    storages._storages.pop("imaging", None)


def test_an_hp_sends_checks_masks_and_shares_a_study(browser, site, settings, tmp_path, world):
    settings.SITE_URL = site
    context = browser.new_context(base_url=site, locale="en-GB")
    cookie = sign_in(Client(), world.enrolling).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    page.set_default_timeout(20_000)

    _, files = mr_study(slices=40, burned_in_series=True)
    folder = tmp_path / "export"
    paths = []
    for name, data in files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(str(path))

    dropped = []

    def drop_the_first_chunk(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/imaging/uploads/*/files/*/?offset=*", drop_the_first_chunk)

    page.goto(f"/cpms/patients/{world.patient.pseudonym}/case/")
    expect(page.get_by_role("region", name="Images")).to_be_visible()
    page.get_by_role("link", name="Send images").click()
    expect(page.get_by_role("heading", name=f"Send images for {world.patient.pseudonym}")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_label("DICOM files or a ZIP").set_input_files(paths)
    page.get_by_role("button", name="Send the images").click()

    # Each file has its own line and bar; the dropped connection is said, then sending goes on.
    expect(page.locator("[data-imaging-file]")).to_have_count(42)
    expect(page.get_by_text("The connection dropped: trying again…")).to_be_visible()
    expect(page.locator('[data-imaging-file][data-status="received"]').first).to_be_visible()
    assert accessibility_violations(page) == []

    # Once every file is in, the page follows the de-identification.
    page.wait_for_url("**/imaging/uploads/*/", timeout=60_000)
    expect(page.locator('[data-upload-status="done"]')).to_be_visible(timeout=60_000)
    expect(page.get_by_text("42 of 42 files done")).to_be_visible()
    assert dropped
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Check and share").click()

    # The preview: before (the centre's own patient) and after (the pseudonym), and the warning.
    expect(page.get_by_role("heading", name="Some images may show burned-in text")).to_be_visible()
    first = page.locator("[data-series]").nth(0)
    second = page.locator("[data-series]").nth(1)
    expect(first.get_by_role("heading")).to_contain_text("40 images")
    expect(first.locator("[data-burned-in-warning]")).to_have_count(0)
    row = first.get_by_role("row", name="PatientName")
    expect(row.locator("[data-before]")).to_have_text("GRÜNWALD^MATHILDE")
    expect(row.locator("[data-after]")).to_have_text(world.patient.pseudonym)
    expect(first.get_by_role("row", name="PatientBirthDate").locator("[data-after]")).to_have_text("—")
    expect(second.locator("[data-burned-in-warning]")).to_contain_text(
        "the file says it has burned-in annotation"
    )
    assert accessibility_violations(page) == []

    # Mask a region of the flagged series, then confirm and share with the patient's panel.
    second.get_by_text("Mask a region of every image of this series").click()
    second.get_by_label("From the left (pixels)").fill("0")
    second.get_by_label("From the top (pixels)").fill("0")
    second.get_by_label("Width (pixels)").fill("64")
    second.get_by_label("Height (pixels)").fill("16")
    second.get_by_role("button", name="Blank this region").click()
    expect(page.get_by_text("The region is blanked in every image of the series.")).to_be_visible()
    expect(page.locator("[data-series]").nth(1)).to_contain_text("0,0 64×16")
    page.get_by_label(world.panel.reference).check()
    page.get_by_label("I checked the tags after de-identification").check()
    page.get_by_role("button", name="Confirm and share").click()
    expect(page.get_by_text("The study is ready and shared with the panels you chose.")).to_be_visible()
    expect(page.locator("[data-confirmed]")).to_contain_text(world.panel.reference)
    expect(page.get_by_text("GRÜNWALD^MATHILDE")).to_have_count(0)  # the tags before are gone
    assert accessibility_violations(page) == []

    # The study sent opens in the viewer (e2e/test_image_viewer.py goes through every tool).
    page.get_by_role("link", name="Open in the viewer").click()
    expect(page.locator("#cpms-viewer")).to_have_attribute("data-state", "ready")
    first = page.locator("[data-viewport]").first
    expect(first).to_have_attribute("data-rendered", "true")
    first.focus()
    for _ in range(19):
        first.press("ArrowDown")
    expect(first).to_have_attribute("data-slice", "20")

    study = Study.objects.of_patients([world.patient.pk]).get()
    assert study.status == Study.Status.READY and study.instance_count == 42
    assert list(study.panels.all()) == [world.panel]
    context.close()


def test_a_reload_mid_upload_resumes_where_it_stopped(browser, site, settings, tmp_path, world):
    settings.SITE_URL = site
    context = browser.new_context(base_url=site, locale="en-GB")
    cookie = sign_in(Client(), world.enrolling).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    _, files = mr_study(slices=8, burned_in_series=False)
    paths = []
    for name, data in files:
        path = tmp_path / "export" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(str(path))

    sent = []

    def only_four_files(route):
        path = route.request.url.split("?")[0]
        if path in sent or len(sent) < 4:
            if path not in sent:
                sent.append(path)
            route.continue_()
        else:
            route.abort("connectionreset")  # the network goes away after four files

    page.route("**/imaging/uploads/*/files/*/?offset=*", only_four_files)
    page.goto(f"/cpms/imaging/patients/{world.patient.pseudonym}/upload/")
    page.get_by_label("DICOM files or a ZIP").set_input_files(paths)
    page.get_by_role("button", name="Send the images").click()
    expect(page.locator('[data-imaging-file][data-status="received"]')).to_have_count(4)
    expect(page.get_by_text("The connection dropped: trying again…")).to_be_visible()

    page.reload()  # the page is gone (and its retries with it); what the server received is not
    page.unroute("**/imaging/uploads/*/files/*/?offset=*")
    expect(page.get_by_text("An earlier upload was interrupted.")).to_be_visible()
    again = []
    page.route(
        "**/imaging/uploads/*/files/*/?offset=*",
        lambda route: (again.append(route.request.url), route.continue_()),
    )
    page.get_by_label("DICOM files or a ZIP").set_input_files(paths)
    page.get_by_role("button", name="Send the images").click()
    page.wait_for_url("**/imaging/uploads/*/", timeout=60_000)
    expect(page.get_by_text("8 of 8 files done")).to_be_visible(timeout=60_000)

    assert len(again) == 4  # only the four files that had not arrived were sent again
    assert not any(url.split("?")[0] in sent for url in again)
    assert Upload.objects.count() == 1  # the same upload, resumed
    context.close()
