"""iCalendar feeds: my bookings, one employee's bookings, a facility's bookings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import LIST, RETRIEVE, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import AUTHENTICATED, requires
from styrbord.audit.services import log_access
from styrbord.organisations.models import Facility
from styrbord.staff.models import Employee
from styrbord.training.models import Booking
from styrbord.training.services.calendars import bookings_calendar, live_bookings
from styrbord.web.downloads import attachment

from .common import require, route


def _ics(content: bytes, filename: str) -> HttpResponse:
    return attachment(content, filename)


@route(AUTHENTICATED)
@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    employee_id = getattr(request.user, "employee_id", None)
    bookings = live_bookings(Booking.objects.filter(employee_id=employee_id)) if employee_id else Booking.objects.none()
    return _ics(bookings_calendar(bookings, _("Mine kurser")), "mine-kurser.ics")


@requires("employee", RETRIEVE)
@login_required
def employee_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, RETRIEVE, "employee")
    employee = get_scoped_or_404(request.user, RETRIEVE, "employee", Employee.objects.all(), pk=pk)
    bookings = live_bookings(scoped_for(request.user, LIST, "booking", Booking.objects.filter(employee=employee)))
    log_access(request.user, "training.calendar.exported", [employee.pk])
    return _ics(
        bookings_calendar(bookings, _("Kurser – %(name)s") % {"name": employee.name}), f"kurser-{employee.pk}.ics"
    )


@requires("booking", LIST)
@login_required
def facility_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, LIST, "booking")
    facility = get_scoped_or_404(request.user, RETRIEVE, "facility", Facility.objects.all(), pk=pk)
    bookings = live_bookings(
        scoped_for(request.user, LIST, "booking", Booking.objects.filter(employment__facility=facility))
    )
    ids = sorted(set(bookings.values_list("employee_id", flat=True)))
    if ids:
        log_access(request.user, "training.calendar.exported", ids, {"facility": facility.pk})
    return _ics(
        bookings_calendar(bookings, _("Kurser – %(name)s") % {"name": facility.name}, with_names=True),
        f"kurser-tilbud-{facility.pk}.ics",
    )
