"""Coverage summed over many facilities, for analysts: a regional or national target per municipality.

A region that wants 75 % of its contact staff specialised asks how far each municipality (and,
within one municipality, each facility) is from it. Each row sums the coverage engine's counts
per facility (``counts_by_facility``: one aggregate query for the requirement); nothing names a
person. For analysts the rows are suppressed like the workforce tables (``accounts.suppression``):
a share is a count in disguise (33,3 % of 6 people is 2 people), so the table suppressed is people
meeting and people missing the requirement per row, with the people in scope as its row totals. A
row or total with one to four people in scope is hidden, so is the share of a row where one to four
meet or miss it, and further cells are hidden so that none can be worked out from the totals. A
row whose share is hidden may still show its people in scope. The history and forecast hide a
month's share when one to four people are in scope, meet or miss it.

Under a within-M-months-of-hire rule the people not yet due (lacking the competence before their
own deadline) are neither meeting nor missing it: the share is over the others (``coverage.share_of``)
and they are a count of their own, shown beside it. For analysts they are a third column of the
suppressed table whenever any row has some (a hidden count of them hides the row's share, as the
share and the people in scope would otherwise tell it), and a month with one to four of them has
no share.

Analysts also get figures for fixed reference dates only, the month ends (``reference_date``): two
days a chosen date apart would otherwise tell, by their difference, whether the one person who
left or joined in between met the requirement. The page, its XLSX and chart, and the API all ask
``reference_date`` with the same ``suppress`` decision.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.suppression import HIDDEN, THRESHOLD
from styrbord.accounts.suppression import suppress as suppress_table
from styrbord.lib.collation import collated, sort_key
from styrbord.organisations.models import Facility, Municipality
from styrbord.requirements.coverage import (
    ZERO_FTE,
    Counts,
    CoveragePoint,
    counts_by_facility,
    forecast,
    history,
    requirements_for,
    share_of,
    status_for,
)
from styrbord.requirements.models import Requirement, ScopeLevel
from styrbord.requirements.planned import planned_completions

# Requirements set above one facility: the ones an aggregate over facilities answers.
AGGREGATE_LEVELS = (ScopeLevel.NATIONAL, ScopeLevel.REGION, ScopeLevel.MUNICIPALITY)


STATUS_LABELS = {
    "ok": _("Opfyldt"),
    "warn": _("Tæt på"),
    "bad": _("Ikke opfyldt"),
    "none": _("Ingen i målgruppen"),
    "pending": _("Endnu ingen at måle"),
    "hidden": _("Skjult"),
}


@dataclass(frozen=True)
class AggregateRow:
    """One municipality or facility: people in scope and the share complying (None: hidden or nobody
    measured), and the people not yet due (None: hidden).

    ``hidden``: the share is hidden (and with it the status and those not yet due); the people in
    scope may still show."""

    key: int
    label: str
    in_scope: int | None
    share: Decimal | None
    status: str  # ok, warn, bad, none (nobody in scope), pending (nobody due yet) or hidden
    not_yet_due: int | None = 0

    @property
    def hidden(self) -> bool:
        return self.status == "hidden"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def people_shown(self) -> int | str | None:
        """People in scope as a table shows them: the number, or ``HIDDEN`` when hidden."""
        return HIDDEN if self.hidden and self.in_scope is None else self.in_scope

    @property
    def not_yet_due_shown(self) -> int | str | None:
        """People not yet due as a table shows them: the number, or ``HIDDEN`` when hidden."""
        return HIDDEN if self.not_yet_due is None else self.not_yet_due

    @property
    def share_shown(self) -> Decimal | str | None:
        """The share as a table shows it: the percentage, or ``HIDDEN`` when hidden."""
        return HIDDEN if self.hidden else self.share


@dataclass
class AggregateCoverage:
    """A requirement's coverage over a scope on a date, by municipality or by facility."""

    requirement: Requirement
    on: dt.date
    level: str  # "municipality" or "facility"
    rows: list[AggregateRow]
    total: AggregateRow
    suppressed: bool


def aggregate_requirements(facilities: QuerySet[Facility]) -> QuerySet[Requirement]:
    """Active national, regional and municipal requirements that apply to any of ``facilities``.

    National and regional targets first (what an analyst follows), then by priority and name.
    """
    level_order = Case(
        When(scope_level=ScopeLevel.NATIONAL, then=Value(0)),
        When(scope_level=ScopeLevel.REGION, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        requirements_for(facilities)
        .filter(scope_level__in=AGGREGATE_LEVELS)
        .select_related("region", "municipality")
        .order_by(level_order, "priority", collated("name"), "pk")
    )


def _row(
    key: int, label: str, counts: Counts, requirement: Requirement, people_hidden: bool, share_hidden: bool
) -> AggregateRow:
    if people_hidden or share_hidden:
        return AggregateRow(key, label, None if people_hidden else counts.in_scope, None, "hidden", None)
    share = share_of(counts, requirement.is_fte_based)
    status = status_for(share, requirement.target, counts.not_yet_due)
    return AggregateRow(key, label, counts.in_scope, share, status, counts.not_yet_due)


def _small(people: int) -> bool:
    return 0 < people < THRESHOLD


def _hide_small(points: list[CoveragePoint], suppress: bool) -> list[CoveragePoint]:
    """A month's share resting on fewer than five people (in scope, meeting or missing the
    requirement; none meeting or none missing tells it of everyone; or one to four not yet due)
    is not shown to analysts."""
    if not suppress:
        return points

    def small(p: CoveragePoint) -> bool:
        measured = p.in_scope - p.not_yet_due
        missing = measured - p.compliant
        return (
            _small(p.in_scope)
            or _small(p.not_yet_due)
            or bool(measured and (p.compliant < THRESHOLD or missing < THRESHOLD))
        )

    return [
        replace(p, in_scope=0, compliant=0, in_scope_fte=ZERO_FTE, compliant_fte=ZERO_FTE, share=None, not_yet_due=0)
        if small(p)
        else p
        for p in points
    ]


def _narrowed(
    requirement: Requirement, facilities: QuerySet[Facility], municipality: Municipality | None
) -> tuple[QuerySet[Facility], Municipality | None]:
    """The facilities a page is about: one municipality's when chosen, or when the requirement is its own."""
    if municipality is None and requirement.scope_level == ScopeLevel.MUNICIPALITY:
        municipality = requirement.municipality
    if municipality is not None:
        facilities = facilities.filter(municipality=municipality)
    return facilities, municipality


def aggregate_coverage(
    requirement: Requirement,
    facilities: QuerySet[Facility],
    on: dt.date,
    *,
    municipality: Municipality | None = None,
    suppress: bool,
) -> AggregateCoverage:
    """Coverage of ``requirement`` over ``facilities`` on ``on``: per municipality, or per facility
    of ``municipality`` (also when the requirement is a municipality's own), with a total.

    Rows with nobody in scope are left out. ``suppress`` hides small rows as described above.
    ``on`` is taken as given: a date an analyst chose goes through ``reference_date`` first.
    """
    facilities, municipality = _narrowed(requirement, facilities, municipality)
    level = "facility" if municipality is not None else "municipality"
    per_facility = counts_by_facility(requirement, [on], facilities)
    info = dict(
        Facility.objects.filter(pk__in=list(per_facility)).values_list(
            "pk", "municipality_id" if level == "municipality" else "name"
        )
    )
    grouped: dict[int, Counts] = defaultdict(Counts)
    for facility_id, per_date in per_facility.items():
        key = info[facility_id] if level == "municipality" else facility_id
        grouped[key].add(per_date[on])
    if level == "municipality":
        labels = dict(Municipality.objects.filter(pk__in=list(grouped)).values_list("pk", "name"))
    else:
        labels = {pk: str(info[pk]) for pk in grouped}
    order = sorted(grouped, key=lambda k: (sort_key(labels[k]), k))
    total = Counts()
    for counts in grouped.values():
        total.add(counts)
    people_hidden: dict[int, bool] = dict.fromkeys(order, False)
    share_hidden: dict[int, bool] = dict.fromkeys(order, False)
    total_people_hidden = total_share_hidden = False
    if suppress and order:
        columns = ["met", "missing"]
        if total.not_yet_due:
            # Their count is a count of people lacking the competence, and with the share and the
            # people in scope it would tell the others: a third column, suppressed alike.
            columns.append("not_yet_due")
        table = suppress_table(
            {
                k: {
                    "met": grouped[k].compliant,
                    "missing": grouped[k].measured - grouped[k].compliant,
                    "not_yet_due": grouped[k].not_yet_due,
                }
                for k in order
            },
            columns=columns,
            # 0 of 14 meeting it tells that each of the 14 misses it: none is fewer than five too.
            suppress_zero=True,
        )
        for k in order:
            people_hidden[k] = table.row_totals[k] is None
            share_hidden[k] = None in table.cells[k].values()
        total_people_hidden = table.total is None
        total_share_hidden = None in table.column_totals.values()
    rows = [_row(k, labels[k], grouped[k], requirement, people_hidden[k], share_hidden[k]) for k in order]
    scope_label = municipality.name if municipality is not None else ""
    return AggregateCoverage(
        requirement=requirement,
        on=on,
        level=level,
        rows=rows,
        total=_row(0, scope_label, total, requirement, total_people_hidden, total_share_hidden),
        suppressed=suppress,
    )


def aggregate_trend(
    requirement: Requirement,
    facilities: QuerySet[Facility],
    on: dt.date,
    *,
    municipality: Municipality | None = None,
    suppress: bool,
) -> tuple[list[CoveragePoint], list[CoveragePoint]]:
    """The same scope's coverage at the last 12 month ends (history) and on to the deadline (forecast,
    with planned and booked courses); for analysts a month with fewer than five people has no share.

    Two aggregate queries over the scope's employments, with one column set per date: at national
    scale seconds, not milliseconds, so the page loads it after the table.
    """
    facilities, municipality = _narrowed(requirement, facilities, municipality)
    past = _hide_small(history(requirement, facilities=facilities, on=on), suppress)
    planned = planned_completions(requirement, facilities=facilities, on=on)
    ahead = _hide_small(forecast(requirement, facilities=facilities, on=on, planned=planned), suppress)
    return past, ahead


def trend_points(
    past: list[CoveragePoint], ahead: list[CoveragePoint], history_label: str, forecast_label: str
) -> list[dict[str, Any]]:
    """The history and forecast as chart records (a hidden month has no share)."""
    points = [{"month": p.on, "share": p.share, "series": history_label} for p in past]
    points += [{"month": p.on, "share": p.share, "series": forecast_label} for p in ahead]
    return points
