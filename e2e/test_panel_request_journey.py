"""Requesting a panel and its triage, in a browser: an HP at DE22 requests a panel from the patient's
case and submits it; the ERN-RND coordinator finds it in the requests for assistance and returns it
with a question; the requester answers; the coordinator accepts it; the panel's Case tab shows the
shared case. Every page is checked by axe-core."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cpms.clinical.tests.factories import make_areas
from cpms.panels.models import Panel, PanelStatus
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, site, user):
    page.context.clear_cookies()
    cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


def assert_accessible(page):
    assert accessibility_violations(page) == []


def test_a_request_goes_from_the_case_to_an_open_panel(page, site):
    world = make_panel_world()
    make_areas(world.rnd.ern)
    pseudonym = world.patient.pseudonym

    as_user(page, site, world.enrolling)
    page.goto(f"/cpms/patients/{pseudonym}/case/")
    page.get_by_role("link", name="Request a panel").click()
    page.get_by_label("Thematic area").select_option(label="Frontotemporal dementia")
    page.get_by_label("Question to the panel").fill("Would you test C9orf72 repeats first?")
    page.get_by_label("Urgent").check()
    page.get_by_label("Phenotype").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit the request").click()
    expect(page.get_by_text("Request submitted")).to_be_visible()
    panel = Panel.objects.unscoped().exclude(pk=world.panel.pk).get()

    as_user(page, site, world.triager)
    page.goto("/cpms/panels/requests/")
    expect(page.get_by_role("cell", name=pseudonym)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Triage {panel.reference}").click()
    assert_accessible(page)
    page.get_by_label("Your question to the requester").fill("Is there a family history?")
    page.get_by_role("button", name="Return with this question").click()
    expect(page.get_by_text("Request returned to the requester")).to_be_visible()

    as_user(page, site, world.enrolling)
    page.goto(f"/cpms/panels/{panel.pk}/")
    expect(page.get_by_text("Is there a family history?")).to_be_visible()
    page.get_by_role("link", name="Answer and submit again").click()
    assert_accessible(page)
    page.get_by_label("Your answer").fill("Her father had early dementia.")
    page.get_by_role("button", name="Send the answer and submit again").click()
    expect(page.get_by_text("Answer sent")).to_be_visible()

    as_user(page, site, world.triager)
    page.goto(f"/cpms/panels/{panel.pk}/triage/")
    page.get_by_role("button", name="Accept the request").click()
    expect(page.get_by_text("Request accepted")).to_be_visible()
    panel.refresh_from_db()
    assert panel.status == PanelStatus.OPEN and panel.lead == world.enrolling

    page.goto(f"/cpms/panels/{panel.pk}/case/")
    expect(page.get_by_text("No case recorded yet")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/cpms/panels/{panel.pk}/")
    expect(page.get_by_text("Her father had early dementia.")).to_be_visible()
    assert_accessible(page)
