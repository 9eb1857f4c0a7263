"""The supervisory evidence sheet: preview in the browser, download as XLSX or PDF.

The preview reads in the user's language; the files go to the Socialtilsyn and are Danish
whatever language the site is read in (as committee documents are)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from styrbord.accounts.permissions import EXPORT, RETRIEVE, can, get_scoped_or_404
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import in_record_language
from styrbord.organisations.models import Facility
from styrbord.requirements.evidence import EvidenceSheet, build_sheet, sheet_pdf, sheet_xlsx
from styrbord.requirements.forms import CoverageFilterForm
from styrbord.web.downloads import attachment


def _sheet(request: HttpRequest, facility_id: int, action: str) -> EvidenceSheet:
    user = request.user
    if not can(user, action, "evidence_sheet"):
        raise PermissionDenied
    facility = get_scoped_or_404(
        user, action, "evidence_sheet", Facility.objects.select_related("municipality"), pk=facility_id
    )
    on = CoverageFilterForm(request.GET or None).on(local_today())
    return build_sheet(facility, on)


def _log(request: HttpRequest, sheet: EvidenceSheet, action: str, kind: str = AuditEntry.Kind.ACCESS) -> None:
    log_access(
        request.user,
        action,
        [s.employee.pk for s in sheet.staff],
        {"facility": sheet.facility.pk, "on": sheet.on},
        kind=kind,
    )


@requires("evidence_sheet", RETRIEVE)
@login_required
@require_GET
def evidence_sheet(request: HttpRequest, facility_id: int) -> HttpResponse:
    """The sheet on screen, with download links."""
    sheet = _sheet(request, facility_id, RETRIEVE)
    _log(request, sheet, "requirements.evidence_sheet.viewed")
    return render(
        request,
        "requirements/evidence_sheet.html",
        {
            "sheet": sheet,
            "form": CoverageFilterForm(request.GET or None),
            "can_export": can(request.user, EXPORT, "evidence_sheet"),
        },
    )


def _download(content: bytes, sheet: EvidenceSheet, extension: str) -> HttpResponse:
    return attachment(content, f"kompetenceoversigt-{sheet.facility.pk}-{sheet.on:%Y-%m-%d}.{extension}")


@requires("evidence_sheet", EXPORT)
@login_required
@require_GET
def evidence_xlsx(request: HttpRequest, facility_id: int) -> HttpResponse:
    with in_record_language():
        sheet = _sheet(request, facility_id, EXPORT)
        content = sheet_xlsx(sheet)
    _log(request, sheet, "requirements.evidence_sheet.exported", AuditEntry.Kind.EXPORT)
    return _download(content, sheet, "xlsx")


@requires("evidence_sheet", EXPORT)
@login_required
@require_GET
def evidence_pdf(request: HttpRequest, facility_id: int) -> HttpResponse:
    with in_record_language():
        sheet = _sheet(request, facility_id, EXPORT)
        content = sheet_pdf(sheet)
    _log(request, sheet, "requirements.evidence_sheet.exported", AuditEntry.Kind.EXPORT)
    return _download(content, sheet, "pdf")
