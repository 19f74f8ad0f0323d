"""Keyset pagination of long lists, newest first: a page is found by position, not by offset.

A page after (or before) a row is read with `(created_at, id) < (…, …)` on an index ordered the
same way, so the hundredth page costs what the first does. The position travels in the URL as
`<microseconds since 1970>-<id>`; anything else is ignored (the first page), never a 500.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
MAX_CURSOR_LENGTH = 40


def cursor_of(row) -> str:
    return f"{(row.created_at - EPOCH) // MICROSECOND}-{row.pk}"


def parse_cursor(value) -> tuple[datetime, int] | None:
    """`(created_at, id)` from a cursor of the URL; None for anything that is not one."""
    if not isinstance(value, str) or len(value) > MAX_CURSOR_LENGTH or not value.isascii():
        return None
    micros, _, pk = value.partition("-")
    if not (micros.isdigit() and pk.isdigit()) or not 0 < int(pk) < 2**63:
        return None
    try:
        return EPOCH + int(micros) * MICROSECOND, int(pk)
    except OverflowError:
        return None


@dataclass
class KeysetPage:
    rows: list = field(default_factory=list)
    total: int = 0
    next_cursor: str = ""
    previous_cursor: str = ""

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def object_list(self) -> list:
        return self.rows

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    queryset: QuerySet, *, related: tuple[str, ...] = (), after: str = "", before: str = "", size: int = 25
) -> KeysetPage:
    """The rows of `queryset` (ordered by `-created_at, -id`) after or before a cursor; 3 queries.

    The count; the ids of the page, read from an index in its order with no join (a join to the
    small tables of `related` could make SQLite sort every matching row first); then those rows
    with `related` loaded.
    """
    total = queryset.count()
    if not total:
        return KeysetPage()
    keys = queryset.select_related(None).values_list("created_at", "pk")
    if (position := parse_cursor(after)) is not None:
        created_at, pk = position
        older = Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        found = list(keys.filter(older)[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif (position := parse_cursor(before)) is not None:
        created_at, pk = position
        newer = Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk)
        found = list(keys.filter(newer).order_by("created_at", "id")[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(keys[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    if not found:  # past either end (rows removed since the link was made): say so, offer the way back
        return KeysetPage(total=total)
    by_pk = queryset.model._default_manager.select_related(*related).in_bulk([pk for _, pk in found])
    rows = [by_pk[pk] for _, pk in found if pk in by_pk]
    return KeysetPage(
        rows=rows,
        total=total,
        next_cursor=cursor_of(rows[-1]) if more_after and rows else "",
        previous_cursor=cursor_of(rows[0]) if more_before and rows else "",
    )
