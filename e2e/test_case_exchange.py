"""In a browser, in English and French: export a case, start another patient's case from the file,
see a hostile file refused; axe-core finds nothing serious on the export and import pages."""

import pytest
from django.conf import settings
from django.test import Client

from cpms.patients.tests.exchange_world import (
    case_codes,
    fill_case,
    load_terminologies,
    make_hp,
    make_patient,
    make_world,
)

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_it_takes_a_case_out_and_brings_it_in(browser, site, alice, tmp_path, locale):
    world = make_world()
    source = make_patient(world.institutions["DE22"], world.ern)
    fill_case(source, load_terminologies())
    target = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-EXCH0002")
    cookie = make_hp(Client(), alice, world.institutions["DE22"]).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=site, locale=locale)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    problems = []
    try:
        page.goto(f"/cpms/patients/{source.pseudonym}/case/export/")
        problems += accessibility_violations(page)
        with page.expect_download() as download:
            page.click("a[href$='/export/phenopacket/']")
        exported = tmp_path / download.value.suggested_filename
        download.value.save_as(exported)

        page.goto(f"/cpms/patients/{target.pseudonym}/case/import/")
        hostile = tmp_path / "hostile.json"
        hostile.write_text('{"a":' * 5000)
        page.set_input_files("input[type=file]", str(hostile))
        page.click("main form button[type=submit]")
        page.wait_for_selector(".invalid-feedback p, .invalid-feedback:not(.d-none)")
        problems += accessibility_violations(page)

        page.set_input_files("input[type=file]", str(exported))
        page.click("main form button[type=submit]")
        page.wait_for_url("**/import/preview/")
        assert "ORPHA:33069" in page.inner_text("main")
        problems += accessibility_violations(page)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**/patients/{target.pseudonym}/case/")
    finally:
        context.close()
    assert not problems
    assert case_codes(target) == case_codes(source)
