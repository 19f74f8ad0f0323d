"""Start a case from a file: upload, see what will be filled, confirm; hostile files get a clear message."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.patients.models import Case, CaseDiagnosis

from .exchange_world import case_codes, load_terminologies, make_hp, make_patient, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def concepts(world):
    return load_terminologies()


@pytest.fixture
def patient(world, concepts):
    return make_patient(world.institutions["DE22"], world.ern)


@pytest.fixture
def hp(client, alice, world):
    return make_hp(client, alice, world.institutions["DE22"])


def url(name, patient):
    return reverse(f"patients:{name}", args=[patient.pseudonym])


def upload(client, patient, content, name="case.json"):
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    return client.post(url("case-import", patient), {"file": SimpleUploadedFile(name, data)})


HOSPITAL_PHENOPACKET = {
    "id": "hospital-123",
    "subject": {"id": "MRN-555", "dateOfBirth": "2014-03-09T00:00:00Z", "sex": "MALE"},
    "phenotypicFeatures": [
        {
            "type": {"id": "HP:0001250", "label": "Seizure"},
            "severity": {"id": "HP:0012828", "label": "Severe"},
        },
        {"type": {"id": "HP:9999999", "label": "Not a term"}},
        {"type": {"id": "HP:0000252", "label": "Microcephaly"}, "excluded": True},
    ],
    "diseases": [
        {"term": {"id": "ORPHA:33069", "label": "Dravet syndrome"}},
        {"term": {"id": "OMIM:607208", "label": "Dravet syndrome"}},
    ],
    "measurements": [{"assay": {"id": "LOINC:1", "label": "x"}, "value": {"quantity": {"value": 1}}}],
    "metaData": {"created": "2026-01-01T00:00:00Z", "createdBy": "HIS", "phenopacketSchemaVersion": "2.0"},
}


def test_it_shows_the_upload_page(hp, patient):
    response = hp.get(url("case-import", patient))
    assert response.status_code == 200
    assert 'accept=".json"' in response.content.decode()


def test_it_previews_what_will_be_filled_and_what_will_not(hp, patient):
    response = upload(hp, patient, HOSPITAL_PHENOPACKET)
    assert response.status_code == 302 and response["Location"] == url("case-import-preview", patient)
    page = hp.get(response["Location"]).content.decode()
    assert "HP:0001250 Seizure" in page and "ORPHA:33069 Dravet syndrome" in page and "Confirmed" in page
    assert "HP:9999999 Not a term" in page  # unknown to the loaded release
    assert "OMIM:607208 Dravet syndrome" in page  # a terminology CPMS does not code in
    for field in ("subject.dateOfBirth", "subject.sex", "phenotypicFeatures[0].severity", "measurements (1)"):
        assert field in page
    assert not Case.objects.unscoped().filter(patient=patient).exists()  # nothing saved yet


def test_it_fills_the_case_on_confirmation_and_records_it(hp, patient, alice):
    upload(hp, patient, HOSPITAL_PHENOPACKET)
    response = hp.post(url("case-import-preview", patient))
    assert response.status_code == 302 and response["Location"] == url("case-detail", patient)
    assert case_codes(patient) == {
        "diagnoses": [("ORPHA:33069", "confirmed")],
        "phenotypes": [("HP:0000252", True, ""), ("HP:0001250", False, "")],
        "variants": [],
        "onset": "",
    }
    assert CaseDiagnosis.objects.unscoped().get(case__patient=patient).is_main
    event = AuditEvent.objects.get(action="patients.case.prefilled_from_file")
    assert (event.actor_id, event.target_id) == (alice.pk, str(patient.pk))
    assert event.data == {
        "format": "phenopacket",
        "diagnoses": 1,
        "phenotypes": 2,
        "variants": 0,
        "onset": "",
        "unknown": 2,
    }
    assert hp.get(url("case-import-preview", patient)).status_code == 302  # the file is used once


def test_it_only_adds_what_the_case_lacks(hp, patient, concepts):
    case = Case(patient=patient, onset="HP:0011463")
    case.save()
    CaseDiagnosis(case=case, concept=concepts["G40.4"], certainty="confirmed", is_main=True).save()
    case.phenotypes.create(concept=concepts["HP:0001250"], excluded=True)
    packet = {
        **HOSPITAL_PHENOPACKET,
        "diseases": [{"term": {"id": "ORPHA:33069"}, "onset": {"ontologyClass": {"id": "HP:0003593"}}}],
    }
    upload(hp, patient, packet)
    page = hp.get(url("case-import-preview", patient)).content.decode()
    assert "Already in the case" in page
    hp.post(url("case-import-preview", patient))
    codes = case_codes(patient)
    assert ("HP:0001250", True, "") in codes["phenotypes"]  # kept as it was, not overwritten
    assert codes["onset"] == "HP:0011463"
    main = {
        d.concept.code: d.is_main
        for d in CaseDiagnosis.objects.unscoped().filter(case=case).select_related("concept")
    }
    assert main == {"G40.4": True, "ORPHA:33069": False}


HOSTILE = [
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00", "not text in UTF-8"),
    (b"[1, 2, 3]", "not an object"),
    (b'{"resourceType": "Patient", "id": "x"}', "CPMS reads a FHIR Bundle"),
    (
        b'{"resourceType": "Bundle", "type": "collection",'
        b' "entry": [{"resource": {"resourceType": "Nope"}}]}',
        "not a valid FHIR R4 Bundle",
    ),
    (b'{"resourceType": "Bundle", "type": "collection", "extra": 1}', "not a valid FHIR R4 Bundle"),
    (b'{"phenotypicFeatures": "nope"}', "nor a valid Phenopacket"),
    (b'{"id": NaN}', "is not valid JSON"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
    (b'{"id": "' + b"9" * 10 + b'", "x": ' + b"9" * 5000 + b"}", "is not valid JSON"),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE, ids=[m for _c, m in HOSTILE])
def test_it_refuses_a_hostile_file_with_a_clear_message(hp, patient, content, message):
    response = upload(hp, patient, content)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_a_file_too_large_or_not_json(hp, patient, settings):
    response = upload(hp, patient, b"{}", name="case.pdf")
    assert response.status_code == 400 and "not a type of file accepted here" in response.content.decode()
    response = upload(hp, patient, b" " * (2 * 1024 * 1024 + 1))
    assert response.status_code == 400 and "is larger than" in response.content.decode()


def test_it_refuses_a_file_of_more_than_a_case(hp, patient):
    features = [{"type": {"id": f"HP:{n:07d}"}} for n in range(2001)]
    response = upload(hp, patient, {"id": "x", "phenotypicFeatures": features})
    assert response.status_code == 400 and "it is not one case" in response.content.decode()


def test_it_sends_back_to_the_upload_without_a_file(hp, patient):
    assert hp.get(url("case-import-preview", patient))["Location"] == url("case-import", patient)


def test_it_keeps_the_file_of_one_patient_away_from_another(hp, patient, world):
    other = make_patient(world.institutions["DE22"], world.ern, pseudonym="RND-OTHER001")
    upload(hp, patient, HOSPITAL_PHENOPACKET)
    assert hp.post(url("case-import-preview", other)).status_code == 302
    assert not Case.objects.unscoped().filter(patient=other).exists()


@pytest.mark.parametrize("name", ["case-import", "case-import-preview"])
def test_it_asks_anonymous_visitors_to_sign_in(client, patient, name):
    response = client.get(url(name, patient))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", ["case-import", "case-import-preview"])
def test_it_hides_a_patient_of_another_centre(client, charlie, world, patient, name, method):
    other = make_hp(client, charlie, world.institutions["DE05"])
    assert getattr(other, method)(url(name, patient)).status_code == 404
    assert not Case.objects.unscoped().filter(patient=patient).exists()


def test_it_previews_and_fills_in_a_fixed_number_of_queries(hp, patient, django_assert_num_queries):
    upload(hp, patient, HOSPITAL_PHENOPACKET)
    with django_assert_num_queries(PREVIEW_QUERIES):
        assert hp.get(url("case-import-preview", patient)).status_code == 200
    with django_assert_num_queries(FILL_QUERIES):
        assert hp.post(url("case-import-preview", patient)).status_code == 302


PREVIEW_QUERIES = 8
FILL_QUERIES = 23
