"""The ORPHA diseases of each thematic area (data/thematic_area_diseases.csv), read once per process.

The file maps each ERN's thematic areas (data/thematic_areas.csv) to a few representative ORPHA
diseases that have HPO annotations in the loaded release (phenotype.hpoa): what an expert who follows
an area knows best, for the suggested experts. Columns: ern, thematic_area (the area's code), orpha,
disease (the ORPHA name, for people reading the file). Areas with no annotated disease (COVID-19,
some cancers) have no row: their followers are suggested from the cases they contributed to only.
"""

import csv
from functools import cache

from django.conf import settings

FILE = "thematic_area_diseases.csv"


@cache
def area_diseases() -> dict[tuple[str, str], tuple[str, ...]]:
    """(ERN code, area code) → its ORPHA codes, in the file's order."""
    found: dict[tuple[str, str], list[str]] = {}
    with open(settings.BASE_DIR / "data" / FILE, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            found.setdefault((row["ern"], row["thematic_area"]), []).append(row["orpha"])
    return {key: tuple(codes) for key, codes in found.items()}


def diseases_of(ern_code: str, area_code: str) -> tuple[str, ...]:
    return area_diseases().get((ern_code, area_code), ())
