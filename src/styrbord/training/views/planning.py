"""Absence per facility and day, team-day costing and initiative tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from styrbord.accounts.permissions import LIST, RETRIEVE, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.services import log_access
from styrbord.lib.dates import local_today, month_last_day
from styrbord.organisations.models import Facility
from styrbord.staff.models import Employee, Employment
from styrbord.training.forms import AbsenceFilterForm, TeamDayForm
from styrbord.training.permissions import initiatives_for
from styrbord.training.services.initiatives import consequence_table, team_day_cost
from styrbord.training.services.staffing import facility_staffing

from .common import require


@requires("facility", RETRIEVE)
@login_required
def absence(request: HttpRequest) -> HttpResponse:
    """Who is away on training or leave each day of a month, and the staff left against the minimum."""
    require(request, RETRIEVE, "facility")
    facilities = scoped_for(request.user, RETRIEVE, "facility", Facility.objects.all())
    today = local_today()
    data = request.GET if "facility" in request.GET else None
    initial_facility = facilities.first()
    form = AbsenceFilterForm(
        data,
        facilities=facilities,
        initial={"facility": initial_facility, "month": today.strftime("%Y-%m")},
    )
    facility: Facility | None = None
    month = today.replace(day=1)
    if data is not None and form.is_valid():
        facility, month = form.cleaned_data["facility"], form.cleaned_data["month"]
    elif data is None:
        facility = initial_facility
    days: list[Any] = []
    names: dict[int, str] = {}
    if facility is not None:
        end = month.replace(day=month_last_day(month.year, month.month))
        days = list(facility_staffing(facility, month, end).values())
        ids = set().union(*[set(d.on_training) | set(d.on_leave) for d in days]) if days else set()
        names = dict(Employee.objects.filter(pk__in=ids).values_list("pk", "name"))
        if ids:
            log_access(request.user, "training.absence.viewed", sorted(ids), {"facility": facility.pk})
    return render(
        request,
        "training/absence.html",
        {"form": form, "facility": facility, "month": month, "days": days, "names": names},
    )


@requires("facility", RETRIEVE)
@login_required
def team_day(request: HttpRequest) -> HttpResponse:
    """What one course day costs a team in wages and with shift cover."""
    require(request, LIST, "booking")
    require(request, RETRIEVE, "facility")
    facilities = scoped_for(request.user, RETRIEVE, "facility", Facility.objects.all())
    today = local_today()
    form = TeamDayForm(
        request.GET or None,
        facilities=facilities,
        initial={"hours": "7.40", "day": today, "contact_staff_only": True, "facility": facilities.first()},
    )
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        day: dt.date = data["day"]
        employments = (
            Employment.objects.filter(facility__in=[data["facility"]] if data["facility"] else facilities)
            .filter(start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .exclude(status=Employment.Status.ENDED)
            .select_related("facility")
        )
        if data["contact_staff_only"]:
            employments = employments.filter(is_contact_person=True)
        result = team_day_cost(employments, day, data["hours"])
    return render(request, "training/team_day.html", {"form": form, "result": result})


@requires("initiative", LIST)
@login_required
def initiative_list(request: HttpRequest) -> HttpResponse:
    require(request, LIST, "initiative")
    initiatives = initiatives_for(request.user, LIST).prefetch_related("years")
    return render(request, "training/initiative_list.html", {"initiatives": initiatives})


@requires("initiative", RETRIEVE)
@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The initiative's economic-consequences table, as in a budget proposal."""
    require(request, RETRIEVE, "initiative")
    initiative = get_object_or_404(initiatives_for(request.user, RETRIEVE), pk=pk)
    return render(
        request, "training/initiative_detail.html", {"initiative": initiative, "table": consequence_table(initiative)}
    )
