"""Background work of the reports app: making a requested document (queue "reports")."""

from __future__ import annotations

from django_tasks import task

from styrbord.reports import services


@task(queue_name="reports")
def run_report_job(job_id: int) -> None:
    """Make the document of one ReportJob; safe to run twice (the second run does nothing)."""
    services.run_job(job_id)
