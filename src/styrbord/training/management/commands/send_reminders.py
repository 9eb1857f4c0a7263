"""Send e-mail reminders before sessions (7 days) and before competences expire (60 days).

Run daily (cron or the task queue). Each reminder is sent once: ReminderLog remembers it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from styrbord.training.services.reminders import EXPIRY_DAYS_BEFORE, SESSION_DAYS_BEFORE, send_reminders


class Command(BaseCommand):
    help = "Send reminders before sessions and before competences expire (each only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; send nothing.")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--session-days", type=int, default=SESSION_DAYS_BEFORE)
        parser.add_argument("--expiry-days", type=int, default=EXPIRY_DAYS_BEFORE)

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_reminders(
            options["today"],
            dry_run=options["dry_run"],
            session_days=options["session_days"],
            expiry_days=options["expiry_days"],
        )
        verb = "Would send" if options["dry_run"] else "Sent"
        if options["verbosity"] >= 2:
            for key in run.sessions + run.expiries:
                self.stdout.write(f"  {key}")
        self.stdout.write(
            f"{verb} {len(run.sessions)} session reminder(s) and {len(run.expiries)} expiry reminder(s); "
            f"{run.skipped_no_email} without an e-mail address."
        )
