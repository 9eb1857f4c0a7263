"""Money is Decimal, exact to the øre, and splits always add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from styrbord.lib.money import MoneyError, allocate, from_ore, to_money, to_ore


def test_it_rounds_half_up_to_the_ore() -> None:
    assert to_money("127.025") == Decimal("127.03")
    assert to_money("0.005") == Decimal("0.01")
    assert to_money(Decimal("-1.005")) == Decimal("-1.01")


def test_it_refuses_floats_and_garbage() -> None:
    with pytest.raises(MoneyError):
        to_money(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        to_money("12,50 kr")
    with pytest.raises(MoneyError):
        to_money("NaN")


def test_ore_round_trip() -> None:
    assert to_ore("1022000") == 102_200_000
    assert from_ore(12703) == Decimal("127.03")


def test_the_seed_grant_splits_into_its_two_facilities_exactly() -> None:
    assert allocate(Decimal("1022000"), [700, 322]) == [Decimal("700000.00"), Decimal("322000.00")]


def test_a_remainder_goes_to_the_largest_fractions() -> None:
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_allocations_always_sum_to_the_total_to_the_ore(total: Decimal, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == to_money(total)
    assert all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


def test_a_money_box_that_takes_no_negative_amount_says_so_as_an_amount() -> None:
    """The booking's transport box answered Django's 'Denne værdi skal være større end eller lig 0.'"""
    from django import forms
    from django.utils import translation

    from styrbord.lib.money import money_form_field

    class Form(forms.Form):
        travel = money_form_field("Transport (kr.)", min_value=Decimal("0"))

    with translation.override("da"):
        assert Form({"travel": "-100,00"}).errors["travel"] == ["Beløbet kan ikke være negativt."]
    with translation.override("en"):
        assert Form({"travel": "-100,00"}).errors["travel"] == ["The amount cannot be negative."]
    assert Form({"travel": "0"}).is_valid()
