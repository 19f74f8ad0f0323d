"""Reads of the terminologies: a code's concept, whether a gene is known, the autocomplete search."""

from dataclasses import dataclass

from . import index
from .models import Concept, Gene, Release, SearchTerm, System

DIAGNOSIS = (System.ORPHA, System.ICD10)
SEARCH_SYSTEMS = {
    "hpo": (System.HPO,),
    "orpha": (System.ORPHA,),
    "icd10": (System.ICD10,),
    "diagnosis": DIAGNOSIS,
}
MAX_QUERY_LENGTH = 100


def get_concept(system: str, code: str) -> Concept | None:
    """The concept with this code in this terminology, or None if the loaded release lacks it."""
    return Concept.objects.filter(system=system, code=code.strip()).first()


def gene_is_known(symbol: str) -> bool:
    return Gene.objects.filter(symbol=symbol.strip().upper()).exists()


@dataclass(frozen=True)
class Match:
    """One suggestion: the concept's code and preferred label, and the synonym that found it, if one did."""

    system: str
    code: str
    label: str
    synonym: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "label": self.label, "synonym": self.synonym}


def search_concepts(q: str, systems=tuple(System.values), limit: int = 10) -> list[Match]:
    """Current concepts found by code, label or synonym, accent- and case-insensitively, best first:
    the exact code, codes that start so (when the query has a digit), labels that start so, labels with
    a word that starts so, then synonyms (whole or from a word on). Obsolete concepts are not found.

    At most five index range scans, each stopped at `limit` rows: fast at any table size.
    """
    query = index.fold(q)[:MAX_QUERY_LENGTH]
    if not query or limit <= 0:
        return []
    found: dict[int, str] = {}  # concept id → the synonym that found it ("" for code or label)
    kind = SearchTerm.Kind
    terms = SearchTerm.objects.filter(system__in=list(systems))
    steps = [terms.filter(kind=kind.CODE, key=query)]
    if any(ch.isdigit() for ch in query):
        steps.append(terms.filter(kind=kind.CODE, key__gt=query, key__lt=index.successor(query)))
    for step_kind in (kind.LABEL, kind.WORD, kind.SYNONYM):
        steps.append(terms.filter(kind=step_kind, key__gte=query, key__lt=index.successor(query)))
    for step in steps:
        wanted = limit - len(found)
        if wanted <= 0:
            break
        # Rows of concepts already found are skipped in Python: read a few more than needed.
        rows = step.exclude(concept_id__in=list(found)).order_by("key").values_list("concept_id", "synonym")
        for concept_id, synonym in rows[: wanted * 3]:
            if concept_id not in found and len(found) < limit:
                found[concept_id] = synonym
    concepts = Concept.objects.in_bulk(list(found))
    return [
        Match(concepts[pk].system, concepts[pk].code, concepts[pk].label, synonym)
        for pk, synonym in found.items()
        if pk in concepts
    ]


def loaded_releases() -> dict[str, Release]:
    """The loaded release of each terminology, by system ("hpo", "orpha", "icd10")."""
    return {release.system: release for release in Release.objects.all()}
