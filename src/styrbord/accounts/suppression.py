"""Statistical disclosure control for the analyst role: small cells hidden, and not derivable.

``suppress(table)`` takes counts of people, rows x columns, and returns them with row totals,
column totals and a grand total, where
- every cell (totals included) counting 1-4 people is hidden (primary suppression), and
- further cells are hidden (complementary suppression) so that no hidden cell can be worked
  out from the published cells and totals.

Why it holds: with totals, every row and column is an equation "cells sum to the total".
Seen as a bipartite graph (rows and columns as nodes, hidden cells as edges), a hidden cell's
value is fixed by the published numbers exactly when its edge is a bridge (lies on no cycle).
So complementary cells are added until no row or column has a single hidden cell and no
hidden cell is a bridge. Cells with the fewest people (and inner cells before totals) are
sacrificed first.

``suppress_counts(counts)`` does the same for one row of counts and its total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from styrbord.lib.dates import local_today, month_last_day

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

THRESHOLD = 5
# How a hidden number is shown, on pages, in exports and in documents: Danmarks Statistik's mark
# for a figure withheld for confidentiality. Not "<5": a cell hidden so that a small one cannot be
# worked out may count 20 people, and a hidden share, FTE or average age is no count at all.
HIDDEN = ".."


class _Total:
    """The margin position (row totals column / column totals row)."""

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = _Total()


@dataclass
class SuppressedTable(Generic[R, C]):
    """A table of counts as it may be shown: ``None`` where a number is hidden."""

    rows: list[R]
    columns: list[C]
    cells: dict[R, dict[C, int | None]]
    row_totals: dict[R, int | None]
    column_totals: dict[C, int | None]
    total: int | None
    primary: set[tuple[object, object]] = field(default_factory=set)
    suppressed: set[tuple[object, object]] = field(default_factory=set)

    @property
    def complementary(self) -> set[tuple[object, object]]:
        return self.suppressed - self.primary


def _is_small(value: int, threshold: int, suppress_zero: bool) -> bool:
    return (0 < value < threshold) or (suppress_zero and value == 0)


def suppress(
    table: Mapping[R, Mapping[C, int]],
    threshold: int = THRESHOLD,
    *,
    columns: list[C] | None = None,
    suppress_zero: bool = False,
) -> SuppressedTable[R, C]:
    """Hide small cells and enough others that none can be derived from the totals."""
    rows = list(table)
    cols: list[C] = list(columns) if columns is not None else []
    if columns is None:
        for row in table.values():
            for col in row:
                if col not in cols:
                    cols.append(col)
    value: dict[tuple[object, object], int] = {}
    for r in rows:
        for c in cols:
            count = int(table[r].get(c, 0))
            if count < 0:
                raise ValueError("counts of people cannot be negative")
            value[(r, c)] = count
        value[(r, TOTAL)] = sum(value[(r, c)] for c in cols)
    for c in cols:
        value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    value[(TOTAL, TOTAL)] = sum(value[(r, TOTAL)] for r in rows)

    primary = {cell for cell, v in value.items() if _is_small(v, threshold, suppress_zero)}
    hidden = set(primary)
    all_rows: list[object] = [*rows, TOTAL]
    all_cols: list[object] = [*cols, TOTAL]
    _protect(hidden, value, all_rows, all_cols, threshold, suppress_zero)

    def shown(cell: tuple[object, object]) -> int | None:
        return None if cell in hidden else value[cell]

    return SuppressedTable(
        rows=rows,
        columns=cols,
        cells={r: {c: shown((r, c)) for c in cols} for r in rows},
        row_totals={r: shown((r, TOTAL)) for r in rows},
        column_totals={c: shown((TOTAL, c)) for c in cols},
        total=shown((TOTAL, TOTAL)),
        primary=primary,
        suppressed=hidden,
    )


def suppress_counts(
    counts: Mapping[C, int], threshold: int = THRESHOLD, *, suppress_zero: bool = False
) -> tuple[dict[C, int | None], int | None]:
    """One row of counts and its total, suppressed the same way."""
    result = suppress({"": counts}, threshold, columns=list(counts), suppress_zero=suppress_zero)
    return result.cells[""], result.row_totals[""]


def _cost(cell: tuple[object, object], value: dict[tuple[object, object], int]) -> tuple[int, int, int]:
    # Prefer hiding cells with few (but some) people, and inner cells before totals.
    v = value[cell]
    margins = int(cell[0] is TOTAL) + int(cell[1] is TOTAL)
    return (int(v == 0), margins, v)


def _protect(
    hidden: set[tuple[object, object]],
    value: dict[tuple[object, object], int],
    all_rows: list[object],
    all_cols: list[object],
    threshold: int = THRESHOLD,
    suppress_zero: bool = False,
) -> None:
    """Add complementary cells until no line has one hidden cell, no line's hidden cells add up to
    a small number, and no hidden cell is a bridge.

    The sum matters too: three hidden cells that the published total shows add up to 1 tell that
    exactly one person among them misses the requirement, though no single cell can be worked out."""
    while True:
        changed = False
        for line in [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]:
            in_line = [cell for cell in line if cell in hidden]
            # The line's margin (its last cell) published: the hidden inner cells' sum is known.
            inner_hidden = [cell for cell in in_line[:] if cell != line[-1]]
            small_sum = (
                line[-1] not in hidden
                and bool(inner_hidden)
                and _is_small(sum(value[cell] for cell in inner_hidden), threshold, suppress_zero)
            )
            if len(in_line) == 1 or small_sum:
                candidates = [cell for cell in line if cell not in hidden]
                if candidates:
                    hidden.add(min(candidates, key=lambda cell: _cost(cell, value)))
                    changed = True
        if changed:
            continue
        bridge = _first_bridge(hidden)
        if bridge is None:
            return
        hidden.add(_cycle_closing_cell(bridge, hidden, value, all_rows, all_cols))


def _adjacency(hidden: set[tuple[object, object]]) -> dict[tuple[str, object], list[tuple[str, object]]]:
    graph: dict[tuple[str, object], list[tuple[str, object]]] = {}
    for r, c in hidden:
        graph.setdefault(("r", r), []).append(("c", c))
        graph.setdefault(("c", c), []).append(("r", r))
    return graph


def _first_bridge(hidden: set[tuple[object, object]]) -> tuple[object, object] | None:
    """A hidden cell whose edge lies on no cycle, or None (Tarjan's bridge-finding, iterative)."""
    graph = _adjacency(hidden)
    order: dict[tuple[str, object], int] = {}
    low: dict[tuple[str, object], int] = {}
    counter = 0
    for start in graph:
        if start in order:
            continue
        order[start] = low[start] = counter
        counter += 1
        stack: list[tuple[tuple[str, object], tuple[str, object] | None, int]] = [(start, None, 0)]
        while stack:
            node, parent, index = stack[-1]
            neighbours = graph[node]
            if index < len(neighbours):
                stack[-1] = (node, parent, index + 1)
                nxt = neighbours[index]
                if nxt == parent:
                    continue  # simple graph: the one edge back to the parent
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, node, 0))
            else:
                stack.pop()
                if parent is not None:
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        a, b = (parent, node) if parent[0] == "r" else (node, parent)
                        return (a[1], b[1])
    return None


def _cycle_closing_cell(
    bridge: tuple[object, object],
    hidden: set[tuple[object, object]],
    value: dict[tuple[object, object], int],
    all_rows: list[object],
    all_cols: list[object],
) -> tuple[object, object]:
    """A cell joining the two sides of a bridge, so the bridge gets a cycle."""
    others = hidden - {bridge}
    graph = _adjacency(others)
    row_node, col_node = ("r", bridge[0]), ("c", bridge[1])

    def side(start: tuple[str, object]) -> set[tuple[str, object]]:
        seen = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for nxt in graph.get(node, []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    row_side, col_side = side(row_node), side(col_node)
    # Join a column on the row's side with a row on the column's side.
    columns_a = [n[1] for n in row_side if n[0] == "c"] or [c for c in all_cols if c != bridge[1]]
    rows_b = [n[1] for n in col_side if n[0] == "r"] or [r for r in all_rows if r != bridge[0]]
    candidates = [(r, c) for r in rows_b for c in columns_a if (r, c) not in hidden]
    if not candidates:
        candidates = [(r, c) for r in all_rows for c in all_cols if (r, c) not in hidden]
    return min(candidates, key=lambda cell: _cost(cell, value))


def reference_date(on: dt.date, suppress: bool, today: dt.date | None = None) -> dt.date:
    """The day an aggregate describes when ``on`` is chosen: ``on`` itself for users who see every
    number, and for aggregate-only users (``suppress``) the last month end on or before ``on``.

    The staff and workforce figures and the coverage aggregates all use it.

    Any day of November but the 30th gives 31 October; 30 November gives itself (so the date a
    page or the API answers with gives the same figures when asked again). Every day of a month
    thus gives the same figures, and two chosen days cannot be subtracted to single out the one
    person who left or joined in between.

    Residual risk: two consecutive month ends can still differ by one person, and so tell whether
    that person met the requirement. That is inherent in any published monthly series (the
    history chart is one); the small-cell suppression (fewer than five meeting or missing it per
    row and month) is what limits it.

    A day after ``today`` gives the last month end on or before today: a future month end would
    tell an aggregate user of the terminations and hires HR has already entered (one social
    educator fewer on 28 February is the person leaving then).
    """
    if not suppress:
        return on
    on = min(on, today or local_today())
    if on.day == month_last_day(on.year, on.month):
        return on
    return on.replace(day=1) - dt.timedelta(days=1)
