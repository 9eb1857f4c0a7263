"""`styrbord import_holdings PATH --municipality CODE [--sheet NAME] [--name "AS WRITTEN=CODE"]...
[--skip-name "AS WRITTEN"]... [--dry-run]`

Imports competence certificates (one per row: who, Kompetence, Opnået; optional Udløber,
Dokumentation, Navn) for the people of a municipality; see ``competences.importing``. The file
is checked in full first; one error and nothing is written. Importing it again adds nothing.

A course name the catalogue does not know is answered as on the check page: ``--name`` saves
what it means for the municipality's later lists too, ``--skip-name`` leaves its rows out of this
import. Names are saved only together with an import that goes through (not on a dry run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from styrbord.competences.importing import (
    HoldingImport,
    HoldingsRejectedError,
    NamesTakenError,
    apply_holdings,
    catalogue_lookup,
    check_holdings,
    name_key,
    save_names,
)
from styrbord.competences.models import Competence, CompetenceName
from styrbord.lib.formatting import format_number
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile


class Command(BaseCommand):
    help = "Import competence certificates (CSV/XLSX) for the people of a municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--municipality", required=True, help="municipality code, e.g. 0316")
        parser.add_argument("--sheet", help="the worksheet of an XLSX file (default: the first with the columns)")
        parser.add_argument(
            "--name",
            action="append",
            default=[],
            metavar="AS_WRITTEN=CODE",
            help="what a course name the catalogue does not know means (a competence's code or name); saved for later lists",
        )
        parser.add_argument(
            "--skip-name",
            action="append",
            default=[],
            metavar="AS_WRITTEN",
            help="leave the rows with this course name out of this import (each a warning)",
        )
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
        chosen = self._chosen_names(municipality, options["name"])
        skip = {name_key(written): written for written in options["skip_name"] if name_key(written)}
        if set(skip) & set(chosen):
            raise CommandError("Et navn kan ikke både gemmes med --name og springes over med --skip-name.")
        if chosen or skip:
            self._answers_in_file(source, municipality, {k: w for k, (w, _c) in chosen.items()} | skip)
        try:
            with transaction.atomic():  # the names are saved with the certificates or not at all
                if chosen:
                    save_names(municipality, chosen, None)
                result = (
                    check_holdings(source, municipality, set(skip))
                    if options["dry_run"]
                    else apply_holdings(
                        source, municipality, skip_names=set(skip), batch=self._batch(source, municipality)
                    )
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except NamesTakenError:
            raise CommandError("Et af navnene er allerede gemt for kommunen; det gemte navn gælder.") from None
        except ImportRejectedError as rejected:
            self._rejected(rejected.errors, rejected.result if isinstance(rejected, HoldingsRejectedError) else None)
        if result.errors:
            self._rejected(result.errors, result)
        for issue in result.warnings:
            self.stderr.write(f"Advarsel: {issue}")
        new = f"{format_number(len(result.new))} {'kompetencebevis' if len(result.new) == 1 else 'kompetencebeviser'}"
        if options["dry_run"]:
            # In the history as the HR import's dry runs are (after the rollback, so it stays).
            self._batch(source, municipality, status=ImportBatch.Status.DRY_RUN, dry_run=True, counts=result.counts)
            done = f"Prøvekørsel, intet er gemt: {new} ville blive tilføjet"
        else:
            done = f"Indlæst: {new} tilføjet"
        rows = f"{format_number(result.rows)} {'række' if result.rows == 1 else 'rækker'}"
        self.stdout.write(f"{done}, {format_number(result.existing)} fandtes allerede ({rows}, {municipality}).")
        saved = "Ville blive gemt" if options["dry_run"] else "Gemt"
        for written, competence in chosen.values():
            self.stdout.write(
                f"{saved} for {municipality}: »{written}« betyder »{competence.name}« ({competence.code})."
            )

    def _batch(self, source: SourceFile, municipality: Municipality, **fields: Any) -> ImportBatch:
        """The import's line in the history on the upload page: pending until the import applies
        it with the certificates, or given as a dry run."""
        fields.setdefault("status", ImportBatch.Status.PENDING)
        return ImportBatch.objects.create(
            municipality=municipality,
            source_format=ImportBatch.Format.HOLDINGS,
            file_names=[source.name],
            sheet=source.sheet,
            **fields,
        )

    def _answers_in_file(self, source: SourceFile, municipality: Municipality, answered: dict[str, str]) -> None:
        """Refuse a --name or --skip-name that is not one of the file's unknown names: a mistyped
        name would otherwise be saved for the municipality's later lists and nobody would notice."""
        try:
            unknown = check_holdings(source, municipality).unknown_names
        except ImportRejectedError as rejected:
            self._rejected(rejected.errors)
        for key, written in answered.items():
            if key not in unknown:
                listed = ", ".join(f"»{u.written}«" for u in unknown.values()) or "ingen"
                raise CommandError(
                    f"»{written}« står ikke i filen som et navn, kataloget ikke kender. Filens ukendte navne: {listed}."
                )

    def _chosen_names(self, municipality: Municipality, pairs: list[str]) -> dict[str, tuple[str, Competence]]:
        """``--name`` values as save_names takes them; a bad one stops the command before anything."""
        chosen: dict[str, tuple[str, Competence]] = {}
        catalogue = catalogue_lookup() if pairs else {}
        for pair in pairs:
            written, sep, code = pair.rpartition("=")
            written, code = " ".join(written.split()), code.strip()
            if not sep or not written or not code:
                raise CommandError(f'--name skal skrives "NAVN SOM I LISTEN=KODE", ikke "{pair}".')
            competence = catalogue.get(code.casefold())  # by code or name, as the import finds one
            if competence is None:
                raise CommandError(f"--name {pair}: kataloget har ingen kompetence med koden eller navnet »{code}«.")
            key = name_key(written)
            saved = (
                CompetenceName.objects.filter(municipality=municipality, key=key).select_related("competence").first()
            )
            if saved is not None:
                raise CommandError(
                    f"--name {pair}: »{saved.written}« er allerede gemt for kommunen som »{saved.competence.name}«."
                )
            chosen[key] = (written, competence)
        return chosen

    def _rejected(self, errors: Any, result: HoldingImport | None = None) -> NoReturn:
        for issue in errors:
            self.stderr.write(str(issue))
        if result is not None and result.unknown_names:
            self.stderr.write("Navne, kataloget ikke kender (svar med --name eller --skip-name):")
            for unknown in result.unknown_names.values():
                rows = f"{format_number(unknown.rows)} {'række' if unknown.rows == 1 else 'rækker'}"
                likely = ", ".join(f"{c.code} ({c.name})" for c in unknown.suggestions[:3])
                hint = f"; mest sandsynligt: {likely}" if likely else ""
                self.stderr.write(f'  "{unknown.written}": {rows}{hint}')
        raise CommandError(f"Importen blev afvist: {errors.total} fejl. Intet er ændret.")
