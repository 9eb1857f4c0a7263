"""The requirements list, one requirement across facilities, and the create/edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from styrbord.accounts.permissions import CREATE, LIST, RETRIEVE, UPDATE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.services import log_action, snapshot
from styrbord.lib import charts
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility
from styrbord.requirements.coverage import coverage_for, forecast, history, requirements_for
from styrbord.requirements.forms import CoverageFilterForm, RequirementForm
from styrbord.requirements.models import Requirement
from styrbord.requirements.planned import planned_completions


def _visible(user: Any) -> QuerySet[Requirement]:
    """Requirements the user may read: their own (scope) and those applying to facilities they follow."""
    if not can(user, LIST, "requirement"):
        raise PermissionDenied
    own = scoped_for(user, LIST, "requirement", Requirement.objects.all()).values("pk")
    q = Q(pk__in=own)
    if can(user, LIST, "coverage"):
        facilities = scoped_for(user, LIST, "coverage", Facility.objects.all())
        q |= Q(pk__in=requirements_for(facilities, active_only=False).values("pk"))
    return (
        Requirement.objects.filter(q)
        .select_related("municipality", "facility", "unit", "region")
        .prefetch_related("competences")
    )


@requires("requirement", LIST)
@login_required
@require_GET
def requirement_list(request: HttpRequest) -> HttpResponse:
    """All requirements the user can see, with scope, rule, deadline and source."""
    user = request.user
    requirements = _visible(user).order_by("-is_active", "priority", collated("name"))
    editable = set(scoped_for(user, UPDATE, "requirement", Requirement.objects.all()).values_list("pk", flat=True))
    return render(
        request,
        "requirements/requirement_list.html",
        {"requirements": requirements, "editable": editable, "can_create": can(user, CREATE, "requirement")},
    )


@requires("requirement", RETRIEVE)
@login_required
@require_GET
def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One requirement: its definition and coverage at each facility the user follows."""
    user = request.user
    requirement = get_object_or_404(_visible(user), pk=pk)
    form = CoverageFilterForm(request.GET or None)
    on = form.on(local_today())
    rows: list[Any] = []
    chart = None
    if can(user, LIST, "coverage"):
        facilities = scoped_for(user, LIST, "coverage", Facility.objects.all())
        rows = coverage_for([requirement], on=on, facilities=facilities)
        if rows:
            ids = [r.facility.pk for r in rows]
            label_h, label_f = _("Historik"), _("Prognose")
            points = [{"month": p.on, "share": p.share, "series": label_h} for p in history(requirement, ids, on)]
            ahead = forecast(requirement, ids, on, planned=planned_completions(requirement, ids, on))
            points += [{"month": p.on, "share": p.share, "series": label_f} for p in ahead]
            chart = charts.chart_html(
                charts.coverage_chart(
                    points,
                    requirement.target,
                    title=_("Alle viste tilbud"),
                    history_label=label_h,
                    forecast_label=label_f,
                    target_label=_("Mål"),
                    x_title=_("Måned"),
                    y_title=_("Dækning (%)"),
                ),
                label=_("Dækning over tid"),
            )
    can_edit = scoped_for(user, UPDATE, "requirement", Requirement.objects.filter(pk=pk)).exists()
    return render(
        request,
        "requirements/requirement_detail.html",
        {
            "requirement": requirement,
            "rows": rows,
            "on": on,
            "form": form,
            "chart": chart,
            "chart_scripts": charts.chart_scripts() if chart else "",
            "can_edit": can_edit,
            "can_see_gaps": can(user, LIST, "coverage_gap"),
        },
    )


def _audit_data(requirement: Requirement) -> dict[str, Any]:
    return {"competences": sorted(c.pk for c in requirement.competences.all())}


@requires("requirement", CREATE)
@login_required
@require_http_methods(["GET", "POST"])
def requirement_create(request: HttpRequest) -> HttpResponse:
    """A coordinator records a new requirement (e.g. a påbud with its deadline)."""
    user = request.user
    if not can(user, CREATE, "requirement"):
        raise PermissionDenied
    form = RequirementForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            requirement = form.save()
            log_action(
                requirement,
                "requirements.requirement.created",
                user,
                _audit_data(requirement),
                after=snapshot(requirement),
            )
        messages.success(request, _("Kravet er oprettet."))
        return redirect("requirements:requirement_detail", pk=requirement.pk)
    return render(request, "requirements/requirement_form.html", {"form": form, "requirement": None})


@requires("requirement", UPDATE)
@login_required
@require_http_methods(["GET", "POST"])
def requirement_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a requirement of the user's own municipality or facilities."""
    user = request.user
    if not can(user, UPDATE, "requirement"):
        raise PermissionDenied
    requirement = get_scoped_or_404(user, UPDATE, "requirement", Requirement.objects.all(), pk=pk)
    before, before_data = snapshot(requirement), _audit_data(requirement)
    form = RequirementForm(request.POST or None, instance=requirement, user=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            requirement = form.save()
            log_action(
                requirement,
                "requirements.requirement.updated",
                user,
                {"before": before_data, "after": _audit_data(requirement)},
                before=before,
                after=snapshot(requirement),
            )
        messages.success(request, _("Kravet er gemt."))
        return redirect("requirements:requirement_detail", pk=requirement.pk)
    return render(request, "requirements/requirement_form.html", {"form": form, "requirement": requirement})
