"""Pools: the overview of pools and grants, one pool, creating a pool, and a municipality's funding."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
from styrbord.accounts.route_policy import requires
from styrbord.funding.forms import BaseDeadlineFormSet, DeadlineEditFormSet, DeadlineFormSet, PoolEditForm, PoolForm
from styrbord.funding.models import Pool, ReportingDeadline
from styrbord.funding.services import FundingError
from styrbord.funding.services.balances import Balances
from styrbord.funding.services.setup import create_pool, mark_deadline_done, pool_state, update_pool
from styrbord.funding.services.warnings import deadline_warnings, sort_warnings
from styrbord.funding.views.common import appropriations_for, grant_rows, grants_for, pools_for, require
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Municipality


def _own_municipalities(request: HttpRequest):  # type: ignore[no-untyped-def]
    return scoped_for(request.user, RETRIEVE, "municipality", Municipality.objects.all())


@requires("pool", LIST)
@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    """Every pool in the user's scope with its grants, balances and warning badges."""
    require(request, LIST, "pool")
    today = local_today()
    pools = list(pools_for(request).order_by("-period_start", collated("name")))
    grants = list(grants_for(request).filter(pool__in=pools).order_by("pool_id", collated("facility__name"), "pk"))
    rows = grant_rows(grants, today, request.user)
    by_pool = defaultdict(list)
    for row in rows:
        by_pool[row.grant.pool_id].append(row)
    deadlines = defaultdict(list)
    for warning in deadline_warnings(pools, today):
        deadlines[warning.obj.pool_id].append(warning)
    overview = []
    totals = Balances()
    for pool in pools:
        pool_total = Balances()
        for row in by_pool[pool.pk]:
            pool_total = pool_total + row.balances
        totals = totals + pool_total
        warnings = sort_warnings(deadlines[pool.pk] + [w for row in by_pool[pool.pk] for w in row.warnings])
        overview.append({"pool": pool, "rows": by_pool[pool.pk], "balances": pool_total, "warnings": warnings})
    # What the create pages need (see pool_create and appropriation_create): a pool is saved for a
    # municipality in the user's scope (an administrator picks any), an appropriation for the user's
    # one municipality. A regional coordinator has none, so neither is offered.
    creates_for = list(_own_municipalities(request)[:2])
    municipalities = creates_for if can(request.user, RETRIEVE, "municipality") else []
    return render(
        request,
        "funding/pool_list.html",
        {
            "overview": overview,
            "totals": totals,
            "pool_total": sum((p.total for p in pools), Decimal("0")),
            "can_create_pool": can(request.user, CREATE, "pool")
            and (is_administrator(request.user) or bool(creates_for)),
            "can_create_appropriation": can(request.user, CREATE, "appropriation") and len(creates_for) == 1,
            "own_municipality": municipalities[0] if len(municipalities) == 1 else None,
            "today": today,
        },
    )


@requires("pool", RETRIEVE)
@login_required
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pool: its rules and duties, its grants (those in scope), deadlines and appropriations."""
    pool = get_scoped_or_404(request.user, RETRIEVE, "pool", pools_for(request, RETRIEVE), pk=pk)
    today = local_today()
    rows = grant_rows(
        list(grants_for(request).filter(pool=pool).order_by(collated("facility__name"), "pk")), today, request.user
    )
    totals = Balances()
    for row in rows:
        totals = totals + row.balances
    warnings = sort_warnings(deadline_warnings([pool], today) + [w for row in rows for w in row.warnings])
    return render(
        request,
        "funding/pool_detail.html",
        {
            "pool": pool,
            "rows": rows,
            "totals": totals,
            "granted": sum((r.grant.amount for r in rows), Decimal("0")),
            "warnings": warnings,
            "deadlines": pool.deadlines.all(),
            "appropriations": appropriations_for(request).filter(pool=pool),
            "can_export": can(request.user, "export", "pool"),
            "can_update": can(request.user, UPDATE, "pool"),
            "can_create_grant": can(request.user, CREATE, "grant"),
            "today": today,
        },
    )


@requires("pool", CREATE)
@login_required
def pool_create(request: HttpRequest) -> HttpResponse:
    """A finance officer registers a pool (with its reporting deadlines)."""
    require(request, CREATE, "pool")
    municipalities = _own_municipalities(request)
    form = PoolForm(
        request.POST or None, municipalities=municipalities, require_municipality=not is_administrator(request.user)
    )
    deadlines = DeadlineFormSet(request.POST or None, prefix="deadline")
    if request.method == "POST" and _pool_and_deadlines_valid(form, deadlines):
        pool = form.save(commit=False)
        rows = [
            ReportingDeadline(kind=d["kind"], due_date=d["due_date"])
            for d in deadlines.cleaned_data
            if d and d.get("due_date")
        ]
        try:
            with transaction.atomic():
                create_pool(pool, request.user, rows)  # type: ignore[arg-type]
                if not scoped_for(request.user, RETRIEVE, "pool", Pool.objects.filter(pk=pool.pk)).exists():
                    # It would be saved where its creator cannot find it again: undone, as the API does.
                    raise FundingError(_("Puljen ville ligge uden for det, du har adgang til: vælg din kommune."))
        except FundingError as error:
            pool.pk = None
            error.show_on(form)
        else:
            messages.success(request, _("Puljen er oprettet."))
            return redirect("funding:pool_detail", pk=pool.pk)
    return render(request, "funding/pool_form.html", {"form": form, "deadlines": deadlines})


@requires("pool", UPDATE)
@login_required
def pool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a pool after it is registered: its name, case number, total, purpose and conditions,
    and its open reporting deadlines (a new date from the grantor, one more report, one dropped).

    Refused with the stored values shown again if someone changed the pool after this page was
    opened. Deadlines marked as sent are shown, not changed."""
    require(request, UPDATE, "pool")
    scope = pools_for(request, UPDATE)
    if request.method != "POST":
        pool = get_scoped_or_404(request.user, UPDATE, "pool", scope, pk=pk)
        stored_name = pool.name
        form = PoolEditForm(instance=pool)
        deadlines = DeadlineEditFormSet(queryset=_open_deadlines(pool), prefix="deadline")
    else:
        with transaction.atomic():  # locked from the check against the digest until saved
            get_scoped_or_404(request.user, UPDATE, "pool", scope, pk=pk)  # in the user's scope, else 404
            # Then locked by its key alone: a scope's query may be DISTINCT, which PostgreSQL does not lock.
            pool = Pool.objects.select_for_update().get(pk=pk)
            before = pool_state(pool)
            stored_name = pool.name  # the page's title: validation writes the posted one onto it
            form = PoolEditForm(request.POST, instance=pool)
            deadlines = DeadlineEditFormSet(request.POST, queryset=_open_deadlines(pool), prefix="deadline")
            valid = form.is_valid()
            valid = deadlines.is_valid() and valid
            if valid and form.changed_since_opened():
                messages.error(
                    request,
                    _(
                        "Puljen er ændret af en anden, siden du åbnede siden. Intet er gemt. "
                        "Formularen viser nu de gemte oplysninger; ret dem igen."
                    ),
                )
                return redirect("funding:pool_edit", pk=pk)
            if valid and deadlines.check_period(pool.period_start, pool.period_end):
                try:
                    update_pool(
                        form.save(commit=False),
                        request.user,  # type: ignore[arg-type]
                        before=before,
                        deadlines=deadlines.save(commit=False),  # the new and the changed
                        removed=deadlines.deleted_objects,
                    )
                except FundingError as error:
                    error.show_on(form)
                else:
                    messages.success(request, _("Puljen %(name)s er gemt.") % {"name": pool.name})
                    return redirect("funding:pool_detail", pk=pk)
    return render(
        request,
        "funding/pool_edit.html",
        {
            "pool": pool,
            "stored_name": stored_name,
            "form": form,
            "deadlines": deadlines,
            "sent": pool.deadlines.filter(done_on__isnull=False),
        },
    )


def _open_deadlines(pool: Pool):  # type: ignore[no-untyped-def]
    return pool.deadlines.filter(done_on__isnull=True).order_by("due_date", "pk")


def _pool_and_deadlines_valid(form: PoolForm, deadlines: BaseDeadlineFormSet) -> bool:
    """Both forms checked, and the deadlines against the period, so every error shows at once."""
    valid = form.is_valid()
    valid = deadlines.is_valid() and valid
    period = form.cleaned_data.get("period_start"), form.cleaned_data.get("period_end")
    return deadlines.check_period(*period) and valid


@requires("pool", UPDATE)
@login_required
@require_POST
def deadline_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a status report or grant accounts as sent."""
    deadline = get_scoped_or_404(request.user, UPDATE, "pool", ReportingDeadline.objects.select_related("pool"), pk=pk)
    mark_deadline_done(deadline, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Fristen er markeret som indsendt."))
    return redirect("funding:pool_detail", pk=deadline.pool_id)


@requires("grant", LIST)
@login_required
def municipality_overview(request: HttpRequest, code: str) -> HttpResponse:
    """All pools, grants and appropriations of one municipality."""
    require(request, LIST, "grant")
    municipality = get_scoped_or_404(request.user, RETRIEVE, "municipality", Municipality.objects.all(), code=code)
    today = local_today()
    grants = list(
        grants_for(request)
        .filter(Q(municipality=municipality) | Q(facility__municipality=municipality))
        .order_by(collated("pool__name"), collated("facility__name"), "pk")
    )
    rows = grant_rows(grants, today, request.user)
    totals = Balances()
    for row in rows:
        totals = totals + row.balances
    appropriations = list(appropriations_for(request).filter(municipality=municipality).prefetch_related("lines"))
    return render(
        request,
        "funding/municipality_overview.html",
        {
            "municipality": municipality,
            "pools": pools_for(request).filter(municipality=municipality),
            "rows": rows,
            "totals": totals,
            "granted": sum((r.grant.amount for r in rows), Decimal("0")),
            "appropriations": [
                (a, a.totals_by_year(list(a.lines.all())), not a.neutrality_errors(list(a.lines.all())))
                for a in appropriations
            ],
            "today": today,
        },
    )
