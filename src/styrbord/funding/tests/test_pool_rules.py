"""A pool's rules as model methods: audit level, budget changes, repayment, eligible categories."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from styrbord.funding.models import AuditLevel, Pool
from styrbord.lib.costs import CostCategory

D = Decimal


def rules_pool(**kwargs) -> Pool:  # type: ignore[no-untyped-def]
    return Pool(name="Pulje", eligible_categories=[CostCategory.FEE, CostCategory.BACKFILL], **kwargs)


@pytest.mark.parametrize(
    ("amount", "level"),
    [
        ("0", AuditLevel.DECLARATION),
        ("100000.00", AuditLevel.DECLARATION),
        ("100000.01", AuditLevel.AUDITED),
        ("322000", AuditLevel.AUDITED),
        ("500000.00", AuditLevel.AUDITED),
        ("500000.01", AuditLevel.EXTENDED),
        ("700000", AuditLevel.EXTENDED),
    ],
)
def test_the_audit_level_follows_the_grant_amount(amount: str, level: AuditLevel) -> None:
    assert Pool.audit_level_for(D(amount)) == level


@pytest.mark.parametrize(
    ("approved", "changed", "needs"),
    [
        ("100000", "110000", False),  # exactly 10 %
        ("100000", "110000.01", True),  # above 10 %
        ("100000", "89999.99", True),  # a cut counts too
        ("2000000", "2100000", False),  # 5 % and exactly 100.000 kr.
        ("2000000", "2100000.01", True),  # 5 % but above 100.000 kr.
        ("0", "1", True),  # a new line
        ("0", "0", False),
    ],
)
def test_budget_changes_above_10_percent_or_100000_kr_need_prior_approval(
    approved: str, changed: str, needs: bool
) -> None:
    pool = rules_pool(budget_change_percent=D("10"), budget_change_amount=D("100000"))
    assert pool.needs_prior_approval(D(approved), D(changed)) is needs


@pytest.mark.parametrize(
    ("unspent", "due"), [("499.99", "0"), ("500.00", "500.00"), ("12345.67", "12345.67"), ("-10", "0")]
)
def test_unspent_funds_are_repaid_except_under_500_kr(unspent: str, due: str) -> None:
    assert rules_pool(repayment_waiver_limit=D("500")).repayment_due(D(unspent)) == D(due)


def test_a_refund_is_eligible_when_the_cost_it_refunds_is() -> None:
    pool = rules_pool()
    assert pool.covers(CostCategory.FEE)
    assert not pool.covers(CostCategory.TRAVEL)
    assert pool.covers(CostCategory.VEU_REFUND)  # refunds backfill wages
    assert pool.covers(CostCategory.OTHER_REFUND)  # refunds the fee
    assert not Pool(name="x", eligible_categories=[CostCategory.TRAVEL]).covers(CostCategory.VEU_REFUND)


def test_it_rejects_an_unknown_cost_category_and_a_state_pool_without_grantor(db) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    pool = Pool(
        name="Pulje",
        total=D("1"),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        eligible_categories=["fee", "champagne"],
    )
    with pytest.raises(ValidationError) as error:
        pool.full_clean()
    assert "champagne" in str(error.value)
    assert "tilskudsgiver" in str(error.value)


def test_share_and_ceilings_read_in_the_page_language() -> None:
    pool = rules_pool(co_financing_share=D("75.50"), ceiling_per_booking=D("12000"))
    assert pool.describe_ceilings() == "75,5 %, højst 12.000 kr. pr. kursusplads"
    assert rules_pool(co_financing_share=D("100.00")).describe_ceilings() == "100 %"
    with translation.override("en"):
        assert rules_pool(co_financing_share=D("100.00")).describe_ceilings() == "100%"
        assert pool.describe_ceilings().startswith("75.5%, ")
