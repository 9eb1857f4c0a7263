"""A person's competence profile: employments, holdings with expiry status, requirements and whether met."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styrbord.accounts import privacy
from styrbord.accounts.permissions import (
    CREATE,
    EXPORT,
    LIST,
    RETRIEVE,
    UPDATE,
    can,
    get_scoped_or_404,
    scoped_for,
)
from styrbord.accounts.route_policy import requires
from styrbord.audit.services import log_access
from styrbord.competences.models import CompetenceHolding
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility
from styrbord.requirements.coverage import person_requirements
from styrbord.staff.importing.plan import RELEVANT_COLUMN
from styrbord.staff.models import Employee
from styrbord.staff.profiles.forms import EducationForm
from styrbord.training.models import Booking

EXPIRING_DAYS = 90


@dataclass(frozen=True)
class HoldingStatus:
    """A holding and how it stands today: valid, expiring (within 90 days), expired or future."""

    holding: CompetenceHolding
    status: str  # "valid", "expiring", "expired", "future"
    superseded: bool

    @property
    def badge(self) -> str:
        if self.superseded and self.status != "future":
            return "info"  # a later certificate of the same competence took its place
        return {"valid": "ok", "expiring": "warn", "expired": "bad", "future": "info"}[self.status]

    @property
    def label(self) -> str:
        if self.status == "future":
            return _("Fremtidig")
        if self.superseded:  # the later certificate is the one that counts
            return _("Fornyet") if self.status == "expired" else _("Afløst af nyere bevis")
        return {"valid": _("Gyldig"), "expiring": _("Udløber inden for 90 dage"), "expired": _("Udløbet")}[self.status]


def holding_statuses(holdings: list[CompetenceHolding], today: dt.date) -> list[HoldingStatus]:
    """Status of each holding; an expired one is 'superseded' when a later one of the same competence exists."""
    latest: dict[int, dt.date] = {}
    for h in holdings:
        latest[h.competence_id] = max(latest.get(h.competence_id, h.acquired_on), h.acquired_on)
    result = []
    for h in holdings:
        if h.acquired_on > today:
            status = "future"
        elif h.expires_on is not None and h.expires_on < today:
            status = "expired"
        elif h.expires_on is not None and h.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS):
            status = "expiring"
        else:
            status = "valid"
        result.append(HoldingStatus(h, status, superseded=h.acquired_on < latest[h.competence_id]))
    return result


def may_edit_education(user: Any, employee: Employee) -> bool:
    """Whether ``user`` may change the education of ``employee``, a person already in their scope:
    the roles that may change people (a coordinator, a facility manager), not on their own profile
    (nobody marks their own education as relevant), and not once the person is anonymised."""
    return (
        can(user, UPDATE, "employee")
        and getattr(user, "employee_id", None) != employee.pk
        and employee.anonymised_at is None
    )


def render_profile(
    request: HttpRequest,
    employee: Employee,
    own: bool,
    education_form: EducationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The profile page; ``education_form`` is a sent education form to show with its errors."""
    today = local_today()
    user = request.user
    all_employments = employee.employments.select_related("facility", "unit").order_by("-start_date")
    visible = all_employments
    elsewhere = 0
    if not own:
        # A manager sees the person's employments in their own facilities, and only that there are
        # others (a person employed at two places is each manager's staff at one of them).
        visible = scoped_for(user, RETRIEVE, "employment", all_employments)
        elsewhere = all_employments.count() - visible.count()
    employments = list(visible)
    holdings = list(
        employee.holdings.select_related("competence").order_by(collated("competence__name"), "-acquired_on")
    )
    requirements = person_requirements(employee, on=today)
    # Links only where they open: facility pages and gap lists in the user's scope.
    facility_ids = {e.facility_id for e in employments} | {r.facility.pk for r in requirements}
    open_facilities = set(
        scoped_for(user, RETRIEVE, "facility", Facility.objects.filter(pk__in=facility_ids)).values_list(
            "pk", flat=True
        )
    )
    if not own:  # the requirements of the facilities the user sees (another's are its manager's)
        requirements = [r for r in requirements if r.facility.pk in open_facilities]
    # The person's course bookings the user may see, newest first (the own profile links to
    # "Mine kurser" instead).
    show_bookings = not own and can(user, LIST, "booking")
    bookings = (
        list(
            scoped_for(user, LIST, "booking", Booking.objects.filter(employee=employee))
            .select_related("session__course", "employment__facility")
            .order_by("-session__first_day", "-pk")
        )
        if show_bookings
        else []
    )
    log_access(
        request.user,
        "staff.own_profile.viewed" if own else "staff.employee.viewed",
        [employee.pk],
    )
    context: dict[str, Any] = {
        "employee": employee,
        "own": own,
        "today": today,
        "employments": employments,
        "employments_elsewhere": elsewhere,
        "holdings": holding_statuses(holdings, today),
        "requirements": requirements,
        "unmet": sum(1 for r in requirements if not r.met),
        "open_facilities": open_facilities,
        "show_gap_links": can(user, LIST, "coverage_gap"),
        "bookings": bookings,
        "show_bookings": show_bookings,
        "can_register": not own and can(user, CREATE, "competence_holding"),
        "education_form": (education_form or EducationForm(instance=employee))
        if not own and may_edit_education(user, employee)
        else None,
        "relevant_column": RELEVANT_COLUMN,
        # What Styrbord holds about the person, with the export for a request of access (art. 15).
        "can_see_data": can(user, EXPORT, "employee") and privacy.may_take_out_everything(user, employee),
        "breadcrumb_facility": next(
            (e.facility for e in employments if e.facility_id in open_facilities),  # the latest first
            None,
        ),
    }
    return render(request, "staff/employee_detail.html", context, status=status)


@requires("employee", RETRIEVE)
@login_required
@require_GET
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's profile for managers and coordinators (and the person themself)."""
    user = request.user
    if not can(user, RETRIEVE, "employee"):
        raise PermissionDenied
    employee = get_scoped_or_404(user, RETRIEVE, "employee", Employee.objects.all(), pk=pk)
    own = getattr(user, "employee_id", None) == employee.pk
    return render_profile(request, employee, own)


@requires("own_profile", RETRIEVE)
@login_required
@require_GET
def my_profile(request: HttpRequest) -> HttpResponse:
    """'Min profil': the logged-in employee's own competence profile."""
    user = request.user
    if not can(user, RETRIEVE, "own_profile"):
        raise PermissionDenied
    employee_id = getattr(user, "employee_id", None)
    if employee_id is None:
        return render(request, "staff/no_profile.html", status=404)
    employee = Employee.objects.get(pk=employee_id)
    return render_profile(request, employee, own=True)
