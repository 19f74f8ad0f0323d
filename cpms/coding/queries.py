"""Reads of the terminologies: a code's concept, whether a gene is known, the autocomplete search."""

from dataclasses import dataclass

from django.db import connection

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
SYNONYM_SYSTEMS = {System.HPO}  # the loaded data has synonyms for HPO only (phenotype.hpoa names ORPHA once)


def get_concept(system: str, code: str) -> Concept | None:
    """The concept with this code in this terminology, or None if the loaded release lacks it."""
    code = code.strip()
    if not code.isprintable():
        return None
    return Concept.objects.filter(system=system, code=code).first()


def gene_is_known(symbol: str) -> bool:
    symbol = symbol.strip().upper()
    return symbol.isprintable() and Gene.objects.filter(symbol=symbol).exists()


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

    One query: for each step and system, an index range scan stopped after a few rows, glued by
    UNION ALL; Python then orders the steps, drops concepts already found and stops at `limit`.
    """
    query = index.fold(index.printable(q))[:MAX_QUERY_LENGTH]
    systems = [system for system in System.values if system in systems]
    if not query or limit <= 0 or not systems:
        return []
    rows = _search_rows(query, systems, limit)
    rows.sort(key=lambda row: (row[0], row[1]))  # step, then key
    found: dict[int, Match] = {}
    for _, _, synonym, concept_id, system, code, label in rows:
        if concept_id not in found:
            found[concept_id] = Match(system, code, label, synonym)
            if len(found) == limit:
                break
    return list(found.values())


# One step of the search, for one system: our table names and operators; the values are parameters.
_STEP_SQL = (
    "SELECT * FROM (SELECT {step} AS step, t.key, t.synonym, c.id, c.system, c.code, c.label"
    " FROM coding_searchterm t JOIN coding_concept c ON c.id = t.concept_id"
    " WHERE t.kind = %s AND t.system = %s AND t.key {operator} %s{upper}"
    " ORDER BY t.key LIMIT %s) AS s{alias}"
)


def _search_rows(query: str, systems: list[str], limit: int) -> list[tuple]:
    kind = SearchTerm.Kind
    exact, prefix = ("=", query, None), (">=", query, index.successor(query))
    steps = []
    if any(ch.isdigit() for ch in query):  # every code has a digit: no code step for words
        steps += [(kind.CODE, exact), (kind.CODE, (">", query, index.successor(query)))]
    steps += [(kind.LABEL, prefix), (kind.WORD, prefix), (kind.SYNONYM, prefix)]
    parts, params = [], []
    for number, (step_kind, (operator, low, high)) in enumerate(steps):
        for system in systems:
            if step_kind == kind.SYNONYM and system not in SYNONYM_SYSTEMS:
                continue
            upper = "" if high is None else " AND t.key < %s"
            parts.append(_STEP_SQL.format(step=number, operator=operator, upper=upper, alias=len(parts)))
            params += [step_kind, system, low, *([] if high is None else [high]), limit * 2]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


def loaded_releases() -> dict[str, Release]:
    """The loaded release of each terminology, by system ("hpo", "orpha", "icd10")."""
    return {release.system: release for release in Release.objects.all()}
