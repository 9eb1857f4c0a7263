"""A national run: every municipality plans in parallel, coupled through one shared pool.

The pool (a national grant any facility may use) is the only thing municipalities share,
so the run decomposes by municipality and coordinates through the pool's allocation:

1. Allocate the pool by staff numbers and plan every municipality with its share
   (worker processes in parallel, each solving in-process).
2. Take back what a municipality left unspent, and give it to the municipalities whose
   plans are held back by money (targets whose binding reason is the budget), in
   proportion to how many such targets they have; re-plan those, warm in their solver.
3. Check the pool: the sum of all municipalities' charges to it stays within it.

Each municipality's problem is generated inside its worker from a small spec, so the parent
never holds 100.000 people in memory.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from typing import Any

from styrbord.planner.evaluate import evaluate
from styrbord.planner.instances import generate
from styrbord.planner.model import Grant, Parameters, Reason
from styrbord.planner.solve import solve

POOL_ID = 1


@dataclass(frozen=True)
class MunicipalitySpec:
    """Enough to regenerate one municipality's problem."""

    municipality_id: int
    staff: int
    facilities: int
    sessions: int
    seed: int


@dataclass(frozen=True)
class MunicipalityOutcome:
    """What one municipality's plan achieved with its share of the pool."""

    municipality_id: int
    staff: int
    allocation_ore: int
    pool_spent_ore: int
    points: float
    greedy_points: float
    max_points: float
    cost_ore: int
    budget_bound_targets: int
    violations: int
    first_plan_s: float
    seconds: float
    status: str


def national_specs(total_staff: int = 100_000, municipalities: int = 98, seed: int = 0) -> list[MunicipalitySpec]:
    """Municipality sizes like Denmark's: a few large, many small; facilities ~50 staff, a session per 25."""
    rng = random.Random(f"national/{seed}")
    weights = [rng.lognormvariate(0.0, 0.7) for _ in range(municipalities)]
    sizes = [max(120, round(total_staff * w / sum(weights))) for w in weights]
    sizes[sizes.index(max(sizes))] += total_staff - sum(sizes)
    return [
        MunicipalitySpec(
            municipality_id=i + 1,
            staff=size,
            facilities=max(2, size // 50),
            sessions=max(10, size // 25),
            seed=seed,
        )
        for i, size in enumerate(sizes)
    ]


def pool(amount_ore: int) -> Grant:
    """The shared national pool: fees and backfill, any facility, the whole planning period."""
    return Grant(
        id=POOL_ID,
        name="National kompetencepulje",
        remaining_ore=amount_ore,
        period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2027, 12, 31),
    )


def plan_municipality(
    spec: MunicipalitySpec, allocation_ore: int, time_limit_s: float, seed: int
) -> MunicipalityOutcome:
    """Generate, plan and check one municipality (runs in a worker process)."""
    started = time.monotonic()
    problem = generate(
        spec.staff,
        spec.facilities,
        spec.sessions,
        seed=spec.seed,
        municipality_id=spec.municipality_id,
        budget_share=0.3,
        shared_grant=pool(allocation_ore),
    )
    params = Parameters(time_limit_s=time_limit_s, seed=seed, in_process=True)
    result = solve(problem, params)
    evaluation = evaluate(problem, result.plan)
    spent = sum(c.amount_ore for c in result.plan.charges if c.grant_id == POOL_ID)
    return MunicipalityOutcome(
        municipality_id=spec.municipality_id,
        staff=spec.staff,
        allocation_ore=allocation_ore,
        pool_spent_ore=spent,
        points=result.points,
        greedy_points=float(result.stats["greedy_points"]),  # type: ignore[arg-type]
        max_points=float(result.stats["max_points"]),  # type: ignore[arg-type]
        cost_ore=result.cost_ore,
        budget_bound_targets=sum(1 for t in result.targets if t.reason == Reason.BUDGET),
        violations=len(evaluation.violations),
        first_plan_s=result.time_to_first_plan_s,
        seconds=time.monotonic() - started,
        status=result.status,
    )


def _run_round(
    jobs: list[tuple[MunicipalitySpec, int]],
    time_limit_s: float,
    workers: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> dict[int, MunicipalityOutcome]:
    context = multiprocessing.get_context("spawn")
    done: dict[int, MunicipalityOutcome] = {}
    # Largest first, so the two workers finish together.
    ordered = sorted(jobs, key=lambda job: -job[0].staff)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
        futures = [executor.submit(plan_municipality, spec, amount, time_limit_s, seed) for spec, amount in ordered]
        for future in as_completed(futures):
            outcome = future.result()
            done[outcome.municipality_id] = outcome
            if progress is not None:
                progress(len(done), len(jobs))
    return done


def plan_national(
    specs: list[MunicipalitySpec],
    pool_ore: int,
    time_limit_s: float = 4.0,
    rebalance_time_limit_s: float = 3.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Plan every municipality; returns totals, the pool check and per-round figures."""
    started = time.monotonic()
    total_staff = sum(spec.staff for spec in specs)
    shares = [pool_ore * spec.staff // total_staff for spec in specs]
    outcomes = _run_round(list(zip(specs, shares, strict=True)), time_limit_s, workers, seed, progress)
    first_round = time.monotonic() - started
    round_one = dict(outcomes)

    # Rebalance: unspent money goes to municipalities held back by money.
    unspent = sum(o.allocation_ore - o.pool_spent_ore for o in outcomes.values())
    hungry = [o for o in outcomes.values() if o.budget_bound_targets and o.pool_spent_ore >= 0.99 * o.allocation_ore]
    weight = sum(o.budget_bound_targets for o in hungry)
    rebalanced: list[tuple[MunicipalitySpec, int]] = []
    by_id = {spec.municipality_id: spec for spec in specs}
    if unspent > 0 and weight:
        for outcome in hungry:
            extra = unspent * outcome.budget_bound_targets // weight
            rebalanced.append((by_id[outcome.municipality_id], outcome.pool_spent_ore + extra))
        for outcome in outcomes.values():  # everyone else keeps what it spent
            outcomes[outcome.municipality_id] = replace(outcome, allocation_ore=outcome.pool_spent_ore)
        again = _run_round(rebalanced, rebalance_time_limit_s, workers, seed, progress)
        for municipality, outcome in again.items():
            if outcome.points >= outcomes[municipality].points:
                outcomes[municipality] = outcome
            else:  # keep the first plan; the extra money stays unspent
                outcomes[municipality] = replace(outcomes[municipality], allocation_ore=outcome.allocation_ore)
    seconds = time.monotonic() - started
    values = list(outcomes.values())
    spent = sum(o.pool_spent_ore for o in values)
    allocated = sum(o.allocation_ore for o in values)
    return {
        "municipalities": len(values),
        "staff": total_staff,
        "workers": workers,
        "points": sum(o.points for o in values),
        "greedy_points": sum(o.greedy_points for o in round_one.values()),
        "max_points": sum(o.max_points for o in values),
        "points_after_round_one": sum(o.points for o in round_one.values()),
        "cost_ore": sum(o.cost_ore for o in values),
        "pool_ore": pool_ore,
        "pool_allocated_ore": allocated,
        "pool_spent_ore": spent,
        "pool_within_budget": spent <= pool_ore and allocated <= pool_ore,
        "violations": sum(o.violations for o in values),
        "rebalanced_municipalities": len(rebalanced),
        "moved_ore": sum(amount for _spec, amount in rebalanced)
        - sum(round_one[s.municipality_id].pool_spent_ore for s, _a in rebalanced),
        "first_round_s": first_round,
        "seconds": seconds,
        "slowest_municipality_s": max(o.seconds for o in values),
        "largest_first_plan_s": max(o.first_plan_s for o in values),
        "per_municipality": [asdict(o) for o in sorted(values, key=lambda o: o.municipality_id)],
    }
