"""Small-cell suppression: cells under 5 hidden, and no hidden cell derivable from the totals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from styrbord.accounts.suppression import TOTAL, suppress, suppress_counts


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    rank = 0
    cols = len(rows[0]) if rows else 0
    for col in range(cols):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def derivable_cells(result) -> set:  # type: ignore[no-untyped-def]
    """Hidden cells an attacker can compute exactly from everything published (linear algebra)."""
    hidden = sorted(result.suppressed, key=repr)
    if not hidden:
        return set()
    index = {cell: i for i, cell in enumerate(hidden)}
    all_rows = [*result.rows, TOTAL]
    all_cols = [*result.columns, TOTAL]

    def sign(cell) -> int:  # type: ignore[no-untyped-def]
        return (-1) ** ((cell[0] is TOTAL) + (cell[1] is TOTAL))

    equations = []
    for line in [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]:
        coefficients = [Fraction(0)] * len(hidden)
        for cell in line:
            if cell in index:
                coefficients[index[cell]] = Fraction(sign(cell))
        if any(coefficients):
            equations.append(coefficients)
    base = _rank(equations)
    found = set()
    for cell, i in index.items():
        probe = [Fraction(0)] * len(hidden)
        probe[i] = Fraction(1)
        if _rank([*equations, probe]) == base:
            found.add(cell)
    return found


def test_a_small_cell_and_a_partner_in_its_row_and_column_are_hidden() -> None:
    result = suppress({"A": {"x": 3, "y": 20, "z": 30}, "B": {"x": 12, "y": 25, "z": 40}})
    assert result.cells["A"]["x"] is None
    assert ("A", "x") in result.primary
    assert result.complementary  # something else had to go too
    assert derivable_cells(result) == set()
    assert result.total == 130


def test_nothing_is_hidden_when_every_cell_is_large_enough() -> None:
    result = suppress({"A": {"x": 5, "y": 6}, "B": {"x": 7, "y": 0}})
    assert result.suppressed == set()
    assert result.cells["B"]["y"] == 0


def test_a_small_row_total_is_hidden_as_well() -> None:
    result = suppress({"A": {"x": 2, "y": 1}, "B": {"x": 30, "y": 40}})
    assert result.row_totals["A"] is None
    assert derivable_cells(result) == set()


def test_one_row_of_counts_hides_a_second_cell_so_the_total_does_not_reveal_the_first() -> None:
    cells, total = suppress_counts({"nurse": 2, "social_educator": 40, "sosu": 9})
    assert cells["nurse"] is None
    assert cells["sosu"] is None  # the smallest other cell is sacrificed
    assert cells["social_educator"] == 40
    assert total == 51


def test_a_bridge_between_two_protected_blocks_gets_a_cycle() -> None:
    # Two 2x2 blocks of small cells joined by one more small cell: that cell would be a bridge.
    table = {
        "a": {"1": 1, "2": 1, "3": 50, "4": 50, "5": 50},
        "b": {"1": 1, "2": 1, "3": 50, "4": 50, "5": 50},
        "c": {"1": 50, "2": 2, "3": 3, "4": 50, "5": 50},
        "d": {"1": 50, "2": 50, "3": 3, "4": 3, "5": 50},
        "e": {"1": 50, "2": 50, "3": 50, "4": 3, "5": 3},
    }
    result = suppress(table)
    assert derivable_cells(result) == set()


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n_rows: st.integers(min_value=1, max_value=5).flatmap(
            lambda n_cols: st.lists(
                st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]), min_size=n_cols, max_size=n_cols),
                min_size=n_rows,
                max_size=n_rows,
            )
        )
    )
)
def test_no_small_cell_is_shown_and_no_hidden_cell_can_be_derived(grid: list[list[int]]) -> None:
    table = {f"r{i}": {f"c{j}": v for j, v in enumerate(row)} for i, row in enumerate(grid)}
    result = suppress(table)
    shown = [v for row in result.cells.values() for v in row.values()]
    shown += [*result.row_totals.values(), *result.column_totals.values(), result.total]
    assert not [v for v in shown if v is not None and 0 < v < 5]
    assert derivable_cells(result) == set()
    # What is shown is the true count.
    for r, row in table.items():
        for c, v in row.items():
            assert result.cells[r][c] in (None, v)


def test_the_derivability_check_catches_primary_suppression_alone() -> None:
    result = suppress({"A": {"x": 3, "y": 20, "z": 30}, "B": {"x": 12, "y": 25, "z": 40}})
    result.suppressed = set(result.primary)  # what a naive table would do
    assert derivable_cells(result) == {("A", "x")}


def _hidden_sums(result) -> list[int]:  # type: ignore[no-untyped-def]
    """Per row and column whose total is published: the sum of its hidden cells (which the
    published numbers give away)."""
    table = {r: dict(cells) for r, cells in result.cells.items()}
    sums = []
    for r in result.rows:
        if result.row_totals[r] is not None and None in table[r].values():
            sums.append(result.row_totals[r] - sum(v for v in table[r].values() if v is not None))
    for c in result.columns:
        column = [table[r][c] for r in result.rows]
        if result.column_totals[c] is not None and None in column:
            sums.append(result.column_totals[c] - sum(v for v in column if v is not None))
    return sums


def test_the_hidden_cells_of_a_line_do_not_add_up_to_a_small_number() -> None:
    """Three facilities hidden, 24 of their 25 meeting the requirement: the published totals told
    that exactly one person among them misses it (an analyst found it through the API)."""
    table = {
        "Dolmer": {"met": 16, "missing": 6},
        "Skovstjernen": {"met": 8, "missing": 6},
        "A": {"met": 10, "missing": 0},
        "B": {"met": 8, "missing": 1},
        "C": {"met": 6, "missing": 0},
    }
    result = suppress(table, columns=["met", "missing"], suppress_zero=True)
    assert not [s for s in _hidden_sums(result) if 0 <= s < 5]
    assert derivable_cells(result) == set()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0, 1, 2, 3, 5, 6, 9, 15, 40]), st.sampled_from([0, 1, 2, 4, 5, 7, 12])),
        min_size=1,
        max_size=6,
    )
)
def test_no_line_gives_away_a_small_sum_of_hidden_cells(rows: list[tuple[int, int]]) -> None:
    table = {f"f{i}": {"met": met, "missing": missing} for i, (met, missing) in enumerate(rows)}
    result = suppress(table, columns=["met", "missing"], suppress_zero=True)
    assert not [s for s in _hidden_sums(result) if 0 <= s < 5]
