"""Absence per facility and day, team-day costing and initiative tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import CREATE, EXPORT, LIST, RETRIEVE, UPDATE, can, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action
from styrbord.lib.collation import collated
from styrbord.lib.dates import daterange, local_today, month_last_day, public_holiday, staffed_as_weekend
from styrbord.lib.formatting import format_weekday
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility, Municipality, periods_by_facility
from styrbord.staff.models import Employee, Employment
from styrbord.training.forms import AbsenceFilterForm, InitiativeForm, InitiativeYearFormSet, TeamDayForm
from styrbord.training.models import Initiative
from styrbord.training.permissions import initiatives_for
from styrbord.training.services.initiatives import consequence_table, team_day_cost
from styrbord.training.services.staffing import DayStaffing, facility_staffing
from styrbord.web.downloads import attachment, file_name

from .common import require


@dataclass(frozen=True)
class AbsenceRow:
    """A day of the absence table: the staffing figures, and who is away, grouped by why."""

    day: DayStaffing
    training: list[tuple[str, list[str]]]  # (course, names)
    leave: list[tuple[str, list[str]]]  # (kind of leave, names)
    holiday: str | None = None  # the public holiday's name: staffed as a Sunday
    weekend: bool = False  # the weekend minimum holds (lib.dates.staffed_as_weekend)


def _grouped(reasons: dict[int, str], names: dict[int, str]) -> list[tuple[str, list[str]]]:
    """People away by reason ({person: reason}), as (reason, sorted names), reasons sorted."""
    by_reason: dict[str, list[str]] = {}
    for person, reason in reasons.items():
        by_reason.setdefault(str(reason), []).append(names.get(person, "?"))
    return [(reason, sorted(people)) for reason, people in sorted(by_reason.items())]


@dataclass
class AbsenceTable:
    """The absence page's data: the filter, the facility and month, a row per day, and who is named."""

    form: AbsenceFilterForm
    facility: Facility | None
    month: dt.date
    rows: list[AbsenceRow]
    periods: list[Any]
    named: list[int]  # employee ids on the page (for the access log)


def _absence_table(request: HttpRequest) -> AbsenceTable:
    require(request, RETRIEVE, "facility")
    facilities = scoped_for(request.user, RETRIEVE, "facility", Facility.objects.all())
    today = local_today()
    initial_facility = facilities.first()
    data = None
    if "facility" in request.GET or "month" in request.GET:
        data = request.GET.copy()
        if not data.get("facility") and initial_facility is not None:
            data["facility"] = str(initial_facility.pk)  # a month alone: the first facility in scope
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
    rows: list[AbsenceRow] = []
    periods: list[Any] = []
    ids: set[int] = set()
    if facility is not None:
        end = month.replace(day=month_last_day(month.year, month.month))
        periods = periods_by_facility([facility.pk], month, end)[facility.pk]
        minimums = {d: facility.minimum_on(d, periods) for d in daterange(month, end)}  # the periods read once
        days = list(facility_staffing(facility, month, end, minimums=minimums).values())
        ids = set().union(*[set(d.on_training) | set(d.on_leave) for d in days]) if days else set()
        names = dict(Employee.objects.filter(pk__in=ids).values_list("pk", "name"))
        rows = [
            AbsenceRow(
                d,
                _grouped(d.on_training, names),
                _grouped(d.on_leave, names),
                public_holiday(d.date),
                staffed_as_weekend(d.date),
            )
            for d in days
        ]
    return AbsenceTable(form, facility, month, rows, periods, sorted(ids))


@requires("facility", RETRIEVE)
@login_required
def absence(request: HttpRequest) -> HttpResponse:
    """Who is away on training or leave each day of a month, and the staff left against the minimum."""
    table = _absence_table(request)
    if table.named and table.facility is not None:
        log_access(request.user, "training.absence.viewed", table.named, {"facility": table.facility.pk})
    return render(
        request,
        "training/absence.html",
        {
            "form": table.form,
            "facility": table.facility,
            "month": table.month,
            "rows": table.rows,
            "periods": table.periods,
            "can_export": can(request.user, EXPORT, "booking"),
            "query": urlencode({"facility": table.facility.pk, "month": f"{table.month:%Y-%m}"})
            if table.facility
            else "",
        },
    )


def _names(groups: list[tuple[str, list[str]]]) -> str:
    return "; ".join(f"{reason}: {', '.join(people)}" for reason, people in groups)


@requires("facility", RETRIEVE)
@login_required
def absence_xlsx(request: HttpRequest) -> HttpResponse:
    """The month as XLSX for the rota: a row per day with who is away and why, what remains and the
    minimum. It names people: roles that may export bookings only, and the export is logged."""
    require(request, EXPORT, "booking")
    table = _absence_table(request)
    if table.facility is None:
        raise Http404
    headers = [
        _("Dato"),
        _("Ugedag"),
        _("Helligdag"),
        _("Ansatte"),
        _("På kursus"),
        _("Fravær"),
        _("Tilbage"),
        _("Minimum"),
        _("Under minimum"),
    ]
    rows = [
        [
            r.day.date,
            format_weekday(r.day.date),
            r.holiday or "",
            len(r.day.staff),
            _names(r.training),
            _names(r.leave),
            r.day.remaining,
            r.day.minimum,
            _("ja") if r.day.below_minimum else "",
        ]
        for r in table.rows
    ]
    content = write_xlsx(
        [Sheet(f"{table.month:%Y-%m}", headers, rows, column_widths=[12, 10, 16, 9, 60, 40, 9, 9, 14])]
    )
    log_access(
        request.user,
        "training.absence.exported",
        table.named,
        {"facility": table.facility.pk, "month": f"{table.month:%Y-%m}"},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, file_name(f"fravaer-{table.facility.name}-{table.month:%Y-%m}", "xlsx"))


@requires("facility", RETRIEVE)
@login_required
def team_day(request: HttpRequest) -> HttpResponse:
    """What one course day costs a team in wages and with shift cover."""
    require(request, LIST, "booking")
    require(request, RETRIEVE, "facility")
    facilities = scoped_for(request.user, RETRIEVE, "facility", Facility.objects.all())
    today = local_today()
    first = facilities.order_by(collated("name"), "pk").first()
    # The page answers at once for the first facility's contact staff today; the form changes it.
    defaults = {
        "hours": "7,4",
        "day": today.isoformat(),
        "contact_staff_only": "on",
        "facility": first.pk if first else "",
    }
    form = TeamDayForm(request.GET or defaults, facilities=facilities)
    result = None
    if form.is_valid():
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
    return render(
        request,
        "training/initiative_list.html",
        {"initiatives": initiatives, "can_create": can(request.user, CREATE, "initiative")},
    )


@requires("initiative", RETRIEVE)
@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The initiative's economic-consequences table, as in a budget proposal."""
    require(request, RETRIEVE, "initiative")
    initiative = get_object_or_404(initiatives_for(request.user, RETRIEVE), pk=pk)
    can_edit = initiatives_for(request.user, UPDATE).filter(pk=initiative.pk).exists()
    return render(
        request,
        "training/initiative_detail.html",
        {"initiative": initiative, "table": consequence_table(initiative), "can_edit": can_edit},
    )


@requires("initiative", CREATE)
@login_required
def initiative_create(request: HttpRequest) -> HttpResponse:
    """A new initiative with its years (FTE, annual wage, other operating and establishment costs)."""
    require(request, CREATE, "initiative")
    return _initiative_form(request, Initiative(), CREATE)


@requires("initiative", UPDATE)
@login_required
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, UPDATE, "initiative")
    initiative = get_object_or_404(initiatives_for(request.user, UPDATE), pk=pk)
    return _initiative_form(request, initiative, UPDATE)


def _initiative_form(request: HttpRequest, initiative: Initiative, action: str) -> HttpResponse:
    """Initiative and years are saved together or not at all."""
    municipalities = scoped_for(request.user, RETRIEVE, "municipality", Municipality.objects.all())
    shared_allowed = getattr(request.user, "role", None) == Role.ADMIN
    data = request.POST if request.method == "POST" else None
    form = InitiativeForm(data, instance=initiative, municipalities=municipalities, shared_allowed=shared_allowed)
    years = InitiativeYearFormSet(data, instance=initiative, prefix="years")
    if data is not None and form.is_valid() and years.is_valid():
        with transaction.atomic():
            created = initiative.pk is None
            saved = form.save()
            years.instance = saved
            years.save()
            log_action(
                saved,
                "training.initiative.created" if created else "training.initiative.updated",
                request.user,
                {"years": sorted(saved.years.values_list("year", flat=True))},
            )
        messages.success(request, _("Initiativet er gemt."))
        return redirect("training:initiative_detail", pk=saved.pk)
    return render(
        request,
        "training/initiative_form.html",
        {"form": form, "years": years, "initiative": initiative if initiative.pk else None},
    )
