"""Reference data in French: every country, ERN, profile and thematic area has a French name."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cpms.access import data_strings as access_strings
from cpms.access.tests.factories import profile
from cpms.clinical import data_strings as clinical_strings
from cpms.clinical.models import ThematicArea

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "data_strings.py"


def generator():
    spec = importlib.util.spec_from_file_location("data_strings_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def french_catalog() -> dict:
    with translation.override("fr"):
        return translation.trans_real.translation("fr")._catalog


def test_the_string_modules_follow_the_data_files():
    """Run scripts/data_strings.py after changing data/*.csv, then translate the new names."""
    script = generator()
    assert list(dict.fromkeys(script.access_strings())) == access_strings.STRINGS
    assert list(dict.fromkeys(script.clinical_strings())) == clinical_strings.STRINGS


def test_every_country_erns_profile_and_thematic_area_has_a_french_name():
    catalog = french_catalog()
    script = generator()
    names = {
        "countries": script.column("countries.csv", "name"),
        "erns": script.column("erns.csv", "name"),
        "profiles": script.column("profiles.csv", "name", "description"),
        "thematic areas": script.column("thematic_areas.csv", "name"),
    }
    for kind, texts in names.items():
        assert texts, kind
        missing = [text for text in texts if not catalog.get(text)]
        assert missing == [], f"{kind} without French: {missing}"


@pytest.mark.django_db
def test_pages_show_the_names_in_the_user_s_language(rnd):
    hp = profile(rnd.application, "hp")
    area = ThematicArea.objects.create(ern=rnd.ern, code="ftd", name="Frontotemporal dementia")
    with translation.override("fr"):
        assert rnd.country.label == "Allemagne"
        assert rnd.ern.label == "ERN-RND - Maladies neurologiques"
        assert rnd.guest.label == "0000 Accès invité"
        assert hp.display_name == "PS"
        assert area.display_name == "Démence frontotemporale"
        assert rnd.hcp.label == "DE22 - University Hospital and Faculty of Medicine Tubingen"  # a proper name
    with translation.override("en"):
        assert (rnd.country.label, hp.display_name) == ("Germany", "HP")


@pytest.mark.django_db
def test_an_email_names_them_in_the_recipient_s_language(charlie, django_capture_on_commit_callbacks, rnd):
    from django.core import mail

    from cpms.access.actions.requests import do_submit_access_requests

    with django_capture_on_commit_callbacks(execute=True):
        do_submit_access_requests(
            acting_user=charlie,
            application=rnd.application,
            organisation=rnd.hcp,
            profiles=[profile(rnd.application, "hp")],
            comment="",
        )
    body = next(m for m in mail.outbox if m.to == [charlie.email]).body
    assert "PS" in body and "Maladies neurologiques" in body and "Allemagne" in body
