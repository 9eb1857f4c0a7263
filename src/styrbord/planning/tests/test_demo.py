"""The demo's planning step: a Norddjurs plan that uses the seed-000 grants (24/9263), next to the
same plan without them, so the coverage forecast shows what the money does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from styrbord.demo.context import DEMO_STEPS
from styrbord.demo.services import build_demo
from styrbord.planner.evaluate import evaluate
from styrbord.planner.model import Plan
from styrbord.planning.compare import comparison
from styrbord.planning.inputs import build_inputs
from styrbord.planning.models import PlanRun, Scenario
from styrbord.testing.fixtures import DEMO_TEST_DAY

TODAY = DEMO_TEST_DAY
UP_TO_PLANNING = DEMO_STEPS[: DEMO_STEPS.index("styrbord.planning") + 1]
# Built for that day and run on it: a run plans from the day after, so on a later day the demo's
# sessions and the seed's pool period (2025-2027) would be behind the plan.
pytestmark = pytest.mark.usefixtures("on_demo_day")


@pytest.mark.django_db
def test_the_demo_plans_norddjurs_with_and_without_the_seed_000_grants() -> None:
    build_demo(2024, TODAY, only=UP_TO_PLANNING)
    scenarios = list(Scenario.objects.filter(municipality__code="0707").order_by("pk"))
    assert len(scenarios) == 2
    with_grants, without = scenarios
    grants = list(with_grants.grants.all())
    assert sorted(g.amount for g in grants) == [Decimal("322000.00"), Decimal("700000.00")]
    assert {g.pool.case_number for g in grants} == {"24/9263"}
    assert not without.grants.exists()

    runs = [s.latest_run() for s in (with_grants, without)]
    assert all(r is not None and r.status == PlanRun.Status.DONE for r in runs), [r and r.error for r in runs]
    run_with, run_without = runs
    assert run_with is not None
    assert run_without is not None
    # the plan spends the grants, and reaches more than the plan without them
    spent = {g["grant"]: Decimal(g["planned"]) for g in run_with.result["grants"]}
    assert sum(spent[g.pk] for g in grants) > 0
    assert run_with.points is not None
    assert run_without.points is not None
    assert run_with.points > run_without.points
    # both beat doing nothing; the evaluator agrees on the stored points of the plan without grants
    nothing = evaluate(build_inputs(without).problem, Plan((), ())).points
    assert run_without.points >= nothing

    # the coverage forecast by deadline, side by side: every requirement, with and without
    table = comparison([run_with, run_without])
    assert table["targets"]
    assert all(None not in row["cells"] for row in table["targets"])
    better = [row for row in table["targets"] if row["cells"][0]["attainment"] > row["cells"][1]["attainment"] + 1e-9]
    assert better, "the grants raise the forecast coverage of at least one requirement"
    assert all(row["cells"][0]["attainment"] >= row["baseline_pct"] / 100 - 1e-9 for row in table["targets"])
    assert {f["name"] for f in table["facilities"]} >= {"Dolmer Have", "Bofællesskaberne Glesborg"}


@pytest.mark.django_db
def test_the_seed_grants_have_money_left_for_the_demo_plan() -> None:
    from styrbord.funding.services.balances import balances_by_grant

    build_demo(2024, TODAY, only=UP_TO_PLANNING)
    with_grants, without = Scenario.objects.filter(municipality__code="0707").order_by("pk")
    grants = list(with_grants.grants.all())
    left = sum((b.remaining for b in balances_by_grant(grants).values()), Decimal("0"))
    run_with, run_without = with_grants.latest_run(), without.latest_run()
    assert run_with is not None
    assert run_without is not None
    spent = sum((Decimal(g["planned"]) for g in run_with.result["grants"] if g["grant"] != 0), Decimal("0"))
    # money for the plan: at least the grants' 2027 budget lines are more than a few hundred kroner
    assert left >= Decimal("100000.00")
    assert spent >= Decimal("50000.00")
    assert run_with.result["new_seats"] > run_without.result["new_seats"]
