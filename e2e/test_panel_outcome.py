"""The end of a panel in a real browser: the lead drafts and submits the outcome, a member signs it, the
requester downloads the letter and reads its text, the panel closes and is archived; axe-core finds
nothing serious on any of these pages."""

import io

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from cpms.panels.models import PanelStatus
from cpms.panels.tests.factories import make_panel_world
from cpms.panels.tests.outcome_helpers import contribute, sign, store_in
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, site, user) -> None:
    client = sign_in(Client(), user)
    page.context.clear_cookies()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


def assert_accessible(page):
    assert accessibility_violations(page) == []


def test_an_outcome_is_drafted_signed_downloaded_and_the_panel_closed(page, site, settings, tmp_path):
    store_in(settings, tmp_path)
    world = make_panel_world()
    panel = world.panel
    contribute(panel, world.expert, world.guest_member)

    as_user(page, site, world.enrolling)
    page.goto(f"/cpms/panels/{panel.pk}/outcome/")
    assert_accessible(page)
    page.get_by_label("Findings").fill("Cerebellar ataxia with a slow course.")
    page.get_by_label("Recommendations").fill("Test the SCA repeats.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Version 1 of the outcome saved.")).to_be_visible()
    page.get_by_label("Recommendations").fill("Test the SCA repeats, then an exome.")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_role("link", name="What changed in version 2").click()
    expect(page.locator("ins")).to_contain_text("exome")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Submit version 2 for signature").click()
    expect(page.get_by_text("Version 2 was sent to the members for signature.")).to_be_visible()

    as_user(page, site, world.expert)
    page.goto(f"/cpms/panels/{panel.pk}/outcome/")
    assert_accessible(page)
    page.get_by_label("Signed", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("You signed the outcome.")).to_be_visible()
    sign(panel, world.guest_member)

    as_user(page, site, world.enrolling)
    page.goto(f"/cpms/panels/{panel.pk}/outcome/")
    page.get_by_label("Signed", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the outcome letter (PDF)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert world.patient.pseudonym in text and "Test the SCA repeats, then an exome." in text
    assert "Erik Larsen" in text and "Mathilde" not in text

    page.get_by_role("link", name="Close the panel").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close the panel").click()
    expect(page.get_by_text("The panel is closed.")).to_be_visible()
    page.get_by_role("link", name="Archive the panel").click()
    assert_accessible(page)
    page.get_by_role("button", name="Archive the panel").click()
    expect(page.get_by_text("The panel is archived.")).to_be_visible()
    panel.refresh_from_db()
    assert panel.status == PanelStatus.ARCHIVED
