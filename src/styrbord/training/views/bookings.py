"""A booking with its costs and lifecycle actions; a person's own bookings; the cost overview."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, QuerySet, Sum, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import CREATE, EXPORT, LIST, RETRIEVE, UPDATE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import AUTHENTICATED, requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.lib.collation import collated
from styrbord.lib.costs import CostCategory
from styrbord.lib.dates import local_today
from styrbord.lib.filtering import apply_choices, query_without
from styrbord.lib.formatting import format_ore, shown_record_text
from styrbord.lib.money import ZERO
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility
from styrbord.training import services
from styrbord.training.forms import BookingFilterForm, OwnBookingFilterForm
from styrbord.training.models import Booking, BookingCost, BookingStatus, CostStage
from styrbord.training.services.costing import booking_costs
from styrbord.training.services.veu import veu_eligibility
from styrbord.web.downloads import attachment, file_name, refused_filter

from .common import require, route

ACTIONS = {
    "confirm": services.confirm,
    "attended": services.mark_attended,
    "incomplete": services.mark_incomplete,
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
    total = sum((r.amount for r in rows), ZERO)
    fee_today = None
    cancellable = booking.is_open and services.can_cancel_seat(booking, local_today())
    if booking.status == BookingStatus.BOOKED and cancellable:
        fee_today = services.cancellation_fee_for(booking, local_today())[0]
    _eligible, veu_reason = veu_eligibility(booking.session.course, booking.employee, booking.employment)
    # Which pool pays: the funding app charges seats to grants (a seat's money is its business).
    from styrbord.funding.models import Grant, LedgerEntry
    from styrbord.funding.services.booking_charges import POSTABLE_STATUSES, paid_by

    payers = paid_by(booking)
    charged = sum((p.amount for p in payers), ZERO)
    # A grant's page is linked for those who may open it (a manager may not see a municipality's grant).
    linked = (
        set(
            scoped_for(
                request.user, RETRIEVE, "grant", Grant.objects.filter(pk__in=[p.grant.pk for p in payers])
            ).values_list("pk", flat=True)
        )
        if payers and can(request.user, RETRIEVE, "grant")
        else set()
    )
    return render(
        request,
        "training/booking_detail.html",
        {
            "booking": booking,
            "rows": rows,
            "total": total,
            "fee_today": fee_today,
            "cancellable": cancellable,
            "veu_reason": veu_reason,
            "warnings": services.staffing_warnings(booking) if booking.is_open else [],
            "beyond_employment": services.after_employment_ends(Booking.objects.filter(pk=booking.pk)).exists(),
            "can_update": can(request.user, UPDATE, "booking"),
            "outcomes": services.outcomes_for(booking, local_today()),
            "preview": booking_costs(booking) if not rows else [],
            "payers": payers,
            "own_budget": max(total - charged, ZERO),
            "linked_grants": linked,
            # Finance charges an open seat, and posts a held (or cancelled) one's actual costs.
            "can_charge": can(request.user, CREATE, "ledger") and booking.is_open,
            "can_post": can(request.user, CREATE, "ledger") and payers and booking.status in POSTABLE_STATUSES,
            "posted": LedgerEntry.objects.filter(booking=booking, balance=LedgerEntry.Balance.ACTUAL).exists(),
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
            # A cancellation that costs a fee is confirmed on the page (the fee's box), not by one click.
            fee_now = (
                services.cancellation_fee_for(booking, local_today())[0]
                if booking.status == BookingStatus.BOOKED
                else ZERO
            )
            if fee_now and not request.POST.get("accept_fee"):
                messages.error(
                    request,
                    _("Afbestilling i dag koster %(fee)s. Sæt hak ved gebyret, og afbestil igen.")
                    % {"fee": format_ore(fee_now)},  # type: ignore[arg-type]
                )
                return redirect("training:booking_detail", pk=booking.pk)
            result = services.cancel(booking, request.user, expected_version=version)  # type: ignore[arg-type]
            fee = result.booking.cancellation_fee
            if fee:
                messages.success(
                    request, _("Bookingen er afbestilt. Afbestillingsgebyret er %(fee)s.") % {"fee": format_ore(fee)}
                )
            else:
                messages.success(request, _("Bookingen er afbestilt uden gebyr."))
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


BOOKINGS_PER_PAGE = 50


def _own_only(request: HttpRequest) -> bool:
    """An employee's booking list is their own bookings, not a coordinator's worklist."""
    return getattr(request.user, "role", None) == Role.EMPLOYEE


def _booking_list(
    request: HttpRequest, action: str
) -> tuple[BookingFilterForm | OwnBookingFilterForm, QuerySet[Booking]]:
    """The bookings in the user's scope that the filter keeps, by session day, course and name.

    Unfiltered it shows what needs doing: planned bookings on sessions from today. An employee
    (whose scope is themself) gets their own list instead (``_own_booking_list``)."""
    require(request, action, "booking")
    bookings = scoped_for(request.user, action, "booking", _booking_queryset())
    if _own_only(request):
        return _own_booking_list(request, bookings)
    facilities = scoped_for(request.user, LIST, "facility", Facility.objects.all())
    data = request.GET if request.GET else {"status": BookingStatus.PLANNED, "fra": local_today().isoformat()}
    form = BookingFilterForm(data, facilities=facilities)
    if form.is_valid():
        lookups = {
            "status": "status",
            "facility": "employment__facility",
            "fra": "session__first_day__gte",
            "q": "session__course__name__folded_contains",
        }
        bookings = apply_choices(bookings, form.cleaned_data, lookups)
        if form.cleaned_data["ophoer"]:
            bookings = services.after_employment_ends(bookings)
        if form.cleaned_data["afholdt"]:
            bookings = services.awaiting_attendance(bookings, local_today())
        if form.cleaned_data["begyndt"]:
            bookings = services.planned_after_start(bookings, local_today())
    return form, bookings.order_by(
        "session__first_day", collated("session__course__name"), "session_id", collated("employee__name"), "pk"
    )


def _own_booking_list(
    request: HttpRequest, bookings: QuerySet[Booking]
) -> tuple[OwnBookingFilterForm, QuerySet[Booking]]:
    """An employee's own ``bookings``: unfiltered the coming ones, soonest first, as "Mine kurser"
    lists them; "all" or one status gives those on coming sessions first (soonest first), then
    the earlier ones (newest first). No facility or coordinator filters: the list is one person's."""
    today = local_today()
    form = OwnBookingFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    bookings = apply_choices(bookings, chosen, {"q": "session__course__name__folded_contains"})
    status = chosen.get("status", OwnBookingFilterForm.COMING)
    if status == OwnBookingFilterForm.COMING:
        return form, services.coming_bookings(bookings, today)
    if status != OwnBookingFilterForm.ALL:
        bookings = bookings.filter(status=status)
    over = Q(session__last_day__lt=today)
    return form, bookings.annotate(
        coming_day=Case(When(~over, then=F("session__first_day"))),
        earlier_day=Case(When(over, then=F("session__first_day"))),
    ).order_by(F("coming_day").asc(nulls_last=True), F("earlier_day").desc(nulls_last=True), "session_id", "pk")


@requires("booking", LIST)
@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    """Every booking in the user's scope, filterable; planned ones can be confirmed together."""
    if request.method == "POST":
        return _change_selected(request)
    form, bookings = _booking_list(request, LIST)
    page = Paginator(bookings, BOOKINGS_PER_PAGE).get_page(request.GET.get("side"))
    shown = list(page)
    if shown:
        log_access(request.user, "training.bookings.listed", sorted({b.employee_id for b in shown}))
    beyond = set(
        services.after_employment_ends(Booking.objects.filter(pk__in=[b.pk for b in shown])).values_list(
            "pk", flat=True
        )
    )
    return render(
        request,
        "training/booking_list.html",
        {
            "form": form,
            "page": page,
            "bookings": shown,
            "query": query_without(request.GET, "side", "alle"),
            "can_confirm": can(request.user, UPDATE, "booking"),
            "can_export": can(request.user, EXPORT, "booking"),
            "planned": BookingStatus.PLANNED,
            "select_all": request.GET.get("alle") == "1",
            "any_planned": any(b.status == BookingStatus.PLANNED for b in shown),
            "page_number": page.number,
            "beyond_employment": beyond,  # open bookings on sessions that last beyond the employment
            "today": local_today(),
            "own_only": _own_only(request),  # an employee sees their own, with their own filters
        },
    )


def _change_selected(request: HttpRequest) -> HttpResponse:
    """The selected planned bookings: booked with the provider (the default button) or cancelled."""
    require(request, UPDATE, "booking")
    ids = [int(v) for v in request.POST.getlist("booking") if v.isdigit()]
    chosen = list(scoped_for(request.user, UPDATE, "booking", _booking_queryset()).filter(pk__in=ids))
    back = request.POST.get("tilbage", "")
    target = reverse("training:booking_list") + (f"?{back}" if back and not back.startswith(("/", "http")) else "")
    if len(chosen) != len(set(ids)):
        messages.error(request, _("En eller flere af de valgte bookinger findes ikke eller er uden for dit omfang."))
        return redirect(target)
    cancelling = request.POST.get("handling") == "aflys"
    try:
        if cancelling:
            cancelled = services.cancel_planned_many(chosen, request.user)  # type: ignore[arg-type]
        else:
            done = services.confirm_many(chosen, request.user)  # type: ignore[arg-type]
    except services.BookingError as error:
        messages.error(request, error.message)
        return redirect(target)
    if cancelling:
        messages.success(
            request,
            ngettext(
                "%(count)s planlagt booking er afbestilt.",
                "%(count)s planlagte bookinger er afbestilt.",
                len(cancelled),
            )
            % {"count": len(cancelled)},
        )
        return redirect(target)
    waiting = sum(1 for b in done if b.status == BookingStatus.WAITLISTED)
    messages.success(
        request,
        ngettext("%(count)s booking er tilmeldt.", "%(count)s bookinger er tilmeldt.", len(done) - waiting)
        % {"count": len(done) - waiting},
    )
    if waiting:
        messages.warning(
            request,
            ngettext(
                "%(count)s kom på venteliste, fordi holdet er fuldt.",
                "%(count)s kom på venteliste, fordi holdene er fulde.",
                waiting,
            )
            % {"count": waiting},
        )
    return redirect(target)


@requires("booking", EXPORT)
@login_required
def booking_list_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered booking list as XLSX (for the providers or the facilities); logged."""
    form, bookings = _booking_list(request, EXPORT)
    if form.errors:  # a filter the page refuses gives no file of other rows
        return refused_filter(request, form)
    rows = [
        [
            b.employee.name,
            b.employment.facility.name,
            b.session.course.name,
            b.session.name,
            b.session.first_day,
            b.session.last_day,
            b.get_status_display(),
            _("ja") if b.staffing_warning else "",
            shown_record_text(b.note),
        ]
        for b in bookings
    ]
    headers = [
        _("Medarbejder"),
        pgettext("one facility", "Tilbud"),
        _("Kursus"),
        _("Hold"),
        _("Første dag"),
        _("Sidste dag"),
        _("Status"),
        _("Under minimumsbemanding"),
        _("Bemærkning"),
    ]
    content = write_xlsx([Sheet(_("Bookinger"), headers, rows, column_widths=[28, 28, 40, 24, 12, 12, 14, 14, 30])])
    log_access(
        request.user,
        "training.bookings.exported",
        sorted({b.employee_id for b in bookings}),
        {"rows": len(rows), "filters": {k: v for k, v in request.GET.items() if v}},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, file_name(f"bookinger-{local_today():%Y-%m-%d}", "xlsx"))


@route(AUTHENTICATED)
@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """The logged-in person's own courses (any role with a linked employee): the coming ones (as an
    employee's booking list shows them unfiltered), the open course wishes, each of which can be
    withdrawn, and the earlier and cancelled bookings, newest first."""
    employee_id = getattr(request.user, "employee_id", None)
    today = local_today()
    coming: list[Booking] = []
    earlier: QuerySet[Booking] = Booking.objects.none()
    wishes: list[services.OwnWish] = []
    if employee_id:
        own = _booking_queryset().filter(employee_id=employee_id)
        coming = list(services.coming_bookings(own, today))
        earlier = own.exclude(pk__in=[b.pk for b in coming]).order_by("-session__first_day", "-pk")
        wishes = services.own_wishes(employee_id, today)
    return render(
        request,
        "training/my_bookings.html",
        {
            "coming": coming,
            "earlier": earlier,
            "wishes": wishes,
            "has_employee": bool(employee_id),
        },
    )


@dataclass
class CostTable:
    """Booking costs by category (rows) and stage (columns) for a year, in a user's scope."""

    year: int
    years: list[int]
    facilities: QuerySet[Facility]
    facility: Facility | None
    stages: list[CostStage]
    lines: list[dict[str, Any]]
    totals: list[Decimal]

    @property
    def grand_total(self) -> Decimal:
        return sum(self.totals, ZERO)


def _cost_table(request: HttpRequest, action: str) -> CostTable:
    """The table for the page (``action`` LIST) or its download (EXPORT); 403 for a role without it."""
    require(request, action, "booking")
    require(request, LIST, "facility")
    today = local_today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    facilities = scoped_for(request.user, LIST, "facility", Facility.objects.all())
    costs = scoped_for(request.user, action, "booking", Booking.objects.all())
    rows = BookingCost.objects.filter(booking__in=costs.values("pk"), year=year)
    facility_id = request.GET.get("facility", "")
    facility = facilities.filter(pk=int(facility_id)).first() if facility_id.isdigit() else None
    if facility_id and facility is None:
        raise Http404  # a facility outside the scope is as missing as on its own page
    if facility_id.isdigit():
        rows = rows.filter(booking__employment__facility_id=int(facility_id))
    table: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for category, stage, amount in (
        rows.values("category", "stage").annotate(total=Sum("amount")).values_list("category", "stage", "total")
    ):
        table[category][stage] = amount
    stages = list(CostStage)
    lines: list[dict[str, Any]] = []
    for category in CostCategory:
        if category in table:
            values = [table[category][s] for s in stages]
            lines.append({"label": category.label, "values": values, "total": sum(values, ZERO)})
    totals = [sum((line["values"][i] for line in lines), ZERO) for i in range(len(stages))]
    return CostTable(year, list(range(today.year - 2, today.year + 3)), facilities, facility, stages, lines, totals)


@requires("booking", LIST, also=(("facility", LIST),))
@login_required
def cost_overview(request: HttpRequest) -> HttpResponse:
    """Booking costs in the user's scope by category and stage (committed, forecast, actual) for a year."""
    data = _cost_table(request, LIST)
    return render(
        request,
        "training/cost_overview.html",
        {
            "year": data.year,
            "years": data.years,
            "stages": data.stages,
            "lines": data.lines,
            "totals": data.totals,
            "grand_total": data.grand_total,
            "facilities": data.facilities,
            "facility_id": request.GET.get("facility", ""),
            "can_export": can(request.user, EXPORT, "booking"),
            "query": request.GET.urlencode(),
        },
    )


@requires("booking", EXPORT, also=(("facility", LIST),))
@login_required
def cost_overview_xlsx(request: HttpRequest) -> HttpResponse:
    """The cost overview as XLSX, with the same year and facility (aggregates: no one is named)."""
    data = _cost_table(request, EXPORT)
    unit, total = _("(kr.)"), _("I alt")
    headers = [_("Kategori"), *[f"{s.label} {unit}" for s in data.stages], f"{total} {unit}"]
    rows: list[list[Any]] = [[line["label"], *line["values"], line["total"]] for line in data.lines]
    rows.append([_("I alt"), *data.totals, data.grand_total])
    scope = data.facility.name if data.facility else _("alle tilbud")
    content = write_xlsx(
        [
            Sheet(
                _("Kursusudgifter %(year)s") % {"year": data.year},
                headers,
                rows,
                money_columns=set(range(1, len(headers))),
                column_widths=[26, *[16] * (len(headers) - 1)],
            )
        ]
    )
    return attachment(content, file_name(f"kursusudgifter-{data.year}-{scope}", "xlsx"))
