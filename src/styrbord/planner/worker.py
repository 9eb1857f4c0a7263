"""The solver side: runs HiGHS in its own process and streams incumbents back over a pipe.

Solvers run out of process because the ortools and highspy wheels have crashed when loaded
into one process, and so a long solve never blocks the web or the caller. This module is
imported only in the worker (spawn start method), never by Django code.

Modes:
- ``lp``: the LP relaxation (the bound) and its x values.
- ``milp``: the monolithic MILP, phase 1 (max points) then phase 2 (min cost, points kept).
- ``lns``: large-neighbourhood search for big instances: fix every seat outside a
  neighbourhood (a few facilities, or a few courses, or the seats that could meet some unmet
  targets, plus the plan's seats elsewhere that may be dropped to free money) to the incumbent,
  solve the rest as a MILP, keep improvements. Budgets couple the neighbourhoods: money freed
  anywhere can be spent inside.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from styrbord.planner.linear import LinearModel

EPS = 1e-6
SLACK = 1e-5
# Phase 2 keeps phase 1's points less this (the target columns are continuous) ...
POINTS_FLOOR_SLACK = 1e-5
# ... and HiGHS meets that row only up to its primal feasibility tolerance (1e-7), so a phase-2
# solution is compared with the floor with this much room. Without it, every cheaper plan HiGHS
# found at the floor was refused by a rounding hair, and the cost phase never improved a plan.
FLOOR_TOLERANCE = 1e-6
# The LP relaxation guides the decomposition (its support is the kernel MILP, its disagreement with
# the plan picks neighbourhoods). Measured on the 5.000-staff tier (55.000 seats after sparsing):
# the LP takes about 6 s, and the kernel MILP built on it lifts the plan from 1,02 x to 1,14 x
# greedy within 60 s. Its time is capped (30 % of phase 1); one that does not finish is not used.
LP_GUIDE_MAX_SEATS = 100_000
# Neighbourhoods start at this many seats, each solved for at most 5 % of the time (1,5 s at least).
# Measured at 1.500 staff, 30 s, six seeds: many small neighbourhoods (1.000 seats, 1,5 s) reached
# 14.866 points on average against 14.803 with 2.500 seats and 3 s; at 5.000 staff it made no
# difference beyond the noise (46.405 against 46.432).
NEIGHBOURHOOD_SEATS = 1_000
# A completion neighbourhood starts with one unmet target; each one solved to optimality without a
# gain adds a target (up to this many), since the plan may need to give one target's places to
# several others at once. Measured at 1.500 staff, 30 s, seeds 0-7 (best known 15.093,5 points):
# one target at a time, the worst seed reached 14.790 and the mean 14.827; up to eight, 14.816 and
# 14.855; such runs mostly take under a second. (Freeing the other sessions of the people who hold
# the places, see completion(), had lifted the worst seed from 14.752 to 14.790.)
COMPLETION_TARGETS_MAX = 8
SOLVER_NICENESS = 10  # added to the worker's CPU niceness: the web process comes first


def improves(phase: int, points: float, cost: float, best_points: float, best_cost: float, floor: float) -> bool:
    """Whether a solution beats the incumbent: phase 1 on points; phase 2 on cost, as long as its
    points reach the floor phase 2 keeps (within HiGHS's feasibility tolerance)."""
    if phase == 1:
        return points > best_points + EPS
    return points >= floor - FLOOR_TOLERANCE and cost < best_cost - 1e-6


@dataclass(frozen=True)
class Job:
    """What the worker should do."""

    mode: str  # lp | milp | lns
    time_limit_s: float
    seed: int = 0
    relative_gap: float = 1e-4
    cost_phase_share: float = 0.2
    warm: tuple[float, ...] | None = None
    threads: int = 1
    lp_values: tuple[float, ...] | None = None  # for lns: guides neighbourhoods
    skip_cost_phase: bool = False
    deadline: float = 0.0  # wall-clock (time.time()) end; 0 = time_limit_s after the model is loaded


class Solver:
    """A HiGHS model kept across runs (phases and neighbourhoods only change bounds and costs)."""

    def __init__(self, model: LinearModel, job: Job, send: Any) -> None:
        import highspy
        import numpy as np

        self.hs, self.np = highspy, np
        self.model, self.job, self.send = model, job, send
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", job.threads)
        h.setOptionValue("random_seed", job.seed)
        h.setOptionValue("mip_rel_gap", job.relative_gap)
        lp = highspy.HighsLp()
        lp.num_col_ = model.n_cols
        lp.num_row_ = model.n_rows
        lp.col_cost_ = np.array(model.points, dtype=float)
        lp.col_lower_ = np.array(model.col_lb, dtype=float)
        lp.col_upper_ = np.array(model.col_ub, dtype=float)
        lp.row_lower_ = np.array(model.row_lb, dtype=float)
        lp.row_upper_ = np.array(model.row_ub, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(model.row_start, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(model.row_index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(model.row_value, dtype=float)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in model.col_int
        ]
        lp.sense_ = highspy.ObjSense.kMaximize
        h.passModel(lp)
        self.h = h
        self.n = model.n_seats
        self.all_cols = np.arange(model.n_cols, dtype=np.int32)
        self.lb = np.array(model.col_lb, dtype=float)
        self.ub = np.array(model.col_ub, dtype=float)
        self.points_vec = np.array(model.points, dtype=float)
        self.cost_vec = np.array(model.cost, dtype=float)
        self.phase = 1
        self.points_floor = -float("inf")  # set when phase 2 starts
        self.best = np.array(job.warm, dtype=float) if job.warm else None
        self.best_points = self.points(self.best) if self.best is not None else -1.0
        self.best_cost = self.cost(self.best) if self.best is not None else float("inf")
        self.bound = float("inf")
        self.runs = 0
        self.tries: dict[int, int] = {}
        self.completion_targets = 1
        self.objective = self.points_vec
        self.row_lb = np.array(model.row_lb, dtype=float)
        self.row_ub = np.array(model.row_ub, dtype=float)
        self.indptr = np.array(model.row_start, dtype=np.int64)
        self.indices = np.array(model.row_index, dtype=np.int64)
        self.data = np.array(model.row_value, dtype=float)
        self.entry_row = np.repeat(np.arange(model.n_rows, dtype=np.int64), np.diff(self.indptr))
        self.integer = np.array(model.col_int, dtype=bool)
        self.seat_session = np.array(model.seat_session, dtype=np.int64)
        # (person, course) of each seat as one number: finds a person's other sessions of a course.
        courses = max(model.seat_course, default=0) + 1
        self.seat_person_course = np.array(model.seat_person, dtype=np.int64) * courses + np.array(
            model.seat_course, dtype=np.int64
        )
        self.slack = np.array([SLACK if f == "budgets" else 0.0 for f in model.row_family])
        self.aux = np.ones(model.n_cols, dtype=bool)
        self.aux[: self.n] = False
        # Rows that tie everything together (the points row, grant limits) do not spread a neighbourhood.
        self.hub_rows = np.zeros(model.n_rows, dtype=bool)
        self.hub_rows[model.points_row] = True
        self.flow_cols = np.zeros(model.n_cols, dtype=bool)
        for r, family in enumerate(model.row_family):
            if family == "budgets":
                start, end = model.row_start[r], model.row_start[r + 1]
                cols = model.row_index[start:end]
                if all(model.row_value[k] > 0 for k in range(start, end)):  # a grant's limit row
                    self.hub_rows[r] = True
                self.flow_cols[[c for c in cols if c >= self.n]] = True
        # Everything below runs against the caller's deadline (spawn and model load already spent).
        self.started = time.monotonic()
        self.limit = max(0.2, job.deadline - time.time()) if job.deadline else job.time_limit_s

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self, until: float | None = None) -> float:
        return (self.limit if until is None else until) - self.elapsed()

    def points(self, values: Any) -> float:
        return float(self.points_vec @ values)

    def cost(self, values: Any) -> float:
        return float(self.cost_vec @ values)

    def seats_of(self, values: Any) -> list[int]:
        return [int(a) for a in self.np.flatnonzero(values[: self.n] > 0.5)]

    def report(self, values: Any) -> None:
        self.send(
            (
                "incumbent",
                {
                    "phase": self.phase,
                    "points_gain": self.points(values),
                    "cost": self.cost(values),
                    "seats": self.seats_of(values),
                    "t": self.elapsed(),
                },
            )
        )

    def consider(self, values: Any) -> bool:
        """Keep ``values`` if better in the current phase's order (points, then cost)."""
        points, cost = self.points(values), self.cost(values)
        better = improves(self.phase, points, cost, self.best_points, self.best_cost, self.points_floor)
        if better or self.best is None:
            self.best, self.best_cost = values, cost
            self.best_points = max(points, self.best_points) if self.phase == 1 else points
            self.report(values)
            return True
        return False

    # --- runs --------------------------------------------------------------------------

    def run(self, time_limit: float, warm: Any, relaxed: bool = False) -> tuple[str, Any, float]:
        """One HiGHS run; returns (model status, solution or None, dual bound)."""
        h = self.h
        self.runs += 1
        h.setOptionValue("time_limit", max(0.05, time_limit))
        if warm is not None and not relaxed:
            solution = self.hs.HighsSolution()
            solution.col_value = list(warm)
            h.setSolution(solution)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        values = None
        if info.primal_solution_status == self.hs.kSolutionStatusFeasible:
            values = self.np.array(h.getSolution().col_value, dtype=float)
            if not relaxed:
                values[: self.n] = self.np.round(values[: self.n])  # integral seats, tolerance noise removed
        bound = info.objective_function_value if relaxed else info.mip_dual_bound
        return status, values, bound

    def set_phase_two(self) -> None:
        """Keep phase 1's points (row ``points >= P``) and minimise cost instead."""
        m, h = self.model, self.h
        self.phase = 2
        self.points_floor = self.best_points - POINTS_FLOOR_SLACK
        self.row_lb[m.points_row] = self.points_floor
        self.objective = self.cost_vec
        h.changeRowBounds(m.points_row, self.points_floor, self.hs.kHighsInf)
        h.changeObjectiveSense(self.hs.ObjSense.kMinimize)
        h.changeColsCost(m.n_cols, self.all_cols, self.cost_vec)

    def set_integrality(self, integer: bool) -> None:
        np, m = self.np, self.model
        kinds = np.array([1 if (integer and i) else 0 for i in m.col_int], dtype=np.uint8)
        self.h.changeColsIntegrality(m.n_cols, self.all_cols, kinds)

    def relaxation(self, time_limit: float) -> tuple[Any, Any]:
        """Solve the LP relaxation; report its bound (if proven); return x values and reduced costs."""
        self.set_integrality(False)
        status, values, bound = self.run(time_limit, None, relaxed=True)
        duals = None
        if values is not None:
            duals = self.np.array(self.h.getSolution().col_dual, dtype=float)[: self.n]
        self.set_integrality(True)
        proven = status == "Optimal"
        if proven:
            self.bound = bound
        self.send(("lp", {"status": status, "bound_gain": bound if proven else None, "t": self.elapsed()}))
        return (values[: self.n] if values is not None else None), duals

    def close_enough(self) -> bool:
        return self.best_points >= self.bound * (1.0 - self.job.relative_gap) - EPS

    def finish(self, status: str, proven: bool) -> None:
        self.send(
            (
                "done",
                {"status": status, "proven": proven, "bound_gain": self.bound, "t": self.elapsed(), "runs": self.runs},
            )
        )

    # --- strategies ----------------------------------------------------------------------

    def lp(self) -> None:
        self.relaxation(self.limit)
        self.finish("LP", self.bound < float("inf"))

    def milp(self) -> None:
        """The monolithic model: phase 1 then phase 2, each a full MILP run from the incumbent."""
        job = self.job
        if self.best is not None:
            self.report(self.best)  # the warm start is the first incumbent
        phase_one = self.limit * (1.0 - (0.0 if job.skip_cost_phase else job.cost_phase_share))
        status, values, bound = self.run(phase_one, self.best)
        self.bound = bound
        if values is not None:
            self.consider(values)
        self.send(("bound", {"bound_gain": bound, "status": status}))
        proven = status == "Optimal"
        if self.best is not None and not job.skip_cost_phase and self.left() > 0.2:
            self.set_phase_two()
            _status, values, _bound = self.run(self.left() - 0.25, self.best)
            if values is not None:
                self.consider(values)
        self.finish(status, proven)

    def connected(self, free_seats: Any) -> Any:
        """The free seats plus the continuous and target columns they reach through rows, so the
        sub-model holds only the requirements and money the neighbourhood can change."""
        np = self.np
        free = np.zeros(self.model.n_cols, dtype=bool)
        free[: self.n] = free_seats
        free |= self.flow_cols
        for _step in range(4):
            rows = np.zeros(self.model.n_rows, dtype=bool)
            rows[self.entry_row[free[self.indices]]] = True
            rows &= ~self.hub_rows
            reached = np.zeros(self.model.n_cols, dtype=bool)
            reached[self.indices[rows[self.entry_row]]] = True
            grown = free | (reached & self.aux)
            if grown.sum() == free.sum():
                break
            free = grown
        return free

    def sub_run(self, free_seats: Any, time_limit: float) -> tuple[str, Any]:
        """Solve the model with only ``free_seats`` (and the continuous columns) free, every other
        seat fixed at the incumbent, as a separate small model: rows that hold no free column are
        left out and the fixed seats' part of the others moves into their bounds."""
        np, hs, m = self.np, self.hs, self.model
        assert self.best is not None
        self.runs += 1
        values = self.best
        free = self.connected(free_seats)
        free_entry = free[self.indices]
        fixed_part = np.bincount(
            self.entry_row, weights=self.data * values[self.indices] * ~free_entry, minlength=m.n_rows
        )
        row_free = np.bincount(self.entry_row, weights=free_entry.astype(float), minlength=m.n_rows) > 0
        rows = np.flatnonzero(row_free)
        cols = np.flatnonzero(free)
        col_map = np.full(m.n_cols, -1, dtype=np.int64)
        col_map[cols] = np.arange(len(cols))
        row_map = np.full(m.n_rows, -1, dtype=np.int64)
        row_map[rows] = np.arange(len(rows))
        keep = row_free[self.entry_row] & free_entry
        counts = np.bincount(row_map[self.entry_row[keep]], minlength=len(rows))
        h = hs.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", self.job.threads)
        h.setOptionValue("random_seed", self.job.seed + self.runs)
        h.setOptionValue("mip_rel_gap", self.job.relative_gap)
        h.setOptionValue("mip_feasibility_tolerance", 1e-7)
        h.setOptionValue("time_limit", max(0.05, time_limit))
        lp = hs.HighsLp()
        lp.num_col_ = len(cols)
        lp.num_row_ = len(rows)
        lp.col_cost_ = self.objective[cols]
        lp.col_lower_ = self.lb[cols]
        lp.col_upper_ = self.ub[cols]
        # Money rows get a hair of slack (1e-5 units = 1 øre, inside the grants' 100-øre safety margin):
        # seats within the integrality tolerance (1e-7) of 1 are rounded to 1, which costs a little more.
        lp.row_lower_ = self.row_lb[rows] - fixed_part[rows] - self.slack[rows]
        lp.row_upper_ = self.row_ub[rows] - fixed_part[rows] + self.slack[rows]
        lp.a_matrix_.format_ = hs.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        lp.a_matrix_.index_ = col_map[self.indices[keep]].astype(np.int32)
        lp.a_matrix_.value_ = self.data[keep]
        lp.integrality_ = [hs.HighsVarType.kInteger if i else hs.HighsVarType.kContinuous for i in self.integer[cols]]
        lp.sense_ = hs.ObjSense.kMaximize if self.phase == 1 else hs.ObjSense.kMinimize
        h.passModel(lp)
        # Warm start with the integer columns only; HiGHS completes the continuous ones itself, so
        # tolerance noise in them can never make the start look infeasible.
        integer_at = np.flatnonzero(self.integer[cols]).astype(np.int32)
        h.setSolution(len(integer_at), integer_at, np.round(values[cols][integer_at]).astype(float))
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        if h.getInfo().primal_solution_status != hs.kSolutionStatusFeasible:
            return status, None
        full = values.copy()
        full[cols] = np.array(h.getSolution().col_value, dtype=float)
        full[: self.n] = np.round(full[: self.n])
        return status, full

    def lns(self) -> None:
        """Decomposition for big instances: LP bound, a kernel MILP, then neighbourhood search.

        1. The LP relaxation gives the bound, and its support (seats with a positive value)
           plus the incumbent's seats form the *kernel*.
        2. The MILP restricted to the kernel (every other seat at 0) is small and usually
           holds most of the improvement; it runs warm-started from the incumbent.
        3. Then large-neighbourhood search: free every seat of a few facilities (or courses,
           or where the LP and the plan disagree), plus some of the plan's seats elsewhere
           so money can move between neighbourhoods through the shared budgets; fix the
           rest to the incumbent; solve; keep improvements; grow or shrink the
           neighbourhood by how the last one went.
        4. Phase 2 does the same with the points row fixed and cost minimised.
        """
        job = self.job
        if self.best is None:
            self.finish("NoWarmStart", False)
            return
        self.report(self.best)
        rng = random.Random(job.seed)
        np = self.np
        phase_one_end = self.limit * (1.0 - job.cost_phase_share)
        lp_x, duals = None, None
        if self.n <= LP_GUIDE_MAX_SEATS:
            lp_x, duals = self.relaxation(max(0.5, phase_one_end * 0.3))
        guided = lp_x is not None
        if lp_x is None:
            lp_x = self.best[: self.n].copy()
        kernel = (lp_x > 1e-6) | (self.best[: self.n] > 0.5)
        if guided and not self.close_enough() and self.left(phase_one_end) > 0.5:
            _status, values = self.sub_run(kernel, self.left(phase_one_end) * 0.35)
            if values is not None:
                self.consider(values)
        self.search(rng, phase_one_end, lp_x)
        if not job.skip_cost_phase and self.left() > 0.5:
            self.set_phase_two()
            if guided:
                _status, values = self.sub_run(kernel | (self.best[: self.n] > 0.5), self.left() * 0.5)
                if values is not None:
                    self.consider(values)
            self.search(rng, self.limit, lp_x)
        del duals, np
        self.finish("LNS", False)

    def search(self, rng: random.Random, until: float, lp_x: Any) -> None:
        """Large-neighbourhood search until ``until`` seconds (or a proven-good-enough incumbent)."""
        size = max(300, min(self.n, NEIGHBOURHOOD_SEATS))
        sub_limit = max(1.5, 0.05 * self.limit)
        while self.left(until) > 0.3 and not (self.phase == 1 and self.close_enough()):
            kind, free = self.neighbourhood(rng, size, lp_x)
            status, values = self.sub_run(free, min(sub_limit, self.left(until) - 0.1))
            improved = values is not None and self.consider(values)
            if kind == "completion":
                self.completion_went(improved, status)  # its size follows its targets, not ``size``
                continue
            if status == "Optimal":
                size = min(self.n, int(size * 1.3) + 1)
            elif not improved:
                size = max(200, int(size * 0.8))

    def completion_went(self, improved: bool, status: str) -> None:
        """After a gain, one target again; after an optimal run without one, one target more (the
        neighbourhood was too narrow); after a time-out without one, one fewer."""
        if improved:
            self.completion_targets = 1
        elif status == "Optimal":
            self.completion_targets = min(COMPLETION_TARGETS_MAX, self.completion_targets + 1)
        else:
            self.completion_targets = max(1, self.completion_targets - 1)

    def completion(self, rng: random.Random, size: int) -> Any:
        """Seats to free to try to meet unmet targets (``completion_targets`` of them): their
        candidate seats, the plan's seats on the same sessions and those people's other sessions of
        the same course (places to move), and the plan's seats that bring the fewest points per
        krone anywhere (money to move)."""
        np, m = self.np, self.model
        assert self.best is not None
        unmet = [k for k, met in enumerate(m.target_met) if self.best[met] < 0.5 and self.ub[met] > 0.5]
        if not unmet:
            return None
        # Prefer targets that are nearly met: the bonus is closest.
        missing = [max(0.0, m.target_gap[k] - self.best[m.target_v[k]]) + 0.5 for k in unmet]
        weights = [
            self.points_vec[m.target_met[k]] / left / (1 + self.tries.get(k, 0))
            for k, left in zip(unmet, missing, strict=True)
        ]
        free = np.zeros(self.n, dtype=bool)
        for _ in range(self.completion_targets):
            if not any(weights):
                break
            i = rng.choices(range(len(unmet)), weights=weights)[0]
            weights[i] = 0.0  # drawn without replacement
            k = unmet[i]
            self.tries[k] = self.tries.get(k, 0) + 1  # tried targets wait their turn
            seats = m.target_seats[k]
            if len(seats) > size:
                seats = rng.sample(seats, size)
            free[np.array(seats, dtype=np.int64)] = True
        if len(self.seat_session):
            # Where seats are scarce, the plan's seats on those sessions hold the places the
            # targets need: freed too, so places can move between targets; and those people's
            # other sessions of the same course, so they can move rather than only give way.
            moved = (self.best[: self.n] > 0.5) & np.isin(self.seat_session, self.seat_session[free])
            free |= moved | np.isin(self.seat_person_course, self.seat_person_course[moved])
        chosen = np.flatnonzero((self.best[: self.n] > 0.5) & ~free)
        if len(chosen):
            value = np.array(m.seat_value)[chosen] / (self.cost_vec[chosen] + 1e-3)
            worst = chosen[np.argsort(value)[: max(1, size // 2)]]
            free[worst] = True
        return free

    def neighbourhood(self, rng: random.Random, size: int, lp_x: Any) -> tuple[str, Any]:
        """Its kind and the seats to free: unmet targets' seats (completion), or whole facilities
        or courses, plus some of the plan's seats elsewhere."""
        np, m = self.np, self.model
        assert self.best is not None
        best = self.best[: self.n]
        if m.target_met and rng.random() < 0.5:
            free = self.completion(rng, size)
            if free is not None:
                return "completion", free
        kind = "facility" if rng.random() < 0.6 else "course"
        labels = np.array(m.seat_facility if kind == "facility" else m.seat_course)
        keys, inverse = np.unique(labels, return_inverse=True)
        counts = np.bincount(inverse, minlength=len(keys))
        if rng.random() < 0.5:
            # Where the LP and the plan disagree most is where gains hide.
            weight = np.bincount(inverse, weights=np.abs(lp_x - best), minlength=len(keys)) + 1e-3
            order = np.argsort(-weight * np.array([rng.random() for _ in keys]))
        else:
            order = np.array(rng.sample(range(len(keys)), len(keys)))
        chosen, total = [], 0
        for k in order:
            if total >= size:
                break
            chosen.append(k)
            total += counts[k]
        free = np.isin(inverse, np.array(chosen))
        if total > 2 * size:  # one big group (a course everyone needs): a random part of it
            members = np.flatnonzero(free)
            free[:] = False
            free[np.array(rng.sample(list(members), size))] = True
        release = rng.choice((0.0, 0.1, 0.3))
        if release:
            elsewhere = np.flatnonzero((best > 0.5) & ~free)
            count = min(len(elsewhere), int(release * len(elsewhere)), size // 2)
            if count:
                free[np.array(rng.sample(list(elsewhere), count))] = True
        return kind, free


def run(model: LinearModel, job: Job, send: Any) -> None:
    """Run one job, streaming messages through ``send``; always ends with "done" or "error"."""
    try:
        solver = Solver(model, job, send)
        if job.mode == "lp":
            solver.lp()
        elif job.mode == "lns":
            solver.lns()
        else:
            solver.milp()
    except Exception as error:  # reported to the caller, which records it on the run
        send(("error", {"message": f"{type(error).__name__}: {error}"}))


def serve(conn: Connection) -> None:
    """Worker process entry point: run jobs from the pipe until told to stop (None) or it closes.

    The solver runs at a lower CPU priority, so that web requests served on the same machine
    win the core when both want it (the web's p99 while planning).
    """
    with contextlib.suppress(OSError, AttributeError):
        os.nice(SOLVER_NICENESS)
    try:
        while True:
            try:
                request = conn.recv()
            except EOFError:
                break
            if request is None:
                break
            model, job = request
            run(model, job, conn.send)
    finally:
        conn.close()
