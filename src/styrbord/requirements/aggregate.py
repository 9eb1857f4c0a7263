"""Coverage summed over many facilities, for analysts: a regional or national target per municipality.

A region that wants 75 % of its contact staff specialised asks how far each municipality (and,
within one municipality, each facility) is from it. Each row sums the coverage engine's counts
per facility (``counts_by_facility``: one aggregate query for the requirement); nothing names a
person. For analysts the rows are suppressed like the workforce tables: a row or total with fewer
than five people in the requirement's scope is hidden, and further rows are hidden so that none can
be worked out from the total (``accounts.suppression``). A hidden row shows neither its people nor
its share; the history and forecast hide a month with fewer than five people in scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.suppression import HIDDEN, THRESHOLD, suppress_counts
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
    "hidden": _("Skjult"),
}


@dataclass(frozen=True)
class AggregateRow:
    """One municipality or facility: people in scope and the share complying (None: hidden or nobody)."""

    key: int
    label: str
    in_scope: int | None
    share: Decimal | None
    status: str  # ok, warn, bad, none (nobody in scope) or hidden

    @property
    def hidden(self) -> bool:
        return self.status == "hidden"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def people_shown(self) -> int | str | None:
        """People in scope as a table shows them: the number, or "<5" when hidden."""
        return HIDDEN if self.hidden else self.in_scope

    @property
    def share_shown(self) -> Decimal | str | None:
        """The share as a table shows it: the percentage, or "<5" when hidden."""
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
        .order_by(level_order, "priority", "name", "pk")
    )


def _row(key: int, label: str, counts: Counts, requirement: Requirement, hidden: bool) -> AggregateRow:
    if hidden:
        return AggregateRow(key, label, None, None, "hidden")
    share = share_of(counts, requirement.is_fte_based)
    return AggregateRow(key, label, counts.in_scope, share, status_for(share, requirement.target))


def _hide_small(points: list[CoveragePoint], suppress: bool) -> list[CoveragePoint]:
    """A month's share over fewer than five people is not shown to analysts."""
    if not suppress:
        return points
    return [
        p
        if p.in_scope == 0 or p.in_scope >= THRESHOLD
        else replace(p, in_scope=0, compliant=0, in_scope_fte=ZERO_FTE, compliant_fte=ZERO_FTE, share=None)
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
    order = sorted(grouped, key=lambda k: (labels[k].lower(), k))
    total = Counts()
    for counts in grouped.values():
        total.add(counts)
    if suppress:
        shown, shown_total = suppress_counts({k: grouped[k].in_scope for k in order})
    else:
        shown, shown_total = {k: grouped[k].in_scope for k in order}, total.in_scope
    rows = [_row(k, labels[k], grouped[k], requirement, shown[k] is None) for k in order]
    scope_label = municipality.name if municipality is not None else ""
    return AggregateCoverage(
        requirement=requirement,
        on=on,
        level=level,
        rows=rows,
        total=_row(0, scope_label, total, requirement, shown_total is None),
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
