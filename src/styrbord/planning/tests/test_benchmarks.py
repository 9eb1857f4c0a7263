"""The web latency part of `styrbord bench plan`: p99 idle and while a plan solves."""

from __future__ import annotations

import pytest

from styrbord.planning.benchmarks import web_latency
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
def test_web_latency_refuses_a_page_that_fails() -> None:
    with pytest.raises(RuntimeError, match="404"):
        web_latency(random_problem(0), 1.0, "/no-such-page/", samples=5)
