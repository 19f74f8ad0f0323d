"""Phenotype similarity on sets of HPO ids and ORPHA codes, with hpo3 (the ontology of
cpms/coding/ontology.py, the same release as the tables). Coding knows no patient: callers pass
term ids and get scores.

The measure is hpo3's set similarity: each term pair by its "graphic" information-content
similarity (IC from the ORPHA annotations), combined with funSimAvg. Among hpo3's methods it ranks
the right disease of simulated patients best (cpms/coding/tests/test_similarity.py). Disease
profiles (the HPO terms annotated to each ORPHA disease in phenotype.hpoa) are built once per process.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from .ontology import ontology

KIND = "orpha"
METHOD = "graphic"
COMBINE = "funSimAvg"
HPO_ID = re.compile(r"HP:\d{7}")


@dataclass(frozen=True)
class DiseaseProfile:
    code: str  # "ORPHA:558"
    name: str
    terms: frozenset[str]  # "HP:…" ids, modifiers removed


@dataclass(frozen=True)
class RankedDisease:
    code: str
    name: str
    score: float


def hpo_id(term) -> str:
    return f"HP:{int(term):07d}"


def orpha_code(disease_id: int) -> str:
    return f"ORPHA:{disease_id}"


@cache
def _disease_index():
    """(profiles by code, their codes in order, their hpo3 sets in the same order); built once."""
    from pyhpo import HPOSet

    ontology()
    from pyhpo import Ontology

    codes, sets, profiles = [], [], {}
    for disease in sorted(Ontology.orpha_diseases, key=lambda d: d.id):
        terms = HPOSet(list(disease.hpo)).remove_modifier()
        if not len(terms):
            continue
        code = orpha_code(disease.id)
        profiles[code] = DiseaseProfile(code, disease.name, frozenset(hpo_id(t) for t in terms))
        codes.append(code)
        sets.append(terms)
    return profiles, codes, sets


def disease_profiles() -> dict[str, DiseaseProfile]:
    """ORPHA code → its profile, for every ORPHA disease with annotations in the loaded release."""
    return _disease_index()[0]


def known_terms(terms: Iterable[str]) -> list[str]:
    """The ids hpo3 knows, in order, once each (unknown or malformed ids are dropped)."""
    ontology_ = ontology()
    found = []
    for term in terms:
        if not isinstance(term, str) or not HPO_ID.fullmatch(term):
            continue
        try:
            found.append(hpo_id(ontology_.get_hpo_object(term)))
        except (KeyError, ValueError, TypeError, NameError, RuntimeError):
            continue
    return list(dict.fromkeys(found))


@lru_cache(maxsize=50000)
def _hpo_set(terms: frozenset):
    from pyhpo import HPOSet

    known = known_terms(sorted(terms, key=str))
    return HPOSet.from_queries(known).remove_modifier() if known else HPOSet([])


def hpo_set(terms: Iterable[str]):
    """hpo3's HPOSet of these ids, unknown ones dropped. Cached per process by content: the profile
    of an expert or a past case is built once, until its terms change."""
    return _hpo_set(frozenset(terms))


def set_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Similarity of two sets of HPO ids, 0 when either is empty."""
    first, second = hpo_set(a), hpo_set(b)
    if not len(first) or not len(second):
        return 0.0
    return first.similarity(second, kind=KIND, method=METHOD, combine=COMBINE)


def similarities(terms: Iterable[str], profiles: list[Iterable[str]]) -> list[float]:
    """Similarity of `terms` to each profile, in one hpo3 call (0 for an empty one)."""
    query = hpo_set(terms)
    sets = [hpo_set(profile) for profile in profiles]
    if not len(query):
        return [0.0] * len(sets)
    scores = query.similarity_scores(sets, kind=KIND, method=METHOD, combine=COMBINE) if sets else []
    return [score if len(s) else 0.0 for score, s in zip(scores, sets, strict=True)]


def score_diseases(terms: Iterable[str], codes: Iterable[str] | None = None) -> dict[str, float]:
    """ORPHA code → similarity of `terms` to its profile (every disease, or these codes)."""
    profiles, all_codes, sets = _disease_index()
    query = hpo_set(terms)
    if not len(query):
        return {}
    if codes is None:
        return dict(
            zip(
                all_codes,
                query.similarity_scores(sets, kind=KIND, method=METHOD, combine=COMBINE),
                strict=True,
            )
        )
    wanted = [code for code in dict.fromkeys(codes) if code in profiles]
    position = {code: i for i, code in enumerate(all_codes)}
    chosen = [sets[position[code]] for code in wanted]
    scores = query.similarity_scores(chosen, kind=KIND, method=METHOD, combine=COMBINE) if chosen else []
    return dict(zip(wanted, scores, strict=True))


def rank_diseases(terms: Iterable[str], limit: int = 10) -> list[RankedDisease]:
    """The ORPHA diseases whose profiles are the most similar to `terms`, best first."""
    profiles = disease_profiles()
    scores = score_diseases(terms)
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [RankedDisease(code, profiles[code].name, score) for code, score in best]
