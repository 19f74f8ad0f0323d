"""Small-cell suppression of a cross-tabulation: a pure function, no database.

The rule (k = RESEARCH_SUPPRESSION_THRESHOLD, 5 by default):

1. Primary: every cell with 0 < n < k is suppressed (an empty cell, 0, is shown: it names nobody).
2. Complementary: while a row (or a column) with more than one cell has exactly one suppressed cell,
   the smallest other cell of that row (or column) is suppressed too, non-empty ones first. So no row
   or column of two cells or more holds a lone suppressed cell.
3. Totals: a row or column total is shown only when its row or column has no suppressed cell (it is
   then the sum of what is shown, and reveals nothing); the grand total is shown unless exactly one
   cell is suppressed. Hidden totals are marked like suppressed cells.

Why that is enough: the only equation linking suppressed cells that a reader gets is the grand total
(every shown total covers shown cells only). One equation over two unknowns or more determines none
of them; and a table with one suppressed cell (a 1×1 table, or a single row or column of one cell)
shows no grand total. Within that rule, the smallest complementary cells lose the least information.

Differences between two queries (a count with and without a filter) are not defended here: the
filters, the threshold and the coarse bands are the guard, and every run is audited.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Suppressed:
    """A table after suppression: None where a cell or a total is not shown."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None

    @property
    def suppressed_count(self) -> int:
        return sum(value is None for row in self.cells for value in row)


def _complement(lines: list[list[tuple[int, int]]], table, hidden: set) -> bool:
    """Suppress one more cell in each line (a row or column, as its cells' positions) with exactly one
    suppressed cell; whether anything changed."""
    changed = False
    for line in lines:
        if len(line) < 2:
            continue
        if sum(position in hidden for position in line) != 1:
            continue
        candidates = [position for position in line if position not in hidden]
        # The smallest non-empty cell, else the smallest (an empty one); then the first position.
        best = min(candidates, key=lambda p: (table[p[0]][p[1]] == 0, table[p[0]][p[1]], p))
        hidden.add(best)
        changed = True
    return changed


def suppress(table: list[list[int]], threshold: int) -> Suppressed:
    """The table of counts (rows of equal length, counts ≥ 0) with the cells and totals that could
    disclose a count under `threshold` hidden (see the module's rule)."""
    height = len(table)
    width = len(table[0]) if table else 0
    if any(len(row) != width for row in table):
        raise ValueError("Every row of the table must have the same length.")
    hidden = {(r, c) for r in range(height) for c in range(width) if 0 < table[r][c] < threshold}
    rows = [[(r, c) for c in range(width)] for r in range(height)]
    columns = [[(r, c) for r in range(height)] for c in range(width)]
    while _complement(rows, table, hidden) | _complement(columns, table, hidden):
        pass
    cells = [[None if (r, c) in hidden else table[r][c] for c in range(width)] for r in range(height)]
    row_totals = [
        None if any((r, c) in hidden for c in range(width)) else sum(table[r]) for r in range(height)
    ]
    column_totals = [
        None if any((r, c) in hidden for r in range(height)) else sum(row[c] for row in table)
        for c in range(width)
    ]
    total = None if len(hidden) == 1 else sum(map(sum, table))
    return Suppressed(cells=cells, row_totals=row_totals, column_totals=column_totals, total=total)


def suppress_count(count: int, threshold: int) -> int | None:
    """One count: shown unless 0 < count < threshold."""
    return None if 0 < count < threshold else count
