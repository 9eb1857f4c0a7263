"""A booking with its costs and lifecycle actions; a person's own bookings; the cost overview."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from styrbord.accounts.permissions import LIST, RETRIEVE, UPDATE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import AUTHENTICATED, requires
from styrbord.audit.services import log_access
from styrbord.lib.costs import CostCategory
from styrbord.lib.dates import local_today
from styrbord.lib.money import ZERO
from styrbord.organisations.models import Facility
from styrbord.training import services
from styrbord.training.models import Booking, BookingCost, BookingStatus, CostStage
from styrbord.training.services.costing import booking_costs
from styrbord.training.services.veu import veu_eligibility

from .common import require, route

ACTIONS = {
    "confirm": services.confirm,
    "attended": services.mark_attended,
    "complete": services.complete,
    "no_show": services.mark_no_show,
}


def _booking_queryset() -> QuerySet[Booking]:
    return Booking.objects.select_related("session__course__provider", "employee", "employment__facility")


@requires("booking", RETRIEVE)
@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking: status, cost lines with their basis, VEU reasoning, and the next actions."""
    require(request, RETRIEVE, "booking")
    booking = get_scoped_or_404(request.user, RETRIEVE, "booking", _booking_queryset(), pk=pk)
    log_access(request.user, "training.booking.viewed", [booking.employee_id])
    rows = list(booking.costs.order_by("year", "category"))
    fee_today = None
    if booking.status == BookingStatus.BOOKED:
        fee_today = services.cancellation_fee_for(booking, local_today())[0]
    _eligible, veu_reason = veu_eligibility(booking.session.course, booking.employee, booking.employment)
    return render(
        request,
        "training/booking_detail.html",
        {
            "booking": booking,
            "rows": rows,
            "total": sum((r.amount for r in rows), ZERO),
            "fee_today": fee_today,
            "veu_reason": veu_reason,
            "warnings": services.staffing_warnings(booking) if booking.is_open else [],
            "can_update": can(request.user, UPDATE, "booking"),
            "preview": booking_costs(booking) if not rows else [],
        },
    )


@requires("booking", UPDATE)
@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, cancel, mark attended, complete or mark no-show (optimistic locking by version)."""
    require(request, UPDATE, "booking")
    booking = get_scoped_or_404(request.user, UPDATE, "booking", _booking_queryset(), pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        if action == "cancel":
            result = services.cancel(booking, request.user, expected_version=version)  # type: ignore[arg-type]
            messages.success(request, _("Bookingen er afbestilt."))
            if result.promoted is not None:
                messages.info(request, _("Den første på ventelisten har fået pladsen."))
        elif action in ACTIONS:
            ACTIONS[action](booking, request.user, expected_version=version)  # type: ignore[operator]
            messages.success(request, _("Bookingen er opdateret."))
        else:
            raise Http404
    except services.BookingError as error:
        messages.error(request, error.message)
    return redirect("training:booking_detail", pk=booking.pk)


@route(AUTHENTICATED)
@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """The logged-in person's own bookings (any role with a linked employee)."""
    employee_id = getattr(request.user, "employee_id", None)
    bookings = (
        _booking_queryset().filter(employee_id=employee_id).order_by("-session__first_day")
        if employee_id
        else Booking.objects.none()
    )
    return render(request, "training/my_bookings.html", {"bookings": bookings, "has_employee": bool(employee_id)})


@requires("booking", LIST, also=(("facility", LIST),))
@login_required
def cost_overview(request: HttpRequest) -> HttpResponse:
    """Booking costs in the user's scope by category and stage (committed, forecast, actual) for a year."""
    require(request, LIST, "booking")
    require(request, LIST, "facility")
    today = local_today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    facilities = scoped_for(request.user, LIST, "facility", Facility.objects.all())
    costs = scoped_for(request.user, LIST, "booking", Booking.objects.all())
    rows = BookingCost.objects.filter(booking__in=costs.values("pk"), year=year)
    facility_id = request.GET.get("facility", "")
    if facility_id.isdigit():
        rows = rows.filter(booking__employment__facility_id=int(facility_id))
    table: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for category, stage, amount in (
        rows.values("category", "stage").annotate(total=Sum("amount")).values_list("category", "stage", "total")
    ):
        table[category][stage] = amount
    stages = list(CostStage)
    lines = []
    for category in CostCategory:
        if category in table:
            values = [table[category][s] for s in stages]
            lines.append({"label": category.label, "values": values, "total": sum(values, ZERO)})
    totals = [sum((line["values"][i] for line in lines), ZERO) for i in range(len(stages))]  # type: ignore[index]
    return render(
        request,
        "training/cost_overview.html",
        {
            "year": year,
            "years": list(range(today.year - 2, today.year + 3)),
            "stages": stages,
            "lines": lines,
            "totals": totals,
            "grand_total": sum(totals, ZERO),
            "facilities": facilities,
            "facility_id": facility_id,
        },
    )
