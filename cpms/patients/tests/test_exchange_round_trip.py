"""Our own exports read back exactly: export a case, start another patient's case from the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpms.patients.models import CaseDiagnosis

from .exchange_world import (
    IDENTITY,
    case_codes,
    fill_case,
    load_terminologies,
    make_hp,
    make_patient,
    make_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def concepts(world):
    return load_terminologies()


def round_trip(client, source, target, export_name) -> str:
    exported = client.get(reverse(f"patients:{export_name}", args=[source.pseudonym]))
    assert exported.status_code == 200
    upload = SimpleUploadedFile("export.json", exported.content)
    response = client.post(reverse("patients:case-import", args=[target.pseudonym]), {"file": upload})
    assert response.status_code == 302
    preview = client.get(reverse("patients:case-import-preview", args=[target.pseudonym])).content.decode()
    assert client.post(reverse("patients:case-import-preview", args=[target.pseudonym])).status_code == 302
    return preview


def main_diagnosis(patient) -> str:
    return CaseDiagnosis.objects.unscoped().get(case__patient=patient, is_main=True).concept.code


@pytest.mark.parametrize("export_name", ["case-export-phenopacket", "case-export-fhir"])
def test_it_reads_its_own_export_back_with_the_same_codes(client, alice, world, concepts, export_name):
    hp = make_hp(client, alice, world.institutions["DE22"])
    source = make_patient(world.institutions["DE22"], world.ern, **IDENTITY)
    fill_case(source, concepts)
    target = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-EXCH0002")

    preview = round_trip(hp, source, target, export_name)

    assert case_codes(target) == case_codes(source)
    assert main_diagnosis(target) == main_diagnosis(source) == "ORPHA:33069"
    assert "Codes not in the terminology releases" not in preview
    assert "Quackenbush" not in preview


def test_it_lists_what_the_own_export_holds_but_the_case_does_not_keep(client, alice, world, concepts):
    hp = make_hp(client, alice, world.institutions["DE22"])
    source = make_patient(world.institutions["DE22"], world.ern)
    fill_case(source, concepts)
    target = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-EXCH0002")
    preview = round_trip(hp, source, target, "case-export-phenopacket")
    assert "subject.sex" in preview and "subject.vitalStatus" in preview
