"""Builders for the exchange tests (export, import): two centres, HPs, loaded releases, a coded case."""

from django.utils import timezone

from cpms.access.tests.factories import make_grant, make_tree
from cpms.clinical.tests.factories import complete_profile
from cpms.coding.models import Concept, Gene, Release
from cpms.patients.models import Case, CaseDiagnosis, CasePhenotype, CaseVariant, Patient
from cpms.test import sign_in

CONCEPTS = [
    ("hpo", "HP:0001250", "Seizure"),
    ("hpo", "HP:0001263", "Global developmental delay"),
    ("hpo", "HP:0000252", "Microcephaly"),
    ("hpo", "HP:0003593", "Infantile onset"),
    ("hpo", "HP:0011463", "Childhood onset"),
    ("orpha", "ORPHA:33069", "Dravet syndrome"),
    ("orpha", "ORPHA:558", "Marfan syndrome"),
    ("icd10", "G40.4", "Other generalized epilepsy and epileptic syndromes"),
]
# What a user could type into the enrolment form: must never reach an export.
IDENTITY = {
    "given_names": "Zéphyrine",
    "family_name": "Quackenbush",
    "birth_date": "2014-03-09",
    "hospital_number": "HN-7731-XQ",
    "national_id": "1-84-12-75-115-123-45",
}


def make_world():
    return make_tree(
        institutions=(
            ("DE22", "University Hospital and Faculty of Medicine Tubingen"),
            ("DE05", "Charité Berlin"),
        )
    )


def make_hp(client, user, centre):
    make_grant(user, centre)
    complete_profile(user)
    return sign_in(client, user)


def load_terminologies(concepts=CONCEPTS):
    now = timezone.now()
    for system, version in (("hpo", "2025-01-16"), ("orpha", "4.5"), ("icd10", "2019")):
        Release.objects.update_or_create(
            system=system, defaults={"version": version, "source": "tests", "loaded_at": now}
        )
    Gene.objects.get_or_create(symbol="SCN1A", defaults={"ncbi_id": 6323})
    return {
        code: Concept.objects.get_or_create(system=s, code=code, defaults={"label": label})[0]
        for s, code, label in concepts
    }


def make_patient(centre, ern, pseudonym="RND-EXCH0001", **identity):
    patient = Patient(
        pseudonym=pseudonym,
        centre=centre,
        ern=ern,
        sex_at_birth="female",
        year_of_birth=2014,
        vital_status="alive",
        country_of_residence="DE",
        **identity,
    )
    patient.save()
    return patient


def fill_case(patient, concepts):
    case = Case(patient=patient, onset="HP:0003593", clinical_history="Seen by Dr Quackenbush at home.")
    case.save()
    CaseDiagnosis(case=case, concept=concepts["ORPHA:33069"], certainty="confirmed", is_main=True).save()
    CaseDiagnosis(case=case, concept=concepts["G40.4"], certainty="suspected").save()
    CaseDiagnosis(case=case, concept=concepts["ORPHA:558"], certainty="excluded").save()
    CasePhenotype(case=case, concept=concepts["HP:0001250"], onset="HP:0003593").save()
    CasePhenotype(case=case, concept=concepts["HP:0001263"]).save()
    CasePhenotype(case=case, concept=concepts["HP:0000252"], excluded=True).save()
    CaseVariant(
        case=case,
        gene_symbol="SCN1A",
        hgvs="NM_001165963.4:c.4493G>A",
        zygosity="GENO:0000135",
        acmg_class="PATHOGENIC",
    ).save()
    CaseVariant(case=case, gene_symbol="PCDH19", hgvs="NM_001184880.2:c.1091dup").save()
    return case


def case_codes(patient) -> dict:
    """What a round trip must keep: every code with its certainty or state, every variant."""
    case = Case.objects.unscoped().get(patient=patient)
    return {
        "diagnoses": sorted((d.concept.code, d.certainty) for d in case.diagnoses.select_related("concept")),
        "phenotypes": sorted(
            (p.concept.code, p.excluded, p.onset) for p in case.phenotypes.select_related("concept")
        ),
        "variants": sorted((v.gene_symbol, v.hgvs, v.zygosity, v.acmg_class) for v in case.variants.all()),
        "onset": case.onset,
    }
