"""The terminology combobox in a real browser: suggestions as one types, keyboard, live region, axe."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cpms.access.tests.factories import make_grant, make_tree
from cpms.clinical.tests.factories import complete_profile
from cpms.coding.testing import load_sample
from cpms.test import add_authenticator, make_user, sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in_hp(page, site):
    """An HP at DE22, signed in with two factors, with the sample terminologies loaded."""
    load_sample()
    user = make_user("nhp00001", "hana@example.org", "Hana", "Weber")
    add_authenticator(user)
    make_grant(user, make_tree().hcp)
    complete_profile(user)
    cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    return page


def test_it_finds_seizure_by_a_synonym_and_chooses_it_with_the_keyboard(signed_in_hp):
    page = signed_in_hp
    page.goto("/styleguide/")
    field = page.get_by_role("combobox", name="Phenotype (HPO term)")
    field.press_sequentially("fits")
    option = page.get_by_role("option", name="HP:0001250 Seizure (Fits)")
    expect(option).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="1 suggestion.")).to_have_count(1)
    assert accessibility_violations(page) == []

    field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    field.press("Enter")
    expect(field).to_have_value("HP:0001250")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator("[data-terminology-chosen]").first).to_have_text("Seizure")


def test_it_suggests_orpha_and_icd10_diagnoses_and_closes_on_escape(signed_in_hp):
    page = signed_in_hp
    page.goto("/styleguide/")
    field = page.get_by_role("combobox", name="Diagnosis (ORPHA or ICD-10)")
    field.press_sequentially("marf")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(listbox.get_by_role("option", name="ORPHA:558 Marfan syndrome")).to_be_visible()
    expect(listbox.get_by_role("option", name="Q87.4 Marfan syndrome")).to_be_visible()
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("ArrowUp")
    expect(listbox.locator("[aria-selected=true]")).to_have_count(1)
    field.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_value("marf")
    assert field.get_attribute("aria-activedescendant") is None


def test_it_takes_a_typed_code_without_javascript(browser, site):
    context = browser.new_context(base_url=site, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto("/styleguide/")
    field = page.get_by_label("Phenotype (HPO term)")
    field.fill("HP:0001250")
    page.get_by_role("button", name="Try the codes").click()
    assert "phenotype=HP%3A0001250" in page.url
    context.close()


def test_it_checks_a_variant_and_a_gene_as_they_are_typed(signed_in_hp):
    page = signed_in_hp
    page.goto("/styleguide/")
    page.get_by_label("Variant (HGVS)").press_sequentially("NM_000088.3:c.589G>")
    expect(page.get_by_text("This is not a valid HGVS description.")).to_be_visible()
    page.get_by_label("Variant (HGVS)").press_sequentially("T")
    expect(page.get_by_text("Valid HGVS syntax.")).to_be_visible()
    page.get_by_label("Gene (HGNC symbol)").press_sequentially("NOTAGENE")
    expect(page.get_by_text("The loaded releases do not know the gene NOTAGENE.")).to_be_visible()
    assert accessibility_violations(page) == []
