"""Competence pages: the catalogue and the certificates that lapse soon."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import EXPORT, LIST, can, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.competences.services import lapsing_holdings
from styrbord.lib.dates import local_today
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility
from styrbord.organisations.services import current_employments
from styrbord.training.services.bookings import Renewal, renewals_booked
from styrbord.web.downloads import attachment

DEFAULT_DAYS = 90
MAX_DAYS = 730


@requires("competence", LIST)
@login_required
@require_GET
def competence_list(request: HttpRequest) -> HttpResponse:
    """The competence catalogue with validity, refresher rule and how many requirements use it."""
    if not can(request.user, LIST, "competence"):
        raise PermissionDenied
    competences = Competence.objects.annotate(requirement_count=Count("requirements", distinct=True)).order_by(
        "category", "name"
    )
    return render(request, "competences/competence_list.html", {"competences": competences})


@dataclass(frozen=True)
class ExpiringRow:
    holding: CompetenceHolding
    facilities: str
    days_left: int
    renewal: Renewal | None = None  # an open booking on a course that renews it


@dataclass(frozen=True)
class Expiring:
    days: int
    on: dt.date
    facility: Facility | None
    facilities: QuerySet[Facility]
    rows: list[ExpiringRow]


def _expiring(request: HttpRequest, action: str) -> Expiring:
    """Holdings of people employed in the user's facilities that lapse within N days, not yet renewed."""
    user = request.user
    if not can(user, action, "coverage_gap"):
        raise PermissionDenied
    facilities = scoped_for(user, action, "coverage_gap", Facility.objects.all()).order_by("name")
    today = local_today()
    try:
        days = min(MAX_DAYS, max(1, int(request.GET.get("dage", DEFAULT_DAYS))))
    except ValueError:
        days = DEFAULT_DAYS
    facility = None
    if request.GET.get("tilbud"):
        try:
            facility = facilities.filter(pk=int(request.GET["tilbud"])).first()
        except ValueError:
            facility = None
    chosen = Facility.objects.filter(pk=facility.pk) if facility else facilities
    employments = current_employments(today).filter(facility__in=chosen)
    lapsing = (
        lapsing_holdings(employments, today, days)
        .select_related("employee", "competence")
        .order_by("expires_on", "employee__name")
    )
    where: dict[int, list[str]] = {}
    for employee_id, name in employments.values_list("employee_id", "facility__name").order_by("facility__name"):
        where.setdefault(employee_id, [])
        if name not in where[employee_id]:
            where[employee_id].append(name)
    holdings = list(lapsing)
    renewals = renewals_booked({h.employee_id for h in holdings}, {h.competence_id for h in holdings}, today)
    rows = [
        ExpiringRow(
            h,
            ", ".join(where.get(h.employee_id, [])),
            (h.expires_on - today).days,  # type: ignore[operator]
            renewals.get((h.employee_id, h.competence_id)),
        )
        for h in holdings
    ]
    return Expiring(days, today, facility, facilities, rows)


@requires("coverage_gap", LIST)
@login_required
@require_GET
def expiring(request: HttpRequest) -> HttpResponse:
    """What lapses within 90 days (or another number of days), soonest first."""
    data = _expiring(request, LIST)
    log_access(
        request.user,
        "competences.expiring.viewed",
        sorted({r.holding.employee_id for r in data.rows}),
        {"days": data.days, "facility": data.facility.pk if data.facility else None},
    )
    return render(
        request,
        "competences/expiring.html",
        {
            "data": data,
            "query": request.GET.urlencode(),
            "can_export": can(request.user, EXPORT, "coverage_gap"),
            "show_courses": can(request.user, LIST, "course"),
        },
    )


@requires("coverage_gap", EXPORT)
@login_required
@require_GET
def expiring_export(request: HttpRequest) -> HttpResponse:
    """The same list as XLSX; the export is logged."""
    data = _expiring(request, EXPORT)
    headers = [
        _("Navn"),
        pgettext("one facility", "Tilbud"),
        _("Kompetence"),
        _("Opnået"),
        _("Udløber"),
        _("Dage tilbage"),
        _("Fornyes på kursus"),
    ]
    rows: list[list[Any]] = [
        [
            r.holding.employee.name,
            r.facilities,
            r.holding.competence.name,
            r.holding.acquired_on,
            r.holding.expires_on,
            r.days_left,
            r.renewal.first_day if r.renewal else None,
        ]
        for r in data.rows
    ]
    content = write_xlsx([Sheet(_("Udløber"), headers, rows, column_widths=[28, 32, 40, 12, 12, 12, 16])])
    log_access(
        request.user,
        "competences.expiring.exported",
        sorted({r.holding.employee_id for r in data.rows}),
        {"days": data.days, "rows": len(rows)},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, f"udloeber-{data.on:%Y-%m-%d}.xlsx")
