"""A grant: creating one with its budget lines, its page (ledger, balances, budget vs actual, burn-down),
and the postings made by hand: commitments, actuals, income, reversals and corrections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import CREATE, EXPORT, LIST, RETRIEVE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.funding.forms import (
    BudgetLineFormSet,
    CorrectForm,
    EntryFilterForm,
    EntryForm,
    GrantForm,
    ReverseForm,
    today_initial,
)
from styrbord.funding.ledger_export import (
    AUTHOR_RELATIONS,
    author,
    entries_with_reversal_flag,
    ledger_sheet,
    names_people,
)
from styrbord.funding.models import Grant, GrantBudgetLine, LedgerEntry
from styrbord.funding.services import FundingError
from styrbord.funding.services.balances import BurnPoint, balances_for, budget_vs_actual, burn_down
from styrbord.funding.services.booking_charges import RefusedRecharge, refused_recharges
from styrbord.funding.services.ledger import commit, correct_entry, post_actual, record_income, reverse_entry
from styrbord.funding.services.setup import create_grant
from styrbord.funding.services.warnings import grant_warnings
from styrbord.funding.views.common import grants_for, pools_for, require
from styrbord.lib.dates import local_today
from styrbord.lib.filtering import query_without
from styrbord.lib.money import ZERO, to_money
from styrbord.lib.spreadsheets import write_xlsx
from styrbord.organisations.models import Facility, Municipality
from styrbord.web.downloads import attachment, file_name

ENTRIES_PER_PAGE = 50  # a grant's ledger runs to hundreds of postings over a project period


@requires("grant", CREATE)
@login_required
def grant_create(request: HttpRequest, pool_pk: int) -> HttpResponse:
    """Give a grant from a pool to a facility or a municipality, with its approved budget lines."""
    require(request, CREATE, "grant")
    pool = get_scoped_or_404(request.user, RETRIEVE, "pool", pools_for(request, RETRIEVE), pk=pool_pk)
    facilities = scoped_for(request.user, RETRIEVE, "facility", Facility.objects.all())
    municipalities = scoped_for(request.user, RETRIEVE, "municipality", Municipality.objects.all())
    form = GrantForm(request.POST or None, facilities=facilities, municipalities=municipalities)
    lines = BudgetLineFormSet(request.POST or None, prefix="line", form_kwargs={"pool": pool})
    if (
        request.method == "POST"
        and form.is_valid()
        and lines.is_valid()
        and lines.check_total(form.cleaned_data["amount"])
    ):
        grant = form.save(commit=False)
        grant.pool = pool
        budget = [
            GrantBudgetLine(category=d["category"], year=d["year"], amount=d["amount"])
            for d in lines.cleaned_data
            if d and d.get("amount") is not None
        ]
        try:
            create_grant(grant, request.user, budget)  # type: ignore[arg-type]
        except FundingError as error:
            error.show_on(form)
        else:
            messages.success(request, _("Tilsagnet er oprettet."))
            return redirect("funding:grant_detail", pk=grant.pk)
    return render(request, "funding/grant_form.html", {"form": form, "lines": lines, "pool": pool})


def _chart(grant: Grant, points: list[BurnPoint]) -> Any:
    """The burn-down as a chart (Altair via lib.charts): remaining against the straight line to 0."""
    from styrbord.lib import charts

    rows = []
    for p in points:
        rows.append({"month": p.month_end, "amount": p.ideal, "series": _("Lineært forbrug til periodens slut")})
        rows.append(
            {"month": p.month_end, "amount": p.remaining, "series": _("Tilbage efter forbrug og disponeringer")}
        )
        if p.remaining_actual is not None:
            rows.append(
                {"month": p.month_end, "amount": p.remaining_actual, "series": _("Tilbage efter bogført forbrug")}
            )
    chart = charts.line_chart(
        rows,
        x="month",
        y="amount",
        x_title=_("Måned"),
        y_title=_("Kr."),
        series="series",
        series_title=_("Serie"),
        temporal=True,
        width=760,
    )
    return charts.chart_html(chart, label=_("Forbrug af tilsagnet mod periodens slut"))


def _uncharged_bookings(request: HttpRequest, grant: Grant) -> list[Any]:
    """Seats in the grant's period at its recipient that no grant pays for yet (to charge from here)."""
    from styrbord.training.models import Booking, BookingStatus

    pool = grant.pool
    recipient = (
        {"employment__facility_id": grant.facility_id}
        if grant.facility_id is not None
        else {"employment__facility__municipality_id": grant.municipality_id}
    )
    bookings = (
        scoped_for(request.user, RETRIEVE, "booking", Booking.objects.all())
        .filter(session__first_day__gte=pool.period_start, session__first_day__lte=pool.period_end, **recipient)
        .filter(costs__isnull=False, funding_splits__isnull=True)
        .exclude(status=BookingStatus.WAITLISTED)
        .select_related("session__course", "employment__facility")
        .distinct()
        .order_by("session__first_day", "pk")
    )
    return list(bookings[:50])


def _refused_recharges(request: HttpRequest, grant: Grant) -> list[RefusedRecharge]:
    """Seats in the reader's scope whose new costs the grant could not take (none for a reader
    who may not see bookings, such as a grantor: they are the municipality's own housekeeping)."""
    from styrbord.training.models import Booking

    return refused_recharges(grant, scoped_for(request.user, RETRIEVE, "booking", Booking.objects.all()))


def _entry_filter(request: HttpRequest, grant: Grant) -> tuple[QuerySet[LedgerEntry], EntryFilterForm]:
    """A grant's postings and the filter the page and its download share (the years it has postings in)."""
    entries = LedgerEntry.objects.filter(grant=grant)
    years = sorted({d.year for d in entries.dates("posted_on", "year")})
    return entries, EntryFilterForm(request.GET or None, years=years)


@requires("grant", RETRIEVE)
@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A grant's ledger, balances, budget lines vs actual, burn-down chart and warnings."""
    grant = get_scoped_or_404(request.user, RETRIEVE, "grant", grants_for(request, RETRIEVE), pk=pk)
    today = local_today()
    balances = balances_for(grant)
    entries: list[LedgerEntry] = []
    entry_filter = EntryFilterForm(years=[])
    entry_count = 0
    page = None
    shown_total = ZERO
    if can(request.user, LIST, "ledger"):
        all_entries, entry_filter = _entry_filter(request, grant)
        entry_count = all_entries.count()
        shown = entry_filter.apply(all_entries)
        page = Paginator(
            entries_with_reversal_flag(shown)
            .select_related("booking__session__course", *AUTHOR_RELATIONS)
            .order_by("-posted_on", "-pk"),
            ENTRIES_PER_PAGE,
        ).get_page(_page_of_entry(shown, request.GET.get("postering")) or request.GET.get("side"))
        entries = list(page)
        people = names_people(request.user)
        for entry in entries:  # the colleague's name, or for a grantor the municipality
            entry.author = author(entry, people=people)  # type: ignore[attr-defined]
        if entry_filter.active:
            shown_total = to_money(shown.aggregate(total=Sum("amount"))["total"] or 0)
    points = burn_down(grant, today)
    can_post = can(request.user, CREATE, "ledger") and grant.is_open_for_charges
    from styrbord.lib import charts

    return render(
        request,
        "funding/grant_detail.html",
        {
            "grant": grant,
            "pool": grant.pool,
            "balances": balances,
            "period_balances": balances_for(grant, within_period=True),
            "budget_rows": budget_vs_actual(grant),
            "entries": entries,
            "entry_page": page,
            "entry_query": query_without(request.GET, "side", "postering"),
            "entry_filter": entry_filter,
            "entry_count": entry_count,
            "shown_total": shown_total,
            "points": points,
            "chart": _chart(grant, points),
            "chart_scripts": charts.chart_scripts(),
            "warnings": grant_warnings(grant, today, balances, user=request.user),
            "audit_level": grant.pool.audit_level_for(grant.amount),
            "can_post": can_post,
            "uncharged": _uncharged_bookings(request, grant) if can_post else [],
            "refused": _refused_recharges(request, grant),
            "can_reverse": can(request.user, CREATE, "ledger"),
            "can_export": can(request.user, EXPORT, "ledger"),
            "today": today,
        },
    )


@requires("ledger", EXPORT, also=(("grant", RETRIEVE),))
@login_required
def ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A grant's postings as XLSX, oldest first, with the filters of the grant page (year, balance,
    cost category): for reconciling with the accounting system. The export is logged."""
    require(request, EXPORT, "ledger")
    grant = get_scoped_or_404(request.user, RETRIEVE, "grant", grants_for(request, RETRIEVE), pk=pk)
    all_entries, entry_filter = _entry_filter(request, grant)
    entries = (
        entries_with_reversal_flag(entry_filter.apply(all_entries))
        .select_related(*AUTHOR_RELATIONS)
        .order_by("posted_on", "pk")
    )
    sheet, shown = ledger_sheet(entries, people=names_people(request.user))
    content = write_xlsx([sheet])
    log_access(
        request.user,
        "funding.ledger.exported",
        None,
        {"grant": grant.pk, "rows": shown, "filters": {k: v for k, v in request.GET.items() if v}},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, file_name(f"posteringer-tilsagn-{grant.pk}-{grant.recipient_name}", "xlsx"))


def _page_of_entry(entries: QuerySet[LedgerEntry], wanted: str | None) -> int | None:
    """The page (newest first) that holds posting ``wanted``: links to a reversed or corrected
    posting land where it is listed."""
    if not wanted or not wanted.isdigit():
        return None
    found = entries.filter(pk=int(wanted)).values_list("posted_on", flat=True).first()
    if found is None:
        return None
    newer = entries.filter(Q(posted_on__gt=found) | Q(posted_on=found, pk__gt=int(wanted))).count()
    return newer // ENTRIES_PER_PAGE + 1


@requires("ledger", CREATE)
@login_required
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Post by hand on a grant: a commitment, a planned cost, an actual cost or income."""
    require(request, CREATE, "ledger")
    grant = get_scoped_or_404(request.user, RETRIEVE, "grant", grants_for(request, RETRIEVE), pk=pk)
    open_commitments = LedgerEntry.objects.filter(
        grant=grant, balance__in=LedgerEntry.OPEN_COMMITMENTS, reversals__isnull=True
    ).exclude(kind=LedgerEntry.Kind.REVERSAL)
    form = EntryForm(request.POST or None, open_commitments=open_commitments, initial=today_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            if data["kind"] == "income":
                record_income(grant, data["amount"], data["posted_on"], user, text=data["text"])  # type: ignore[arg-type]
            elif data["kind"] == "actual":
                post_actual(
                    grant,
                    data["category"],
                    data["amount"],
                    data["posted_on"],
                    user,  # type: ignore[arg-type]
                    text=data["text"],
                    releases=data.get("releases"),
                )
            else:
                commit(
                    grant,
                    data["category"],
                    data["amount"],
                    data["posted_on"],
                    user,  # type: ignore[arg-type]
                    planned=data["kind"] == "planned",
                    text=data["text"],
                )
        except FundingError as error:
            error.show_on(form)
        else:
            messages.success(request, _("Posteringen er gemt."))
            return redirect("funding:grant_detail", pk=grant.pk)
    return render(request, "funding/entry_form.html", {"form": form, "grant": grant})


def _entry(request: HttpRequest, pk: int) -> LedgerEntry:
    return get_scoped_or_404(
        request.user, CREATE, "ledger", LedgerEntry.objects.select_related("grant__pool", "grant__facility"), pk=pk
    )


@requires("ledger", CREATE)
@login_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Reverse an entry (post its opposite); the entry itself is never changed."""
    entry = _entry(request, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reverse_entry(entry, request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
        except FundingError as error:
            error.show_on(form)
        else:
            messages.success(request, _("Posteringen er tilbageført."))
            return redirect("funding:grant_detail", pk=entry.grant_id)
    return render(request, "funding/entry_action.html", {"form": form, "entry": entry, "action": "reverse"})


@requires("ledger", CREATE)
@login_required
def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an entry's amount: a reversal plus a new entry with the right amount."""
    entry = _entry(request, pk)
    form = CorrectForm(request.POST or None, initial={"new_amount": entry.amount})
    if request.method == "POST" and form.is_valid():
        try:
            correct_entry(entry, form.cleaned_data["new_amount"], request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
        except FundingError as error:
            form.add_error("new_amount", error.message)  # each refusal is about the amount
        else:
            messages.success(request, _("Posteringen er korrigeret."))
            return redirect("funding:grant_detail", pk=entry.grant_id)
    return render(request, "funding/entry_action.html", {"form": form, "entry": entry, "action": "correct"})
