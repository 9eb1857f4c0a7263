"""`styrbord import_holdings PATH --municipality CODE [--sheet NAME] [--dry-run]`

Imports competence certificates (one per row: who, Kompetence, Opnået; optional Udløber,
Dokumentation, Navn) for the people of a municipality; see ``competences.importing``. The file
is checked in full first; one error and nothing is written. Importing it again adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from styrbord.competences.importing import apply_holdings, check_holdings
from styrbord.lib.formatting import format_number
from styrbord.organisations.models import Municipality
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile


class Command(BaseCommand):
    help = "Import competence certificates (CSV/XLSX) for the people of a municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--municipality", required=True, help="municipality code, e.g. 0316")
        parser.add_argument("--sheet", help="the worksheet of an XLSX file (default: the first with the columns)")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("da")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Filen findes ikke: {path}")
        municipality = Municipality.objects.filter(code=str(options["municipality"]).zfill(4)).first()
        if municipality is None:
            raise CommandError(f"Ukendt kommunekode: {options['municipality']}")
        source = SourceFile(path.name, path, sheet=options.get("sheet") or "")
        try:
            result = (
                check_holdings(source, municipality) if options["dry_run"] else apply_holdings(source, municipality)
            )
        except ImportRejectedError as rejected:
            self._rejected(rejected.errors)
        if result.errors:
            self._rejected(result.errors)
        for issue in result.warnings:
            self.stderr.write(f"Advarsel: {issue}")
        new = f"{format_number(len(result.new))} {'kompetencebevis' if len(result.new) == 1 else 'kompetencebeviser'}"
        if options["dry_run"]:
            done = f"Prøvekørsel, intet er gemt: {new} ville blive tilføjet"
        else:
            done = f"Indlæst: {new} tilføjet"
        rows = f"{format_number(result.rows)} {'række' if result.rows == 1 else 'rækker'}"
        self.stdout.write(f"{done}, {format_number(result.existing)} fandtes allerede ({rows}, {municipality}).")

    def _rejected(self, errors: Any) -> NoReturn:
        for issue in errors:
            self.stderr.write(str(issue))
        raise CommandError(f"Importen blev afvist: {errors.total} fejl. Intet er ændret.")
