"""Export of a case: Phenopacket v2 and FHIR R4 Bundle, parsed by their own packages, never identifying."""

import json

import pytest
from django.urls import reverse
from fhirclient.models.bundle import Bundle
from fhirclient.models.condition import Condition
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient as FhirPatient
from google.protobuf import json_format
from phenopackets import Interpretation, Phenopacket

from cpms.access.tests.factories import make_grant
from cpms.audit.models import AuditEvent
from cpms.clinical.tests.factories import complete_profile
from cpms.coding.models import Concept, Release
from cpms.patients.models import Case
from cpms.test import sign_in

from .exchange_world import IDENTITY, fill_case, load_terminologies, make_hp, make_patient, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def concepts(world):
    return load_terminologies()


@pytest.fixture
def patient(world, concepts):
    patient = make_patient(world.institutions["DE22"], world.ern, **IDENTITY)
    fill_case(patient, concepts)
    return patient


@pytest.fixture
def hp(client, alice, world):
    return make_hp(client, alice, world.institutions["DE22"])


def url(name, patient):
    return reverse(f"patients:{name}", args=[patient.pseudonym])


def phenopacket_of(response) -> Phenopacket:
    return json_format.Parse(response.content.decode(), Phenopacket())


def test_it_downloads_a_phenopacket_that_parses(hp, patient):
    response = hp.get(url("case-export-phenopacket", patient))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="RND-EXCH0001.phenopacket.json"'
    packet = phenopacket_of(response)
    assert packet.id == packet.subject.id == "RND-EXCH0001"
    assert packet.subject.sex == 1  # FEMALE
    features = {(f.type.id, f.excluded, f.onset.ontology_class.id) for f in packet.phenotypic_features}
    assert features == {
        ("HP:0001250", False, "HP:0003593"),
        ("HP:0001263", False, ""),
        ("HP:0000252", True, ""),
    }
    assert [(d.term.id, d.excluded) for d in packet.diseases] == [
        ("ORPHA:33069", False),
        ("ICD10:G40.4", False),
        ("ORPHA:558", True),
    ]
    statuses = {
        i.diagnosis.disease.id: Interpretation.ProgressStatus.Name(i.progress_status)
        for i in packet.interpretations
    }
    assert statuses == {"ORPHA:33069": "SOLVED", "ICD10:G40.4": "IN_PROGRESS"}
    genomic = packet.interpretations[0].diagnosis.genomic_interpretations
    first = genomic[0].variant_interpretation
    assert first.variation_descriptor.expressions[0].value == "NM_001165963.4:c.4493G>A"
    assert first.variation_descriptor.allelic_state.id == "GENO:0000135"
    assert first.variation_descriptor.gene_context.value_id == "NCBIGene:6323"
    assert first.acmg_pathogenicity_classification == 5  # PATHOGENIC
    assert len(genomic) == 2


def test_it_cites_a_resource_for_every_prefix_with_the_loaded_release(hp, patient):
    packet = phenopacket_of(hp.get(url("case-export-phenopacket", patient)))
    meta = packet.meta_data
    assert meta.phenopacket_schema_version == "2.0" and meta.created_by == "CPMS, DE22"
    assert meta.HasField("created")
    resources = {r.namespace_prefix: r for r in meta.resources}
    assert set(resources) == {"HP", "ORPHA", "ICD10", "GENO", "NCBIGene"}
    assert (resources["HP"].version, resources["ORPHA"].version, resources["ICD10"].version) == (
        "2025-01-16",
        "4.5",
        "2019",
    )
    assert all(r.id and r.name and r.url and r.iri_prefix for r in resources.values())


def test_it_downloads_a_fhir_bundle_that_parses_strictly(hp, patient):
    response = hp.get(url("case-export-fhir", patient))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle(json.loads(response.content), strict=True)
    assert bundle.type == "collection"
    resources = [entry.resource for entry in bundle.entry]
    patients = [r for r in resources if isinstance(r, FhirPatient)]
    assert len(patients) == 1
    assert [(i.value) for i in patients[0].identifier] == ["RND-EXCH0001"]
    assert patients[0].gender == "female" and patients[0].name is None and patients[0].birthDate is None
    conditions = {
        r.code.coding[0].code: r.verificationStatus.coding[0].code
        for r in resources
        if isinstance(r, Condition)
    }
    assert conditions == {"33069": "confirmed", "G40.4": "provisional", "558": "refuted"}
    observations = [r for r in resources if isinstance(r, Observation)]
    phenotypes = {o.code.coding[0].code: o for o in observations if o.code.coding[0].code.startswith("HP:")}
    assert set(phenotypes) == {"HP:0001250", "HP:0001263", "HP:0000252"}
    assert phenotypes["HP:0000252"].interpretation[0].coding[0].code == "NEG"
    assert phenotypes["HP:0000252"].valueCodeableConcept.coding[0].code == "LA9634-2"
    assert phenotypes["HP:0001250"].interpretation is None
    variants = [o for o in observations if o.code.coding[0].code == "69548-6"]
    components = {c.code.coding[0].code: c.valueCodeableConcept for c in variants[0].component}
    assert components["48004-6"].coding[0].code == "NM_001165963.4:c.4493G>A"
    assert components["48018-6"].text == "SCN1A"
    assert components["53034-5"].coding[0].code == "LA6706-1"
    assert components["53037-8"].coding[0].code == "LA6668-3"
    assert len(variants) == 2 and len(variants[1].component) == 2


@pytest.mark.parametrize("name", ["case-export-phenopacket", "case-export-fhir"])
def test_it_never_exports_an_identifying_field(hp, patient, name):
    text = hp.get(url(name, patient)).content.decode()
    for value in [*IDENTITY.values(), "2014", "Tubingen", "Seen by Dr", "alice", "Martin"]:
        assert value.lower() not in text.lower(), value


@pytest.mark.parametrize(
    ("name", "export_format"), [("case-export-phenopacket", "phenopacket"), ("case-export-fhir", "fhir")]
)
def test_it_records_the_export(hp, patient, alice, name, export_format):
    hp.get(url(name, patient))
    event = AuditEvent.objects.get(action="patients.case.exported")
    assert (event.actor_id, event.target_id, event.data) == (
        alice.pk,
        str(patient.pk),
        {"format": export_format},
    )


def test_it_exports_a_patient_without_a_case(hp, world, concepts):
    patient = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-EMPTY001")
    packet = phenopacket_of(hp.get(url("case-export-phenopacket", patient)))
    assert packet.subject.id == "RND-EMPTY001" and not packet.diseases and not packet.meta_data.resources
    assert hp.get(url("case-export-fhir", patient)).status_code == 200


def test_it_exports_variants_of_an_undiagnosed_case(hp, world, concepts):
    patient = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-UNDIAG01")
    case = Case(patient=patient, undiagnosed=True)
    case.save()
    case.variants.create(gene_symbol="PCDH19", hgvs="NM_001184880.2:c.1091dup")
    packet = phenopacket_of(hp.get(url("case-export-phenopacket", patient)))
    assert packet.interpretations[0].progress_status == Interpretation.UNSOLVED
    assert (
        packet.interpretations[0]
        .diagnosis.genomic_interpretations[0]
        .variant_interpretation.variation_descriptor.gene_context.symbol
        == "PCDH19"
    )


@pytest.mark.parametrize("name", ["case-export-phenopacket", "case-export-fhir"])
def test_it_refuses_an_export_with_a_code_the_releases_no_longer_hold(hp, patient, name):
    Concept.objects.filter(code="HP:0001263").update(is_obsolete=True)
    response = hp.get(url(name, patient))
    assert response.status_code == 422
    assert "HP:0001263 is not in the loaded HPO release" in response.content.decode()
    assert not AuditEvent.objects.filter(action="patients.case.exported").exists()


def test_it_refuses_an_export_when_a_release_is_not_loaded(hp, patient):
    Release.objects.filter(system="orpha").delete()
    response = hp.get(url("case-export-phenopacket", patient))
    assert response.status_code == 422
    assert "No ORPHA release is loaded." in response.content.decode()


def test_it_explains_the_two_formats(hp, patient):
    response = hp.get(url("case-export", patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert url("case-export-phenopacket", patient) in page and url("case-export-fhir", patient) in page
    assert "Quackenbush" not in page


@pytest.mark.parametrize("name", ["case-export", "case-export-phenopacket", "case-export-fhir"])
def test_it_asks_anonymous_visitors_to_sign_in(client, patient, name):
    response = client.get(url(name, patient))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ["case-export", "case-export-phenopacket", "case-export-fhir"])
def test_it_hides_a_patient_of_another_centre(client, charlie, world, patient, name):
    other = make_hp(client, charlie, world.institutions["DE05"])
    assert other.get(url(name, patient)).status_code == 404
    assert not AuditEvent.objects.filter(action="patients.case.exported").exists()


@pytest.mark.parametrize("name", ["case-export", "case-export-fhir"])
def test_it_hides_patients_from_a_researcher_of_the_same_centre(client, charlie, world, patient, name):
    make_grant(charlie, world.institutions["DE22"], "researcher")
    complete_profile(charlie)
    assert sign_in(client, charlie).get(url(name, patient)).status_code == 404


def test_it_answers_404_for_a_missing_patient(hp, patient):
    assert hp.get(reverse("patients:case-export-fhir", args=["RND-NOBODY00"])).status_code == 404


# The request (session, user, access) and the patient, then the releases, the case, its diagnoses,
# phenotypes, variants and genes, the check of the codes, the audit event.
QUERIES = 12


@pytest.mark.parametrize("name", ["case-export-phenopacket", "case-export-fhir"])
def test_it_reads_a_case_in_a_fixed_number_of_queries(
    hp, world, concepts, patient, name, django_assert_num_queries
):
    hp.get(url(name, patient))  # warm the session and the access of the request
    big = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-BIGCASE1")
    case = fill_case(big, concepts)
    for number in range(20):
        case.variants.create(gene_symbol="SCN1A", hgvs=f"NM_001165963.4:c.{number + 100}G>A")
    with django_assert_num_queries(QUERIES):
        assert hp.get(url(name, patient)).status_code == 200
    with django_assert_num_queries(QUERIES):
        assert hp.get(url(name, big)).status_code == 200
