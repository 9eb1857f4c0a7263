"""Splitting cost lines over grants: exact to the øre, whatever the shares, rules and ceilings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from styrbord.funding.rules import OWN_SHARE, CostLine, PoolRules, SplitError, SplitPart, charged_by_grant, plan_split
from styrbord.lib.costs import CostCategory
from styrbord.lib.money import ZERO, allocate

D = Decimal
ALL = frozenset(CostCategory.values)
OFFSETS = ((CostCategory.VEU_REFUND.value, CostCategory.BACKFILL.value),)

money = st.decimals(min_value=D("-50000"), max_value=D("500000"), places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=D("0"), max_value=D("500000"), places=2, allow_nan=False, allow_infinity=False)
category = st.sampled_from(CostCategory.values)


@st.composite
def splits(draw: st.DrawFn) -> list[SplitPart]:
    n = draw(st.integers(min_value=1, max_value=4))
    raw = draw(st.lists(st.integers(min_value=1, max_value=100), min_size=n, max_size=n))
    # Scale the shares so they sum to at most 100 (sometimes less: the rest is the facility's own).
    total = sum(raw)
    cap = draw(st.integers(min_value=max(n, 1), max_value=100))
    shares = [max(D(1), (D(r) * cap / total).quantize(D("0.01"))) for r in raw]
    while sum(shares) > 100:
        shares[shares.index(max(shares))] -= 1
    parts = []
    for i, share in enumerate(shares):
        eligible = frozenset(draw(st.sets(category, min_size=1)))
        rules = PoolRules(
            eligible=eligible,
            share_percent=draw(st.sampled_from([D("100"), D("75"), D("50"), D("33.33")])),
            ceiling_per_booking=draw(st.none() | positive),
            ceiling_per_person_year=draw(st.none() | positive),
            refund_offsets=OFFSETS,
        )
        parts.append(SplitPart(f"g{i}", share, rules, draw(positive), draw(positive)))
    return parts


@given(st.lists(st.tuples(category, money), min_size=1, max_size=8), splits())
@settings(max_examples=300, deadline=None)
def test_charged_plus_uncovered_is_exactly_every_line_whatever_the_rules(lines_raw, parts) -> None:  # type: ignore[no-untyped-def]
    lines = [CostLine(i, c, a) for i, (c, a) in enumerate(lines_raw)]
    charges = plan_split(lines, parts)
    for line in lines:
        mine = [c for c in charges if c.line == line.key]
        assert sum((c.portion for c in mine), ZERO) == line.amount
        assert sum((c.charged + c.uncovered for c in mine), ZERO) == line.amount
        for c in mine:
            assert c.charged == c.charged.quantize(D("0.01"))
    assert sum((c.charged + c.uncovered for c in charges), ZERO) == sum((line.amount for line in lines), ZERO)
    # No grant is charged beyond its ceiling headroom (when its charges are positive).
    totals = charged_by_grant(charges)
    for part in parts:
        headroom = part.headroom()
        if headroom is not None and totals[part.grant] > 0:
            assert totals[part.grant] <= headroom
        # Nothing charged in a category the pool does not cover.
        assert all(c.charged == 0 for c in charges if c.grant == part.grant and not part.rules.covers(c.category))


@given(positive, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=10).filter(any))
@settings(max_examples=300, deadline=None)
def test_allocation_sums_to_the_total_to_the_ore(total, weights) -> None:  # type: ignore[no-untyped-def]
    parts = allocate(total, weights)
    assert sum(parts, ZERO) == total
    assert all(p >= 0 for p in parts)


def test_a_seat_split_60_40_over_two_full_pools_charges_each_its_share() -> None:
    rules = PoolRules(eligible=ALL)
    charges = plan_split(
        [CostLine("fee", CostCategory.FEE, D("2400.01"))],
        [SplitPart("a", D("60"), rules), SplitPart("b", D("40"), rules)],
    )
    assert charged_by_grant(charges) == {"a": D("1440.01"), "b": D("960.00")}


def test_a_fund_paying_75_percent_up_to_a_ceiling_leaves_the_rest_uncovered() -> None:
    fund = PoolRules(eligible=ALL, share_percent=D("75"), ceiling_per_person_year=D("10000"))
    part = SplitPart("fund", D("100"), fund, already_for_person_year=D("8000"))
    charges = plan_split([CostLine(1, CostCategory.FEE, D("4000")), CostLine(2, CostCategory.TRAVEL, D("400"))], [part])
    # 75 % of 4.400 is 3.300, but only 2.000 is left under the yearly ceiling: the last line is cut first.
    assert charged_by_grant(charges) == {"fund": D("2000.00")}
    by_line = {c.line: c for c in charges}
    assert by_line[2].charged == 0
    assert by_line[2].reason == "ceiling"
    assert by_line[1].charged == D("2000.00")
    assert sum((c.uncovered for c in charges), ZERO) == D("2400.00")


def test_a_refund_follows_the_cost_it_refunds() -> None:
    rules = PoolRules(eligible=frozenset({CostCategory.BACKFILL}), refund_offsets=OFFSETS)
    charges = plan_split(
        [
            CostLine(1, CostCategory.BACKFILL, D("5000")),
            CostLine(2, CostCategory.VEU_REFUND, D("-1200")),
            CostLine(3, CostCategory.FEE, D("2400")),
        ],
        [SplitPart("g", D("100"), rules)],
    )
    assert charged_by_grant(charges) == {"g": D("3800.00")}
    assert [c.reason for c in charges if c.line == 3] == ["ineligible"]


def test_shares_under_100_leave_the_rest_to_the_facility() -> None:
    charges = plan_split([CostLine(1, CostCategory.FEE, D("1000"))], [SplitPart("g", D("30"), PoolRules(ALL))])
    assert [(c.grant, c.portion) for c in charges] == [("g", D("300.00")), (OWN_SHARE, D("700.00"))]


@pytest.mark.parametrize("shares", [[D("0")], [D("60"), D("50")], [D("101")]])
def test_it_refuses_shares_outside_0_to_100(shares: list[Decimal]) -> None:
    with pytest.raises(SplitError):
        plan_split(
            [CostLine(1, CostCategory.FEE, D("1"))], [SplitPart(i, s, PoolRules(ALL)) for i, s in enumerate(shares)]
        )
