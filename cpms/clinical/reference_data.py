"""Load the ERNs' thematic areas from data/thematic_areas.csv (columns: ern,code,name).

The ERNs must exist already (`manage.py load_reference_data`). The whole file is checked before
anything is written; a bad line stops the load with the file, the line number and the reason.
Loading the same file twice changes nothing; areas missing from the file are kept, because
users' preferences may point to them.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cpms.access.models import OrganisationNode
from cpms.lib.csvdata import CsvDataError, CsvFile, Row, unique

from .models import ThematicArea

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "thematic_areas.csv"
COLUMNS = ("ern", "code", "name")
APPLICATION = "cpms"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class ReferenceDataError(CsvDataError):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def check_row(row: Row, erns: dict[str, OrganisationNode]) -> tuple[int, str, str]:
    ern_code = row.text("ern", max_length=40)
    if ern_code not in erns:
        raise row.fail(f"unknown ERN {ern_code!r} (load the ERNs first with `manage.py load_reference_data`)")
    code = row.code("code", SLUG, "letters, digits, hyphens and underscores", max_length=40)
    name = row.text("name", max_length=200)
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
    seen: dict[tuple[int, str], int] = {}
    for row in CsvFile(path, COLUMNS, error=ReferenceDataError).rows():
        ern_id, code, name = check_row(row, erns)
        unique(row, seen, (ern_id, code), f"code '{code}' in ERN '{row['ern']}'")
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
