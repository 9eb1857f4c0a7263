"""Competence pages: the catalogue (listed; added to by coordinators and administrators, changed by
administrators) and the certificates that lapse soon.

The catalogue is shared reference data, so the policy ("competence" CREATE/UPDATE) alone decides who
may change it; there is no municipality scope to check. A change would reach every municipality, so
the policy gives coordinators CREATE but not UPDATE (see ``requirements/policy.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import CREATE, EXPORT, LIST, UPDATE, can, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action, snapshot
from styrbord.competences.forms import CompetenceForm
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.competences.services import lapsing_holdings
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.dates import local_today
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility
from styrbord.organisations.services import current_employments
from styrbord.training.permissions import get_catalogue_or_404
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
    competences = list(
        Competence.objects.annotate(requirement_count=Count("requirements", distinct=True)).order_by(
            collated("name"), "pk"
        )
    )
    # Grouped by the category as shown (translated), in Danish order; the sort is stable, so each
    # group stays in name order.
    competences.sort(key=lambda c: sort_key(str(c.get_category_display())))
    return render(
        request,
        "competences/competence_list.html",
        {
            "competences": competences,
            "can_create": can(request.user, CREATE, "competence"),
            "can_edit": can(request.user, UPDATE, "competence"),
        },
    )


def _require(request: HttpRequest, action: str) -> None:
    """403 for a role the policy does not allow; the catalogue is shared, so there is no scope to check."""
    if not can(request.user, action, "competence"):
        raise PermissionDenied


@requires("competence", CREATE)
@login_required
def competence_create(request: HttpRequest) -> HttpResponse:
    """A new competence in the catalogue, e.g. one a course or a requirement needs."""
    _require(request, CREATE)
    return _competence_form(request, Competence())


@requires("competence", UPDATE)
@login_required
def competence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, category, description, validity and refresher rule; the code stays."""
    _require(request, UPDATE)
    competence = get_catalogue_or_404(request.user, UPDATE, "competence", Competence.objects.all(), pk=pk)
    return _competence_form(request, competence)


def _competence_form(request: HttpRequest, competence: Competence) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    before = snapshot(competence) if competence.pk else None
    form = CompetenceForm(data, instance=competence)
    if data is not None and form.is_valid():
        with transaction.atomic():
            created = competence.pk is None
            saved = form.save()
            log_action(
                saved,
                "competences.competence.created" if created else "competences.competence.updated",
                request.user,
                {"fields": sorted(form.changed_data)},
                before=before,
                after=snapshot(saved),
            )
        messages.success(request, _("Kompetencen %(name)s er gemt.") % {"name": saved.name})
        if not created and "validity_months" in form.changed_data and saved.holdings.exists():
            # Holdings store their expiry date; the competence's validity is only read for new ones.
            messages.info(
                request,
                _(
                    "Kompetencebeviser, der allerede er registreret, beholder deres udløbsdato. "
                    "Kun beviser, der registreres fremover, får den nye gyldighed – undtagen efter kurser, "
                    "der giver kompetencen med deres egen gyldighed."
                ),
            )
        return redirect("competences:competence_list")
    return render(
        request,
        "competences/competence_form.html",
        # The name as saved, for the heading (the form has put the posted one on the instance).
        {"form": form, "competence": competence if competence.pk else None, "saved_name": (before or {}).get("name")},
    )


@dataclass(frozen=True)
class ExpiringRow:
    holding: CompetenceHolding
    facilities: str
    days_left: int
    renewal: Renewal | None = None  # an open booking on a course that renews it

    @property
    def days_lapsed(self) -> int:
        """Days the person is without a valid certificate because the renewing course ends after
        it expires (0: renewed in time, or no renewal booked)."""
        return self.renewal.days_lapsed(self.holding.expires_on) if self.renewal else 0


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
    facilities = scoped_for(user, action, "coverage_gap", Facility.objects.all()).order_by(collated("name"))
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
        if facility is None:
            raise Http404  # outside the scope, as its own page: never the whole list in its place
    chosen = Facility.objects.filter(pk=facility.pk) if facility else facilities
    employments = current_employments(today).filter(facility__in=chosen)
    lapsing = (
        lapsing_holdings(employments, today, days)
        .select_related("employee", "competence")
        .order_by("expires_on", collated("employee__name"))
    )
    where: dict[int, list[str]] = {}
    for employee_id, name in employments.values_list("employee_id", "facility__name").order_by(
        collated("facility__name")
    ):
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
        _("Dage uden gyldigt bevis"),
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
            r.days_lapsed or None,
        ]
        for r in data.rows
    ]
    content = write_xlsx([Sheet(_("Udløber"), headers, rows, column_widths=[28, 32, 40, 12, 12, 12, 16, 14])])
    log_access(
        request.user,
        "competences.expiring.exported",
        sorted({r.holding.employee_id for r in data.rows}),
        {"days": data.days, "rows": len(rows)},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, f"udloeber-{data.on:%Y-%m-%d}.xlsx")
