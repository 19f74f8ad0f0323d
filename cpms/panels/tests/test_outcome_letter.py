import io

import pytest
from pypdf import PdfReader

from cpms.audit.models import AuditEvent
from cpms.identity.models import User
from cpms.test import sign_in

from .outcome_helpers import FINDINGS, RECOMMENDATIONS, remove, signed, store_in, submitted, url

IDENTITY = ("Mathilde", "Grünwald", "TUE-4471-93", "1987")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    store_in(settings, tmp_path)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_requester_downloads_the_letter_and_reads_it(client, world):
    version = signed(world)
    sign_in(client, world.enrolling)
    response = client.get(url("outcome-letter", world.panel))
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    name = f"{world.panel.reference}-{world.patient.pseudonym}-outcome-v1.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    text = text_of(response.content)
    for expected in (
        f"Outcome of panel {world.panel.reference}",
        world.patient.pseudonym,
        world.panel.ern.code,
        "Is this an early-onset SCA?",
        " ".join(FINDINGS.split()),
        "Test the SCA repeat panel first",
        "Erik Larsen",
        "Gustav Berg",
        world.enrolling.get_full_name(),
    ):
        assert expected in text, expected
    assert "Signatures" in text and text.count(str(version.signed_at.year)) >= 3
    assert not [value for value in IDENTITY if value in text]
    event = AuditEvent.objects.get(action="panels.outcome.letter_downloaded")
    assert event.actor_id == world.enrolling.pk and event.data["version"] == 1


def test_it_is_written_in_the_requesters_language(client, world):
    User.objects.filter(pk=world.enrolling.pk).update(email_language="fr")
    signed(world)
    sign_in(client, world.expert)
    text = text_of(client.get(url("outcome-letter", world.panel)).content)
    assert "Conclusions du panel" in text and "Recommandations" in text
    assert " ".join(RECOMMENDATIONS.split()) in text


@pytest.mark.parametrize("role", ("expert", "guest_member"))
def test_members_download_it(client, world, role):
    signed(world)
    sign_in(client, getattr(world, role))
    assert client.get(url("outcome-letter", world.panel)).status_code == 200


@pytest.mark.parametrize("role", ("triager", "dispatcher", "invited"))
def test_others_on_the_panel_get_403(client, world, role):
    signed(world)
    sign_in(client, getattr(world, role))
    assert client.get(url("outcome-letter", world.panel)).status_code == 403


@pytest.mark.parametrize("role", ("other_centre", "guest", "other_ern", "researcher"))
def test_it_answers_404_off_the_panel(client, world, role):
    signed(world)
    sign_in(client, getattr(world, role))
    assert client.get(url("outcome-letter", world.panel)).status_code == 404


def test_a_removed_member_loses_it(client, world):
    signed(world)
    remove(world.panel, world.expert)
    sign_in(client, world.expert)
    assert client.get(url("outcome-letter", world.panel)).status_code == 404


def test_there_is_no_letter_before_every_signature(client, world):
    submitted(world, world.expert)
    sign_in(client, world.enrolling)
    assert client.get(url("outcome-letter", world.panel)).status_code == 404
    assert not AuditEvent.objects.filter(action="panels.outcome.letter_downloaded").exists()
