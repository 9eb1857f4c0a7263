"""`styrbord import_workforce_statistics PATH --municipality CODE [--source TEXT] [--sheet NAME] [--dry-run]`

Imports a municipality's yearly HR statistics (headcount, average age, part-time share,
students, turnover, sickness absence ...) or its job postings with applicants, for the
workforce page. From a workbook: the sheet ``--sheet`` names, else the first sheet with either
table. The file is validated first; one error and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from styrbord.organisations.models import Municipality
from styrbord.staff.importing.reading import SourceFile
from styrbord.workforce.importing import import_statistics


class Command(BaseCommand):
    help = "Import yearly workforce statistics or job postings (CSV/XLSX) for a municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--municipality", required=True, help="municipality code, e.g. 0316")
        parser.add_argument("--source", default="", help="source for rows without a Kilde column")
        parser.add_argument("--sheet", help="the worksheet of an XLSX file (default: the first with a table it reads)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("da")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Filen findes ikke: {path}")
        municipality = Municipality.objects.filter(code=str(options["municipality"]).zfill(4)).first()
        if municipality is None:
            raise CommandError(f"Ukendt kommunekode: {options['municipality']}")
        result = import_statistics(
            SourceFile(path.name, path, sheet=options.get("sheet") or ""),
            municipality,
            dry_run=options["dry_run"],
            default_source=options["source"],
        )
        if result.errors:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"Importen blev afvist: {result.errors.total} fejl. Intet er ændret.")
        what = "stillingsopslag" if result.kind == "postings" else "nøgletal"
        verb = "Prøvekørsel" if options["dry_run"] else "Indlæst"
        self.stdout.write(f"{verb}: {result.created} {what} oprettet, {result.updated} opdateret ({municipality}).")
