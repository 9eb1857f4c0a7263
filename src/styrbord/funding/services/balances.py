"""Balances of grants and pools, the burn-down against the period end, and budget vs actual.

Every figure is one aggregate over the ledger (SUM grouped by balance), so a balance is always
exactly the sum of its entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils.translation import gettext

from styrbord.funding.models import Grant, GrantBudgetLine, LedgerEntry, Pool
from styrbord.funding.models.pools import REFUND_OFFSETS
from styrbord.lib.costs import CostCategory
from styrbord.lib.dates import local_today, month_ends, month_last_day
from styrbord.lib.money import ZERO, round_money, to_money

Balance = LedgerEntry.Balance


@dataclass(frozen=True)
class Balances:
    """The balances of a grant (or a sum of grants). ``remaining`` = amount - (actual + open commitments)."""

    amount: Decimal = ZERO
    forecast: Decimal = ZERO  # commitments for planned bookings
    committed: Decimal = ZERO  # commitments for booked seats and other binding costs
    actual: Decimal = ZERO  # posted costs
    income: Decimal = ZERO  # received from the grantor

    @property
    def open_commitments(self) -> Decimal:
        return self.forecast + self.committed

    @property
    def used(self) -> Decimal:
        return self.actual + self.open_commitments

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.used

    @property
    def entries_total(self) -> Decimal:
        """The sum of every entry on the ledger (all balances)."""
        return self.forecast + self.committed + self.actual + self.income

    @property
    def income_outstanding(self) -> Decimal:
        return self.amount - self.income

    @property
    def used_percent(self) -> Decimal:
        if not self.amount:
            return ZERO
        return (self.used * 100 / self.amount).quantize(Decimal("0.1"))

    def __add__(self, other: Balances) -> Balances:
        return Balances(
            self.amount + other.amount,
            self.forecast + other.forecast,
            self.committed + other.committed,
            self.actual + other.actual,
            self.income + other.income,
        )


def _from_rows(amount: Decimal, rows: Iterable[tuple[str, Decimal | None]]) -> Balances:
    sums = dict.fromkeys(Balance.values, ZERO)
    for balance, total in rows:
        sums[balance] += to_money(total or ZERO)
    return Balances(
        amount=amount,
        forecast=sums[Balance.FORECAST],
        committed=sums[Balance.COMMITTED],
        actual=sums[Balance.ACTUAL],
        income=sums[Balance.INCOME],
    )


def period_filter(prefix: str = "") -> Q:
    """Entries whose date lies inside their pool's project period (the grant accounts count only these)."""
    return Q(**{f"{prefix}posted_on__gte": F(f"{prefix}grant__pool__period_start")}) & Q(
        **{f"{prefix}posted_on__lte": F(f"{prefix}grant__pool__period_end")}
    )


def balances_for(grant: Grant, *, within_period: bool = False) -> Balances:
    """The balances of one grant."""
    entries = LedgerEntry.objects.filter(grant=grant)
    if within_period:
        entries = entries.filter(period_filter())
    rows = entries.values_list("balance").annotate(total=Sum("amount")).order_by()
    return _from_rows(grant.amount, rows)


def balances_by_grant(grants: QuerySet[Grant] | Iterable[Grant]) -> dict[int, Balances]:
    """Balances of many grants in one grouped query."""
    grant_list = list(grants)
    rows = (
        LedgerEntry.objects.filter(grant__in=[g.pk for g in grant_list])
        .values_list("grant_id", "balance")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    per_grant: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for grant_id, balance, total in rows:
        per_grant[grant_id].append((balance, total))
    return {g.pk: _from_rows(g.amount, per_grant.get(g.pk, [])) for g in grant_list}


def pool_balances(pool: Pool, grants: Iterable[Grant] | None = None) -> Balances:
    """The sum over the pool's grants (or the given ones), with the pool total as the amount."""
    total = Balances()
    for balances in balances_by_grant(grants if grants is not None else pool.grants.all()).values():
        total = total + balances
    return Balances(pool.total, total.forecast, total.committed, total.actual, total.income)


@dataclass(frozen=True)
class BurnPoint:
    """One month end: what is left of the grant after the spending dated up to then."""

    month_end: dt.date
    remaining: Decimal  # amount - (actual + commitments) dated on or before the month end
    remaining_actual: Decimal | None  # amount - actual, for months already passed
    ideal: Decimal  # a straight line from the full amount at the start to 0 at the period end


def burn_down(grant: Grant, today: dt.date | None = None) -> list[BurnPoint]:
    """Month-end series from the period start to the period end."""
    today = today or local_today()
    pool = grant.pool
    rows = (
        LedgerEntry.objects.filter(grant=grant, balance__in=LedgerEntry.SPENDING)
        .annotate(month=TruncMonth("posted_on"))
        .values_list("month", "balance")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    used_by_month: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    actual_by_month: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for month, balance, total in rows:
        first = month.date() if isinstance(month, dt.datetime) else month
        key = first.replace(day=month_last_day(first.year, first.month))
        used_by_month[key] += to_money(total)
        if balance == Balance.ACTUAL:
            actual_by_month[key] += to_money(total)
    # Spending dated before the period start counts from the first month.
    before_used = sum((v for k, v in used_by_month.items() if k < pool.period_start), ZERO)
    before_actual = sum((v for k, v in actual_by_month.items() if k < pool.period_start), ZERO)
    total_days = Decimal((pool.period_end - pool.period_start).days + 1)
    points = []
    used, actual = before_used, before_actual
    for month_end in month_ends(pool.period_start, pool.period_end):
        used += used_by_month.get(month_end, ZERO)
        actual += actual_by_month.get(month_end, ZERO)
        elapsed = Decimal((min(month_end, pool.period_end) - pool.period_start).days + 1)
        ideal = round_money(grant.amount * (1 - elapsed / total_days))
        passed = month_end.replace(day=1) <= today
        points.append(
            BurnPoint(
                month_end=month_end,
                remaining=grant.amount - used,
                remaining_actual=grant.amount - actual if passed else None,
                ideal=max(ideal, ZERO),
            )
        )
    return points


@dataclass(frozen=True)
class BudgetRow:
    """A budget line (category and year) against what was spent on it."""

    category: str
    year: int
    budget: Decimal
    actual: Decimal
    committed: Decimal  # open commitments (planned and committed)
    # Refunds counted on this line (negative), by refund category: actual and committed include them.
    refunds: tuple[tuple[str, Decimal], ...] = ()

    @property
    def label(self) -> str:
        """The line's name; a line with refunds netted in says so (the spending is after them)."""
        names = dict(CostCategory.choices)
        label = str(names.get(self.category, self.category))
        if self.refunds:
            # "VEU-godtgørelse" keeps its capitals; "Anden refusion" reads "anden refusion" mid-sentence.
            netted = ", ".join(
                n if n[:3].isupper() else n[:1].lower() + n[1:]
                for n in (str(names.get(c, c)) for c, _amount in self.refunds)
            )
            return gettext("%(line)s, efter %(refunds)s") % {"line": label, "refunds": netted}
        return label

    @property
    def refund_total(self) -> Decimal:
        return sum((amount for _category, amount in self.refunds), ZERO)

    @property
    def used(self) -> Decimal:
        return self.actual + self.committed

    @property
    def deviation(self) -> Decimal:
        """What is expected to be spent (actual + open commitments) minus the budget."""
        return self.used - self.budget


def budget_vs_actual(grant: Grant, *, within_period: bool = True) -> list[BudgetRow]:
    """Every approved budget line, and every category and year with spending but no budget line.
    Refunds count on the line of the cost they refund."""
    budget = {(line.category, line.year): line.amount for line in GrantBudgetLine.objects.filter(grant=grant)}
    entries = LedgerEntry.objects.filter(grant=grant, balance__in=LedgerEntry.SPENDING)
    if within_period:
        entries = entries.filter(period_filter())
    rows = (
        entries.annotate(year=ExtractYear("posted_on"))
        .values_list("category", "year", "balance")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    actual: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    committed: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    refunds: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(dict)
    for category, year, balance, total in rows:
        # A refund reduces the line of the cost it refunds (VEU-godtgørelse the backfill wages).
        line = str(REFUND_OFFSETS.get(category, category))  # type: ignore[call-overload]
        target = actual if balance == Balance.ACTUAL else committed
        target[(line, year)] += to_money(total)
        if line != category:
            netted = refunds[(line, year)]
            netted[str(category)] = netted.get(str(category), ZERO) + to_money(total)
    keys = sorted(set(budget) | set(actual) | set(committed), key=lambda k: (k[1], k[0]))
    return [
        BudgetRow(
            category,
            year,
            budget.get((category, year), ZERO),
            actual[(category, year)],
            committed[(category, year)],
            tuple(sorted((c, a) for c, a in refunds[(category, year)].items() if a)),
        )
        for category, year in keys
    ]
