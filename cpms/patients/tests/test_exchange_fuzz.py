"""The importer under hostile input: whatever the bytes, a Prefill or UnreadableFile, nothing else."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpms.patients.exchange.importing import UnreadableFile, read_upload

pytestmark = pytest.mark.django_db

KEYS = st.sampled_from(
    [
        "resourceType", "type", "entry", "resource", "code", "coding", "system", "valueCodeableConcept",
        "component", "verificationStatus", "id", "subject", "phenotypicFeatures", "diseases", "term",
        "excluded", "onset", "interpretations", "diagnosis", "genomicInterpretations",
        "variantInterpretation", "variationDescriptor", "expressions", "geneContext", "metaData",
        "Bundle", "Condition", "Observation",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30), KEYS
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), children, max_size=5)
    ),
    max_leaves=30,
)
RESOURCES = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Patient", "Condition", "Observation", "Bundle", "Nope"])},
    optional={"code": JSON, "status": JSON, "component": JSON, "subject": JSON, "valueCodeableConcept": JSON},
)
BUNDLES = st.fixed_dictionaries(
    {"resourceType": st.just("Bundle"), "type": st.sampled_from(["collection", "document", 3])},
    optional={"entry": st.lists(st.fixed_dictionaries({"resource": RESOURCES}), max_size=4)},
)
PHENOPACKETS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON,
        "phenotypicFeatures": st.lists(
            st.fixed_dictionaries({}, optional={"type": JSON, "excluded": JSON, "onset": JSON})
        ),
        "diseases": st.lists(st.fixed_dictionaries({}, optional={"term": JSON, "excluded": JSON})),
        "interpretations": JSON,
        "subject": JSON,
    },
)


def read(data: bytes) -> None:
    try:
        read_upload(data)
    except UnreadableFile as error:
        assert str(error)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_it_reads_any_bytes_without_an_unexpected_exception(data):
    read(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, BUNDLES, PHENOPACKETS))
def test_it_reads_any_json_without_an_unexpected_exception(value):
    read(json.dumps(value).encode())


VALID_PHENOPACKET = {
    "id": "P1",
    "subject": {"id": "P1", "sex": "FEMALE"},
    "phenotypicFeatures": [
        {"type": {"id": "HP:0001250", "label": "Seizure"}, "onset": {"ontologyClass": {"id": "HP:0003593"}}}
    ],
    "diseases": [{"term": {"id": "ORPHA:33069", "label": "Dravet"}, "excluded": False}],
    "interpretations": [
        {
            "id": "P1-1",
            "progressStatus": "SOLVED",
            "diagnosis": {
                "disease": {"id": "ORPHA:33069"},
                "genomicInterpretations": [
                    {
                        "subjectOrBiosampleId": "P1",
                        "interpretationStatus": "CANDIDATE",
                        "variantInterpretation": {
                            "acmgPathogenicityClassification": "PATHOGENIC",
                            "variationDescriptor": {
                                "id": "v1",
                                "geneContext": {"valueId": "NCBIGene:6323", "symbol": "SCN1A"},
                                "expressions": [{"syntax": "hgvs", "value": "NM_001165963.4:c.4493G>A"}],
                                "allelicState": {"id": "GENO:0000135", "label": "heterozygous"},
                            },
                        },
                    }
                ],
            },
        }
    ],
}
LOINC = "http://loinc.org"
HPO = "http://human-phenotype-ontology.org"
VALID_BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "identifier": [{"value": "P1"}]}},
        {
            "resource": {
                "resourceType": "Condition",
                "verificationStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "refuted",
                        }
                    ]
                },
                "code": {"coding": [{"system": "http://www.orpha.net", "code": "558"}]},
                "subject": {"reference": "urn:uuid:1"},
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://human-phenotype-ontology.org", "code": "HP:0001250"}]},
                "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA9634-2"}]},
                "interpretation": [{"coding": [{"code": "NEG"}]}],
                "component": [
                    {
                        "code": {"coding": [{"system": HPO, "code": "HP:0003674"}]},
                        "valueCodeableConcept": {"coding": [{"code": "HP:0003593"}]},
                    }
                ],
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "69548-6"}]},
                "component": [
                    {
                        "code": {"coding": [{"system": LOINC, "code": "48004-6"}]},
                        "valueCodeableConcept": {"coding": [{"code": "c.1A>G"}]},
                    },
                    {
                        "code": {"coding": [{"system": LOINC, "code": "48018-6"}]},
                        "valueCodeableConcept": {"text": "SCN1A"},
                    },
                    {
                        "code": {"coding": [{"system": LOINC, "code": "53034-5"}]},
                        "valueCodeableConcept": {"coding": [{"code": "LA6706-1"}]},
                    },
                    {
                        "code": {"coding": [{"system": LOINC, "code": "53037-8"}]},
                        "valueCodeableConcept": {"coding": [{"code": "LA6668-3"}]},
                    },
                ],
            }
        },
    ],
}


def test_it_reads_the_valid_samples():
    assert read_upload(json.dumps(VALID_PHENOPACKET).encode()).variants[0]["acmg_class"] == "PATHOGENIC"
    prefill = read_upload(json.dumps(VALID_BUNDLE).encode())
    assert prefill.variants[0]["zygosity"] == "GENO:0000135"
    assert prefill.phenotypes[0] == {
        "code": "HP:0001250",
        "label": "",
        "excluded": True,
        "onset": "HP:0003593",
    }
    assert prefill.diagnoses[0]["certainty"] == "excluded"


def mutate(value, data, depth=0):
    """The value with one of its parts, chosen by hypothesis, replaced by arbitrary JSON."""
    children = (
        list(value.items())
        if isinstance(value, dict)
        else list(enumerate(value))
        if isinstance(value, list)
        else []
    )
    if not children or depth > 12 or data.draw(st.integers(0, 3)) == 0:
        return data.draw(JSON)
    key, child = children[data.draw(st.integers(0, len(children) - 1))]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = mutate(child, data, depth + 1)
    return copy


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([VALID_PHENOPACKET, VALID_BUNDLE]), st.data())
def test_it_reads_a_damaged_valid_file_without_an_unexpected_exception(sample, data):
    read(json.dumps(mutate(sample, data)).encode())
