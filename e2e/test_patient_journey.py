"""The patients issue's journey, in a browser, as an HP at DE22 would walk it.

Enrol a patient with the three consents and a signed PDF form; code the case by autocomplete (an HPO
term found by a synonym, an ORPHA disease, an ICD-10 code) and add an HGVS variant; download the
Phenopacket and the FHIR Bundle and parse both with the packages' own parsers; enrol a second
patient and start their case from that Phenopacket: the same codes come back.
"""

import json

import pytest
from django.conf import settings
from django.test import Client
from fhirclient.models.bundle import Bundle
from google.protobuf import json_format
from phenopackets import Phenopacket
from playwright.sync_api import expect

from cpms.access.tests.factories import make_grant, make_tree
from cpms.clinical.tests.factories import complete_profile
from cpms.coding.testing import load_sample
from cpms.patients.models import Patient
from cpms.patients.tests.factories import PDF_BYTES
from cpms.test import add_authenticator, make_user, sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hp_page(page, site):
    """An HP at DE22 (ERN-RND), signed in with two factors; the sample terminologies loaded."""
    load_sample()
    user = make_user("nhpde22a", "greta@example.org", "Greta", "Hoffmann")
    add_authenticator(user)
    make_grant(user, make_tree().hcp)
    complete_profile(user)
    cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    return page


def assert_accessible(page):
    assert accessibility_violations(page) == []


def enrol(page, signed_form, *, given: str, family: str, hospital_number: str) -> str:
    """Enrol from the dashboard; returns the new patient's pseudonym."""
    page.goto("/cpms/")
    page.get_by_role("link", name="Enrol patient").first.click()
    page.get_by_label("Given names").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill("2014-05-17")
    page.get_by_label("Sex at birth").select_option(label="Female")
    page.get_by_label("Local hospital number").fill(hospital_number)
    page.get_by_label("Country of residence").select_option("DE")
    page.get_by_label("The patient (or their legal representative) gave consent for care").check()
    page.locator("input[name=registries_consent][value=given]").check()
    page.locator("input[name=research_contact_consent][value=given]").check()
    page.set_input_files("input[name=consent_form]", str(signed_form))
    assert_accessible(page)
    page.get_by_role("button", name="Enrol patient").click()
    expect(page.get_by_role("heading", name=given, exact=False).first).to_be_visible()
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def choose(page, field, typed: str, option: str) -> None:
    """Type into a terminology combobox and pick a suggestion with the keyboard."""
    field.press_sequentially(typed)
    expect(page.get_by_role("option", name=option)).to_be_visible()
    field.press("ArrowDown")
    field.press("Enter")


def code_the_case(page, pseudonym: str) -> None:
    page.goto(f"/cpms/patients/{pseudonym}/case/phenotype/")
    choose(page, page.get_by_role("combobox", name="HPO term"), "fits", "HP:0001250 Seizure (Fits)")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Phenotype saved.")).to_be_visible()

    page.goto(f"/cpms/patients/{pseudonym}/case/diagnosis/")
    choose(
        page,
        page.get_by_role("combobox", name="ORPHA or ICD-10 code"),
        "dravet",
        "ORPHA:33069 Dravet syndrome",
    )
    page.get_by_label("Main diagnosis").check()
    page.get_by_role("button", name="Save and add another row").click()
    expect(page.get_by_text("Diagnosis saved.")).to_be_visible()
    second = page.get_by_role("combobox", name="ORPHA or ICD-10 code").last
    choose(page, second, "G40.4", "G40.4 Other generalized epilepsy and epileptic syndromes")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Diagnosis saved.")).to_be_visible()

    page.goto(f"/cpms/patients/{pseudonym}/case/genetics/")
    page.get_by_label("Gene").fill("SCN1A")
    page.get_by_label("Variant (HGVS)").fill("NM_001165963.4:c.2836C>T")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Genetics saved.")).to_be_visible()

    page.goto(f"/cpms/patients/{pseudonym}/case/")
    for shown in ("Seizure", "Dravet syndrome", "G40.4", "NM_001165963.4:c.2836C>T"):
        expect(page.get_by_text(shown, exact=False).first).to_be_visible()
    assert_accessible(page)


def download(page, link_name: str, folder):
    with page.expect_download() as event:
        page.get_by_role("link", name=link_name).click()
    path = folder / event.value.suggested_filename
    event.value.save_as(path)
    return path


def codes_of(phenopacket: Phenopacket) -> set[str]:
    return {feature.type.id for feature in phenopacket.phenotypic_features} | {
        disease.term.id.replace("ICD10:", "") for disease in phenopacket.diseases
    }


def test_an_hp_enrols_codes_exports_and_starts_a_case_from_the_file(hp_page, tmp_path):
    page = hp_page
    signed_form = tmp_path / "signed consent.pdf"
    signed_form.write_bytes(PDF_BYTES)

    first = enrol(page, signed_form, given="Lotte", family="Brandt", hospital_number="TUE-0042")
    patient = Patient.objects.unscoped().get(pseudonym=first)
    assert (patient.care_consent, patient.registries_consent, patient.research_contact_consent) == (
        "given",
        "given",
        "given",
    )
    assert patient.consents.filter(form__isnull=False).exists()

    code_the_case(page, first)

    page.get_by_role("link", name="Export the case").click()
    assert_accessible(page)
    phenopacket_file = download(page, "Phenopacket", tmp_path)
    fhir_file = download(page, "FHIR", tmp_path)
    phenopacket = json_format.Parse(phenopacket_file.read_text(), Phenopacket())
    assert {"HP:0001250", "ORPHA:33069", "G40.4"} <= codes_of(phenopacket)
    assert "Brandt" not in phenopacket_file.read_text() and "TUE-0042" not in phenopacket_file.read_text()
    bundle = Bundle(json.loads(fhir_file.read_text()), strict=True)
    assert {entry.resource.resource_type for entry in bundle.entry} >= {"Patient", "Condition", "Observation"}

    second = enrol(page, signed_form, given="Jonas", family="Keller", hospital_number="TUE-0043")
    page.goto(f"/cpms/patients/{second}/case/")
    page.get_by_role("link", name="Start from a file").click()
    page.set_input_files("input[type=file]", str(phenopacket_file))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/import/preview/")
    expect(page.get_by_text("ORPHA:33069").first).to_be_visible()
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/patients/{second}/case/")

    case = Patient.objects.unscoped().get(pseudonym=second).case
    codes = {row.concept.code for row in case.phenotypes.all()} | {
        row.concept.code for row in case.diagnoses.all()
    }
    assert codes == {"HP:0001250", "ORPHA:33069", "G40.4"}
    assert [variant.hgvs for variant in case.variants.all()] == ["NM_001165963.4:c.2836C>T"]
