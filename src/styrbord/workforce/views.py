"""The workforce page (personale/) and its XLSX export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import EXPORT, LIST, can
from styrbord.accounts.route_policy import may_open, requires
from styrbord.lib import charts
from styrbord.lib.dates import local_today
from styrbord.lib.spreadsheets import write_xlsx
from styrbord.web.downloads import attachment
from styrbord.workforce.forms import FilterForm
from styrbord.workforce.services import OBJECT_TYPE, build_page, default_years, export_sheets


def _form(request: HttpRequest) -> FilterForm:
    return FilterForm(request.GET, user=request.user, today=local_today())


@requires(OBJECT_TYPE, LIST)
@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Headcount, FTE, age, part-time, education, specialisation, learners, imported statistics, postings."""
    if not can(request.user, LIST, OBJECT_TYPE):
        raise PermissionDenied
    form = _form(request)
    context: dict[str, object] = {"form": form, "default_years": default_years(local_today())}
    if form.is_valid():
        page = build_page(request.user, form.selection(), local_today())
        context.update(
            page=page,
            can_export=can(request.user, EXPORT, OBJECT_TYPE),
            # The share with a relevant education is only as good as the marks: say where to set them.
            can_edit_education=may_open(request.user, "staff:education_list"),
            chart_scripts=charts.chart_scripts(),
            query=request.GET.urlencode(),
        )
    return render(request, "workforce/overview.html", context, status=200 if form.is_valid() else 400)


@requires(OBJECT_TYPE, EXPORT)
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The page's tables as an XLSX workbook (the same cells, hidden ones as "..")."""
    if not can(request.user, EXPORT, OBJECT_TYPE):
        raise PermissionDenied
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(status=400)
    page = build_page(request.user, form.selection(), local_today())
    data = write_xlsx(export_sheets(page))
    return attachment(data, "personalenoegletal.xlsx")
