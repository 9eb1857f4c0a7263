"""The planner's entry point: greedy first plan, then the MILP (or its decomposition) in a worker.

1. Build the index (candidate seats) and run the greedy: the first plan, in well under a
   second for thousands of staff.
2. Build the MILP and solve it in a worker process with the greedy plan as warm start:
   the monolithic model for instances up to ``Parameters.lns_threshold`` candidate seats,
   large-neighbourhood search (facility / course neighbourhoods coupled through the
   shared budgets, guided by the LP relaxation) above it.
3. Allocate the exact øre charges, score the plan, and name the binding reason for every
   target it cannot meet (see explain.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from styrbord.lib.gcpause import cyclic_gc_paused  # pure Python, no Django
from styrbord.planner.explain import outcomes
from styrbord.planner.funding import allocate
from styrbord.planner.greedy import greedy
from styrbord.planner.milp import build, complete
from styrbord.planner.model import (
    Assignment,
    Charge,
    Family,
    Parameters,
    Plan,
    Problem,
    Result,
    TargetOutcome,
    requirement_points,
)
from styrbord.planner.prepare import Index
from styrbord.planner.runner import prestart, run_job
from styrbord.planner.worker import Job

Progress = Callable[[float, dict[str, Any]], None]


def choose_strategy(ix: Index, params: Parameters) -> str:
    if params.strategy != "auto":
        return params.strategy
    return "milp" if len(ix.seats) <= params.lns_threshold else "lns"


def plan_points(ix: Index, chosen: list[int]) -> float:
    """Points of a set of seats (baseline coverage included)."""
    covered: list[set[int]] = [set() for _ in ix.requirements]
    for a in chosen:
        seat = ix.seats[a]
        for r, _unit in seat.covers:
            covered[r].add(seat.person)
    return sum(
        requirement_points(req.weight, ix.base_units[r] + sum(ix.units[r][p] for p in covered[r]), ix.target[r])
        for r, req in enumerate(ix.requirements)
    )


def solve(problem: Problem, params: Parameters | None = None, progress: Progress | None = None) -> Result:
    """Plan ``problem`` within ``params.time_limit_s`` seconds."""
    params = params or Parameters()
    started = time.monotonic()

    def tell(info: dict[str, Any]) -> None:
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(min(0.99, elapsed / max(params.time_limit_s, 1e-6)), info)

    if params.strategy != "greedy" and not params.in_process:
        prestart()  # a worker process starts while the model and the greedy plan are built
    with cyclic_gc_paused():
        ix = Index(problem, params)
        unfunded = fund_fixed(ix)
        timings = {"index": time.monotonic() - started}
        chosen = greedy(ix)
    first_plan = time.monotonic() - started
    timings["greedy"] = first_plan - timings["index"]
    greedy_points = plan_points(ix, chosen)
    tell({"event": "greedy", "points": greedy_points})
    stats: dict[str, Any] = {
        "seats": len(ix.seats),
        "sessions_per_course_kept": ix.sparse_k or None,
        "greedy_points": greedy_points,
        "baseline_points": ix.baseline_points(),
        "max_points": ix.max_points(),
        "timings": timings,
        "unfunded_fixed_bookings": unfunded,
    }
    strategy = choose_strategy(ix, params)
    stats["strategy"] = strategy
    status, bound, proven = "greedy", ix.max_points(), False
    if strategy != "greedy" and ix.seats:
        with cyclic_gc_paused():
            built = build(ix)
            warm = complete(built, ix, chosen)
        stats.update(columns=built.model.n_cols, rows=built.model.n_rows)
        # Keep a little time back for the exact charges and the explanations after the solve.
        reserve = min(3.0, max(0.8, 0.06 * params.time_limit_s))
        remaining = max(0.5, params.time_limit_s - (time.monotonic() - started) - reserve)
        job = Job(
            mode=strategy,
            time_limit_s=remaining,
            deadline=time.time() + remaining,
            seed=params.seed,
            relative_gap=params.relative_gap,
            cost_phase_share=params.cost_phase_share,
            warm=tuple(warm),
        )

        def listen(kind: str, data: dict[str, Any]) -> None:
            if kind == "incumbent":
                tell(
                    {
                        "event": "incumbent",
                        "phase": data["phase"],
                        "points": built.baseline_points + data["points_gain"],
                    }
                )
            elif kind in ("lp", "bound") and data.get("bound_gain") is not None:
                tell({"event": kind, "bound": built.baseline_points + data["bound_gain"]})

        timings["build"] = time.monotonic() - started - first_plan
        mark = time.monotonic()
        out = run_job(built.model, job, listen, in_process=params.in_process)
        timings["solver"] = time.monotonic() - mark
        if out["incumbent"] is not None:
            chosen = list(out["incumbent"]["seats"])
        done = out["done"] or {}
        gain = done.get("bound_gain")
        if gain is not None and math.isfinite(gain):
            if ix.sparse_k:
                # The model holds only some sessions per person: its bound is not one for the problem.
                stats["restricted_bound"] = built.baseline_points + gain
            else:
                bound = min(bound, built.baseline_points + gain)
        stats["runs"] = done.get("runs")
        proven = bool(done.get("proven"))
        status = "optimal" if proven else "feasible"
        if out["error"] is not None:
            stats["error"] = out["error"]["message"]
    mark = time.monotonic()
    plan, targets, points, cost, repaired = make_plan(ix, chosen)
    if repaired:
        stats["repaired"] = True
    bound = max(bound, points)
    total = time.monotonic() - started
    timings["after"] = time.monotonic() - mark
    tell({"event": "done", "points": points})
    return Result(
        status=status,
        plan=plan,
        points=points,
        cost_ore=cost,
        objective=points,
        bound=bound,
        gap=(bound - points) / bound if bound > 0 else 0.0,
        time_to_first_plan_s=first_plan,
        total_time_s=total,
        targets=tuple(targets),
        stats=stats,
    )


def fund_fixed(ix: Index) -> int:
    """Fixed bookings are facts: if the grants cannot pay for them, count them as paid elsewhere.

    Otherwise no plan would be feasible. Returns how many were treated so.
    """
    fixed = [a for a in ix.fixed if not ix.seats[a].paid]
    if not fixed or Family.BUDGETS in ix.disabled or allocate(ix, fixed) is not None:
        return 0
    for a in fixed:
        ix.seats[a].set_paid(True)
    return len(fixed)


def make_plan(ix: Index, chosen: list[int]) -> tuple[Plan, list[TargetOutcome], float, int, bool]:
    """Seats to a plan: exact charges, coverage and reasons, points and cost."""
    charges = allocate(ix, chosen)
    repaired = charges is None
    if charges is None:
        chosen, charges = repair(ix, chosen)
    targets = outcomes(ix, chosen, charges)
    points = sum(
        requirement_points(req.weight, t.planned, t.target) for req, t in zip(ix.requirements, targets, strict=True)
    )
    cost = sum(ix.seats[a].price for a in chosen)
    assignments = tuple(
        Assignment(
            person_id=ix.persons[ix.seats[a].person].id,
            session_id=ix.sessions[ix.seats[a].session].id,
            cost_ore=ix.seats[a].price,
            existing=ix.seats[a].booking is not None,
        )
        for a in sorted(chosen, key=lambda a: (ix.seats[a].session, ix.seats[a].person))
    )
    return Plan(assignments=assignments, charges=tuple(charges)), targets, points, cost, repaired


def repair(ix: Index, chosen: list[int]) -> tuple[list[int], list[Charge]]:
    """Drop the least valuable new seats until the exact øre charges fit (float tolerance guard)."""
    keep = list(chosen)
    needed = {b for a in keep for _c, providers in ix.seats[a].prereqs for b in providers}
    droppable = sorted(
        (a for a in keep if ix.seats[a].booking is None and a not in needed),
        key=lambda a: (len(ix.seats[a].covers), -ix.seats[a].price),
    )
    for a in droppable:
        keep.remove(a)
        charges = allocate(ix, keep)
        if charges is not None:
            return keep, charges
    return keep, allocate(ix, keep) or []
