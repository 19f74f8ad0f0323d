"""A research world: the patients' access-matrix world (cpms/patients/tests/factories.py) and
consented patients with coded cases, swept into the store.

Needs the `terminologies` fixture (ORPHA:33069 Dravet syndrome, G40.3, HP:0001250 Seizure and its
child HP:0007359 Focal-onset seizure, SCN1A …).
"""

import datetime
from types import SimpleNamespace

from cpms.access.tests.factories import make_grant
from cpms.coding.models import Concept
from cpms.patients.models import Case, CaseDiagnosis, CasePhenotype, CaseVariant
from cpms.patients.models.patient import ConsentKind
from cpms.patients.tests.factories import in_cpms, make_patient, make_patient_world
from cpms.test import make_user

CONSENTED = (ConsentKind.CARE, ConsentKind.REGISTRIES)


def concept(code: str) -> Concept:
    return Concept.objects.get(code=code)


def add_case(patient, *, diagnoses=(), phenotypes=(), genes=(), onset: str = "") -> Case:
    case = Case(patient=patient, onset=onset)
    case.save()
    for code, certainty in diagnoses:
        CaseDiagnosis(case=case, concept=concept(code), certainty=certainty).save()
    for code, excluded in phenotypes:
        CasePhenotype(case=case, concept=concept(code), excluded=excluded).save()
    for symbol in genes:
        CaseVariant(case=case, gene_symbol=symbol, hgvs="NM_001165963.4:c.1A>G").save()
    return case


def consented_patient(centre, number: int, *, sex: str = "female", born: int = 1990, **case) -> object:
    patient = make_patient(
        centre,
        given_names=f"Given{number}",
        family_name=f"Family{number}",
        birth_date=datetime.date(born, 6, 1),
        hospital_number=f"RES-{number:05d}",
        sex_at_birth=sex,
        consents=CONSENTED,
    )
    if case:
        add_case(patient, **case)
    return patient


def make_research_world() -> SimpleNamespace:
    """The access-matrix world, plus: `coordinator` (Coordinator and HP of ERN-RND at DE22, not a
    researcher), and 13 consented patients of ERN-RND: 10 with Dravet syndrome (ORPHA:33069,
    confirmed; seizures, focal ones for 3; SCN1A), 8 female and 2 male born in 1990 at DE22 and DE05;
    3 with G40.3 (male, born 2015). The world's own `patient` has no registries consent."""
    world = make_patient_world()
    world.coordinator = in_cpms(make_user("ncoordr1", "rita@example.org", "Rita", "Coord"), world.de22)
    make_grant(world.coordinator, world.de22, "coordinator")
    world.consented = []
    for number in range(10):
        centre = world.de22 if number % 2 else world.de05
        world.consented.append(
            consented_patient(
                centre,
                number,
                sex="female" if number < 8 else "male",
                diagnoses=[("ORPHA:33069", "confirmed")],
                phenotypes=[("HP:0007359" if number < 3 else "HP:0001250", False)],
                genes=["SCN1A"],
                onset="HP:0003593",
            )
        )
    for number in range(10, 13):
        world.consented.append(
            consented_patient(world.de22, number, sex="male", born=2015, diagnoses=[("G40.3", "suspected")])
        )
    return world
