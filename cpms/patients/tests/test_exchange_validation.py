"""The check of an export reads the file itself: a damaged file is refused, whatever the case said."""

import json

import pytest
from django.utils import timezone

from cpms.patients.exchange import fhir, phenopacket
from cpms.patients.exchange.snapshot import snapshot_of
from cpms.patients.exchange.validation import ExportInvalid, check_bundle, check_phenopacket

from .exchange_world import fill_case, load_terminologies, make_patient, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot():
    world = make_world()
    patient = make_patient(world.hcp, world.ern)
    fill_case(patient, load_terminologies())
    return snapshot_of(patient)


def packet_json(snapshot) -> dict:
    packet = phenopacket.to_phenopacket(snapshot, created_by="CPMS, DE22", created=timezone.now())
    return json.loads(phenopacket.to_json(packet))


def problems_of(check, data, snapshot) -> list[str]:
    with pytest.raises(ExportInvalid) as refused:
        check(json.dumps(data), snapshot)
    return refused.value.problems


def test_it_passes_a_sound_export(snapshot):
    check_phenopacket(json.dumps(packet_json(snapshot)), snapshot)
    check_bundle(json.dumps(fhir.to_bundle(snapshot, created=timezone.now())), snapshot)


def test_it_finds_a_prefix_without_a_resource(snapshot):
    data = packet_json(snapshot)
    data["metaData"]["resources"] = [
        r for r in data["metaData"]["resources"] if r["namespacePrefix"] != "GENO"
    ]
    assert problems_of(check_phenopacket, data, snapshot) == ["No metaData resource for the prefix GENO."]


def test_it_finds_an_incomplete_resource_and_missing_metadata(snapshot):
    data = packet_json(snapshot)
    del data["metaData"]["resources"][0]["version"]
    del data["metaData"]["createdBy"]
    problems = problems_of(check_phenopacket, data, snapshot)
    assert "The phenopacket's metaData lacks created, createdBy or the schema version 2.0." in problems
    assert any("is incomplete" in problem for problem in problems)


def test_it_finds_a_code_in_the_file_that_the_releases_do_not_hold(snapshot):
    data = packet_json(snapshot)
    data["phenotypicFeatures"][0]["type"]["id"] = "HP:0000001"
    assert problems_of(check_phenopacket, data, snapshot) == [
        "HP:0000001 is not in the loaded HPO release (or is obsolete there)."
    ]
    bundle = fhir.to_bundle(snapshot, created=timezone.now())
    bundle["entry"][1]["resource"]["code"]["coding"][0]["code"] = "99999"
    assert problems_of(check_bundle, bundle, snapshot) == [
        "ORPHA:99999 is not in the loaded ORPHA release (or is obsolete there)."
    ]


def test_it_refuses_what_its_parsers_refuse(snapshot):
    data = packet_json(snapshot)
    data["subject"]["name"] = "Jane"
    assert problems_of(check_phenopacket, data, snapshot)[0].startswith("The phenopacket does not parse")
    bundle = fhir.to_bundle(snapshot, created=timezone.now())
    bundle["entry"][0]["resource"]["identifier"].append({"value": "HN-1"})
    bundle["entry"][0]["resource"]["nickname"] = "x"
    assert problems_of(check_bundle, bundle, snapshot)[0].startswith("The FHIR Bundle does not parse")
    del bundle["entry"][0]["resource"]["nickname"]
    assert problems_of(check_bundle, bundle, snapshot) == [
        "The FHIR Bundle must hold one Patient with the pseudonym as its only identifier."
    ]
