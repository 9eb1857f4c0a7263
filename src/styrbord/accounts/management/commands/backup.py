"""Write a portable backup of the whole database (SQLite or PostgreSQL) to a zip file.

`styrbord backup --output var/backups/styrbord.zip`. Restore it with `styrbord restore FILE`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from styrbord.accounts.backup import write_backup


class Command(BaseCommand):
    help = "Gem en sikkerhedskopi af hele databasen (alle tabeller, med manifest og kontrolsummer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="Zip-filen der skrives (standard: var/backups/styrbord-TID.zip).")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if not output:
            folder = Path(settings.DATA_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            output = folder / f"styrbord-{timezone.now():%Y%m%d-%H%M%S}.zip"
        path = Path(output)
        partial = path.with_name(path.name + ".partial")
        manifest = write_backup(partial)
        partial.replace(path)  # never leave a half-written file under the real name
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"Sikkerhedskopi skrevet til {path}: {len(manifest['tables'])} tabeller, {rows} rækker.")
