"""Small-cell suppression of a cross-tabulation: a pure function, no database.

The rule (k = RESEARCH_SUPPRESSION_THRESHOLD, 5 by default). The table is taken with its totals, as
one bordered table: each row ends with the row's total, a last row holds the column totals and the
grand total. Every line of it (a row, a column) adds up, and a reader knows that.

1. Primary: every cell or total with 0 < n < k is suppressed (0 is shown: it names nobody).
2. Complementary, repeated until nothing changes:
   a. a line (row or column, totals included) with exactly one suppressed value gets a second one;
   b. seen as a graph (lines are nodes, suppressed values are edges between their row and their
      column), a suppressed value can be computed from the shown ones by sums and differences
      exactly when it is a bridge (on no cycle). For each bridge, a value joining its two sides is
      suppressed, which puts the bridge on a cycle.
   The values suppressed to complement are the smallest inner cells (non-empty first), and totals
   only when no inner cell will do: totals are what one-dimension queries show.

So no suppressed cell or total can be computed from what is shown (the hypothesis tests check it by
linear algebra). Bounds are not guarded beyond that (two hidden cells adding up to 1 are 0 and 1 in
some order), nor are differences between queries with other filters or dimensions: the threshold,
the coarse bands and the audit of every run are the guard there.
"""

from dataclasses import dataclass

Cell = tuple[int, int]


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


def _cheapest(table, candidates) -> Cell:
    """Inner cells before totals; then the smallest non-empty, else an empty one; then by position."""
    height, width = len(table) - 1, len(table[0]) - 1

    def cost(p):
        value = table[p[0]][p[1]]
        return (p[0] == height or p[1] == width, value == 0, value, p)

    return min(candidates, key=cost)


def _complete_lines(table, hidden: set[Cell], lines: list[list[Cell]]) -> bool:
    changed = False
    for line in lines:
        if len(line) >= 2 and sum(cell in hidden for cell in line) == 1:
            hidden.add(_cheapest(table, [cell for cell in line if cell not in hidden]))
            changed = True
    return changed


def _bridges(hidden: set[Cell]) -> list[Cell]:
    """The suppressed cells on no cycle of the graph rows–columns (Tarjan's bridges)."""
    adjacency: dict[tuple, list[tuple[tuple, Cell]]] = {}
    for r, c in hidden:
        adjacency.setdefault(("r", r), []).append((("c", c), (r, c)))
        adjacency.setdefault(("c", c), []).append((("r", r), (r, c)))
    order: dict[tuple, int] = {}
    low: dict[tuple, int] = {}
    found: list[Cell] = []
    for root in sorted(adjacency):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, edges = stack[-1]
            step = next(edges, None)
            if step is None:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
                continue
            neighbour, edge = step
            if edge == via:
                continue
            if neighbour in order:
                low[node] = min(low[node], order[neighbour])
            else:
                order[neighbour] = low[neighbour] = len(order)
                stack.append((neighbour, edge, iter(adjacency[neighbour])))
    return sorted(found)


def _side_of(hidden: set[Cell], bridge: Cell, start: tuple) -> set[tuple]:
    """The nodes reached from `start` without crossing `bridge`."""
    seen, todo = {start}, [start]
    while todo:
        kind, index = todo.pop()
        for r, c in hidden:
            if (r, c) == bridge:
                continue
            if kind == "r" and r == index and ("c", c) not in seen:
                seen.add(("c", c))
                todo.append(("c", c))
            elif kind == "c" and c == index and ("r", r) not in seen:
                seen.add(("r", r))
                todo.append(("r", r))
    return seen


def _close_bridges(table, hidden: set[Cell]) -> bool:
    bridges = _bridges(hidden)
    if not bridges:
        return False
    r, c = bridges[0]
    row_side, column_side = _side_of(hidden, (r, c), ("r", r)), _side_of(hidden, (r, c), ("c", c))
    # After rule (a) both sides hold another row and column, and no hidden cell joins them.
    rows = [index for kind, index in column_side if kind == "r"]
    columns = [index for kind, index in row_side if kind == "c"]
    candidates = [(i, j) for i in rows for j in columns if (i, j) not in hidden]
    hidden.add(_cheapest(table, candidates))
    return True


def suppress(table: list[list[int]], threshold: int) -> Suppressed:
    """The table of counts (rows of equal length, counts ≥ 0) with its totals, the cells and totals
    that could disclose a count under `threshold` hidden (see the module's rule)."""
    height = len(table)
    width = len(table[0]) if table else 0
    if any(len(row) != width for row in table):
        raise ValueError("Every row of the table must have the same length.")
    if not height or not width:
        return Suppressed(cells=[[] for _ in table], row_totals=[0] * height, column_totals=[], total=0)
    column_totals = [sum(row[c] for row in table) for c in range(width)]
    bordered = [[*row, sum(row)] for row in table] + [[*column_totals, sum(column_totals)]]
    size_r, size_c = height + 1, width + 1
    hidden = {(r, c) for r in range(size_r) for c in range(size_c) if 0 < bordered[r][c] < threshold}
    rows = [[(r, c) for c in range(size_c)] for r in range(size_r)]
    columns = [[(r, c) for r in range(size_r)] for c in range(size_c)]
    while _complete_lines(bordered, hidden, rows) | _complete_lines(
        bordered, hidden, columns
    ) or _close_bridges(bordered, hidden):
        pass
    shown = [[None if (r, c) in hidden else bordered[r][c] for c in range(size_c)] for r in range(size_r)]
    return Suppressed(
        cells=[row[:width] for row in shown[:height]],
        row_totals=[row[width] for row in shown[:height]],
        column_totals=shown[height][:width],
        total=shown[height][width],
    )


def suppress_count(count: int, threshold: int) -> int | None:
    """One count: shown unless 0 < count < threshold."""
    return None if 0 < count < threshold else count
