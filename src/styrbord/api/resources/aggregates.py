"""Aggregates for analysts: staff counts by municipality and job group, small cells suppressed.

The only data a regional or national analyst gets. Counts under 5 people are hidden, and so
are enough other cells that no hidden count can be worked out from the totals
(``accounts.suppression``). Every role that may read aggregates gets the same suppressed table.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from styrbord.accounts.permissions import LIST, can, scoped_for
from styrbord.accounts.suppression import THRESHOLD, suppress
from styrbord.api import schemas
from styrbord.api.registry import declare
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import Employment, JobGroup

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


def staff_table(facilities: Any, on: dt.date) -> dict[int, dict[str, int]]:
    """People with an employment in force on ``on``, by municipality and job group (one query)."""
    active = Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))
    rows = (
        Employment.objects.filter(active, facility__in=facilities)
        .values("facility__municipality_id", "job_group")
        .annotate(people=Count("employee_id", distinct=True))
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
        tags=[TAG],
    )
    def staff_aggregate(request: HttpRequest, params: Query[AggregateParams]):
        user = request.user
        if not can(user, LIST, "aggregate"):
            raise PermissionDenied
        on = params.on or local_today()
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

    return router
