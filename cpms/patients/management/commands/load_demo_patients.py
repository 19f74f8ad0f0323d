"""Demo patients for the embedded default: a few enrolled at DE22 and DE05 (ERN-RND) with their
consents, a signed form and a coded case (when the terminologies are loaded). Safe to run again: a
patient already there (same hospital number at the same centre) is left as it is.

Needs the demo people (`load_demo_data`); `make run` loads both. The names are invented.
"""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from cpms.clinical.management.commands.load_demo_data import institution
from cpms.coding.models import Concept
from cpms.identity.models import User
from cpms.patients.actions.case import do_save_case_diagnoses, do_save_case_phenotypes, do_save_case_variants
from cpms.patients.actions.patients import Identity, do_enrol_patient
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentKind, ConsentStatus
from cpms.patients.queries import hospital_number_index

GIVEN, REFUSED, NOT_ASKED = ConsentStatus.GIVEN, ConsentStatus.REFUSED, ConsentStatus.NOT_ASKED
# centre, enrolled by, given names, family name, date of birth, sex, hospital number, registries, contact
DEMO_PATIENTS = [
    (
        "DE22",
        "jonas.braun@demo.cpms.eu",
        "Klara",
        "Hoffmann",
        "2009-04-17",
        "female",
        "TUE-100231",
        GIVEN,
        GIVEN,
    ),
    (
        "DE22",
        "jonas.braun@demo.cpms.eu",
        "Maximilian",
        "Vogel",
        "1996-11-02",
        "male",
        "TUE-100874",
        GIVEN,
        REFUSED,
    ),
    (
        "DE22",
        "helena.weber@demo.cpms.eu",
        "Emine",
        "Yılmaz",
        "1978-01-29",
        "female",
        "TUE-101102",
        REFUSED,
        NOT_ASKED,
    ),
    (
        "DE05",
        "lena.fischer@demo.cpms.eu",
        "Paul",
        "Schröder",
        "2015-08-08",
        "male",
        "UKB-55120",
        GIVEN,
        GIVEN,
    ),
    (
        "DE05",
        "lena.fischer@demo.cpms.eu",
        "Greta",
        "Lindqvist",
        "1988-06-21",
        "female",
        "UKB-55377",
        NOT_ASKED,
        NOT_ASKED,
    ),
]
# hospital number → the case: diagnoses (code, certainty; the first is main, none = undiagnosed),
# HPO terms, variants (gene, HGVS, zygosity, ACMG class)
DEMO_CASES = {
    "TUE-100231": (
        [("ORPHA:33069", "confirmed"), ("G40.4", "confirmed")],
        ["HP:0001250", "HP:0001263"],
        [("SCN1A", "NM_001165963.4:c.2836C>T", "GENO:0000135", "PATHOGENIC")],
    ),
    "TUE-100874": ([], ["HP:0001249", "HP:0000252", "HP:0001252"], []),
    "UKB-55120": (
        [("ORPHA:98896", "confirmed"), ("G71.0", "confirmed")],
        ["HP:0001252"],
        [("DMD", "NM_004006.3:c.10171C>T", "GENO:0000134", "PATHOGENIC")],
    ),
}
SIGNED_FORM = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def enrol_demo_patient(user, centre, identity: Identity, sex: str, registries: str, contact: str) -> Patient:
    """Enrol through the page's own action, with care consent given and a signed form."""
    return do_enrol_patient(
        acting_user=user,
        centre=centre,
        identity=identity,
        sex_at_birth=sex,
        country_of_residence="DE",
        vital_status="alive",
        consents={
            ConsentKind.CARE: GIVEN,
            ConsentKind.REGISTRIES: registries,
            ConsentKind.RESEARCH_CONTACT: contact,
        },
        consent_date=datetime.date(2026, 11, 16),
        consent_form=SimpleUploadedFile("signed-consent.pdf", SIGNED_FORM, "application/pdf"),
    )


def is_enrolled(centre, hospital_number: str) -> bool:
    return (
        Patient.objects.at_centres([centre.pk])
        .filter(hospital_number_index=hospital_number_index(centre.pk, hospital_number), removed_at=None)
        .exists()
    )


def code_demo_case(user, patient, case) -> None:
    """Write the demo case through the case actions; codes the loaded releases lack are left out.
    `case` is (diagnoses as (code, certainty), the first main; HPO codes; variants)."""
    if case is None:
        return
    diagnoses, terms, variants = case
    codes = {code for code, _certainty in diagnoses} | set(terms)
    concepts = {concept.code: concept for concept in Concept.objects.filter(code__in=codes)}
    rows = [
        {"concept": concepts[code], "certainty": certainty, "is_main": index == 0}
        for index, (code, certainty) in enumerate(diagnoses)
        if code in concepts
    ]
    do_save_case_diagnoses(acting_user=user, patient=patient, undiagnosed=not rows, rows=rows)
    do_save_case_phenotypes(
        acting_user=user,
        patient=patient,
        rows=[
            {"concept": concepts[code], "excluded": False, "onset": ""} for code in terms if code in concepts
        ],
    )
    do_save_case_variants(
        acting_user=user,
        patient=patient,
        rows=[
            {"gene_symbol": gene, "hgvs": hgvs, "zygosity": zygosity, "acmg_class": acmg}
            for gene, hgvs, zygosity, acmg in variants
        ],
    )


class Command(BaseCommand):
    help = "Enrol a few demo patients at DE22 and DE05 (ERN-RND) with their consents."

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("Demo patients are only for the embedded default (no DATABASE_URL).")
        enrolled = 0
        for centre_code, email, given, family, born, sex, number, registries, contact in DEMO_PATIENTS:
            centre = institution("ERN-RND", "DE", centre_code)
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError("Load the demo people first: manage.py load_demo_data")
            if is_enrolled(centre, number):
                continue
            identity = Identity(given, family, datetime.date.fromisoformat(born), number)
            patient = enrol_demo_patient(user, centre, identity, sex, registries, contact)
            code_demo_case(user, patient, DEMO_CASES.get(number))
            enrolled += 1
        self.stdout.write(
            f"Demo patients: {enrolled} enrolled, {len(DEMO_PATIENTS) - enrolled} already there."
        )
