"""Builders for the case tests: two centres of ERN-RND with an HP each, a patient at DE22, real codes."""

from types import SimpleNamespace

from django.test import Client

from cpms.access.tests.factories import make_grant, make_tree
from cpms.clinical.tests.factories import complete_profile
from cpms.coding.models import Concept, Gene
from cpms.patients.models import Case, Patient
from cpms.test import add_authenticator, make_user, sign_in

# Real codes and preferred labels (HPO 2025-01-16, Orphanet, WHO ICD-10 2019).
HPO_TERMS = [
    ("HP:0001250", "Seizure"),
    ("HP:0001251", "Ataxia"),
    ("HP:0002066", "Gait ataxia"),
    ("HP:0001260", "Dysarthria"),
    ("HP:0001272", "Cerebellar atrophy"),
    ("HP:0002070", "Limb ataxia"),
    ("HP:0001310", "Dysmetria"),
    ("HP:0002073", "Progressive cerebellar ataxia"),
    ("HP:0007256", "Abnormal pyramidal sign"),
    ("HP:0001263", "Global developmental delay"),
    ("HP:0000639", "Nystagmus"),
    ("HP:0001284", "Areflexia"),
    ("HP:0002071", "Abnormality of extrapyramidal motor function"),
    ("HP:0001337", "Tremor"),
    ("HP:0000726", "Dementia"),
    ("HP:0002380", "Fasciculations"),
    ("HP:0001249", "Intellectual disability"),
    ("HP:0003198", "Myopathy"),
    ("HP:0001288", "Gait disturbance"),
    ("HP:0002167", "Abnormal speech pattern"),
    ("HP:0001166", "Arachnodactyly"),
    ("HP:0000545", "Myopia"),
]
ORPHA_DISEASES = [("ORPHA:558", "Marfan syndrome"), ("ORPHA:95", "Friedreich ataxia")]
ICD10_CODES = [("G11.1", "Early-onset cerebellar ataxia"), ("Q87.4", "Marfan syndrome")]
GENES = ["FBN1", "FXN"]


def load_concepts() -> None:
    rows = [Concept(system="hpo", code=code, label=label) for code, label in HPO_TERMS]
    rows += [Concept(system="orpha", code=code, label=label) for code, label in ORPHA_DISEASES]
    rows += [Concept(system="icd10", code=code, label=label) for code, label in ICD10_CODES]
    Concept.objects.bulk_create(rows, ignore_conflicts=True)
    Gene.objects.bulk_create([Gene(symbol=symbol) for symbol in GENES], ignore_conflicts=True)


def hp_at(tree, centre_code: str, username: str, email: str, first: str, last: str):
    user = make_user(username, email, first, last)
    add_authenticator(user)
    complete_profile(user)
    make_grant(user, tree.institutions[centre_code])
    return user


def case_world() -> SimpleNamespace:
    """Hana, HP at DE22, with patient RND-CASE0001; Otto, HP at DE05 of the same ERN."""
    tree = make_tree(
        institutions=(
            ("DE22", "University Hospital and Faculty of Medicine Tubingen"),
            ("DE05", "University Hospital Bonn"),
        )
    )
    load_concepts()
    hana = hp_at(tree, "DE22", "nhana001", "hana@example.org", "Hana", "Petrova")
    otto = hp_at(tree, "DE05", "notto001", "otto@example.org", "Otto", "Lang")
    patient = Patient(
        pseudonym="RND-CASE0001", centre=tree.hcp, ern=tree.ern, sex_at_birth="female", year_of_birth=2010
    )
    patient.save()
    return SimpleNamespace(tree=tree, hana=hana, otto=otto, patient=patient)


def signed_in(user) -> Client:
    return sign_in(Client(), user)


def case_of(patient: Patient) -> Case:
    return Case.objects.unscoped().get(patient=patient)


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
    }


def phenotype_post(codes, excluded=()) -> dict:
    data = management("phenotypes", len(codes) + 1)
    for index, code in enumerate(codes):
        data[f"phenotypes-{index}-code"] = code
        data[f"phenotypes-{index}-excluded"] = "excluded" if code in excluded else "observed"
        data[f"phenotypes-{index}-onset"] = ""
    data[f"phenotypes-{len(codes)}-excluded"] = "observed"
    return data


def diagnosis_post(rows, undiagnosed=False) -> dict:
    """rows: (code, certainty, is_main)."""
    data = management("diagnoses", len(rows))
    for index, (code, certainty, is_main) in enumerate(rows):
        data[f"diagnoses-{index}-code"] = code
        data[f"diagnoses-{index}-certainty"] = certainty
        if is_main:
            data[f"diagnoses-{index}-is_main"] = "on"
    if undiagnosed:
        data["undiagnosed"] = "on"
    return data


def variant_post(rows) -> dict:
    """rows: (gene, hgvs, zygosity, acmg)."""
    data = management("variants", len(rows))
    for index, (gene, hgvs, zygosity, acmg) in enumerate(rows):
        data.update(
            {
                f"variants-{index}-gene_symbol": gene,
                f"variants-{index}-hgvs": hgvs,
                f"variants-{index}-zygosity": zygosity,
                f"variants-{index}-acmg_class": acmg,
            }
        )
    return data
