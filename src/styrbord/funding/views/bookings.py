"""Charging a booking's costs to one or more grants, and posting its actual costs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import CREATE, RETRIEVE, get_scoped_or_404
from styrbord.accounts.route_policy import requires
from styrbord.funding.forms import ChargeForm, PostActualsForm
from styrbord.funding.ledger_export import entries_with_reversal_flag
from styrbord.funding.models import Grant, LedgerEntry
from styrbord.funding.services import FundingError
from styrbord.funding.services.booking_charges import (
    POSTABLE_STATUSES,
    charge_booking,
    post_booking_actuals,
    saved_splits,
)
from styrbord.funding.views.common import grants_for, require
from styrbord.lib.costs import CostCategory
from styrbord.training.models import Booking


def _booking(request: HttpRequest, pk: int) -> Booking:
    return get_scoped_or_404(
        request.user,
        RETRIEVE,
        "booking",
        Booking.objects.select_related("session__course", "employee", "employment__facility"),
        pk=pk,
    )


@requires("ledger", CREATE)
@login_required
def booking_charge(request: HttpRequest, pk: int) -> HttpResponse:
    """Split a booking's cost lines over grants by share; shows what is charged and what is left uncovered."""
    require(request, CREATE, "ledger")
    booking = _booking(request, pk)
    facility = booking.employment.facility
    grants = grants_for(request).filter(
        Q(facility=facility) | Q(municipality_id=facility.municipality_id), status=Grant.Status.APPROVED
    )
    form = ChargeForm(request.POST or None, grants=grants, initial_splits=saved_splits(booking))
    actuals = PostActualsForm()
    if request.method == "POST" and form.is_valid():
        try:
            result = charge_booking(
                booking,
                form.splits(),
                request.user,
                skip_ineligible=form.cleaned_data["skip_ineligible"],  # type: ignore[arg-type]
            )
        except FundingError as error:
            error.show_on(form)
        else:
            messages.success(request, _("Pladsen er fordelt på tilsagnene."))
            return render(
                request,
                "funding/booking_charge.html",
                _context(booking, form, actuals, result.charges),
            )
    return render(request, "funding/booking_charge.html", _context(booking, form, actuals, None))


def _context(booking: Booking, form: ChargeForm, actuals: PostActualsForm, charges: object) -> dict[str, object]:
    entries = entries_with_reversal_flag(LedgerEntry.objects.filter(booking=booking)).select_related("grant__pool")
    open_commitments = [
        e
        for e in entries
        if e.balance in LedgerEntry.OPEN_COMMITMENTS and e.kind != LedgerEntry.Kind.REVERSAL and not e.is_reversed  # type: ignore[attr-defined]
    ]
    return {
        "booking": booking,
        # Actuals are posted once the course is held (or the seat cancelled), and only once.
        "postable": booking.status in POSTABLE_STATUSES,
        "open_commitments": bool(open_commitments),
        "form": form,
        "actuals_form": actuals,
        "costs": booking.costs.all(),
        "entries": entries.order_by("pk"),
        "charges": _charge_rows(charges),
    }


def _charge_rows(charges: object) -> list[dict[str, object]]:
    """The distribution as a person reads it: the cost line's name and the grant's recipient and
    pool (it showed "backfill", "#1")."""
    if not charges:
        return []
    rows = list(charges)  # type: ignore[call-overload]
    ids = {c.grant for c in rows if c.grant != "own"}
    grants = {g.pk: g for g in Grant.objects.filter(pk__in=ids).select_related("pool", "facility", "municipality")}
    labels = dict(CostCategory.choices)
    return [
        {
            "category": labels.get(c.category, c.category),
            "grant": None if c.grant == "own" else grants.get(c.grant),
            "portion": c.portion,
            "charged": c.charged,
            "uncovered": c.uncovered,
        }
        for c in rows
    ]


@requires("ledger", CREATE)
@login_required
def booking_post_actuals(request: HttpRequest, pk: int) -> HttpResponse:
    """Post the actual costs of a held (or cancelled) course, replacing its commitments."""
    require(request, CREATE, "ledger")
    booking = _booking(request, pk)
    form = PostActualsForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        # The form sits on the charge page: its message goes there with the field's name.
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}")
    elif request.method == "POST":
        try:
            post_booking_actuals(booking, request.user, form.cleaned_data.get("posted_on"))  # type: ignore[arg-type]
        except FundingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("De faktiske udgifter er bogført."))
    return redirect("funding:booking_charge", pk=booking.pk)
