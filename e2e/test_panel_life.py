"""The panels issue's whole life in a browser, each person in their own browser context.

An HP at DE22 requests a panel for an enrolled patient; the ERN-RND coordinator accepts it; the lead
invites an expert of another centre and a guest; both accept and contribute; the guest asks for more
information and the requester answers; the lead drafts the outcome, all sign, the panel closes; the
requester downloads the outcome letter and the test reads its text. axe-core checks each page.
"""

import io

import pytest
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from cpms.clinical.tests.factories import make_areas
from cpms.panels.models import Panel, PanelStatus
from cpms.panels.tests.factories import make_panel_world
from cpms.panels.tests.outcome_helpers import store_in
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, site, settings, tmp_path):
    """A new browser context signed in (two factors) as the given user."""
    settings.SITE_URL = site
    store_in(settings, tmp_path)
    contexts = []

    def open_page(user):
        context = browser.new_context(base_url=site, locale="en-GB", accept_downloads=True)
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_accessible(page):
    assert accessibility_violations(page) == []


def request_and_submit(page, pseudonym: str) -> None:
    page.goto(f"/cpms/patients/{pseudonym}/case/")
    page.get_by_role("link", name="Request a panel").click()
    page.get_by_label("Thematic area").select_option(label="Frontotemporal dementia")
    page.get_by_label("Question to the panel").fill("Behavioural change at 41: which work-up next?")
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit the request").click()
    expect(page.get_by_text("Request submitted")).to_be_visible()


def accept_request(page, panel: Panel) -> None:
    page.goto("/cpms/panels/requests/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Triage {panel.reference}").click()
    page.get_by_role("button", name="Accept the request").click()
    expect(page.get_by_text("Request accepted")).to_be_visible()


def invite(page, panel: Panel, name: str) -> None:
    page.goto(f"/cpms/panels/{panel.pk}/members/")
    page.get_by_label("Name", exact=True).fill(name.split()[0])
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name=f"Invite {name}").click()
    expect(page.get_by_text("1 expert invited.")).to_be_visible()


def accept_and_contribute(page, panel: Panel, text: str) -> None:
    page.goto(f"/cpms/panels/{panel.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("You are a member of this panel.")).to_be_visible()
    page.goto(f"/cpms/panels/{panel.pk}/discussion/")
    page.get_by_label("Your contribution").fill(text)
    page.get_by_role("button", name="Contribute").click()
    expect(page.get_by_text("Your contribution is added.")).to_be_visible()


def sign_the_outcome(page, panel: Panel) -> None:
    page.goto(f"/cpms/panels/{panel.pk}/outcome/")
    page.get_by_label("Signed", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("You signed the outcome.")).to_be_visible()


def test_a_panel_from_its_request_to_the_signed_letter(open_as):
    world = make_panel_world()
    make_areas(world.rnd.ern)
    requester, expert, guest = world.enrolling, world.other_centre, world.guest

    lead_page = open_as(requester)
    request_and_submit(lead_page, world.patient.pseudonym)
    panel = Panel.objects.unscoped().exclude(pk=world.panel.pk).get()

    accept_request(open_as(world.triager), panel)
    panel.refresh_from_db()
    assert panel.status == PanelStatus.OPEN and panel.lead == requester

    invite(lead_page, panel, expert.get_full_name())
    invite(lead_page, panel, guest.get_full_name())
    assert_accessible(lead_page)

    expert_page, guest_page = open_as(expert), open_as(guest)
    accept_and_contribute(expert_page, panel, "A C9orf72 repeat expansion first, then a dementia gene panel.")
    accept_and_contribute(guest_page, panel, "Agree; an FDG-PET would tell bvFTD from a psychiatric cause.")
    guest_page.get_by_label("Your contribution").fill("Is there a family history of dementia or ALS?")
    guest_page.get_by_role("button", name="Request more information from the requester").click()
    expect(guest_page.get_by_text("Open request")).to_be_visible()

    lead_page.goto(f"/cpms/panels/{panel.pk}/discussion/")
    lead_page.get_by_label("Your answer").fill("Her father had ALS at 60.")
    lead_page.get_by_role("button", name="Answer").click()
    expect(lead_page.get_by_text("Your answer is added to the discussion.")).to_be_visible()
    assert_accessible(lead_page)

    lead_page.goto(f"/cpms/panels/{panel.pk}/outcome/")
    lead_page.get_by_label("Findings").fill("Probable bvFTD with a family history of ALS.")
    lead_page.get_by_label("Recommendations").fill("Test the C9orf72 repeat; FDG-PET.")
    lead_page.get_by_role("button", name="Save as a new version").click()
    lead_page.get_by_role("button", name="Submit version 1 for signature").click()
    expect(lead_page.get_by_text("Version 1 was sent to the members for signature.")).to_be_visible()
    sign_the_outcome(expert_page, panel)
    sign_the_outcome(guest_page, panel)
    sign_the_outcome(lead_page, panel)

    lead_page.get_by_role("link", name="Close the panel").click()
    assert_accessible(lead_page)
    lead_page.get_by_role("button", name="Close the panel").click()
    expect(lead_page.get_by_text("The panel is closed.")).to_be_visible()
    panel.refresh_from_db()
    assert panel.status == PanelStatus.CLOSED

    lead_page.goto(f"/cpms/panels/{panel.pk}/outcome/")
    with lead_page.expect_download() as download:
        lead_page.get_by_role("link", name="Download the outcome letter (PDF)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert world.patient.pseudonym in text and "Test the C9orf72 repeat; FDG-PET." in text
    assert expert.get_full_name() in text and guest.get_full_name() in text
    assert "Mathilde" not in text and "Grünwald" not in text
