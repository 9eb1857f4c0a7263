"""Background tasks of the training app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from styrbord.training.services.reminders import send_reminders


@task()
def send_reminders_task() -> dict[str, int]:
    """Send due session and expiry reminders (idempotent: safe to run as often as wanted)."""
    run = send_reminders()
    return {"sessions": len(run.sessions), "expiries": len(run.expiries), "skipped_no_email": run.skipped_no_email}
