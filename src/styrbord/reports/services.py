"""Making documents: resolve and authorise the scope, build the document, render it, and run
report jobs in the background with progress.

The same functions serve the reports page, the background task and ``styrbord report``.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import CREATE, can, is_administrator, scope
from styrbord.audit.services import log_action
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import in_record_language
from styrbord.organisations.models import Facility, Municipality, Region
from styrbord.reports.doctypes.base import (
    DocumentType,
    Period,
    Progress,
    ReportError,
    ReportRequest,
    ReportScope,
    ScopeKind,
    get_type,
    no_progress,
    option_fields,
    parse_meeting_date,
)
from styrbord.reports.documents.html import render_pdf
from styrbord.reports.documents.structure import DOCUMENT_LANGUAGE, CommitteeItem, in_document_language
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx
from styrbord.reports.models import DocumentTemplate, OutputFormat, ReportJob
from styrbord.web.downloads import DANISH

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

logger = logging.getLogger(__name__)

# Options a request may carry besides the common committee fields; anything else is dropped.
# "appropriation": the id of the pool's supplementary appropriation a release document is about.
EXTRA_OPTIONS = ("heading", "area", "strategy", "appropriation")
OPTION_MAX_LENGTH = 2000


def _scope_model(kind: ScopeKind) -> type[Model]:
    if kind == ScopeKind.REGION:
        return Region
    if kind == ScopeKind.MUNICIPALITY:
        return Municipality
    if kind == ScopeKind.FACILITY:
        return Facility
    if kind == ScopeKind.POOL:
        from styrbord.funding.models import Pool

        return Pool
    from styrbord.training.models import Initiative

    return Initiative


def scope_queryset(user: User | AnonymousUser | None, kind: ScopeKind) -> QuerySet[Any]:
    """Every object of this kind a document may be about; with a user, only those in their scope."""
    qs: QuerySet[Any] = _scope_model(kind)._default_manager.all()  # type: ignore[attr-defined]
    if kind == ScopeKind.MUNICIPALITY:
        qs = qs.select_related("region")
    if user is None:
        return qs
    if kind == ScopeKind.MUNICIPALITY and getattr(user, "role", None) == Role.FACILITY_MANAGER:
        return qs.none()  # a facility manager reports on their own facilities, not the municipality
    if kind == ScopeKind.REGION:
        # The regions of the municipalities in the user's scope: an analyst's own region (every
        # region for a national analyst). Which roles may choose a region at all, the type decides.
        return qs.filter(pk__in=scope(user, Municipality.objects.all()).values("region_id"))
    scoped = scope(user, qs)
    if kind == ScopeKind.INITIATIVE and getattr(user, "role", None) in (Role.COORDINATOR, Role.FINANCE):
        # An initiative without a municipality (a regional one) is shared with every coordinator.
        return qs.filter(Q(pk__in=scoped.values("pk")) | Q(municipality__isnull=True))
    return scoped


def _municipality_of(kind: ScopeKind, obj: Model, user: User | AnonymousUser | None = None) -> Municipality | None:
    if kind == ScopeKind.MUNICIPALITY:
        return obj  # type: ignore[return-value]
    if kind == ScopeKind.FACILITY:
        return obj.municipality  # type: ignore[attr-defined,no-any-return]
    municipality = getattr(obj, "municipality", None)
    if municipality is None and kind == ScopeKind.INITIATIVE:
        # A shared initiative (a region's, no municipality) written up by a municipality's coordinator
        # or finance officer: the paper is their municipality's, on its letterhead and template.
        return getattr(user, "municipality", None)
    if municipality is None and kind == ScopeKind.POOL:
        grant = obj.grants.select_related("facility__municipality", "municipality").first()  # type: ignore[attr-defined]
        if grant is not None:
            municipality = grant.municipality or grant.facility.municipality
    return municipality


def resolve_scope(text: str, user: User | AnonymousUser | None = None) -> ReportScope:
    """Read "pool:12", "facility:3", "municipality:0707" or "region:1082" (code or id) or "initiative:5".

    With a user, an object outside their scope is reported exactly like a missing one.
    """
    match = re.fullmatch(r"\s*(\w+)\s*:\s*(.+?)\s*", text or "")
    kinds = ", ".join(k.value for k in ScopeKind)
    if not match or match[1] not in ScopeKind._value2member_map_:
        raise ReportError(
            _("Ukendt omfang %(value)s. Skriv art:id, hvor art er en af %(kinds)s, f.eks. pool:12.")
            % {"value": text, "kinds": kinds}
        )
    kind = ScopeKind(match[1])
    key = match[2]
    qs = scope_queryset(user, kind)
    obj = None
    if kind in (ScopeKind.MUNICIPALITY, ScopeKind.REGION) and re.fullmatch(r"\d{4}", key):
        obj = qs.filter(code=key).first()
    elif key.isdigit():
        obj = qs.filter(pk=int(key)).first()
    else:
        obj = qs.filter(name=key).first()
    if obj is None:
        raise ReportError(
            _("%(kind)s %(key)s findes ikke, eller du har ikke adgang til det.") % {"kind": kind.label, "key": key}
        )
    return ReportScope(kind=kind, obj=obj, municipality=_municipality_of(kind, obj, user))


def check_allowed(user: User | AnonymousUser, doc_type: DocumentType, kind: ScopeKind) -> None:
    """Raise a Danish ReportError unless the user may make this type of document for this kind of scope."""
    if not can(user, CREATE, "report"):
        raise ReportError(_("Du har ikke adgang til at lave dokumenter."))
    if user.is_superuser:  # type: ignore[union-attr]
        return
    role = user.role  # type: ignore[union-attr]
    if not doc_type.allows(role):
        raise ReportError(_("Din rolle kan ikke lave dokumenter af typen %(type)s.") % {"type": doc_type.name})
    if kind not in doc_type.scope_kinds_for(role):
        raise ReportError(
            _("Din rolle kan ikke lave %(type)s for en %(kind)s.") % {"type": doc_type.name, "kind": kind.label.lower()}
        )


def clean_options(options: dict[str, Any] | None) -> dict[str, str]:
    """Only known option names, as trimmed strings of a sane length."""
    allowed = set(option_fields()) | set(EXTRA_OPTIONS)
    cleaned = {}
    for name, value in (options or {}).items():
        if name in allowed and value not in (None, ""):
            cleaned[name] = str(value).strip()[:OPTION_MAX_LENGTH]
    return cleaned


def make_request(
    document_type: str,
    scope_text: str,
    period_text: str,
    options: dict[str, Any] | None = None,
    user: User | AnonymousUser | None = None,
) -> ReportRequest:
    """A checked request: known type, a scope the user may use, and the period the document covers."""
    doc_type = get_type(document_type)
    report_scope = resolve_scope(scope_text, user)
    if report_scope.kind not in doc_type.scope_kinds:
        raise ReportError(
            _("%(type)s laves for: %(kinds)s.")
            % {"type": doc_type.name, "kinds": ", ".join(k.label.lower() for k in doc_type.scope_kinds)}
        )
    if user is not None:
        check_allowed(user, doc_type, report_scope.kind)
    cleaned = clean_options(options)
    return ReportRequest(
        document_type=doc_type.key,
        scope=report_scope,
        period=covered_period(doc_type, report_scope, period_text, cleaned),
        options=cleaned,
        today=local_today(),
        user=user,
    )


def covered_period(
    doc_type: DocumentType, report_scope: ReportScope, period_text: str, options: dict[str, str]
) -> Period:
    """The period the document covers: the one asked for, or, for a type whose object fixes its years
    (an initiative, an appropriation), those of its years the asked period allows (empty: all of them).
    What the job, the appendix and the document itself state; a period that does not fit is a PeriodError."""
    asked = Period.parse(period_text) if (period_text or "").strip() else None
    return doc_type.period_for(report_scope, asked, options)


def build_document(request: ReportRequest, progress: Progress = no_progress) -> CommitteeItem:
    """Fill the document from live data, in Danish whatever language the user reads the site in."""
    doc_type = get_type(request.document_type)
    language = translation.get_language() or DOCUMENT_LANGUAGE

    def built(progress: Progress) -> CommitteeItem:
        item = doc_type.build(request, progress)
        if item.meeting_date is None:
            # Every committee item takes the meeting date from the form ("Mødedato" was offered
            # for every type, and only the release paper wrote it anywhere).
            item.meeting_date = parse_meeting_date(request.option("meeting_date"))
        return item

    try:
        with in_document_language():
            return built(progress)
    except ReportError as error:
        if language.split("-")[0] == DOCUMENT_LANGUAGE:
            raise
        # The document is Danish, but the reason it cannot be made is for the user: building again
        # in their language stops at the same check and says it in their words.
        try:
            built(no_progress)
        except ReportError as translated:
            raise translated from error
        raise


def template_for(municipality: Municipality | None, document_type: str) -> DocumentTemplate | None:
    """The municipality's active Word template for this type, else its template for all types."""
    if municipality is None:
        return None
    candidates = DocumentTemplate.objects.filter(
        municipality=municipality, active=True, document_type__in=[document_type, ""]
    )
    return min(candidates, key=lambda t: t.document_type == "", default=None)


def render(item: CommitteeItem, output_format: str, request: ReportRequest | None = None) -> bytes:
    """The document in one format; DOCX goes through the municipality's own template if it has one."""
    fmt = OutputFormat(output_format)
    if fmt == OutputFormat.DOCX:
        custom = template_for(request.scope.municipality, request.document_type) if request else None
        if custom is not None:
            with custom.file.open("rb") as handle:
                return render_docx(item, io.BytesIO(handle.read()))
        return render_docx(item)
    if fmt == OutputFormat.PDF:
        return render_pdf(item)
    parameters = {}
    if request is not None:
        with in_document_language():
            parameters = {
                _("Dokumenttype"): str(get_type(request.document_type).name),
                _("Omfang"): request.scope.label,
                _("Periode"): request.period.label,
            }
    return render_xlsx(item, parameters)


FILE_STEM_LENGTH = 120  # the heading's slug; with the date and extension well under any file system's limit


def filename_for(item: CommitteeItem, output_format: str, request: ReportRequest) -> str:
    """E.g. "frigivelse-af-puljer-til-kompetenceudvikling-2026-11-23.docx"; Danish letters spelled
    as Danes do without them ("faelles", not "flles"), as every other download."""
    # Long enough for the whole heading of a committee item, its period last ("...-2026-2027"); a
    # longer one is cut between words.
    slug = slugify(item.heading.translate(DANISH))
    stem = (slug if len(slug) <= FILE_STEM_LENGTH else slug[:FILE_STEM_LENGTH].rsplit("-", 1)[0]).strip("-")
    stem = stem or item.file_stem
    return f"{stem}-{(request.today or local_today()).isoformat()}.{OutputFormat(output_format).value}"


@dataclass
class Generated:
    """A finished document file."""

    content: bytes
    filename: str
    item: CommitteeItem


def generate(request: ReportRequest, output_format: str, progress: Progress = no_progress) -> Generated:
    """Build and render in one go (used by the CLI and the background job)."""
    item = build_document(request, progress)
    progress(90, _("Danner filen"))
    content = render(item, output_format, request)
    return Generated(content=content, filename=filename_for(item, output_format, request), item=item)


def create_job(
    user: User,
    document_type: str,
    output_format: str,
    scope_text: str,
    period_text: str,
    options: dict[str, Any] | None = None,
) -> ReportJob:
    """Check the request now, save a queued job and start it once the transaction commits."""
    from styrbord.reports.tasks import run_report_job

    request = make_request(document_type, scope_text, period_text, options, user)
    with transaction.atomic():
        job = ReportJob.objects.create(
            created_by=user,
            municipality=request.scope.municipality,
            document_type=request.document_type,
            output_format=OutputFormat(output_format).value,
            scope=request.scope.text,
            scope_label=request.scope.label[:300],
            period=request.period.text,
            options=request.options,
        )
        log_action(
            job,
            "reports.job.created",
            user,
            {"document_type": job.document_type, "format": job.output_format, "scope": job.scope, "period": job.period},
        )
        transaction.on_commit(lambda: run_report_job.enqueue(job.pk))
    return job


def _set_progress(job_id: int, percent: int, message: str) -> None:
    ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(
        progress=max(0, min(99, percent)), message=message[:500]
    )


def run_job(job_id: int) -> ReportJob:
    """Make the job's document. Idempotent: a job that has started or finished is left alone.

    Its status messages are stored in Danish, whichever process or request runs it, and
    translated where they are shown (``{% translate job.message %}``)."""
    with in_record_language():
        return _run_job(job_id)


def _run_job(job_id: int) -> ReportJob:
    with transaction.atomic():
        # Claim the job: a second delivery of the same task finds it no longer queued.
        claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
            status=ReportJob.Status.RUNNING, started_at=timezone.now(), progress=1, message=_("Startet")
        )
    job = ReportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        request = make_request(job.document_type, job.scope, job.period, job.options, job.created_by)
        result = generate(request, job.output_format, lambda p, m: _set_progress(job_id, p, m))
    except ReportError as error:
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED, message=str(error)[:500], finished_at=timezone.now()
        )
    except Exception:
        logger.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED,
            message=_("Dokumentet kunne ikke dannes på grund af en fejl. Prøv igen, eller kontakt support."),
            finished_at=timezone.now(),
        )
    else:
        job.refresh_from_db()
        job.file.save(result.filename, ContentFile(result.content), save=False)
        job.filename = result.filename
        job.status = ReportJob.Status.DONE
        job.progress = 100
        job.message = _("Færdig")
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "status", "progress", "message", "finished_at"])
    job.refresh_from_db()
    return job


def jobs_for(user: User | AnonymousUser) -> QuerySet[ReportJob]:
    """The jobs a user may see and download: their own; an administrator sees everyone's."""
    if not user.is_authenticated or not can(user, CREATE, "report"):
        return ReportJob.objects.none()
    if is_administrator(user):
        return ReportJob.objects.all()
    return ReportJob.objects.filter(created_by=user)
