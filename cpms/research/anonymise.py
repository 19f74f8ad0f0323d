"""How a consented patient's case becomes a research case: pure functions, no database.

- Ages: the age at entry (year of enrolment minus year of birth) in four bands (AgeBand): coarse on
  purpose, so that few combinations are rare.
- Year of birth: its decade (1987 → 1980). Dates: years only (the year of entry).
- Rare combinations (k = RESEARCH_SUPPRESSION_THRESHOLD), per ERN, in this order:
  1. a country with fewer than k cases in the ERN becomes "other" (OTHER_COUNTRY);
  2. a case whose (country, sex, age band, birth decade) is shared by fewer than k cases of the ERN
     loses its birth decade (None: "not shown").
  The sex, age band and year of entry stay: they are what researchers count, and every count under
  k is suppressed when shown (cpms/research/suppression.py).
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace

from .models import OTHER_COUNTRY, AgeBand


@dataclass(frozen=True)
class Entry:
    """One research case as the sweep writes it (before or after generalisation)."""

    patient_key: str
    ern_id: int
    country: str
    sex: str
    age_band: str
    birth_decade: int | None
    entry_year: int
    onset: str = ""
    diagnoses: tuple[tuple[int, str], ...] = field(default=())  # (concept id, certainty), sorted
    phenotypes: tuple[tuple[int, bool], ...] = field(default=())  # (concept id, excluded), sorted
    genes: tuple[str, ...] = field(default=())  # sorted, upper case
    # The terms of the phenotypes not excluded and all their is_a ancestors (ResearchPhenotypeTerm).
    phenotype_terms: tuple[int, ...] = field(default=())  # concept ids, sorted

    def fingerprint(self) -> str:
        content = [
            self.ern_id,
            self.country,
            self.sex,
            self.age_band,
            self.birth_decade,
            self.entry_year,
            self.onset,
            self.diagnoses,
            self.phenotypes,
            self.genes,
            self.phenotype_terms,
        ]
        return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def age_band(year_of_birth: int | None, entry_year: int) -> str:
    if year_of_birth is None or year_of_birth > entry_year:
        return AgeBand.UNKNOWN
    age = entry_year - year_of_birth
    if age < 18:
        return AgeBand.CHILD
    if age < 40:
        return AgeBand.YOUNG_ADULT
    if age < 65:
        return AgeBand.ADULT
    return AgeBand.OLDER


def decade(year_of_birth: int | None) -> int | None:
    return None if year_of_birth is None else year_of_birth // 10 * 10


def generalise(entries: list[Entry], threshold: int) -> list[Entry]:
    """The entries with rare countries and rare birth decades generalised (the module's rule)."""
    countries = Counter((e.ern_id, e.country) for e in entries)
    entries = [
        e if countries[(e.ern_id, e.country)] >= threshold else replace(e, country=OTHER_COUNTRY)
        for e in entries
    ]
    combinations = Counter(_quasi_identifier(e) for e in entries)
    return [
        e if combinations[_quasi_identifier(e)] >= threshold else replace(e, birth_decade=None)
        for e in entries
    ]


def _quasi_identifier(entry: Entry) -> tuple:
    return (entry.ern_id, entry.country, entry.sex, entry.age_band, entry.birth_decade)
