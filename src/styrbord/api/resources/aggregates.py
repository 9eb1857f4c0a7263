"""Aggregates for analysts: staff counts by municipality and job group (the workforce page's
headcount, without trainees), and coverage of a requirement by municipality or facility (for
analysts as of a month end, as on /krav/samlet/), small cells suppressed.

The only data a regional or national analyst gets. Counts under 5 people are hidden, and so
are enough other cells that no hidden count can be worked out from the totals
(``accounts.suppression``). Every role that may read aggregates gets the same suppressed table.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from styrbord.accounts.permissions import LIST, can, scoped_for
from styrbord.accounts.suppression import THRESHOLD, reference_date, suppress
from styrbord.api import schemas
from styrbord.api.registry import declare
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality
from styrbord.requirements.aggregate import AggregateRow, aggregate_coverage, aggregate_requirements
from styrbord.staff.models import Employment, JobGroup
from styrbord.workforce.figures import LEARNER_KINDS, active_on
from styrbord.workforce.services import suppresses

TAG = "Aggregater"


class StaffCell(Schema):
    municipality: int | None  # None: the total over municipalities
    job_group: str | None  # None: the total over job groups
    people: int | None  # None: suppressed (fewer than 5, or needed to protect another cell)


class StaffAggregateOut(Schema):
    on: dt.date
    threshold: int
    cells: list[StaffCell]


class AggregateParams(Schema):
    on: schemas.Day | None = None


class CoverageParams(Schema):
    requirement: schemas.Id
    municipality: schemas.Id | None = None  # rows per facility of this municipality instead of per municipality
    on: schemas.Day | None = None


class CoverageCell(Schema):
    id: int | None  # a municipality's or facility's id; None for the total
    name: str
    people: int | None  # people in the requirement's scope; None: suppressed
    # Shown and hidden together with the share, as on /krav/samlet/ and in its XLSX: a count of people
    # lacking the competence, which with the share and the people in scope would tell the others.
    not_yet_due: int | None = Field(
        description=(
            "Under en regel om kompetencen inden et antal måneder efter ansættelsen: personer i målgruppen "
            "uden kompetencen, hvis egen frist ikke er nået. De opfylder ikke kravet og er heller ikke i brud "
            "på det, så andelen er opgjort uden dem. 0 under andre regler. null: skjult (sammen med andelen)."
        )
    )
    measured: int | None = Field(
        description=(
            "Personerne, andelen er opgjort over: personerne i målgruppen (`people`) minus de endnu ikke "
            "forfaldne (`not_yet_due`). null: skjult (sammen med andelen)."
        )
    )
    share: Decimal | None  # percent of those measured complying (by FTE for an FTE rule); None: hidden or nobody
    # ok, warn (under 10 points from the target), bad, pending (everybody in scope not yet due: nobody
    # to measure yet), none (nobody in scope) or hidden
    status: str


class CoverageAggregateOut(Schema):
    on: dt.date  # the day the figures describe: for analysts the month end the asked day is read as
    threshold: int | None  # None: nothing is suppressed for this user (an administrator)
    requirement: int
    target: schemas.PercentOut
    level: str  # "municipality" or "facility"
    rows: list[CoverageCell]
    total: CoverageCell


class AggregateRequirementOut(Schema):
    id: int
    name: str
    scope_level: str  # national, region or municipality
    scope: str  # where it applies, in words (the country, the region's or the municipality's name)
    rule: str
    rule_text: str
    target: schemas.PercentOut
    population: str
    deadline: dt.date | None


def staff_table(facilities: Any, on: dt.date) -> dict[int, dict[str, int]]:
    """Staff on ``on`` by municipality and job group (one query), as the workforce page and the
    landing page count their headcount ("medarbejdere uden elever"): each person once, by their
    primary employment active on the day (``workforce.figures.active_on``), with trainees,
    students and interns (``LEARNER_KINDS``) left out."""
    rows = (
        Employment.objects.filter(active_on(on), is_primary=True, facility__in=facilities)
        .exclude(kind__in=LEARNER_KINDS)
        .values("facility__municipality_id", "job_group")
        .annotate(people=Count("id"))
        .order_by()
    )
    table: dict[int, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["facility__municipality_id"], {})[row["job_group"]] = row["people"]
    return table


def build() -> Router:
    router = Router()
    op = declare("aggregate_staff", "aggregate", LIST, "aggregates")

    @router.get(
        "/aggregates/staff",
        response={200: StaffAggregateOut, **schemas.ERRORS},
        operation_id=op,
        url_name=op,
        summary="Staff by municipality and job group, with small-cell suppression",
        description=(
            "Headcount on the last month end on or before `on` (today when left out; the answer's `on` "
            "says which day) by municipality and job group, counted as on the "
            'workforce page and the landing page ("medarbejdere uden elever"): each person once, by their '
            "primary employment in force on the day (started on or before it and not ended before it); "
            "trainees, students and interns (employment kind trainee, student, intern) are not counted. "
            "A cell of fewer than 5 people is suppressed (null), and so are enough other cells that no "
            "suppressed cell can be worked out from the totals."
        ),
        tags=[TAG],
    )
    def staff_aggregate(request: HttpRequest, params: Query[AggregateParams]):
        user = request.user
        if not can(user, LIST, "aggregate"):
            raise PermissionDenied
        # Every role gets the suppressed table, and so the month end on or before the day asked
        # (``reference_date``): two days apart would single out the one person who joined or left.
        on = reference_date(params.on or local_today(), True)
        facilities = scoped_for(user, LIST, "aggregate", Facility.objects.all())
        table = staff_table(facilities, on)
        municipalities = sorted(Municipality.objects.filter(pk__in=table).values_list("pk", flat=True))
        result = suppress({m: table.get(m, {}) for m in municipalities}, columns=list(JobGroup.values))
        cells: list[dict[str, Any]] = []
        for m in result.rows:
            cells += [{"municipality": m, "job_group": g, "people": result.cells[m][g]} for g in result.columns]
            cells.append({"municipality": m, "job_group": None, "people": result.row_totals[m]})
        cells += [{"municipality": None, "job_group": g, "people": result.column_totals[g]} for g in result.columns]
        cells.append({"municipality": None, "job_group": None, "people": result.total})
        return Status(200, {"on": on, "threshold": THRESHOLD, "cells": cells})

    reqs = declare("aggregate_coverage_requirements", "coverage_aggregate", LIST, "aggregates")

    @router.get(
        "/aggregates/coverage/requirements",
        response={200: list[AggregateRequirementOut], **schemas.ERRORS},
        operation_id=reqs,
        url_name=reqs,
        summary="The requirements whose coverage may be summed in the caller's scope",
        description=(
            "National, regional and municipal requirements that apply to a facility in the caller's scope, "
            "national and regional first: the ids /aggregates/coverage takes."
        ),
        tags=[TAG],
    )
    def coverage_requirements(request: HttpRequest):
        user = request.user
        if not can(user, LIST, "coverage_aggregate"):
            raise PermissionDenied
        facilities = scoped_for(user, LIST, "coverage_aggregate", Facility.objects.all())
        return Status(
            200,
            [
                {
                    "id": r.pk,
                    "name": r.name,
                    "scope_level": r.scope_level,
                    "scope": r.scope_text(),
                    "rule": r.rule,
                    "rule_text": r.rule_text(),
                    "target": r.target,
                    "population": r.population,
                    "deadline": r.deadline,
                }
                for r in aggregate_requirements(facilities)
            ],
        )

    cov = declare("aggregate_coverage", "coverage_aggregate", LIST, "aggregates")

    @router.get(
        "/aggregates/coverage",
        response={200: CoverageAggregateOut, **schemas.ERRORS},
        operation_id=cov,
        url_name=cov,
        summary="A requirement's coverage by municipality (or by facility within one), small rows suppressed",
        description=(
            "The national, regional and municipal requirements that apply in the caller's scope. For "
            "analysts a row with fewer than 5 people in scope is hidden, and so are enough other rows that "
            "no hidden row can be worked out from the total (as on the page /krav/samlet/). For analysts the "
            "figures are also those of a month end: the last month end on or before `on` (today when left "
            "out), so every day of a month but its last gives the end of the month before; the answer's `on` "
            "is the day the figures describe. Other callers get the day asked for. Under a within-M-months-of-hire "
            "rule, `not_yet_due` counts the people in scope who lack the competence before their own deadline; "
            "the share is over the others (`measured` = `people` - `not_yet_due`), and a row where everybody is "
            "not yet due has no share (status `pending`). For analysts `not_yet_due` and `measured` are hidden "
            "(null) exactly when the row's share is, as on the page and in its XLSX. A requirement or "
            "municipality outside the caller's scope answers 404."
        ),
        tags=[TAG],
    )
    def coverage_aggregate(request: HttpRequest, params: Query[CoverageParams]):
        user = request.user
        if not can(user, LIST, "coverage_aggregate"):
            raise PermissionDenied
        facilities = scoped_for(user, LIST, "coverage_aggregate", Facility.objects.all())
        requirement = aggregate_requirements(facilities).filter(pk=params.requirement).first()
        municipality = None
        if params.municipality is not None:
            municipality = Municipality.objects.filter(
                pk=params.municipality, pk__in=facilities.values("municipality_id")
            ).first()
        if requirement is None or (params.municipality is not None and municipality is None):
            raise Http404
        suppress = suppresses(user)  # the one decision: small rows hidden and month ends only
        coverage = aggregate_coverage(
            requirement,
            facilities,
            reference_date(params.on or local_today(), suppress),
            municipality=municipality,
            suppress=suppress,
        )

        def cell(row: AggregateRow, key: int | None) -> dict[str, Any]:
            # Those not yet due are hidden exactly when the row's share is (``aggregate_coverage``, the
            # page's rule); then only the people in scope may still show, and ``measured`` is hidden too.
            not_yet_due = row.not_yet_due
            measured = None if row.in_scope is None or not_yet_due is None else row.in_scope - not_yet_due
            return {
                "id": key,
                "name": row.label,
                "people": row.in_scope,
                "not_yet_due": not_yet_due,
                "measured": measured,
                "share": row.share,
                "status": row.status,
            }

        return Status(
            200,
            {
                "on": coverage.on,
                "threshold": THRESHOLD if suppress else None,
                "requirement": requirement.pk,
                "target": requirement.target,
                "level": coverage.level,
                "rows": [cell(r, r.key) for r in coverage.rows],
                "total": cell(coverage.total, None),
            },
        )

    return router
