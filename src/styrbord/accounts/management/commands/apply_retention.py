"""Anonymise former employees whose retention period has run out (unless their data is on hold),
and delete log entries of views, exports and logins older than STYRBORD_AUDIT_ACCESS_MONTHS.

Run it nightly (e.g. from cron): `styrbord apply_retention`. `--dry-run` only lists who is due.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from styrbord.accounts.privacy import apply_retention
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_datetime


class Command(BaseCommand):
    help = "Anonymisér tidligere medarbejdere, hvis opbevaringsperiode er udløbet (undtagen tilbageholdte), og slet gamle logposter om opslag og eksport."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Vis kun, hvem der ville blive anonymiseret.")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Regn fra denne dato.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or local_today()
        result = apply_retention(today, dry_run=options["dry_run"])
        cutoff = format_datetime(result.log_cutoff, locale="da") if result.log_cutoff else "–"
        if options["dry_run"]:
            self.stdout.write(
                f"Ville anonymisere {len(result.candidates)} medarbejdere (tilbageholdt: {len(result.held)})."
            )
            if options["verbosity"] > 1:
                for employee_id in result.candidates:
                    self.stdout.write(f"  medarbejder-id {employee_id}")
            self.stdout.write(f"Ville slette {result.log_entries} logposter om opslag og eksport fra før {cutoff}.")
        else:
            self.stdout.write(
                f"Anonymiserede {len(result.anonymised)} medarbejdere (tilbageholdt: {len(result.held)})."
            )
            self.stdout.write(f"Slettede {result.log_entries} logposter om opslag og eksport fra før {cutoff}.")
