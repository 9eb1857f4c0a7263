"""A solver-neutral linear model: columns, rows tagged with their constraint family, two objectives.

It is built in plain Python (no solver import), pickled to the worker process, and turned
into a HiGHS model there. Columns ``0 .. n_seats-1`` are the seat variables x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INF = float("inf")
MONEY_UNIT = 100_000  # øre per model money unit (1.000 kr.): keeps budget rows well scaled


@dataclass(frozen=True)
class Penalty:
    """A soft term: ``weight`` (in money units) added to the cost objective per unit of column ``col``."""

    col: int
    weight: float
    name: str


@dataclass
class LinearModel:
    """Rows in CSR form; ``points`` is phase 1's objective (maximise), ``cost`` phase 2's (minimise)."""

    n_seats: int = 0
    col_lb: list[float] = field(default_factory=list)
    col_ub: list[float] = field(default_factory=list)
    col_int: list[bool] = field(default_factory=list)
    points: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    row_lb: list[float] = field(default_factory=list)
    row_ub: list[float] = field(default_factory=list)
    row_family: list[str] = field(default_factory=list)
    row_start: list[int] = field(default_factory=lambda: [0])
    row_index: list[int] = field(default_factory=list)
    row_value: list[float] = field(default_factory=list)
    points_row: int = -1  # the row "sum of points >= P" used in phase 2
    # Per seat column, for neighbourhoods: facility, course, person ids.
    seat_facility: list[int] = field(default_factory=list)
    seat_course: list[int] = field(default_factory=list)
    seat_session: list[int] = field(default_factory=list)
    seat_person: list[int] = field(default_factory=list)
    seat_value: list[float] = field(default_factory=list)  # progress points a seat can bring
    # Per requirement with a gap: its met column and the seats that count for it.
    target_met: list[int] = field(default_factory=list)
    target_v: list[int] = field(default_factory=list)
    target_gap: list[float] = field(default_factory=list)
    target_seats: list[list[int]] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return len(self.col_lb)

    @property
    def n_rows(self) -> int:
        return len(self.row_lb)

    def add_col(self, lb: float, ub: float, integer: bool = False, points: float = 0.0, cost: float = 0.0) -> int:
        self.col_lb.append(lb)
        self.col_ub.append(ub)
        self.col_int.append(integer)
        self.points.append(points)
        self.cost.append(cost)
        return len(self.col_lb) - 1

    def add_row(self, family: str, cols: list[int], coefs: list[float], lb: float, ub: float) -> int:
        self.row_index.extend(cols)
        self.row_value.extend(coefs)
        self.row_start.append(len(self.row_index))
        self.row_lb.append(lb)
        self.row_ub.append(ub)
        self.row_family.append(family)
        return len(self.row_lb) - 1

    def row(self, r: int) -> tuple[list[int], list[float]]:
        start, end = self.row_start[r], self.row_start[r + 1]
        return self.row_index[start:end], self.row_value[start:end]

    def violations(self, values: list[float], tolerance: float = 1e-6) -> list[tuple[int, str, float]]:
        """Rows a full column vector breaks: (row, family, amount). Used to check warm starts."""
        broken = []
        for r in range(self.n_rows):
            cols, coefs = self.row(r)
            activity = sum(values[c] * v for c, v in zip(cols, coefs, strict=True))
            scale = tolerance * max(1.0, abs(self.row_lb[r]) if self.row_lb[r] > -INF else 1.0)
            scale = max(scale, tolerance * (abs(self.row_ub[r]) if self.row_ub[r] < INF else 1.0))
            if activity < self.row_lb[r] - scale:
                broken.append((r, self.row_family[r], self.row_lb[r] - activity))
            elif activity > self.row_ub[r] + scale:
                broken.append((r, self.row_family[r], activity - self.row_ub[r]))
        return broken
