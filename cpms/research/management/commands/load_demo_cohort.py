"""A demo registry cohort for the embedded default: 40 more patients at DE22 and DE05 (ERN-RND), each
with care and registries consent and a coded case (Dravet syndrome, Duchenne muscular dystrophy,
Huntington disease, Rett syndrome), so that the research store has groups above the suppression
threshold and the researcher (Piet) sees figures, not only hidden cells. Names, dates and numbers are
invented and always the same (a seeded generator). Safe to run again.

Needs the demo people and terminologies (`load_demo_data`, `load_terminologies`); `make run` calls it
before `research_sweep`.
"""

import datetime
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cpms.clinical.management.commands.load_demo_data import institution
from cpms.identity.models import User
from cpms.patients.actions.patients import Identity
from cpms.patients.management.commands.load_demo_patients import (
    GIVEN,
    NOT_ASKED,
    code_demo_case,
    enrol_demo_patient,
    is_enrolled,
)

# disease: (how many, sexes, birth years, the case: diagnoses, HPO terms, variant)
COHORT = {
    "dravet": (
        14,
        ("female", "male"),
        (1995, 2022),
        [("ORPHA:33069", "confirmed"), ("G40.4", "confirmed")],
        ["HP:0001250", "HP:0001263"],
        ("SCN1A", "NM_001165963.4:c.2836C>T", "GENO:0000135", "PATHOGENIC"),
    ),
    "duchenne": (
        10,
        ("male",),
        (2000, 2021),
        [("ORPHA:98896", "confirmed"), ("G71.0", "confirmed")],
        ["HP:0003560", "HP:0001252"],
        ("DMD", "NM_004006.3:c.10171C>T", "GENO:0000134", "PATHOGENIC"),
    ),
    "huntington": (
        8,
        ("female", "male"),
        (1950, 1990),
        [("ORPHA:399", "confirmed"), ("G10", "confirmed")],
        ["HP:0002072", "HP:0002317"],
        None,
    ),
    "rett": (
        8,
        ("female",),
        (2005, 2020),
        [("ORPHA:778", "suspected"), ("F84.2", "suspected")],
        ["HP:0001263", "HP:0001250"],
        ("MECP2", "NM_004992.4:c.473C>T", "GENO:0000135", "PATHOGENIC"),
    ),
}
GIVEN_NAMES = {
    "female": ["Anna", "Lea", "Mia", "Hannah", "Sophie", "Lina", "Emma", "Marie", "Ida", "Frieda"],
    "male": ["Ben", "Noah", "Finn", "Elias", "Leon", "Felix", "Jonas", "Emil", "Anton", "Theo"],
}
FAMILY_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz"]
# centre code, the HP who enrols, hospital number prefix
CENTRES = [("DE22", "jonas.braun@demo.cpms.eu", "TUE-2"), ("DE05", "lena.fischer@demo.cpms.eu", "UKB-7")]


def cohort_patients():
    """(centre, enrolling e-mail, identity, sex, the case) of each cohort patient, always the same."""
    chance = random.Random(2026)
    number = 0
    for count, sexes, (first_year, last_year), diagnoses, terms, variant in COHORT.values():
        for _ in range(count):
            number += 1
            centre_code, email, prefix = CENTRES[number % len(CENTRES)]
            sex = chance.choice(sexes)
            born = datetime.date(
                chance.randint(first_year, last_year), chance.randint(1, 12), chance.randint(1, 28)
            )
            identity = Identity(
                chance.choice(GIVEN_NAMES[sex]), chance.choice(FAMILY_NAMES), born, f"{prefix}{number:04d}"
            )
            yield centre_code, email, identity, sex, (diagnoses, terms, [variant] if variant else [])


class Command(BaseCommand):
    help = "Enrol a demo registry cohort at DE22 and DE05 (ERN-RND), for the research store's figures."

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("Demo patients are only for the embedded default (no DATABASE_URL).")
        enrolled = total = 0
        for centre_code, email, identity, sex, case in cohort_patients():
            total += 1
            centre = institution("ERN-RND", "DE", centre_code)
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError("Load the demo people first: manage.py load_demo_data")
            if is_enrolled(centre, identity.hospital_number):
                continue
            patient = enrol_demo_patient(user, centre, identity, sex, registries=GIVEN, contact=NOT_ASKED)
            code_demo_case(user, patient, case)
            enrolled += 1
        self.stdout.write(f"Demo registry cohort: {enrolled} enrolled, {total - enrolled} already there.")
