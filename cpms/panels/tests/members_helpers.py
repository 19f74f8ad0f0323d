"""Helpers of the members, experts and suggestions tests: cases with HPO terms, ERN Preferences."""

from django.utils import timezone

from cpms.clinical.models import ErnPreference, ThematicArea
from cpms.coding.models import Concept, System
from cpms.patients.models import Case, CasePhenotype

from ..models import Contribution


def hpo(code: str) -> Concept:
    concept, _ = Concept.objects.get_or_create(system=System.HPO, code=code, defaults={"label": code})
    return concept


def give_phenotype(patient, *codes: str, excluded=()) -> Case:
    """The patient's case with these observed (and `excluded`) HPO terms."""
    case = Case.objects.unscoped().filter(patient=patient).first()
    if case is None:
        case = Case(patient=patient)
        case.save()
    for code in codes:
        CasePhenotype(case=case, concept=hpo(code)).save()
    for code in excluded:
        CasePhenotype(case=case, concept=hpo(code), excluded=True).save()
    return case


def area(ern, code: str = "ataxia-hsp", name: str = "Ataxias and hereditary spastic paraplegias"):
    found, _ = ThematicArea.objects.get_or_create(ern=ern, code=code, defaults={"name": name})
    return found


def follow(user, *areas) -> ErnPreference:
    preference, _ = ErnPreference.objects.get_or_create(user=user, ern=areas[0].ern)
    preference.thematic_areas.add(*areas)
    return preference


def contribute(panel, author, text: str = "My opinion.") -> Contribution:
    return Contribution.objects.create(panel=panel, author=author, text=text, created_at=timezone.now())
