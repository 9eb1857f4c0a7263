"""The aggregate coverage page (/krav/samlet/) and its XLSX: a target across municipalities, no names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import EXPORT, LIST, can, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.accounts.suppression import HIDDEN, reference_date
from styrbord.lib import charts
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility, Municipality
from styrbord.requirements.aggregate import (
    AggregateCoverage,
    AggregateRow,
    aggregate_coverage,
    aggregate_requirements,
    aggregate_trend,
    trend_points,
)
from styrbord.requirements.coverage import SHARE_PLACES
from styrbord.requirements.forms import AggregateFilterForm
from styrbord.requirements.models import Requirement
from styrbord.requirements.views import trend_chart
from styrbord.web.downloads import attachment
from styrbord.workforce.services import suppresses

OBJECT_TYPE = "coverage_aggregate"


@dataclass
class Selection:
    """What the filters chose, within the user's scope (``requirement`` None: nothing to show).

    ``suppress``: the user sees aggregates only (small cells hidden, month ends only). ``on`` is the
    day the figures describe: the chosen day, or for such users the month end it is read as
    (``reference_date``)."""

    form: AggregateFilterForm
    facilities: QuerySet[Facility]
    suppress: bool
    requirement: Requirement | None = None
    municipality: Municipality | None = None
    on: dt.date | None = None


def _query(coverage: AggregateCoverage, municipality: Municipality | None) -> str:
    """What the page shows as a query string, the default requirement included (for the trend and XLSX)."""
    values = {"krav": coverage.requirement.pk, "dato": coverage.on.isoformat()}
    if municipality is not None:
        values["kommune"] = municipality.pk
    return urlencode(values)


def _select(request: HttpRequest, action: str) -> Selection:
    user = request.user
    if not can(user, action, OBJECT_TYPE):
        raise PermissionDenied
    facilities = scoped_for(user, LIST, OBJECT_TYPE, Facility.objects.all())
    requirements = aggregate_requirements(facilities)
    municipalities = Municipality.objects.filter(pk__in=facilities.values("municipality_id")).order_by(collated("name"))
    form = AggregateFilterForm(request.GET or None, requirements=requirements, municipalities=municipalities)
    # The one decision whether the user sees aggregates only: it hides small cells and fixes the date.
    selection = Selection(form, facilities, suppress=suppresses(user))
    if form.is_bound and not form.is_valid():
        return selection
    selection.requirement = form.value("krav") or requirements.first()
    selection.municipality = form.value("kommune")
    selection.on = reference_date(form.value("dato", local_today()), selection.suppress)
    return selection


def _build(request: HttpRequest, action: str) -> tuple[Selection, AggregateCoverage | None]:
    selection = _select(request, action)
    if selection.requirement is None or selection.on is None:
        return selection, None
    coverage = aggregate_coverage(
        selection.requirement,
        selection.facilities,
        selection.on,
        municipality=selection.municipality,
        suppress=selection.suppress,
    )
    return selection, coverage


@requires(OBJECT_TYPE, LIST)
@login_required
@require_GET
def aggregate(request: HttpRequest) -> HttpResponse:
    """One requirement across the user's region (or the country): by municipality, or by facility within one."""
    selection, coverage = _build(request, LIST)
    form = selection.form
    context: dict[str, Any] = {"form": form, "coverage": coverage, "hidden_text": HIDDEN}
    if coverage is not None:
        context.update(
            chart_scripts=charts.chart_scripts(),
            can_export=can(request.user, EXPORT, OBJECT_TYPE),
            query=_query(coverage, selection.municipality),
        )
    return render(request, "requirements/aggregate.html", context, status=400 if form.errors else 200)


@requires(OBJECT_TYPE, LIST)
@login_required
@require_GET
def aggregate_trend_chart(request: HttpRequest) -> HttpResponse:
    """The page's history and forecast chart, fetched by the page once its table is shown (HTMX)."""
    selection = _select(request, LIST)
    requirement, on = selection.requirement, selection.on
    if requirement is None or on is None:
        return HttpResponse(status=400 if selection.form.errors else 404)
    past, ahead = aggregate_trend(
        requirement, selection.facilities, on, municipality=selection.municipality, suppress=selection.suppress
    )
    return HttpResponse(trend_chart(requirement, past, ahead))


@requires(OBJECT_TYPE, EXPORT)
@login_required
@require_GET
def aggregate_export(request: HttpRequest) -> HttpResponse:
    """The page's table as XLSX: the same rows, hidden ones as "..", and the chart's months (a month
    with fewer than five people in scope, or nobody, has no share)."""
    selection, coverage = _build(request, EXPORT)
    if coverage is None:
        return HttpResponse(status=400 if selection.form.errors else 404)
    requirement = coverage.requirement
    place = _("Kommune") if coverage.level == "municipality" else pgettext("one facility", "Tilbud")

    # The target with the shares' one decimal (75,0 beside 63,6, not 75,00); the status in the page's words.
    target = requirement.target.quantize(SHARE_PLACES)

    # Under a within-M-months-of-hire rule, those not yet due have a column: the share is without them.
    not_yet_due = bool(requirement.hire_months)

    def line(label: str, row: AggregateRow) -> list[Any]:
        pending = [row.not_yet_due_shown] if not_yet_due else []
        return [label, row.people_shown, *pending, row.share_shown, target, row.status_label]

    rows = [line(r.label, r) for r in coverage.rows]
    rows.append(line(_("I alt"), coverage.total))
    headers = [
        place,
        _("Personer i målgruppen"),
        *([_("Heraf endnu ikke forfaldne")] if not_yet_due else []),
        _("Andel, der opfylder (%)"),
        _("Mål (%)"),
        _("Status"),
    ]
    info: list[list[Any]] = [
        [_("Krav"), f"{requirement.name} · {requirement.scope_text()}"],
        [_("Regel"), requirement.rule_text()],
        [_("Dato"), coverage.on],
    ]
    if not_yet_due:
        info.append(
            [
                _("Andel"),
                _(
                    "Nyansatte uden kompetencen, hvis frist efter ansættelsen ikke er nået, tæller ikke med i "
                    "andelen; de vises for sig som endnu ikke forfaldne."
                ),
            ]
        )
    if coverage.suppressed:
        info.append(
            [
                _("Opgørelse"),
                _(
                    "Samlede tal opgøres pr. månedens udgang – den seneste månedsafslutning på eller før den valgte dato."
                ),
            ]
        )
        info.append(
            [
                _("Bemærk"),
                _(
                    "Skjulte tal vises som »..«: tal for færre end fem personer, en andel, når færre end fem "
                    "opfylder eller mangler kravet, og de tal, der ellers ville lade de skjulte regne ud af totalerne."
                ),
            ]
        )
    past, ahead = aggregate_trend(
        requirement,
        selection.facilities,
        coverage.on,
        municipality=selection.municipality,
        suppress=coverage.suppressed,
    )
    points = trend_points(past, ahead, _("Historik"), _("Prognose"))
    trend = [[p["month"], p["series"], p["share"] if p["share"] is not None else "–"] for p in points]
    content = write_xlsx(
        [
            Sheet(
                _("Dækning"),
                headers,
                rows,
                column_widths=[34, 22, *([22] if not_yet_due else []), 24, 10, 18],
            ),
            Sheet(
                _("Udvikling og prognose"),
                [_("Måned"), _("Serie"), _("Dækning (%)")],
                trend,
                column_widths=[14, 14, 14],
            ),
            Sheet(_("Om tallene"), ["", ""], info, column_widths=[14, 80]),
        ]
    )
    return attachment(content, f"daekning-{requirement.pk}-{coverage.on:%Y-%m-%d}.xlsx")
