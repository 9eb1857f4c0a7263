"""``split_for``: the split that charges each grant what it is meant to pay (a plan's amount), once the
ledger has applied the pool's rules to the share, and never more.

A share is of the whole booking and the pool's rules come after it (``plan_split``). Taken as the
amount over the booking's whole cost, a share was cut again by the rules: a pool for the fee only
paid fee x fee/cost, and a 50 % pool paid half of its half.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from styrbord.funding.rules import (
    CostLine,
    PoolRules,
    SplitError,
    SplitPart,
    charged_by_grant,
    payable,
    plan_split,
    split_for,
)
from styrbord.lib.costs import CostCategory
from styrbord.lib.money import ZERO, round_money

D = Decimal
FEE, BACKFILL, VEU, TRAVEL = CostCategory.FEE, CostCategory.BACKFILL, CostCategory.VEU_REFUND, CostCategory.TRAVEL
OFFSETS = ((VEU.value, BACKFILL.value),)
SEAT = [CostLine(1, BACKFILL, D("1800.00")), CostLine(2, FEE, D("2000.00"))]


def rules(*categories: str, share: str = "100", ceiling: str | None = None) -> PoolRules:
    return PoolRules(
        frozenset(categories),
        D(share),
        ceiling_per_booking=D(ceiling) if ceiling else None,
        refund_offsets=OFFSETS,
    )


def charged(lines: list[CostLine], parts: list[SplitPart]) -> dict[object, Decimal]:
    return charged_by_grant(plan_split(lines, parts))


def test_a_pool_for_the_fee_only_gets_the_fee_s_share_of_the_fee() -> None:
    """Suspicion 1: planned to pay the 2.000 kr. fee of a 3.800 kr. seat, the grant had 52,63 % of
    the seat and the ledger charged 52,63 % of the fee (1.052,60 kr.); now 100 % of the fee."""
    fee_only = rules(FEE)
    parts = split_for(SEAT, [("g", fee_only, D("2000.00"))])
    assert [(p.grant, p.share) for p in parts] == [("g", D("100.00"))]
    assert charged(SEAT, parts) == {"g": D("2000.00")}
    # What the share of the whole seat charged:
    assert charged(SEAT, [SplitPart("g", D("52.63"), fee_only)]) == {"g": D("1052.60")}


def test_a_co_financed_pool_s_share_is_taken_once() -> None:
    """Suspicion 2: planned at its 50 % (1.900 kr. of a 3.800 kr. seat), the grant had a share of
    50 % and the ledger took 50 % of that (950 kr.); now all of the seat, at 50 %."""
    half = rules(FEE, BACKFILL, share="50")
    parts = split_for(SEAT, [("g", half, D("1900.00"))])
    assert [(p.grant, p.share) for p in parts] == [("g", D("100.00"))]
    assert charged(SEAT, parts) == {"g": D("1900.00")}
    assert charged(SEAT, [SplitPart("g", D("50"), half)]) == {"g": D("950.00")}


def test_a_co_financed_share_of_a_line_with_a_half_ore_is_rounded_as_the_planner_caps_it() -> None:
    from styrbord.planner.model import Grant

    lines = [CostLine(1, BACKFILL, D("1579.69")), CostLine(2, FEE, D("2000.01"))]
    cap = sum((Grant(1, "g", 10**9, share_permille=500).cap(int(line.amount * 100)) for line in lines), 0)
    assert cap == 78985 + 100001  # half up, as the ledger: 789,845 -> 789,85 and 1.000,005 -> 1.000,01
    parts = split_for(lines, [("g", rules(FEE, BACKFILL, share="50"), D(cap) / 100)])
    assert charged(lines, parts) == {"g": D("1789.86")}


def test_a_grant_paying_part_of_a_seat_is_never_charged_more_than_that() -> None:
    """1.234,56 kr. of the seat is 32,488 %: 32,49 % would charge 1.234,62 kr., so it is 32,48 %."""
    full = rules(FEE, BACKFILL)
    parts = split_for(SEAT, [("g", full, D("1234.56"))])
    assert [p.share for p in parts] == [D("32.48")]
    assert charged(SEAT, parts) == {"g": D("1234.24")}


def test_a_fee_pool_and_a_wage_pool_share_a_seat_out() -> None:
    """Each 100 % of its own category: 200 % in all, which the ledger splits line by line."""
    parts = split_for(SEAT, [("fee", rules(FEE), D("2000.00")), ("wages", rules(BACKFILL), D("1800.00"))])
    assert [(p.grant, p.share) for p in parts] == [("fee", D("100.00")), ("wages", D("100.00"))]
    charges = plan_split(SEAT, parts)
    assert charged_by_grant(charges) == {"fee": D("2000.00"), "wages": D("1800.00")}
    assert sum((c.uncovered for c in charges), ZERO) == ZERO


def test_a_refund_goes_with_the_wages_it_refunds() -> None:
    lines = [*SEAT, CostLine(3, VEU, D("-600.00"))]
    wages = rules(BACKFILL)
    assert payable(lines, wages) == D("1200.00")
    parts = split_for(lines, [("wages", wages, D("1200.00"))])
    assert charged(lines, parts) == {"wages": D("1200.00")}


def test_amounts_that_do_not_fit_one_booking_leave_the_rest_to_the_facility() -> None:
    """A 50 % pool at its whole share and another grant for the half it leaves: the ledger leaves
    that half to the facility, so the grant paying most for each percent keeps its share."""
    half, full = rules(FEE, BACKFILL, share="50"), rules(FEE, BACKFILL)
    parts = split_for(SEAT, [("half", half, D("1900.00")), ("full", full, D("1900.00"))])
    assert [(p.grant, p.share) for p in parts] == [("half", D("50.00")), ("full", D("50.00"))]
    assert charged(SEAT, parts) == {"half": D("950.00"), "full": D("1900.00")}


def test_nothing_to_pay_and_nothing_payable_are_left_out() -> None:
    assert split_for(SEAT, [("g", rules(FEE), ZERO)]) == []
    assert split_for(SEAT, [("g", rules(TRAVEL), D("100.00"))]) == []


def test_a_ceiling_keeps_the_grant_under_it() -> None:
    parts = split_for(SEAT, [("g", rules(FEE, BACKFILL, ceiling="3000.00"), D("3800.00"))])
    assert charged(SEAT, parts) == {"g": D("3000.00")}


def test_up_to_100_in_all_every_line_is_split_over_all_the_grants_as_before() -> None:
    parts = [SplitPart("fee", D("60"), rules(FEE)), SplitPart("all", D("40"), rules(FEE, BACKFILL))]
    charges = plan_split(SEAT, parts)
    assert charged_by_grant(charges) == {"fee": D("1200.00"), "all": D("1520.00")}
    assert [(c.grant, c.portion, c.reason) for c in charges if c.category == BACKFILL] == [
        ("fee", D("1080.00"), "ineligible"),
        ("all", D("720.00"), ""),
    ]


def test_shares_above_100_on_one_line_are_refused() -> None:
    with pytest.raises(SplitError):
        plan_split(SEAT, [SplitPart("a", D("100"), rules(FEE)), SplitPart("b", D("50"), rules(FEE, BACKFILL))])


money = st.decimals(min_value=D("-300"), max_value=D("9000"), places=2, allow_nan=False, allow_infinity=False)
categories = st.sampled_from([FEE, BACKFILL, VEU, TRAVEL])


@st.composite
def asked(draw: st.DrawFn) -> tuple[list[CostLine], list[tuple[str, PoolRules, Decimal]]]:
    lines = [CostLine(i, c, a) for i, (c, a) in enumerate(draw(st.lists(st.tuples(categories, money), max_size=5)))]
    wanted = []
    for n in range(draw(st.integers(min_value=1, max_value=3))):
        pool = PoolRules(
            frozenset(draw(st.sets(st.sampled_from([FEE, BACKFILL, TRAVEL]), min_size=1))),
            draw(st.sampled_from([D("100"), D("75"), D("50"), D("33.33")])),
            ceiling_per_booking=draw(st.none() | st.decimals(min_value=0, max_value=9000, places=2)),
            refund_offsets=OFFSETS,
        )
        fraction = draw(st.decimals(min_value=0, max_value=1, places=4))
        wanted.append((f"g{n}", pool, round_money(max(ZERO, payable(lines, pool)) * fraction)))
    return lines, wanted


@given(asked())
@settings(max_examples=300, deadline=None)
def test_no_grant_is_charged_more_than_it_is_to_pay_and_one_alone_gets_it_to_a_hundredth(case) -> None:  # type: ignore[no-untyped-def]
    lines, wanted = case
    parts = split_for(lines, wanted)
    got = charged(lines, parts) if parts else {}
    for grant, _pool, amount in wanted:
        assert got.get(grant, ZERO) <= amount
    if len(wanted) == 1 and not any(line.amount < 0 for line in lines):
        ((grant, pool, amount),) = wanted
        if pool.ceiling_per_booking is None:
            # A hundredth of a percent of what the pool pays, and an øre a line for the rounding.
            slack = payable(lines, pool) / 10000 + D("0.01") * (len(lines) + 1)
            assert amount - got.get(grant, ZERO) <= slack
