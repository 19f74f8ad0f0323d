"""A section of the case: each saved on its own, every value checked, every save audited."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.coding.models import Concept
from cpms.patients.models import CaseDraft

from .case_helpers import (
    HPO_TERMS,
    case_of,
    case_world,
    diagnosis_post,
    management,
    phenotype_post,
    signed_in,
    variant_post,
)

pytestmark = pytest.mark.django_db

SECTIONS = [
    "status",
    "history",
    "diagnosis",
    "phenotype",
    "genetics",
    "investigations",
    "treatment",
    "attachments",
]


@pytest.fixture
def world():
    return case_world()


@pytest.fixture
def hana(world):
    return signed_in(world.hana)


def url(section, pseudonym="RND-CASE0001"):
    return reverse("patients:case-section", kwargs={"pseudonym": pseudonym, "section": section})


def saved_event():
    return AuditEvent.objects.filter(action="patients.case.saved").latest("id")


def errors_of(response) -> str:
    assert response.status_code == 400
    return response.content.decode()


@pytest.mark.parametrize("section", SECTIONS)
def test_it_asks_anonymous_visitors_to_sign_in(client, world, section):
    for response in (client.get(url(section)), client.post(url(section))):
        assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("section", SECTIONS)
def test_it_hides_every_section_from_an_hp_of_another_centre(world, section):
    otto = signed_in(world.otto)
    assert otto.get(url(section)).status_code == 404
    assert otto.post(url(section), {"clinical_history": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action="patients.case.saved").exists()


@pytest.mark.parametrize("section", SECTIONS)
def test_it_shows_every_section_to_the_centre_s_hp(hana, section):
    response = hana.get(url(section))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="patients.case.viewed", data__section=section).exists()


def test_it_answers_404_for_a_section_that_does_not_exist(hana):
    assert hana.get(url("demographics")).status_code == 404


def test_it_saves_status_and_onset_and_records_the_changes(hana, world):
    response = hana.post(
        url("status"),
        {
            "onset": "HP:0011463",
            "age_at_onset_years": "4",
            "age_at_diagnosis_years": "7",
            "first_contact_year": "2019",
        },
    )
    assert response.status_code == 302 and response.url == reverse(
        "patients:case-detail", kwargs={"pseudonym": "RND-CASE0001"}
    )
    case = case_of(world.patient)
    assert (case.onset, case.age_at_onset_years, case.age_at_diagnosis_years, case.first_contact_year) == (
        "HP:0011463",
        4,
        7,
        2019,
    )
    assert case.updated_by == world.hana
    event = saved_event()
    assert event.data["section"] == "status"
    assert event.data["age_at_onset_years"] == {"old": None, "new": 4}
    assert event.data["onset"] == {"old": "", "new": "HP:0011463"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"age_at_onset_years": "9", "age_at_diagnosis_years": "3"}, "cannot be below the age at onset"),
        ({"first_contact_year": "2999"}, "cannot be in the future"),
        ({"first_contact_year": "2005"}, "cannot be before the year of birth (2010)"),
        ({"age_at_onset_years": "60"}, "born in 2010, has not reached this age"),
        ({"age_at_onset_years": "four"}, "Enter a whole number"),
        ({"age_at_onset_years": "-1"}, "greater than or equal to 0"),
        ({"onset": "HP:0000001"}, "Select a valid choice"),
    ],
)
def test_it_refuses_an_impossible_status_with_a_message_on_the_field(hana, world, data, message):
    body = errors_of(hana.post(url("status"), data))
    assert message in body
    assert "There is a problem" in body  # the error summary
    assert not AuditEvent.objects.filter(action="patients.case.saved").exists()


def test_it_keeps_free_text_out_of_the_trail(hana, world):
    hana.post(url("history"), {"clinical_history": "Gait unsteady since age 4.", "family_history": ""})
    assert case_of(world.patient).clinical_history == "Gait unsteady since age 4."
    assert saved_event().data["clinical_history"] == {"old": 0, "new": 26}


def test_it_saves_investigations_and_treatment(hana, world):
    hana.post(url("investigations"), {"investigations": "MRI: cerebellar atrophy."})
    hana.post(url("treatment"), {"treatment": "Physiotherapy."})
    case = case_of(world.patient)
    assert (case.investigations, case.treatment) == ("MRI: cerebellar atrophy.", "Physiotherapy.")


def test_it_refuses_a_clinical_history_that_is_too_long(hana):
    assert "at most 20000 characters" in errors_of(
        hana.post(url("history"), {"clinical_history": "x" * 20001})
    )


# -- diagnosis


def diagnoses_of(patient):
    return sorted(
        (d.concept.code, d.certainty, d.is_main) for d in case_of(patient).diagnoses.select_related("concept")
    )


def test_it_saves_orpha_and_icd10_diagnoses_with_their_certainty(hana, world):
    data = diagnosis_post(
        [("orpha:95", "confirmed", True), ("g11.1", "confirmed", False), ("ORPHA:558", "excluded", False)]
    )
    assert hana.post(url("diagnosis"), data).status_code == 302
    assert diagnoses_of(world.patient) == [
        ("G11.1", "confirmed", False),
        ("ORPHA:558", "excluded", False),
        ("ORPHA:95", "confirmed", True),
    ]
    assert saved_event().data["diagnoses"]["new"] == [
        "G11.1 confirmed",
        "ORPHA:558 excluded",
        "ORPHA:95 confirmed main",
    ]


def test_it_makes_the_only_diagnosis_the_main_one(hana, world):
    hana.post(url("diagnosis"), diagnosis_post([("ORPHA:95", "suspected", False)]))
    assert diagnoses_of(world.patient) == [("ORPHA:95", "suspected", True)]


@pytest.mark.parametrize(
    ("rows", "undiagnosed", "message"),
    [
        (
            [("ORPHA:99999999", "confirmed", True)],
            False,
            "ORPHA:99999999 is not in the loaded ORPHA release.",
        ),
        ([("X99.9", "confirmed", True)], False, "X99.9 is not in the loaded ICD-10 release."),
        (
            [("ORPHA:95", "confirmed", True), ("ORPHA:95", "suspected", False)],
            False,
            "already in the list above",
        ),
        (
            [("ORPHA:95", "confirmed", True), ("G11.1", "confirmed", True)],
            False,
            "Choose one main diagnosis only.",
        ),
        ([("ORPHA:95", "confirmed", False), ("G11.1", "suspected", False)], False, "on one of the diagnoses"),
        ([("ORPHA:95", "excluded", True)], False, "An excluded diagnosis cannot be the main diagnosis."),
        ([("ORPHA:95", "confirmed", True)], True, "is not undiagnosed"),
        ([("ORPHA:95", "probable", True)], False, "Select a valid choice"),
        ([("", "suspected", True)], False, "Enter a code, or tick"),
    ],
)
def test_it_refuses_a_wrong_diagnosis_with_a_message(hana, world, rows, undiagnosed, message):
    body = errors_of(hana.post(url("diagnosis"), diagnosis_post(rows, undiagnosed=undiagnosed)))
    assert message in body
    assert not AuditEvent.objects.filter(action="patients.case.saved").exists()


def test_it_keeps_an_undiagnosed_case_with_a_suspected_diagnosis(hana, world):
    hana.post(url("diagnosis"), diagnosis_post([("ORPHA:95", "suspected", False)], undiagnosed=True))
    assert case_of(world.patient).undiagnosed is True
    assert diagnoses_of(world.patient) == [("ORPHA:95", "suspected", True)]


def test_it_answers_400_to_a_tampered_list_not_500(hana):
    assert hana.post(url("diagnosis"), {"diagnoses-TOTAL_FORMS": "x"}).status_code == 400
    assert hana.post(url("phenotype"), management("phenotypes", 100000)).status_code == 400


# -- phenotype


def phenotypes_of(patient):
    return sorted((p.concept.code, p.excluded) for p in case_of(patient).phenotypes.select_related("concept"))


def test_it_saves_hpo_terms_observed_or_excluded(hana, world):
    response = hana.post(
        url("phenotype"), phenotype_post(["hp:0001250", "HP:0001251"], excluded=["hp:0001250"])
    )
    assert response.status_code == 302
    assert phenotypes_of(world.patient) == [("HP:0001250", True), ("HP:0001251", False)]
    assert saved_event().data["phenotypes"] == {
        "old": [],
        "new": ["HP:0001250 excluded", "HP:0001251 observed"],
    }


def test_it_removes_a_ticked_row_and_adds_another_on_request(hana, world):
    hana.post(url("phenotype"), phenotype_post(["HP:0001250", "HP:0001251"]))
    data = {**phenotype_post(["HP:0001250", "HP:0001251"]), "phenotypes-0-DELETE": "on", "add_row": ""}
    response = hana.post(url("phenotype"), data)
    assert response.status_code == 302 and response.url == url("phenotype") + "#new-row"
    assert phenotypes_of(world.patient) == [("HP:0001251", False)]
    page = hana.get(url("phenotype")).content.decode()
    assert 'name="phenotypes-TOTAL_FORMS" value="2"' in page  # the saved row and an empty one
    assert "Remove this row" in page


def test_it_names_an_hpo_code_that_the_loaded_release_lacks(hana):
    body = errors_of(hana.post(url("phenotype"), phenotype_post(["HP:9999999"])))
    assert "HP:9999999 is not in the loaded HPO release." in body


def test_it_refuses_an_obsolete_hpo_term(hana):
    Concept(system="hpo", code="HP:0001253", label="obsolete Spastic ataxia", is_obsolete=True).save()
    body = errors_of(hana.post(url("phenotype"), phenotype_post(["HP:0001253"])))
    assert "HP:0001253 is obsolete in the loaded HPO release" in body


@pytest.mark.parametrize("rows", [1, 20])
def test_it_saves_phenotypes_in_a_constant_number_of_queries(hana, rows, django_assert_num_queries):
    hana.get(url("phenotype"))
    with django_assert_num_queries(20):
        response = hana.post(url("phenotype"), phenotype_post([code for code, _label in HPO_TERMS[:rows]]))
    assert response.status_code == 302


@pytest.mark.parametrize("rows", [1, 20])
def test_it_shows_phenotypes_in_a_constant_number_of_queries(hana, rows, django_assert_num_queries):
    hana.post(url("phenotype"), phenotype_post([code for code, _label in HPO_TERMS[:rows]]))
    with django_assert_num_queries(13):
        assert hana.get(url("phenotype")).status_code == 200


# -- genetics


def test_it_saves_a_variant_and_warns_about_an_unknown_gene(hana, world):
    data = variant_post(
        [
            ("fbn1", "NM_000138.5:c.1129C>T", "GENO:0000135", "PATHOGENIC"),
            ("NOTAGENE", "NM_000138.5:c.1130G>A", "", ""),
        ]
    )
    response = hana.post(url("genetics"), data)
    assert response.status_code == 302
    variants = sorted(
        case_of(world.patient).variants.values_list("gene_symbol", "hgvs", "zygosity", "acmg_class")
    )
    assert variants == [
        ("FBN1", "NM_000138.5:c.1129C>T", "GENO:0000135", "PATHOGENIC"),
        ("NOTAGENE", "NM_000138.5:c.1130G>A", "", ""),
    ]
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "NOTAGENE is not a gene that the loaded HPO annotations know. It was saved: check the symbol."
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("FBN1", "c.1129C>T>", "", ""), "This is not a valid HGVS description"),
        (("FBN1", "", "", ""), "Enter the variant in HGVS"),
        (("", "NM_000138.5:c.1129C>T", "", ""), "Enter the gene symbol of the variant."),
        (("FBN1", "NM_000138.5:c.1129C>T", "GENO:9", ""), "Select a valid choice"),
    ],
)
def test_it_refuses_a_wrong_variant_with_a_message(hana, row, message):
    assert message in errors_of(hana.post(url("genetics"), variant_post([row])))


def test_a_save_deletes_the_user_s_draft_of_the_section(hana, world):
    CaseDraft(patient=world.patient, section="treatment", user=world.hana, data={"treatment": ["x"]}).save()
    hana.post(url("treatment"), {"treatment": "Physiotherapy."})
    assert not world.patient.case_drafts.exists()
