"""The case form in a real browser: a section filled with the keyboard alone, its draft autosaved and
restored, the error summary of a wrong code, and axe-core finding nothing serious on the way."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cpms.coding.models import Concept
from cpms.patients.actions.case import do_save_case_diagnoses, do_save_case_phenotypes, do_save_case_variants
from cpms.patients.models import Case
from cpms.patients.tests.case_helpers import case_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hana_page(page, site):
    world = case_world()
    client = sign_in(Client(), world.hana)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site,
            }
        ]
    )
    page.world = world
    return page


def assert_accessible(page):
    assert accessibility_violations(page) == []


def test_an_hp_fills_status_and_onset_with_the_keyboard_and_finds_the_draft_again(hana_page):
    page = hana_page
    page.goto("/cpms/patients/RND-CASE0001/case/status/")
    assert_accessible(page)
    page.get_by_label("Onset", exact=True).focus()
    page.keyboard.press("ArrowDown")  # "Antenatal onset", the first term after "Not known"
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("7")
    page.keyboard.press("Tab")  # leaving a field keeps the draft at once
    expect(page.get_by_role("status").filter(has_text="Draft saved at")).to_be_visible()
    expect(page.locator("form[data-case-draft-url]")).to_have_attribute("data-draft-state", "saved")

    page.reload()
    expect(page.get_by_role("heading", name="Draft restored")).to_be_visible()
    expect(page.get_by_label("Age at onset (years)")).to_have_value("4")
    expect(page.get_by_label("Age at diagnosis (years)")).to_have_value("7")
    assert_accessible(page)

    page.get_by_label("Year of first contact with the centre").focus()
    page.keyboard.type("2019")
    page.keyboard.press("Enter")  # submits with the first button: Save
    expect(page.get_by_text("Status and onset saved.")).to_be_visible()
    expect(page.get_by_text("Antenatal onset")).to_be_visible()
    expect(page.get_by_text("4 years")).to_be_visible()
    assert_accessible(page)
    case = Case.objects.unscoped().get(patient=page.world.patient)
    assert (case.onset, case.age_at_onset_years, case.first_contact_year) == ("HP:0030674", 4, 2019)
    assert not page.world.patient.case_drafts.exists()


def test_an_hp_adds_phenotype_rows_and_is_told_which_code_is_unknown(hana_page):
    page = hana_page
    page.goto("/cpms/patients/RND-CASE0001/case/phenotype/")
    page.get_by_role("combobox", name="HPO term").fill("HP:0001251")
    page.get_by_role("button", name="Save and add another row").click()
    expect(page.get_by_text("Phenotype saved.")).to_be_visible()
    expect(page.get_by_role("group", name="Term 2")).to_be_visible()
    assert_accessible(page)

    row = page.get_by_role("group", name="Term 2")
    row.get_by_role("combobox", name="HPO term").fill("HP:9999999")
    row.get_by_label("Observed or excluded").select_option(label="Excluded (looked for and absent)")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator("[data-cpms-error-summary]")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name=re.compile("HP:9999999 is not in the loaded HPO release"))
    ).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("HP:9999999")).click()
    expect(row.get_by_role("combobox", name="HPO term")).to_be_focused()


def test_every_section_of_a_filled_case_is_accessible(hana_page):
    page = hana_page
    world = page.world
    concepts = {concept.code: concept for concept in Concept.objects.all()}
    do_save_case_diagnoses(
        acting_user=world.hana,
        patient=world.patient,
        undiagnosed=False,
        rows=[
            {"concept": concepts["ORPHA:95"], "certainty": "confirmed", "is_main": True},
            {"concept": concepts["G11.1"], "certainty": "suspected", "is_main": False},
        ],
    )
    do_save_case_phenotypes(
        acting_user=world.hana,
        patient=world.patient,
        rows=[{"concept": concepts["HP:0001251"], "excluded": False, "onset": "HP:0011463"}],
    )
    do_save_case_variants(
        acting_user=world.hana,
        patient=world.patient,
        rows=[
            {
                "gene_symbol": "FXN",
                "hgvs": "NM_000144.5:c.165+5G>C",
                "zygosity": "GENO:0000136",
                "acmg_class": "",
            }
        ],
    )
    for section in ("diagnosis", "genetics", "history", "investigations", "treatment", "attachments"):
        page.goto(f"/cpms/patients/RND-CASE0001/case/{section}/")
        assert_accessible(page)
    page.goto("/cpms/patients/RND-CASE0001/case/")
    expect(page.get_by_text("Friedreich ataxia")).to_be_visible()
    expect(page.get_by_text("NM_000144.5:c.165+5G>C")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change genetics").click()
    expect(page.get_by_role("heading", name=re.compile("Genetics"))).to_be_visible()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_hp_attaches_a_pdf_with_a_progress_bar_and_downloads_it(hana_page, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    page = hana_page
    page.goto("/cpms/patients/RND-CASE0001/case/attachments/")
    page.get_by_label("File").set_input_files(
        {"name": "MRI report.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Description").fill("Brain MRI")
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("MRI report.pdf is attached to the case.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="MRI report.pdf").click()
    assert download.value.suggested_filename == "MRI report.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
