"""Coverage pages: the municipality heat map, one facility against its targets, and gap lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import CREATE, EXPORT, LIST, RETRIEVE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.competences.models import Competence
from styrbord.lib import charts
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.dates import local_today
from styrbord.lib.filtering import query_without
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility, Municipality
from styrbord.requirements.aggregate import STATUS_LABELS, trend_points
from styrbord.requirements.coverage import (
    CoveragePoint,
    CoverageRow,
    Gap,
    coverage_for,
    forecast,
    gaps_for,
    history,
    requirements_for,
)
from styrbord.requirements.forms import CoverageFilterForm, GapFilterForm
from styrbord.requirements.models import Requirement
from styrbord.requirements.planned import planned_completions
from styrbord.staff.models import Employment
from styrbord.web.downloads import attachment

# More facilities than this on one heat map and the page asks for a municipality first.
HEAT_MAP_MAX_FACILITIES = 60


def _facilities(user: Any, object_type: str) -> QuerySet[Facility]:
    if not can(user, LIST, object_type):
        raise PermissionDenied
    return scoped_for(user, LIST, object_type, Facility.objects.select_related("municipality"))


def _applying(facility: Facility) -> list[Requirement]:
    """Active requirements that apply to this facility."""
    candidates = requirements_for(Facility.objects.filter(pk=facility.pk))
    return [r for r in candidates if r.applies_to_facility(facility)]


@dataclass(frozen=True)
class HeatCell:
    requirement: Requirement
    row: CoverageRow | None
    applies: bool

    @property
    def status(self) -> str:
        return self.row.status if self.row is not None else "none"

    @property
    def status_label(self) -> str:
        """The colour's meaning in words, for screen readers (colour alone tells nothing)."""
        return str(STATUS_LABELS[self.status])


@requires("coverage", LIST)
@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The heat map: facilities x requirements, each cell the share against the target."""
    user = request.user
    facilities = _facilities(user, "coverage")
    municipalities = Municipality.objects.filter(facilities__in=facilities).distinct().order_by(collated("name"))
    form = CoverageFilterForm(request.GET or None, municipalities=municipalities)
    on = form.on(local_today())
    municipality = form.cleaned_data.get("kommune") if form.is_valid() else None
    if municipality is None and facilities.count() > HEAT_MAP_MAX_FACILITIES:
        own_id: int | None = getattr(user, "municipality_id", None)
        own = municipalities.filter(pk=own_id).first() if own_id is not None else None
        municipality = own or municipalities.first()
        form = CoverageFilterForm(
            {"dato": on.isoformat(), "kommune": municipality.pk if municipality else ""}, municipalities=municipalities
        )
        form.is_valid()
    if municipality is not None:
        facilities = facilities.filter(municipality=municipality)
    facility_list = list(facilities.order_by(collated("name")))
    requirements = sorted(
        requirements_for(facilities).select_related("facility", "unit"), key=lambda r: (r.priority, sort_key(r.name))
    )
    rows = coverage_for(requirements, on=on, facilities=facilities)
    by_cell = {(r.facility.pk, r.requirement.pk): r for r in rows}
    heat_rows = [
        (
            facility,
            [
                HeatCell(req, by_cell.get((facility.pk, req.pk)), req.applies_to_facility(facility))
                for req in requirements
            ],
        )
        for facility in facility_list
    ]
    # Columns for requirements that apply to none of the facilities shown are left out.
    shown = [i for i, req in enumerate(requirements) if any(cells[i].applies for _f, cells in heat_rows)]
    heat_rows = [(facility, [cells[i] for i in shown]) for facility, cells in heat_rows]
    requirements = [requirements[i] for i in shown]
    statuses = [cell.status for _f, cells in heat_rows for cell in cells if cell.row is not None]
    return render(
        request,
        "requirements/overview.html",
        {
            "form": form,
            "on": on,
            "requirements": requirements,
            "heat_rows": heat_rows,
            "summary": {s: statuses.count(s) for s in ("ok", "warn", "bad")},
            "can_manage": can(user, LIST, "requirement"),
            "can_see_gaps": can(user, LIST, "coverage_gap"),
            "can_see_evidence": can(user, RETRIEVE, "evidence_sheet"),
            "can_see_aggregate": can(user, LIST, "coverage_aggregate"),
        },
    )


def trend_chart(requirement: Requirement, past: list[CoveragePoint], ahead: list[CoveragePoint]) -> SafeString:
    """History and forecast of one requirement as one chart, in the reader's language."""
    history_label, forecast_label = _("Historik"), _("Prognose")
    chart = charts.coverage_chart(
        trend_points(past, ahead, history_label, forecast_label),
        requirement.target,
        title=requirement.name,
        history_label=history_label,
        forecast_label=forecast_label,
        target_label=_("Mål"),
        x_title=_("Måned"),
        y_title=_("Dækning (%)"),
    )
    return charts.chart_html(chart, label=_("Dækning over tid for %(name)s") % {"name": requirement.name})


def _chart_for(requirement: Requirement, facility: Facility, on: dt.date) -> str:
    """History (12 month ends) and forecast (to the deadline) of one requirement as one chart."""
    past = history(requirement, facilities=[facility.pk], on=on)
    planned = planned_completions(requirement, facilities=[facility.pk], on=on)
    ahead = forecast(requirement, facilities=[facility.pk], on=on, planned=planned)
    return trend_chart(requirement, past, ahead)


@requires("coverage", RETRIEVE)
@login_required
@require_GET
def facility_coverage(request: HttpRequest, facility_id: int) -> HttpResponse:
    """One facility against each of its requirements, with history, forecast and target."""
    user = request.user
    if not can(user, RETRIEVE, "coverage"):
        raise PermissionDenied
    facility = get_scoped_or_404(
        user, RETRIEVE, "coverage", Facility.objects.select_related("municipality"), pk=facility_id
    )
    form = CoverageFilterForm(request.GET or None)
    on = form.on(local_today())
    requirements = _applying(facility)
    rows = {r.requirement.pk: r for r in coverage_for(requirements, on=on, facilities=[facility.pk])}
    items = [
        {"requirement": req, "row": rows.get(req.pk), "chart": _chart_for(req, facility, on)} for req in requirements
    ]
    return render(
        request,
        "requirements/facility_coverage.html",
        {
            "facility": facility,
            "form": form,
            "on": on,
            "items": items,
            "chart_scripts": charts.chart_scripts(),
            "can_see_requirements": can(user, RETRIEVE, "requirement"),
            "can_see_gaps": can(user, LIST, "coverage_gap"),
            "can_see_evidence": can(user, RETRIEVE, "evidence_sheet"),
        },
    )


# --- gap lists ---------------------------------------------------------------------------------

# Names and labels in Danish order (lib.collation): case and accents only break ties.
SORT_KEYS: dict[str, Any] = {
    "navn": lambda g: (sort_key(g.employee.name),),
    "faggruppe": lambda g: (sort_key(g.job_group_label), sort_key(g.employee.name)),
    "krav": lambda g: (sort_key(g.requirement.name), sort_key(g.employee.name)),
    "aarsag": lambda g: (sort_key(g.get_reason_display()), sort_key(g.employee.name)),
    "udloeber": lambda g: (g.expires_on or dt.date.max, sort_key(g.employee.name)),
    "frist": lambda g: (g.due_on or g.requirement.deadline or dt.date.max, sort_key(g.employee.name)),
}


@dataclass(frozen=True)
class GapView:
    facility: Facility
    on: dt.date
    form: GapFilterForm
    gaps: list[Gap]
    sort: str
    competence_names: dict[int, str]
    requirement: Requirement | None  # the one chosen in the filter, if any
    person: int | None = None  # one person's gaps only (from their profile)


def _gap_view(request: HttpRequest, facility_id: int, action: str) -> GapView:
    user = request.user
    if not can(user, action, "coverage_gap"):
        raise PermissionDenied
    facility = get_scoped_or_404(
        user, action, "coverage_gap", Facility.objects.select_related("municipality"), pk=facility_id
    )
    requirements = _applying(facility)
    form = GapFilterForm(
        request.GET or None, requirements=Requirement.objects.filter(pk__in=[r.pk for r in requirements])
    )
    valid = form.is_valid()
    on = (form.cleaned_data.get("dato") if valid else None) or local_today()
    chosen = form.cleaned_data.get("krav") if valid else None
    reason = form.cleaned_data.get("aarsag") if valid else ""
    person = form.cleaned_data.get("medarbejder") if valid else None
    selected = [r for r in requirements if chosen is None or r.pk == chosen.pk]
    gaps = gaps_for(selected, facility, on)
    if reason:
        gaps = [g for g in gaps if g.reason == reason]
    if person:
        gaps = [g for g in gaps if g.employee.pk == person]
    sort = request.GET.get("sort", "navn")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        sort, key = "navn", "navn"
    gaps.sort(key=SORT_KEYS[key], reverse=sort.startswith("-"))
    names = dict(Competence.objects.filter(pk__in={g.competence_id for g in gaps}).values_list("pk", "name"))
    return GapView(facility, on, form, gaps, sort, names, chosen, person)


@requires("coverage_gap", LIST)
@login_required
@require_GET
def gap_list(request: HttpRequest, facility_id: int) -> HttpResponse:
    """Who at the facility lacks what, with the reason and expiry; sortable, exportable."""
    view = _gap_view(request, facility_id, LIST)
    log_access(
        request.user,
        "requirements.gap_list.viewed",
        sorted({g.employee.pk for g in view.gaps}),
        {"facility": view.facility.pk, "on": view.on},
    )
    columns = [
        ("navn", _("Navn")),
        ("faggruppe", _("Faggruppe")),
        ("krav", _("Krav")),
        ("aarsag", _("Årsag")),
        ("udloeber", _("Udløber/udløb")),
        ("frist", _("Frist")),
    ]
    headers = [
        {
            "key": key,
            "label": label,
            "active": view.sort.lstrip("-") == key,
            "descending": view.sort == f"-{key}",
            "next": f"-{key}" if view.sort == key else key,
        }
        for key, label in columns
    ]
    booked = _booked_for(view)
    return render(
        request,
        "requirements/gap_list.html",
        {
            "booking": _booking_help(request, view, booked),
            "facility": view.facility,
            "on": view.on,
            "form": view.form,
            "gaps": view.gaps,
            "rows": [(g, booked.get((g.employee.pk, g.requirement.pk))) for g in view.gaps],
            "headers": headers,
            "query": query_without(request.GET, "sort"),
            "sort": view.sort,
            "competence_names": view.competence_names,
            "breaches": sum(1 for g in view.gaps if g.is_breach),
            "can_export": can(request.user, EXPORT, "coverage_gap"),
            "person": view.person,
            "all_people_query": query_without(request.GET, "medarbejder"),
        },
    )


def _booked_for(view: GapView) -> dict[tuple[int, int], Any]:
    """(person, requirement) -> the earliest open booking on a coming course that gives what the
    gap lacks (the gap's competence, or one of the requirement's): the gap is being closed, and the
    list says so instead of a bare "Mangler" (the booked people were ticked to be booked again)."""
    from styrbord.requirements.models import Requirement
    from styrbord.training.services.bookings import renewals_booked

    if not view.gaps:
        return {}
    through = Requirement.competences.through.objects.filter(
        requirement_id__in={g.requirement.pk for g in view.gaps}
    ).values_list("requirement_id", "competence_id")
    per_requirement: dict[int, set[int]] = {}
    for requirement_id, competence_id in through:
        per_requirement.setdefault(requirement_id, set()).add(competence_id)
    wanted = set().union(*per_requirement.values()) if per_requirement else set()
    found = renewals_booked({g.employee.pk for g in view.gaps}, wanted, max(view.on, local_today()))
    booked: dict[tuple[int, int], Any] = {}
    for gap in view.gaps:
        competences = [gap.competence_id] if gap.competence_id else sorted(per_requirement.get(gap.requirement.pk, ()))
        options = [found[(gap.employee.pk, c)] for c in competences if (gap.employee.pk, c) in found]
        if options:
            booked[(gap.employee.pk, gap.requirement.pk)] = min(options, key=lambda r: r.first_day)
    return booked


def _booking_help(request: HttpRequest, view: GapView, booked: dict[tuple[int, int], Any]) -> dict[str, Any] | None:
    """For one chosen requirement and a user who may book: the coming sessions whose course grants
    one of its competences, each with a link that opens group booking with the people missing it
    (those employed at this facility on the session's first day are ticked there)."""
    from styrbord.training.models import Session
    from styrbord.training.permissions import catalogue_for
    from styrbord.training.services import sessions_granting

    if view.requirement is None or not can(request.user, CREATE, "booking"):
        return None
    # Those already booked on a course that closes the gap are not ticked again.
    missing = sorted({g.employee.pk for g in view.gaps if (g.employee.pk, g.requirement.pk) not in booked})
    employments = list(
        Employment.objects.filter(facility=view.facility, employee_id__in=missing)
        .exclude(status=Employment.Status.ENDED)
        .values_list("pk", flat=True)
    )
    sessions = sessions_granting(
        catalogue_for(request.user, LIST, "session", Session.objects.all()),
        view.requirement.competences.values_list("pk", flat=True),
        max(view.on, local_today()),
    )
    query = urlencode([("valgt", pk) for pk in employments])
    return {
        "requirement": view.requirement,
        "missing": len(missing),
        "sessions": [(s, reverse("training:session_book_group", args=[s.session.pk]) + f"?{query}") for s in sessions],
    }


@requires("coverage_gap", EXPORT)
@login_required
@require_GET
def gap_export(request: HttpRequest, facility_id: int) -> HttpResponse:
    """The gap list as XLSX (same filters and order as the page); the export is logged."""
    view = _gap_view(request, facility_id, EXPORT)
    headers = [
        _("Navn"),
        _("Faggruppe"),
        _("Kontaktperson"),
        _("Krav"),
        _("Årsag"),
        _("Kompetence"),
        _("Udløber/udløb"),
        _("Frist efter ansættelse"),
        _("Kravets frist"),
    ]
    rows = [
        [
            g.employee.name,
            g.job_group_label,
            _("Ja") if g.is_contact_person else _("Nej"),
            g.requirement.name,
            g.get_reason_display(),
            view.competence_names.get(g.competence_id or 0, ""),
            g.expires_on,
            g.due_on,
            g.requirement.deadline,
        ]
        for g in view.gaps
    ]
    content = write_xlsx([Sheet(_("Mangler"), headers, rows, column_widths=[28, 24, 14, 36, 26, 30, 14, 14, 14])])
    log_access(
        request.user,
        "requirements.gap_list.exported",
        sorted({g.employee.pk for g in view.gaps}),
        {"facility": view.facility.pk, "on": view.on, "rows": len(rows)},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, f"mangler-{view.facility.pk}-{view.on:%Y-%m-%d}.xlsx")
