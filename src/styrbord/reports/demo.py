"""Demo step: a finished Word document for the seed-000 release, so the reports page shows one.

Light on purpose: one DOCX (no charts, no LibreOffice), made the same way a report job makes it.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from styrbord.demo.context import DemoContext
from styrbord.reports import services
from styrbord.reports.models import OutputFormat, ReportJob


def build(ctx: DemoContext) -> None:
    """Save a done ReportJob with the release document of the demo's seed-000 pool."""
    pool = ctx.extra.get("funding_pool")
    user = ctx.users.get("koordinator")
    if pool is None or user is None:
        ctx.note("Rapporter: ingen pulje eller koordinator i demoen; intet dokument dannet")
        return
    request = services.make_request("pool_release", f"pool:{pool.pk}", str(pool.period_start.year), {}, user)
    request.today = ctx.today
    result = services.generate(request, OutputFormat.DOCX)
    now = timezone.now()
    job = ReportJob(
        created_by=user,
        municipality=request.scope.municipality,
        document_type=request.document_type,
        output_format=OutputFormat.DOCX,
        scope=request.scope.text,
        scope_label=request.scope.label[:300],
        period=request.period.text,
        status=ReportJob.Status.DONE,
        progress=100,
        message="Færdig",
        filename=result.filename,
        started_at=now,
        finished_at=now,
    )
    job.file.save(result.filename, ContentFile(result.content), save=False)
    job.save()
    ctx.extra["report_job"] = job
    ctx.note(f"Rapporter: {result.filename} (frigivelse af puljemidler) klar under Rapporter for koordinator")
