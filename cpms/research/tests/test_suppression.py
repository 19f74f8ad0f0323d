"""The suppression rule (cpms/research/suppression.py): examples, and hypothesis' random tables
checked by linear algebra — no suppressed cell can be computed from what is shown."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from .. import suppression
from ..suppression import suppress, suppress_count

K = 5


def rank(vectors: list[list[Fraction]]) -> int:
    rows = [row[:] for row in vectors if any(row)]
    rank = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column] != 0:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def determined_cells(table, result) -> list[tuple[int, int]]:
    """The suppressed cells and totals (as positions in the table bordered by its totals: row `h` and
    column `w` are the totals) that sums and differences of the shown values pin down."""
    height, width = len(table), len(table[0])
    shown = [[*cells, total] for cells, total in zip(result.cells, result.row_totals, strict=True)]
    shown.append([*result.column_totals, result.total])
    unknowns = [(r, c) for r in range(height + 1) for c in range(width + 1) if shown[r][c] is None]
    if not unknowns:
        return []
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = []
    # Each line adds up: its inner values minus its total are 0.
    lines = [[(r, c) for c in range(width + 1)] for r in range(height + 1)]
    lines += [[(r, c) for r in range(height + 1)] for c in range(width + 1)]
    for line in lines:
        vector = [Fraction(0)] * len(unknowns)
        for position, cell in enumerate(line):
            if cell in index:
                vector[index[cell]] = Fraction(-1 if position == len(line) - 1 else 1)
        equations.append(vector)
    base = rank(equations)
    found = []
    for cell, i in index.items():
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        if rank([*equations, unit]) == base:
            found.append(cell)
    return found


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=width, max_size=width),
        min_size=1,
        max_size=5,
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_suppressed_cell_can_be_computed(table):
    result = suppress(table, K)
    height, width = len(table), len(table[0])
    # Every small count is suppressed; everything shown is true.
    for r in range(height):
        for c in range(width):
            if 0 < table[r][c] < K:
                assert result.cells[r][c] is None
            elif result.cells[r][c] is not None:
                assert result.cells[r][c] == table[r][c]
    for r, total in enumerate(result.row_totals):
        assert total is None or total == sum(table[r])
    for c, total in enumerate(result.column_totals):
        assert total is None or total == sum(row[c] for row in table)
    assert result.total is None or result.total == sum(map(sum, table))
    # A small total is suppressed too.
    for r, total in enumerate(result.row_totals):
        if 0 < sum(table[r]) < K:
            assert total is None
    for c, total in enumerate(result.column_totals):
        if 0 < sum(row[c] for row in table) < K:
            assert total is None
    # Nothing suppressed follows from what is shown.
    assert determined_cells(table, result) == []


def test_a_cell_of_3_is_suppressed_with_a_complement_in_its_row_and_column():
    result = suppress([[3, 10], [20, 30]], K)
    assert result.cells == [[None, None], [None, None]]  # 3, then 10 (row), 20 (column), 30 (cycle)
    assert result.row_totals == [13, 50] and result.column_totals == [23, 40] and result.total == 63


def test_complements_are_the_smallest_cells_and_tables_without_small_cells_are_whole():
    result = suppress([[3, 10, 40], [9, 30, 50], [6, 7, 8]], K)
    # 3; then 10 in its row, 6 in its column, 7 to complete the column of 10.
    assert result.cells == [[None, None, 40], [9, 30, 50], [None, None, 8]]
    assert suppress([[5, 6], [7, 0]], K).cells == [[5, 6], [7, 0]]


def test_bridges_are_closed(monkeypatch):
    # Found by the property above with rule 2b turned off: rule 2a alone leaves a computable cell.
    table = [[20, 9, 3, 20], [20, 20, 20, 1], [7, 2, 3, 3], [20, 0, 20, 1]]
    assert determined_cells(table, suppress(table, K)) == []
    monkeypatch.setattr(suppression, "_close_bridges", lambda table, hidden: False)
    assert determined_cells(table, suppress(table, K)) != []


def test_a_single_count_and_a_single_cell():
    assert suppress_count(3, K) is None and suppress_count(0, K) == 0 and suppress_count(5, K) == 5
    one = suppress([[3]], K)
    assert one.cells == [[None]] and one.row_totals == [None] and one.column_totals == [None]
    assert one.total is None
    column = suppress([[3], [20], [40]], K)
    assert column.cells == [[None], [None], [40]] and column.row_totals == [None, None, 40]
    assert column.column_totals == [63] and column.total == 63
