"""The reports page: choose a document, preview it, order files made in the background, download.

Thin views over ``reports.services``; permission: policy "report" (who may use the page), the
document type's roles, the user's scope (an object outside it answers 404), and for files the
rule that only the person who ordered a job (or an administrator) may download it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from styrbord.accounts.permissions import (
    CREATE,
    EXPORT,
    LIST,
    RETRIEVE,
    UPDATE,
    can,
    is_administrator,
    scope,
    scoped_for,
)
from styrbord.accounts.uploads import UploadRejectedError, check_upload
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_action
from styrbord.funding.models import Pool
from styrbord.lib.collation import collated
from styrbord.organisations.models import Municipality
from styrbord.reports import services, templating
from styrbord.reports.doctypes.base import ReportError, all_types, get_type
from styrbord.reports.documents.default_template import DEFAULT_TEMPLATE_PATH
from styrbord.reports.documents.html import render_html_fragment
from styrbord.reports.forms import DownloadForm, ReportForm, TemplateUploadForm
from styrbord.reports.models import DocumentTemplate, OutputFormat, ReportJob

RECENT_JOBS = 20


def _require(request: HttpRequest, action: str, object_type: str = "report") -> None:
    if not can(request.user, action, object_type):
        raise PermissionDenied


@require_GET
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Choose a document type, scope and period; the user's recent jobs below."""
    _require(request, LIST)
    form = ReportForm(request.GET or None, user=request.user)  # type: ignore[arg-type]
    jobs = list(services.jobs_for(request.user).select_related("created_by")[:RECENT_JOBS])
    names = {t.key: str(t.name) for t in all_types()}
    for job in jobs:
        job.title = names.get(job.document_type, job.document_type)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "form": form,
        "types": form.types,
        "jobs": jobs,
        "can_manage_templates": can(request.user, LIST, "report_template"),
        # An administrator sees everyone's jobs, so the list says who ordered each.
        "show_requester": is_administrator(request.user),
        # The report to a grantor on its pool (status and accounts) is made from the pool's own
        # figures, on the pool page; listed here too, as it is a report like the others. Not for a
        # municipal budget pool: the municipality's own money has no grantor to report to.
        "package_pools": list(
            scoped_for(
                request.user,
                EXPORT,
                "pool",
                Pool.objects.exclude(kind=Pool.Kind.MUNICIPAL_BUDGET).select_related("grantor"),
            ).order_by("-period_end", collated("name"))
        )
        if can(request.user, EXPORT, "pool")
        else [],
    }
    return render(request, "reports/report_list.html", context)


@require_GET
@login_required
def report_preview(request: HttpRequest) -> HttpResponse:
    """The document as HTML in the page, built from live data, with buttons to order files."""
    _require(request, CREATE)
    form = ReportForm(request.GET, user=request.user)  # type: ignore[arg-type]
    if not form.is_valid():
        return render(request, "reports/report_list.html", {"form": form, "types": form.types, "jobs": []}, status=400)
    data = form.cleaned_data
    try:
        report = services.make_request(
            data["document_type"], data["scope"], data["period"], form.options(), request.user
        )
        item = services.build_document(report)
    except ReportError as error:
        form.add_error(None, str(error))
        return render(request, "reports/report_list.html", {"form": form, "types": form.types, "jobs": []}, status=400)
    context = {
        "form": form,
        "document": render_html_fragment(item),
        "item": item,
        "doc_type": get_type(report.document_type),
        "report": report,
        "formats": OutputFormat.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/report_preview.html", context)


@require_POST
@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    """Order a file (DOCX, PDF or XLSX); it is made in the background."""
    _require(request, CREATE)
    form = ReportForm(request.POST, user=request.user)  # type: ignore[arg-type]
    fmt = DownloadForm(request.POST)
    if not form.is_valid() or not fmt.is_valid():
        messages.error(request, _("Vælg dokument, omfang, periode og format."))
        return redirect("reports:report_list")
    data = form.cleaned_data
    try:
        job = services.create_job(
            request.user,  # type: ignore[arg-type]
            data["document_type"],
            fmt.cleaned_data["output_format"],
            data["scope"],
            data["period"],
            form.options(),
        )
    except ReportError as error:
        messages.error(request, str(error))
        return redirect("reports:report_list")
    return redirect("reports:job_detail", pk=job.pk)


def _job_or_404(request: HttpRequest, pk: int) -> ReportJob:
    # Only the person who ordered the job (or an administrator) sees it: anyone else gets 404.
    return get_object_or_404(services.jobs_for(request.user).select_related("created_by"), pk=pk)


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress (polled with HTMX until it finishes) and its download link."""
    _require(request, RETRIEVE)
    job = _job_or_404(request, pk)
    return render(request, "reports/job_detail.html", {"job": job, "doc_type": _type_name(job)})


@require_GET
@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment the job page polls."""
    _require(request, RETRIEVE)
    job = _job_or_404(request, pk)
    return render(request, "reports/_job_status.html", {"job": job})


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The finished file, streamed from storage."""
    _require(request, RETRIEVE)
    job = _job_or_404(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    log_action(job, "reports.job.downloaded", request.user, {"format": job.output_format}, kind=AuditEntry.Kind.EXPORT)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename or str(job.file.name),
        content_type=job.content_type,
    )


def _type_name(job: ReportJob) -> str:
    try:
        return str(get_type(job.document_type).name)
    except ReportError:
        return job.document_type


def _template_municipalities(request: HttpRequest) -> Any:
    user = request.user
    if is_administrator(user):
        return Municipality.objects.all()
    return scope(user, Municipality.objects.all())


@require_http_methods(["GET", "POST"])
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """A municipality's Word templates, and the upload of a new one."""
    _require(request, LIST, "report_template")
    municipalities = _template_municipalities(request)
    form = TemplateUploadForm(municipalities=municipalities)
    if request.method == "POST":
        _require(request, CREATE, "report_template")
        form = TemplateUploadForm(request.POST, request.FILES, municipalities=municipalities)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_upload(upload, allow_zip=True)
                data = templating.read_upload(upload)
                template = templating.upload_template(
                    request.user,  # type: ignore[arg-type]
                    form.chosen_municipality,
                    form.cleaned_data["document_type"] or "",
                    form.cleaned_data["name"],
                    upload.name,
                    data,
                )
            except UploadRejectedError as error:
                form.add_error("file", error)
            except ReportError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _("Skabelonen %(name)s er gemt og bruges nu.") % {"name": template.name})
                return redirect("reports:template_list")
    templates = (
        DocumentTemplate.objects.filter(municipality__in=municipalities)
        .select_related("municipality", "uploaded_by")
        .order_by("-active", "-uploaded_at")
    )
    type_names = {t.key: str(t.name) for t in all_types()}
    return render(
        request,
        "reports/template_list.html",
        {"form": form, "templates": templates, "type_names": type_names},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def template_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop using a template."""
    _require(request, UPDATE, "report_template")
    template = get_object_or_404(
        DocumentTemplate.objects.filter(municipality__in=_template_municipalities(request)), pk=pk
    )
    templating.deactivate_template(request.user, template)  # type: ignore[arg-type]
    messages.success(request, _("Skabelonen %(name)s bruges ikke længere.") % {"name": template.name})
    return redirect(reverse("reports:template_list"))


@require_GET
@login_required
def default_template(request: HttpRequest) -> FileResponse:
    """Styrbord's default Word template, as a starting point for a municipality's own."""
    _require(request, LIST, "report_template")
    return FileResponse(
        DEFAULT_TEMPLATE_PATH.open("rb"),
        as_attachment=True,
        filename="styrbord-skabelon.docx",
        content_type=OutputFormat.DOCX.content_type,
    )
