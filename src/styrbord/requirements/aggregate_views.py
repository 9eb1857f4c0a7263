"""The aggregate coverage page (/krav/samlet/) and its XLSX: a target across municipalities, no names."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import EXPORT, LIST, can, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.lib import charts
from styrbord.lib.dates import local_today
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility, Municipality
from styrbord.requirements.aggregate import AggregateCoverage, aggregate_coverage, aggregate_requirements, trend_points
from styrbord.requirements.forms import AggregateFilterForm
from styrbord.web.downloads import attachment
from styrbord.workforce.services import suppresses

OBJECT_TYPE = "coverage_aggregate"
HIDDEN = "<5"


def _build(request: HttpRequest, action: str) -> tuple[AggregateFilterForm, AggregateCoverage | None]:
    user = request.user
    if not can(user, action, OBJECT_TYPE):
        raise PermissionDenied
    facilities = scoped_for(user, LIST, OBJECT_TYPE, Facility.objects.all())
    requirements = aggregate_requirements(facilities)
    municipalities = Municipality.objects.filter(pk__in=facilities.values("municipality_id")).order_by("name")
    form = AggregateFilterForm(request.GET or None, requirements=requirements, municipalities=municipalities)
    if form.is_bound and not form.is_valid():
        return form, None
    requirement = form.value("krav") or requirements.first()
    if requirement is None:
        return form, None
    coverage = aggregate_coverage(
        requirement,
        facilities,
        form.value("dato", local_today()),
        municipality=form.value("kommune"),
        suppress=suppresses(user),
        with_trend=action == LIST,
    )
    return form, coverage


@requires(OBJECT_TYPE, LIST)
@login_required
@require_GET
def aggregate(request: HttpRequest) -> HttpResponse:
    """One requirement across the user's region (or the country): by municipality, or by facility within one."""
    form, coverage = _build(request, LIST)
    context: dict[str, Any] = {"form": form, "coverage": coverage, "hidden_text": HIDDEN}
    if coverage is not None:
        history_label, forecast_label = _("Historik"), _("Prognose")
        chart = charts.coverage_chart(
            trend_points(coverage, history_label, forecast_label),
            coverage.requirement.target,
            title=coverage.requirement.name,
            history_label=history_label,
            forecast_label=forecast_label,
            target_label=_("Mål"),
            x_title=_("Måned"),
            y_title=_("Dækning (%)"),
        )
        context.update(
            chart=charts.chart_html(
                chart, label=_("Dækning over tid for %(name)s") % {"name": coverage.requirement.name}
            ),
            chart_scripts=charts.chart_scripts(),
            can_export=can(request.user, EXPORT, OBJECT_TYPE),
            query=request.GET.urlencode(),
        )
    return render(request, "requirements/aggregate.html", context, status=400 if form.errors else 200)


@requires(OBJECT_TYPE, EXPORT)
@login_required
@require_GET
def aggregate_export(request: HttpRequest) -> HttpResponse:
    """The page's table as XLSX: the same rows, hidden ones as "<5"."""
    form, coverage = _build(request, EXPORT)
    if coverage is None:
        return HttpResponse(status=400 if form.errors else 404)
    requirement = coverage.requirement
    place = _("Kommune") if coverage.level == "municipality" else pgettext("one facility", "Tilbud")

    def line(label: str, row: Any) -> list[Any]:
        if row.hidden:
            return [label, HIDDEN, HIDDEN, requirement.target, row.status_label]
        return [label, row.in_scope, row.share, requirement.target, row.status_label]

    rows = [line(r.label, r) for r in coverage.rows]
    rows.append(line(_("I alt"), coverage.total))
    headers = [place, _("Personer i målgruppen"), _("Andel, der opfylder (%)"), _("Mål (%)"), _("Status")]
    info: list[list[Any]] = [
        [_("Krav"), f"{requirement.name} · {requirement.scope_text()}"],
        [_("Regel"), requirement.rule_text()],
        [_("Dato"), coverage.on],
    ]
    if coverage.suppressed:
        info.append([_("Bemærk"), _("Tal for færre end fem personer vises som <5.")])
    content = write_xlsx(
        [
            Sheet(_("Dækning"), headers, rows, column_widths=[34, 22, 24, 10, 18]),
            Sheet(_("Om tallene"), ["", ""], info, column_widths=[14, 80]),
        ]
    )
    return attachment(content, f"daekning-{requirement.pk}-{coverage.on:%Y-%m-%d}.xlsx")
