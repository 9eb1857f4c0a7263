"""Facility pages: the facilities in a user's scope, one facility with its staff, a municipality.

The big tables come ready-rendered from ``tables`` (see there why).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import (
    CREATE,
    LIST,
    RETRIEVE,
    UPDATE,
    can,
    get_scoped_or_404,
    is_administrator,
    scoped_for,
)
from styrbord.accounts.route_policy import may_open, requires
from styrbord.audit.services import log_access, log_action
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.filtering import query_without
from styrbord.lib.formatting import format_date
from styrbord.organisations import services, tables
from styrbord.organisations.forms import (
    FacilityCreateForm,
    FacilityFilterForm,
    FacilityForm,
    MinimumStaffingForm,
    StaffingPeriodFormSet,
    facility_state,
)
from styrbord.organisations.models import Facility, Municipality
from styrbord.training.services.staffing import refresh_staffing_flags_at

PAGE_SIZE = 50
PERIODS_SHOWN_AFTER_END = 90  # days a staffing period stays on the form after it has ended


def _sees_municipality(user: Any, municipality_id: int) -> bool:
    """Whether the municipality overview of this municipality would open for the user."""
    if not can(user, RETRIEVE, "municipality"):
        return False
    if is_administrator(user):
        return True
    return bool(user.municipality_id == municipality_id)


@requires("facility", LIST)
@require_GET
@login_required
def facility_list(request: HttpRequest) -> HttpResponse:
    """The facilities in the user's scope with staff figures, paginated."""
    user = request.user
    if not can(user, LIST, "facility"):
        raise PermissionDenied
    today = local_today()
    scoped = scoped_for(user, LIST, "facility", Facility.objects.all())
    municipalities = Municipality.objects.filter(pk__in=scoped.order_by().values("municipality_id")).order_by(
        collated("name")
    )
    # Only scopes that can span municipalities get the municipality filter (saves a query).
    spans_municipalities = is_administrator(user) or user.municipality_id is None  # type: ignore[union-attr]
    show_municipality_filter = spans_municipalities and len(municipalities) > 1
    form = FacilityFilterForm(request.GET or None, municipalities=municipalities)
    facilities = scoped
    if form.is_valid():
        if form.cleaned_data["q"]:
            facilities = facilities.filter(name__folded_contains=form.cleaned_data["q"])
        if form.cleaned_data["municipality"]:
            facilities = facilities.filter(municipality=form.cleaned_data["municipality"])
    # If the scope added DISTINCT, paging over a plain pk subquery keeps the sort cheap.
    in_scope = facilities
    if facilities.query.distinct:
        in_scope = Facility.objects.filter(pk__in=facilities.order_by().values("pk"))
    # Plain values, not model instances: the table needs six of them per facility.
    paginator = Paginator(in_scope.order_by(collated("name"), "pk").values_list(*services.SUMMARY_FIELDS), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("side"))
    on_page = [services.FacilitySummary(*row) for row in page]
    snapshot = services.StaffSnapshot([f.pk for f in on_page], today)
    figures = snapshot.by_facility()
    totals: dict[str, str] = {"facilities": tables.num(paginator.count)}
    if not page.has_other_pages():
        # Staff totals over a scope that fits on one page; large scopes get them per municipality.
        totals.update(tables.figures_text(snapshot.total()))
    rows = tables.facility_rows(on_page, figures)
    own_id = getattr(user, "municipality_id", None)
    own_municipality = own_id is not None and _sees_municipality(user, own_id)
    # The imports run for the user's own municipality (an administrator picks one): without one
    # (a regional coordinator) they refuse, so they are not offered (see ``importing_municipality``).
    imports_for = is_administrator(user) or own_id is not None
    context: dict[str, Any] = {
        "form": form,
        "show_municipality_filter": show_municipality_filter,
        "page": page,
        "rows": rows,
        # A scope within one municipality needs no municipality column (one less to scroll on a tablet).
        "rows_html": tables.facility_rows_html(
            rows, reverse("organisations:facility_list"), show_municipality=show_municipality_filter
        ),
        "totals": totals,
        "facility_count": paginator.count,
        "today": today,
        "query_string": query_without(request.GET, "side"),
        "own_municipality": own_municipality,
        "can_create_facility": services.may_create_facility(user),
        "can_import_staff": imports_for and may_open(user, "staff:import_upload"),
        "can_import_holdings": imports_for and may_open(user, "competences:import_upload"),
    }
    return render(request, "organisations/facility_list.html", context)


@requires("facility", RETRIEVE)
@require_GET
@login_required
def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One facility: facts, its current staff and their competences, coverage per competence."""
    user = request.user
    facility = get_scoped_or_404(
        user,
        RETRIEVE,
        "facility",
        Facility.objects.select_related("municipality", "operator_region"),
        pk=pk,
    )
    today = local_today()
    staff = services.facility_staff(facility.pk, today)
    figures = services.figures_of(staff)
    show_staff = can(user, LIST, "employee")
    staff_rows: list[tables.StaffRow] = []
    coverage: list[tables.CoverageRow] = []
    if show_staff:
        competences = services.facility_competences(staff, today, facility.pk)
        staff_rows = tables.staff_rows(staff, competences)
        coverage = tables.coverage_rows(competences)
        log_access(
            user,
            "staff.employee.viewed",
            sorted({e.employee_id for e in staff}),
            data={"page": "organisations.facility_detail", "facility_id": facility.pk},
        )
    context = {
        "facility": facility,
        "facts": services.facility_facts(facility.pk),
        "show_staff": show_staff,
        "staff_rows": staff_rows,
        "staff_html": tables.staff_rows_html(
            staff_rows,
            # Names link to the competence profile for those who may open it.
            reverse("staff:employee_detail", args=[0]).removesuffix("0/") if can(user, RETRIEVE, "employee") else None,
        ),
        "coverage": coverage,
        "coverage_html": tables.coverage_rows_html(coverage),
        "figures": tables.figures_text(figures),
        "education_counted": figures.education_counted,  # the people the relevant share is of
        "staffing_periods": list(facility.staffing_periods.filter(end_date__gte=today).order_by("start_date")),
        "today": today,
        "expiry_days": services.EXPIRY_WARNING_DAYS,
        "can_see_municipality": _sees_municipality(user, facility.municipality_id),
        "can_edit_staffing": can(user, UPDATE, "staffing"),
        "can_edit_facility": can(user, UPDATE, "facility"),
    }
    return render(request, "organisations/facility_detail.html", context)


@requires("facility", UPDATE)
@login_required
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The facility's facts (name, kind, target groups, methods, places, ...), saved together.

    Refused with the stored values shown again if someone changed the facility after this form
    was opened, so one coordinator does not silently undo another's change."""
    user = request.user
    if not can(user, UPDATE, "facility"):
        raise PermissionDenied
    if request.method != "POST":
        facility = get_scoped_or_404(user, UPDATE, "facility", Facility.objects.all(), pk=pk)
        stored_name = facility.name
        form = FacilityForm(instance=facility, viewer=user)
    else:
        with transaction.atomic():  # locked from the check against the digest until saved
            facility = get_scoped_or_404(user, UPDATE, "facility", Facility.objects.select_for_update(), pk=pk)
            before = facility_state(facility)
            stored_name = facility.name  # the page's title: validation writes the posted one onto it
            form = FacilityForm(request.POST, instance=facility, viewer=user)
            if form.is_valid():
                if form.changed_since_opened():
                    messages.error(
                        request,
                        _(
                            "Tilbuddet er ændret af en anden, siden du åbnede siden. Intet er gemt. "
                            "Formularen viser nu de gemte oplysninger; ret dem igen."
                        ),
                    )
                    return redirect("organisations:facility_edit", pk=pk)
                if not form.has_changed():
                    messages.info(request, _("Intet at gemme: oplysningerne er de samme som før."))
                    return redirect("organisations:facility_detail", pk=pk)
                saved = form.save()
                log_action(
                    saved,
                    "organisations.facility.updated",
                    user,
                    {"fields": sorted(name for name in form.changed_data if name != "state")},
                    before=before,
                    after=facility_state(saved),
                )
                messages.success(request, _("Oplysningerne om %(name)s er gemt.") % {"name": saved.name})
                return redirect("organisations:facility_detail", pk=pk)
    return render(
        request,
        "organisations/facility_form.html",
        {
            "facility": facility,
            "stored_name": stored_name,
            "form": form,
            "units": services.facility_facts(facility.pk).units,
            "can_edit_staffing": can(user, UPDATE, "staffing"),
        },
    )


@requires("facility", CREATE)
@login_required
def facility_create(request: HttpRequest) -> HttpResponse:
    """A new facility with its facts: in the coordinator's own municipality, or, for an
    administrator, the one chosen. Its staff come with the HR import, its minimums on its own page."""
    user = request.user
    if not can(user, CREATE, "facility"):
        raise PermissionDenied
    municipality = services.own_municipality_for_new_facility(user)  # None: an administrator chooses
    form = FacilityCreateForm(request.POST or None, viewer=user, municipality=municipality)
    if request.method == "POST":
        with transaction.atomic():
            # Checked and saved under the municipality's lock: two people (or tabs) creating the
            # same facility at once would otherwise both pass the name check.
            services.lock_municipality(municipality.pk if municipality else request.POST.get("municipality"))
            saved = form.save() if form.is_valid() else None
            if saved is not None:
                log_action(saved, "organisations.facility.created", user, after=facility_state(saved))
        if saved is not None:
            messages.success(
                request,
                _("%(name)s er oprettet. Sæt minimumsbemandingen, og hent medarbejderne med HR-importen.")
                % {"name": saved.name},
            )
            return redirect("organisations:facility_detail", pk=saved.pk)
    return render(
        request,
        "organisations/facility_create.html",
        {"form": form, "municipality": municipality},
        status=422 if form.errors else 200,
    )


@requires("staffing", UPDATE, also=(("facility", RETRIEVE),))
@login_required
def minimum_staffing(request: HttpRequest, pk: int) -> HttpResponse:
    """The facility's minimum staffing: weekdays, weekends and periods, saved together or not at all."""
    user = request.user
    if not can(user, UPDATE, "staffing"):
        raise PermissionDenied
    facility = get_scoped_or_404(user, RETRIEVE, "facility", Facility.objects.all(), pk=pk)
    data = request.POST if request.method == "POST" else None
    form = MinimumStaffingForm(data, instance=facility)
    # Periods that ended long ago stay stored (and count in old plans' inputs) but off the form.
    shown = facility.staffing_periods.filter(end_date__gte=local_today() - dt.timedelta(days=PERIODS_SHOWN_AFTER_END))
    periods = StaffingPeriodFormSet(data, instance=facility, prefix="perioder", queryset=shown.order_by("start_date"))
    if data is not None and form.is_valid() and periods.is_valid():
        with transaction.atomic():
            form.save()
            periods.save()
            refresh_staffing_flags_at([facility.pk])  # the bookings there: under the new minimums or not
            log_action(
                facility,
                "organisations.facility.minimum_staffing_changed",
                user,
                {
                    "weekdays": facility.minimum_staff,
                    "weekend": facility.minimum_staff_weekend,
                    "periods": [
                        [p.start_date.isoformat(), p.end_date.isoformat(), p.minimum]
                        for p in facility.staffing_periods.order_by("start_date")
                    ],
                },
            )
        messages.success(request, _("Minimumsbemandingen er gemt."))
        for warning in _above_headcount(facility):
            messages.warning(request, warning)
        return redirect("organisations:facility_detail", pk=facility.pk)
    return render(
        request,
        "organisations/minimum_staffing.html",
        {"facility": facility, "form": form, "periods": periods, "shown_days": PERIODS_SHOWN_AFTER_END},
    )


def _above_headcount(facility: Facility) -> list[str]:
    """Minimums above the people employed at the facility: weekdays and weekends against today's
    staff, a coming period against those employed on its first day. Saved all the same (temporary
    staff outside the HR data may fill a period), but a typing error (500 for 5) is worth a word."""
    today = local_today()

    def headcount(day: dt.date) -> int:
        return services.current_employments(day).filter(facility=facility).values("employee_id").distinct().count()

    found = []
    staff_today = headcount(today)
    for label, minimum in ((_("hverdage"), facility.minimum_staff), (_("weekend"), facility.minimum_staff_weekend)):
        if minimum and minimum > staff_today:
            found.append(
                _("Minimum %(minimum)s på %(days)s er flere end tilbuddets %(staff)s medarbejdere. Tjek tallet.")
                % {"minimum": minimum, "days": label, "staff": staff_today}
            )
    for period in facility.staffing_periods.filter(end_date__gte=today).order_by("start_date"):
        staff = headcount(max(period.start_date, today))
        if period.minimum > staff:
            found.append(
                _(
                    "Minimum %(minimum)s fra %(start)s er flere end de %(staff)s medarbejdere, der er ansat "
                    "til den tid. Tjek tallet."
                )
                % {"minimum": period.minimum, "start": format_date(period.start_date), "staff": staff}
            )
    return found


@requires("municipality", LIST)
@require_GET
@login_required
def municipality_default(request: HttpRequest) -> HttpResponse:
    """The user's own municipality, or a choice of municipalities for users without one."""
    user = request.user
    if not can(user, LIST, "municipality"):
        raise PermissionDenied
    own = getattr(user, "municipality", None)
    if own is not None:
        return redirect("organisations:municipality_overview", code=own.code)
    municipalities = (
        scoped_for(user, LIST, "municipality", Municipality.objects.select_related("region"))
        .filter(pk__in=Facility.objects.order_by().values("municipality_id"))
        .order_by("region__code", collated("name"))
    )
    return render(request, "organisations/municipality_choice.html", {"municipalities": municipalities})


@requires("municipality", RETRIEVE)
@require_GET
@login_required
def municipality_overview(request: HttpRequest, code: str) -> HttpResponse:
    """A municipality's facilities with staff figures, a totals row and the job-group mix."""
    user = request.user
    municipality = get_scoped_or_404(
        user, RETRIEVE, "municipality", Municipality.objects.select_related("region"), code=code
    )
    today = local_today()
    facilities = scoped_for(user, LIST, "facility", Facility.objects.filter(municipality=municipality))
    facility_list_ = services.facility_summaries(facilities.order_by(collated("name"), "pk"))
    snapshot = services.StaffSnapshot([f.pk for f in facility_list_], today)
    figures = snapshot.by_facility()
    totals = snapshot.total()
    job_groups, job_total = snapshot.by_job_group()
    rows = tables.facility_rows(facility_list_, figures)
    context = {
        "municipality": municipality,
        "rows": rows,
        "rows_html": tables.facility_rows_html(rows, reverse("organisations:facility_list"), show_municipality=False),
        "totals": totals,
        "places": sum(f.places for f in facility_list_),
        "job_groups": job_groups,
        "job_total": job_total,
        "today": today,
    }
    return render(request, "organisations/municipality_overview.html", context)
