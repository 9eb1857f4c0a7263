"""A plan's grants are charged what the plan says: the run page, the confirmation page and the ledger agree.

Accepting charges a seat to a grant as a *share* of the booking, and the ledger applies the pool's
rules to that share (the categories it covers, its co-financing share). The share was the grant's
planned amount over the seat's whole cost, so the pool's rules cut it a second time:

1. a pool that covers the fee and not the backfill wages was charged fee x fee/cost, not the fee
   (planned 6.000,00 kr., charged 2.948,20 kr. for the three seats below);
2. a pool that pays 50 % of its costs, planned at 50 %, was charged half of that again
   (planned 6.120,00 kr., charged 3.060,00 kr.);
3. the run page showed the plan's figure and the confirmation page the ledger's: the same bug.

Every test runs the planner on the database (``execute_run``), reads what the engine itself had
each grant pay, the run page's "Planlagt forbrug", the confirmation page, then accepts and reads the
ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.urls import reverse

from styrbord.funding.models import FundingSplit, Grant, LedgerEntry, Pool
from styrbord.funding.services.setup import create_grant, create_pool
from styrbord.lib.costs import CostCategory
from styrbord.lib.formatting import format_kr
from styrbord.lib.money import ZERO, from_ore, round_money
from styrbord.planner.model import Result, seat_cost
from styrbord.planning import services
from styrbord.planning.inputs import OWN_BUDGET_ID, Inputs, build_inputs
from styrbord.planning.models import PlanRun
from styrbord.planning.tests.data import Setup, planning_setup
from styrbord.staff.models import Employment
from styrbord.testing.fixtures import World, client_for
from styrbord.training.models import Booking, BookingCost

pytestmark = pytest.mark.django_db

D = Decimal


@dataclass
class Figures:
    """Each grant's figure at each step (grant id -> amount), and the run."""

    run: PlanRun
    engine: dict[int, Decimal]  # what the planner engine had the grant pay, before the run was stored
    run_page: dict[int, Decimal]  # "Planlagt forbrug" on the run page (the stored result)
    confirmation: dict[int, Decimal]  # what the confirmation page says accepting will charge it
    ledger: dict[int, Decimal]  # what accepting charged it
    pages: tuple[str, str]  # the run page and the confirmation page, as HTML

    def of(self, grant: Grant) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return tuple(  # type: ignore[return-value]
            figures.get(grant.pk, ZERO) for figures in (self.engine, self.run_page, self.confirmation, self.ledger)
        )


def _figures(world: World, setup: Setup, monkeypatch: pytest.MonkeyPatch) -> Figures:
    engine: dict[int, int] = defaultdict(int)
    reconcile = services.reconcile

    def spy(inputs: Inputs, result: Result) -> Any:
        for charge in result.plan.charges:
            engine[charge.grant_id] += charge.amount_ore
        return reconcile(inputs, result)

    monkeypatch.setattr(services, "reconcile", spy)
    run = PlanRun.objects.create(scenario=setup.scenario, parameters=services.parameters_of(setup.scenario))
    run = services.execute_run(run.pk)
    assert run.status == PlanRun.Status.DONE, run.error
    run_page = {int(g["grant"]): D(g["planned"]) for g in run.result["grants"]}
    confirmation = {g["grant"]: g["amount"] for g in services.acceptance_summary(run)["grants"]}
    client = client_for(world.coordinator)
    pages = (
        client.get(reverse("planning:run_detail", args=[run.pk])).content.decode(),
        client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode(),
    )
    assert services.acceptance_refusal(run) is None
    services.accept_run(run, world.coordinator)
    ledger = dict(LedgerEntry.objects.values_list("grant_id").annotate(s=Sum("amount")).order_by())
    return Figures(run, {g: from_ore(ore) for g, ore in engine.items()}, run_page, confirmation, ledger, pages)


def _bookings(run: PlanRun, grant: Grant) -> list[Booking]:
    return list(Booking.objects.filter(plan_assignments__run=run, funding_splits__grant=grant).order_by("pk"))


def _assert_agree(figures: Figures, grant: Grant, expected: Decimal) -> None:
    """The engine, the run page, the confirmation page and the ledger say ``expected``, to the øre;
    both pages show it."""
    assert figures.of(grant) == (expected,) * 4
    run_page, confirmation = figures.pages
    assert f'<td class="num">{format_kr(expected)}</td></tr>' in run_page
    assert f'<td>{grant}</td><td class="num">{format_kr(expected)}</td>' in confirmation


def test_a_pool_that_covers_the_fee_but_not_the_wages_is_charged_the_fee_the_plan_put_on_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Suspicion 1 (and 3): the grant was charged 2.948,20 kr. of the 6.000,00 kr. the run page said."""
    setup = planning_setup(world, grant_kr="100000.00", own_budget="100000.00")
    Pool.objects.filter(pk=setup.pool.pk).update(eligible_categories=[CostCategory.FEE])

    figures = _figures(world, setup, monkeypatch)

    bookings = _bookings(figures.run, setup.grant)
    assert len(bookings) == 3  # Dolmer Have's three: the grant is theirs
    _assert_agree(figures, setup.grant, D("6000.00"))  # 3 x the 2.000 kr. fee
    entries = LedgerEntry.objects.filter(grant=setup.grant)
    assert set(entries.values_list("category", "amount")) == {(CostCategory.FEE, D("2000.00"))}
    assert set(FundingSplit.objects.filter(grant=setup.grant).values_list("share", flat=True)) == {D("100.00")}
    # The wages are the facility's own money, as the plan said.
    own = sum(
        (D(c["amount"]) for a in figures.run.assignments.all() for c in a.charges if c["grant"] == OWN_BUDGET_ID), ZERO
    )
    cost = BookingCost.objects.filter(booking__plan_assignments__run=figures.run).aggregate(s=Sum("amount"))["s"]
    assert own == cost - D("6000.00")


def _wages_with_ore(world: World) -> None:
    """Dolmer Have's wages in kroner and øre, so half a cost line is sometimes half an øre."""
    for employment, wage in zip(
        Employment.objects.filter(facility=world.dolmer).order_by("pk"), ("213.47", "198.13", "251.09"), strict=True
    ):
        Employment.objects.filter(pk=employment.pk).update(hourly_wage=D(wage))


def _own_money_for_the_rest(setup: Setup, world: World, permille: int) -> Decimal:
    """Own money for exactly what the grant does not pay of all five seats when it pays its whole
    co-financing share of Dolmer Have's three (plus the krone the planner keeps back). The planner
    spends own money first, so with more of it the grant would pay less than its share."""
    problem = build_inputs(setup.scenario).problem
    rules = {rule.facility_id: rule.backfill_permille for rule in problem.staffing}
    (grant,) = [g for g in problem.grants if g.id == setup.grant.pk]
    assert grant.share_permille == permille
    rest = 0
    for person in problem.persons:
        cost = seat_cost(person, problem.sessions[0], rules[person.facility_id])
        for amount in cost.by_category().values():
            rest += amount - (grant.cap(amount) if person.facility_id == world.dolmer.pk else 0)
    return from_ore(rest) + 1


def test_a_co_financed_pool_is_charged_its_share_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Suspicion 2 (and 3): the planner has a 50 % pool pay half of each cost; accepting then took
    that as a share of the seat and the ledger paid 50 % of the share: a quarter."""
    _wages_with_ore(world)
    setup = planning_setup(world, grant_kr="100000.00")
    Pool.objects.filter(pk=setup.pool.pk).update(co_financing_share=D("50"))
    setup.scenario.own_budget = _own_money_for_the_rest(setup, world, 500)
    setup.scenario.save(update_fields=["own_budget"])

    figures = _figures(world, setup, monkeypatch)

    bookings = _bookings(figures.run, setup.grant)
    assert len(bookings) == 3
    # Half of every cost line of the three seats, each rounded half up to the øre as the ledger does.
    lines = BookingCost.objects.filter(booking__in=bookings)
    expected = sum((round_money(line.amount / 2) for line in lines), ZERO)
    assert any(line.amount % D("0.02") for line in lines)  # some half øre to round
    _assert_agree(figures, setup.grant, expected)
    for entry in LedgerEntry.objects.filter(grant=setup.grant).select_related("booking_cost"):
        assert entry.amount == round_money(entry.booking_cost.amount / 2)


def test_a_fee_pool_and_a_wage_pool_on_one_seat_are_each_charged_their_part(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two pools that share the categories out pay one seat together: the fee pool the fee and the
    wage pool the wages, as planned. As shares of the seat (fee/cost and wages/cost) the ledger
    charged each its share of its own category only."""
    setup = planning_setup(world, grant_kr="100000.00")
    Pool.objects.filter(pk=setup.pool.pk).update(eligible_categories=[CostCategory.FEE])
    wage_pool = create_pool(
        Pool(
            municipality=setup.pool.municipality,
            name="Vikarpulje",
            kind=Pool.Kind.MUNICIPAL_BUDGET,
            total=D("100000.00"),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2027, 12, 31),
            eligible_categories=[CostCategory.BACKFILL],
        ),
        None,
    )
    wages = create_grant(Grant(pool=wage_pool, facility=world.dolmer, amount=D("100000.00")), None)
    setup.scenario.grants.add(wages)

    figures = _figures(world, setup, monkeypatch)

    bookings = _bookings(figures.run, setup.grant)
    assert len(bookings) == 3  # no own money: only Dolmer Have's seats are paid for
    assert _bookings(figures.run, wages) == bookings
    costs = BookingCost.objects.filter(booking__in=bookings)
    fee = costs.filter(category=CostCategory.FEE).aggregate(s=Sum("amount"))["s"]
    backfill = costs.filter(category=CostCategory.BACKFILL).aggregate(s=Sum("amount"))["s"]
    _assert_agree(figures, setup.grant, fee)
    _assert_agree(figures, wages, backfill)
    # Each pays all of its category: 100 % each, 200 % in all (pools sharing the categories out).
    assert set(FundingSplit.objects.filter(booking__in=bookings).values_list("share", flat=True)) == {D("100.00")}


def test_what_a_co_financed_pool_leaves_is_own_money_within_the_scenarios_own_budget(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner let a second grant pay what a co-financed pool leaves to the facility; the
    ledger does not (a pool pays its share of its portion, the rest is the facility's). The pages
    said what the ledger would charge (4.119,86 + 3.999,45 kr., not the engine's 6.120 + 4.000 kr.),
    but the own money then had 12.140 kr. of the scenario's 10.141 kr. The planner now plans as the
    ledger charges: the engine, the pages and the ledger agree, and the own money stays within the
    own budget."""
    setup = planning_setup(world, grant_kr="100000.00", own_budget="100000.00")
    Pool.objects.filter(pk=setup.pool.pk).update(co_financing_share=D("50"))
    full_pool = create_pool(
        Pool(
            municipality=setup.pool.municipality,
            name="Fuld pulje",
            kind=Pool.Kind.MUNICIPAL_BUDGET,
            total=D("100000.00"),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2027, 12, 31),
            eligible_categories=[CostCategory.FEE, CostCategory.BACKFILL],
        ),
        None,
    )
    # Dolmer Have's three seats cost 12.240 kr.: the other pool pays 4.000 kr. (and keeps the krone
    # the planner keeps back), the 50 % pool half of the 8.240 kr. left and own money the other
    # half, 4.120 kr.; with Glesborg's 8.020 kr., 12.140 kr. of own money for all five seats.
    full = create_grant(Grant(pool=full_pool, facility=world.dolmer, amount=D("4001.00")), None)
    setup.scenario.grants.add(full)
    setup.scenario.own_budget = D("10141.00")
    setup.scenario.save(update_fields=["own_budget"])

    figures = _figures(world, setup, monkeypatch)

    assert figures.run.assignments.count() == 4  # not five: 12.140 kr. of own money
    cost = BookingCost.objects.filter(booking__plan_assignments__run=figures.run).aggregate(s=Sum("amount"))["s"]
    own = figures.run_page[OWN_BUDGET_ID]
    assert own == cost - figures.ledger[setup.grant.pk] - figures.ledger[full.pk]
    assert own <= setup.scenario.own_budget
    for grant in (setup.grant, full):
        engine, run_page, confirmation, ledger = figures.of(grant)
        assert run_page == confirmation == ledger
        # The engine's figure, but for the øre a share to the hundredth of a percent rounds away
        # (funding.rules.split_for) on the seats both pools pay part of.
        assert engine - D("1.00") <= ledger <= engine
