"""Team and initiative costing.

- ``team_day_cost``: what one course day costs a team in wages (hours away x hourly wage) and
  with shift cover (x backfill factor). Seed 002: "one course day can cost 40-50.000 kr. in
  wages alone" (e.g. 20 contact staff x 7,4 t x 300 kr. = 44.400 kr.).
- ``consequence_table``: an initiative's economic consequences per year (løn = årsværk x årsløn,
  øvrig drift, udgifter i alt, årsværk), as data for pages and committee reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from styrbord.lib.formatting import format_number
from styrbord.lib.money import ZERO, round_money
from styrbord.staff.models import Employment
from styrbord.training.models import Initiative

from .costing import hours_away
from .rates import BackfillFactors

MILLION = Decimal("1000000")


@dataclass(frozen=True)
class TeamDayCost:
    """One course day for a team: headcount, hours away, wages, and wages with shift cover."""

    headcount: int
    hours: Decimal
    wages: Decimal
    with_backfill: Decimal
    day: dt.date

    @property
    def average_hourly_wage(self) -> Decimal:
        return round_money(self.wages / self.hours) if self.hours else ZERO


def team_day_estimate(headcount: int, hours: Decimal, hourly_wage: Decimal, factor: Decimal) -> Decimal:
    """The quick estimate: headcount x hours x hourly wage x backfill factor, to the øre."""
    return round_money(Decimal(headcount) * Decimal(hours) * Decimal(hourly_wage) * Decimal(factor))


def team_day_cost(employments: Iterable[Employment], day: dt.date, day_hours: Decimal = Decimal("7.40")) -> TeamDayCost:
    """The wage cost of taking these employments off the floor for one course day.

    Each person is away for the course hours, at most their average working day (part-timers
    less); the backfill factor is each facility's factor valid on the day.
    """
    factors: dict[int, BackfillFactors] = {}
    hours_total = wages = with_backfill = ZERO
    count = 0
    for employment in employments:
        facility = employment.facility
        if facility.pk not in factors:
            factors[facility.pk] = BackfillFactors(facility)
        hours = hours_away(day_hours, employment)
        pay = hours * employment.hourly_wage
        count += 1
        hours_total += hours
        wages += pay
        with_backfill += pay * factors[facility.pk].on(day)
    return TeamDayCost(count, hours_total, round_money(wages), round_money(with_backfill), day)


@dataclass
class ConsequenceRow:
    key: str
    label: str
    values: list[Decimal]
    unit: str = "kr"  # "kr" or "fte"
    is_total: bool = False

    def formatted(self) -> list[str]:
        """Cells as in the seed's table: mio. kr. with one decimal, FTE with one decimal."""
        if self.unit == "fte":
            return [format_number(v, 1) for v in self.values]
        return [format_number(v / MILLION, 1) for v in self.values]


@dataclass
class ConsequenceTable:
    """Economic consequences per year: expense rows, their total, and the FTE row."""

    title: str
    years: list[int]
    rows: list[ConsequenceRow] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)
    fte: list[Decimal] = field(default_factory=list)

    def formatted_totals(self) -> list[str]:
        return [format_number(v / MILLION, 1) for v in self.totals]

    def formatted_fte(self) -> list[str]:
        return [format_number(v, 1) for v in self.fte]

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "years": self.years,
            "rows": [{"key": r.key, "label": r.label, "values": [str(v) for v in r.values]} for r in self.rows],
            "totals": [str(v) for v in self.totals],
            "fte": [str(v) for v in self.fte],
        }


def consequence_table(initiative: Initiative) -> ConsequenceTable:
    """The initiative's table: Løn = årsværk x årsløn pr. årsværk, Øvrig drift, Udgifter i alt, Årsværk."""
    years = list(initiative.years.order_by("year"))
    table = ConsequenceTable(title=initiative.name, years=[y.year for y in years])
    establishment = [y.establishment for y in years]
    wages = [round_money(y.fte * y.annual_wage_per_fte) for y in years]
    other = [y.other_operating for y in years]
    if any(establishment):
        table.rows.append(ConsequenceRow("establishment", _("Etableringsudgifter"), establishment))
    table.rows.append(ConsequenceRow("wages", _("Løn (til evt. nye årsværk)"), wages))
    table.rows.append(ConsequenceRow("other_operating", _("Øvrig drift"), other))
    table.totals = [round_money(e + w + o) for e, w, o in zip(establishment, wages, other, strict=True)]
    table.fte = [y.fte for y in years]
    return table
