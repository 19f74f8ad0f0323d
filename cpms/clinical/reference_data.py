"""Load the ERNs' thematic areas from data/thematic_areas.csv (columns: ern,code,name).

The ERNs must exist already (`manage.py load_reference_data`). The whole file is checked before
anything is written; a bad line stops the load with the file, the line number and the reason.
Loading the same file twice changes nothing; areas missing from the file are kept, because
users' preferences may point to them.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from cpms.access.models import OrganisationNode

from .models import ThematicArea

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "thematic_areas.csv"
COLUMNS = ["ern", "code", "name"]
APPLICATION = "cpms"


class ReferenceDataError(Exception):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != COLUMNS:
                found = ",".join(reader.fieldnames or [])
                raise ReferenceDataError(
                    f"{path}, line 1: the header must be {','.join(COLUMNS)}, not {found}"
                )
            return [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ReferenceDataError(f"{path}: {error}") from error


def check_row(path: Path, line: int, row: dict, erns: dict[str, OrganisationNode]) -> tuple[int, str, str]:
    def fail(reason: str):
        raise ReferenceDataError(f"{path}, line {line}: {reason}")

    if None in row or any(value is None for value in row.values()):
        fail(f"expected {len(COLUMNS)} columns")
    ern_code, code, name = (row[column].strip() for column in COLUMNS)
    if not ern_code or not code or not name:
        fail("ern, code and name are all required")
    if ern_code not in erns:
        fail(f"unknown ERN {ern_code!r} (load the ERNs first with `manage.py load_reference_data`)")
    if len(code) > 40:
        fail(f"the code {code!r} is longer than 40 characters")
    try:
        validate_slug(code)
    except ValidationError:
        fail(f"the code {code!r} may contain only letters, digits, hyphens and underscores")
    if len(name) > 200:
        fail("the name is longer than 200 characters")
    return erns[ern_code].pk, code, name


def load_thematic_areas(path: Path | str = DEFAULT_FILE) -> LoadResult:
    path = Path(path)
    erns = {
        node.code: node
        for node in OrganisationNode.objects.filter(
            application__code=APPLICATION, kind=OrganisationNode.Kind.ERN
        )
    }
    wanted: dict[tuple[int, str], str] = {}
    for line, row in read_rows(path):
        ern_id, code, name = check_row(path, line, row, erns)
        if (ern_id, code) in wanted:
            raise ReferenceDataError(f"{path}, line {line}: the code {code!r} appears twice for this ERN")
        wanted[(ern_id, code)] = name

    result = LoadResult()
    with transaction.atomic():
        existing = {
            (area.ern_id, area.code): area
            for area in ThematicArea.objects.filter(ern_id__in={ern_id for ern_id, _ in wanted})
        }
        for (ern_id, code), name in wanted.items():
            area = existing.get((ern_id, code))
            if area is None:
                ThematicArea.objects.create(ern_id=ern_id, code=code, name=name)
                result.created += 1
            elif area.name != name:
                area.name = name
                area.save(update_fields=["name"])
                result.updated += 1
            else:
                result.unchanged += 1
    return result
