"""Autosaved drafts: kept for their author alone, restored when the section is reopened, discarded."""

import zoneinfo

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.patients.actions.case import do_save_case_fields
from cpms.patients.models import CaseDraft

from .case_helpers import case_of, case_world, hp_at, phenotype_post, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return case_world()


@pytest.fixture
def hana(world):
    return signed_in(world.hana)


def draft_url(section, pseudonym="RND-CASE0001"):
    return reverse("patients:case-draft", kwargs={"pseudonym": pseudonym, "section": section})


def section_url(section):
    return reverse("patients:case-section", kwargs={"pseudonym": "RND-CASE0001", "section": section})


def test_it_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.post(draft_url("history"), {"clinical_history": "x"})
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_refuses_a_draft_for_another_centre_s_patient(world):
    response = signed_in(world.otto).post(draft_url("history"), {"clinical_history": "x"})
    assert response.status_code == 404
    assert not CaseDraft.objects.unscoped().exists()


def test_it_refuses_a_draft_by_get_and_of_an_unknown_section(hana):
    assert hana.get(draft_url("history")).status_code == 405
    assert hana.post(draft_url("attachments"), {"x": "y"}).status_code == 404
    assert hana.post(draft_url("nothing"), {"x": "y"}).status_code == 404


def test_it_keeps_a_draft_and_says_when(hana, world):
    response = hana.post(
        draft_url("history"), {"clinical_history": "Unsteady gait", "csrfmiddlewaretoken": "t"}
    )
    assert response.status_code == 200
    draft = world.patient.case_drafts.get()
    brussels = draft.saved_at.astimezone(zoneinfo.ZoneInfo("Europe/Brussels"))  # the user's time zone
    assert response.json()["message"] == f"Draft saved at {brussels:%H:%M}"
    assert (draft.section, draft.user, draft.data) == (
        "history",
        world.hana,
        {"clinical_history": ["Unsteady gait"]},
    )
    assert AuditEvent.objects.filter(action="patients.case.draft_saved", data={"section": "history"}).exists()


def test_it_restores_the_draft_when_the_section_is_reopened(hana):
    hana.post(draft_url("history"), {"clinical_history": "Unsteady gait", "family_history": "A cousin"})
    page = hana.get(section_url("history")).content.decode()
    assert "Draft restored" in page
    assert "Unsteady gait</textarea>" in page and "A cousin</textarea>" in page
    assert "There is a problem" not in page


def test_it_restores_the_rows_of_a_draft(hana):
    hana.post(draft_url("phenotype"), phenotype_post(["HP:0001250", "HP:9999999"]))
    page = hana.get(section_url("phenotype")).content.decode()
    assert 'value="HP:0001250"' in page and 'value="HP:9999999"' in page  # checked only when saved
    assert 'name="phenotypes-TOTAL_FORMS" value="3"' in page


def test_it_does_not_show_a_draft_to_another_hp_of_the_centre(hana, world):
    hana.post(draft_url("history"), {"clinical_history": "Unsteady gait"})
    colleague = hp_at(world.tree, "DE22", "nmia0001", "mia@example.org", "Mia", "Roth")
    page = signed_in(colleague).get(section_url("history")).content.decode()
    assert "Unsteady gait" not in page and "Draft restored" not in page


def test_it_ignores_a_draft_older_than_the_last_save(hana, world):
    hana.post(draft_url("history"), {"clinical_history": "Old draft"})
    colleague = hp_at(world.tree, "DE22", "nmia0001", "mia@example.org", "Mia", "Roth")
    do_save_case_fields(
        acting_user=colleague, patient=world.patient, section="history", values={"clinical_history": "Saved"}
    )
    page = hana.get(section_url("history")).content.decode()
    assert ">\nSaved</textarea>" in page and "Old draft" not in page


def test_it_discards_a_draft(hana, world):
    hana.post(draft_url("history"), {"clinical_history": "Unsteady gait"})
    discard = reverse(
        "patients:case-draft-discard", kwargs={"pseudonym": "RND-CASE0001", "section": "history"}
    )
    response = hana.post(discard)
    assert response.status_code == 302 and response.url == section_url("history")
    assert not world.patient.case_drafts.exists()
    assert AuditEvent.objects.filter(action="patients.case.draft_discarded").exists()


def test_it_refuses_a_draft_that_is_too_long(hana, world):
    response = hana.post(draft_url("history"), {"clinical_history": "x" * 200_001})
    assert response.status_code == 413
    assert "too long" in response.json()["error"]
    assert not world.patient.case_drafts.exists()


def test_it_refuses_a_draft_of_a_page_older_than_the_last_save(hana, world):
    do_save_case_fields(
        acting_user=world.hana, patient=world.patient, section="history", values={"clinical_history": "Saved"}
    )
    response = hana.post(
        draft_url("history"), {"clinical_history": "Typed before the save", "draft_base": ""}
    )
    assert response.status_code == 409 and "reload the page" in response.json()["error"]
    page = hana.get(section_url("history")).content.decode()
    base = case_of(world.patient).updated_at.isoformat()
    assert f'name="draft_base" value="{base}"' in page
    assert (
        hana.post(draft_url("history"), {"clinical_history": "Newer", "draft_base": base}).status_code == 200
    )
