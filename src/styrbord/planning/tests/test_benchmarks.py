"""`styrbord bench plan`: the web latency part (p99 idle and while a plan solves) and the best known bound."""

from __future__ import annotations

import pytest

from styrbord.planner.instances import TIERS, generate
from styrbord.planner.milp import build
from styrbord.planner.model import Parameters, fingerprint
from styrbord.planner.prepare import Index
from styrbord.planner.runner import run_job
from styrbord.planner.solve import make_plan, solve
from styrbord.planner.worker import Job
from styrbord.planning import benchmarks
from styrbord.planning.benchmarks import ALL_SEATS, RECORDED, best_known, seats_in, web_latency
from styrbord.planning.tests.tiny import random_problem


@pytest.mark.django_db
def test_web_latency_is_measured_idle_and_while_a_plan_runs() -> None:
    out = web_latency(random_problem(0), 1.5, "/konto/login/", samples=30)
    assert out["planning_samples"] > 0
    assert 0 < out["idle_p50_ms"] <= out["idle_p99_ms"]
    assert 0 < out["planning_p50_ms"] <= out["planning_p99_ms"]
    assert out["p99_ratio"] == pytest.approx(out["planning_p99_ms"] / out["idle_p99_ms"])
    assert out["p99_ratio_met"] == (out["p99_ratio"] <= 1.5)
    # The floor: the same page beside an empty loop at the lowest priority, in the same run.
    assert 0 < out["floor_p50_ms"] <= out["floor_p99_ms"]
    assert out["floor_p99_ratio"] == pytest.approx(out["floor_p99_ms"] / out["idle_p99_ms"])
    assert out["planning_vs_floor_p99_ratio"] == pytest.approx(out["planning_p99_ms"] / out["floor_p99_ms"])


@pytest.mark.django_db
def test_web_latency_paces_idle_floor_and_planning_requests_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """The phases may differ only in what runs beside the web, not in how requests are sent:
    every request of the idle, floor and planning phases is followed by the same pause; only the
    back-to-back idle reference and the warm-up are not."""
    paused: list[float] = []
    real_sleep = benchmarks.time.sleep

    def sleep(seconds: float) -> None:
        paused.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(benchmarks.time, "sleep", sleep)
    samples = 12

    out = web_latency(random_problem(0), 1.0, "/konto/login/", samples=samples)

    assert out["pace_ms"] == pytest.approx(1000 * benchmarks.PACE_S)
    assert paused.count(benchmarks.PACE_S) == 2 * samples + out["planning_samples"]
    assert 0 < out["unpaced_idle_p50_ms"] <= out["unpaced_idle_p99_ms"]
    assert out["p99_ratio_vs_unpaced_idle"] == pytest.approx(out["planning_p99_ms"] / out["unpaced_idle_p99_ms"])


@pytest.mark.django_db
def test_web_latency_refuses_a_page_that_fails() -> None:
    with pytest.raises(RuntimeError, match="404"):
        web_latency(random_problem(0), 1.0, "/no-such-page/", samples=5)


def test_the_recorded_bound_belongs_to_the_tiers_instance_and_model() -> None:
    """A recorded bound is only a bound for the instance and the model it was measured on: if
    the generator, the model or the points change, this fails, and the bound must be measured
    again (the bench ignores it meanwhile)."""
    for tier, recorded in RECORDED.items():
        problem = generate(*TIERS[tier], seed=0)
        assert fingerprint(problem) == recorded.fingerprint, tier
        built = build(Index(problem, Parameters(max_seats=ALL_SEATS)))
        lp = run_job(built.model, Job(mode="lp", time_limit_s=120.0))
        assert built.baseline_points + lp["lp"]["bound_gain"] == pytest.approx(recorded.lp_bound, rel=1e-9), tier
        assert recorded.points <= recorded.bound <= recorded.lp_bound


def test_the_best_known_bound_is_the_tightest_that_applies() -> None:
    recorded = RECORDED["1500"]
    lp = recorded.lp_bound
    bound, source, info = best_known("1500", recorded.fingerprint, lp, 15457.5)
    assert (bound, source) == (recorded.bound, "recorded")
    assert info is not None
    assert info["applies"]
    assert info["source"] == recorded.source
    # A tighter bound from this run wins over the recorded one.
    assert best_known("1500", recorded.fingerprint, lp, 15000.0)[:2] == (15000.0, "reference_milp")
    # Another instance (a changed generator), or another model (its LP bound moved): the
    # recorded bound is shown but not used.
    for instance, lp_now in (("0" * 64, lp), (recorded.fingerprint, lp + 1.0), (recorded.fingerprint, None)):
        bound, source, info = best_known("1500", instance, lp_now, 15457.5)
        assert (bound, source) == (15457.5, "reference_milp")
        assert info is not None
        assert not info["applies"]
    # No recorded figures for the tier; an infinite or missing bound is no bound.
    assert best_known("500", "x", 3718.4, float("inf")) == (3718.4, "lp_relaxation", None)
    assert best_known("500", "x", None, None) == (None, None, None)


def test_a_planner_plan_maps_onto_the_full_index_as_the_reference_start() -> None:
    """--reference-start-s starts the reference MILP from the planner's plan: its seats, found in
    the full index (every session kept), make the same plan with the same points."""
    problem = generate(120, 4, 8, seed=0)
    result = solve(problem, Parameters(time_limit_s=2.0, seed=0))
    assert result.plan.assignments
    full = Index(problem, Parameters(max_seats=ALL_SEATS))
    seats = seats_in(full, result.plan)
    assert len(set(seats)) == len(result.plan.assignments)
    plan, _targets, points, cost, repaired = make_plan(full, seats)
    assert not repaired
    assert points == pytest.approx(result.points)
    assert cost == result.cost_ore
    assert {(a.person_id, a.session_id) for a in plan.assignments} == {
        (a.person_id, a.session_id) for a in result.plan.assignments
    }
