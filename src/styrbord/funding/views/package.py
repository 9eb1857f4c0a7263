"""The grantor package downloads (XLSX and DOCX). Grantors get their own pools only.

The package is the municipality's report to a Danish grantor: Danish whatever language the site
is read in, as committee documents are."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import EXPORT, get_scoped_or_404
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.funding.package import build_package, package_docx, package_xlsx
from styrbord.funding.views.common import grants_for, pools_for
from styrbord.lib.formatting import in_record_language
from styrbord.web.downloads import attachment, file_name


def _package(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    pool = get_scoped_or_404(request.user, EXPORT, "pool", pools_for(request, EXPORT), pk=pk)
    if not pool.reports_to_grantor:
        # The municipality's own budget: a report "to the grantor" would read as a pool overspent
        # against budget lines it never had, from a grantor it does not have.
        messages.error(
            request,
            _(
                "%(pool)s er en kommunal budgetpulje: kommunens egne midler. Der er ingen tilskudsgiver at "
                "sende statusrapport og tilskudsregnskab til."
            )
            % {"pool": pool.name},
        )
        return redirect("funding:pool_detail", pk=pool.pk)
    with in_record_language():
        package = build_package(pool, grants_for(request, EXPORT).filter(pool=pool))
        body = package_xlsx(package) if kind == "xlsx" else package_docx(package)
    # The participant list names people: record who exported whose data.
    log_access(
        request.user,
        "funding.grantor_package.exported",
        package.employee_ids,
        {"pool": pool.pk, "format": kind},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(body, file_name(f"tilskudspakke-{pool.case_number or pool.pk}", kind))


@requires("pool", EXPORT)
@login_required
def package_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _package(request, pk, "xlsx")


@requires("pool", EXPORT)
@login_required
def package_docx_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _package(request, pk, "docx")
