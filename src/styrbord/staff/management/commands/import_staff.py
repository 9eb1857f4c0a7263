"""`styrbord import_staff PATH... [--dry-run] [--municipality CODE] [--end-missing] [--mapping NAME] [--sheet NAME]`

Imports staff from the municipality's HR/payroll delivery: the five-file CSV set (bruger,
organisation, engagement, stillingskode, leder) or one generic CSV/XLSX read through a saved
column mapping (from the worksheet ``--sheet`` names, else the first worksheet that has the
mapping's columns). Everything is validated first; a single error means nothing is applied and the
row-level report is printed. Re-running the same files changes nothing (idempotent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from styrbord.accounts.models import User
from styrbord.audit.services import log_access
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ColumnMapping
from styrbord.staff.importing.errors import ImportFailedError, ImportRejectedError
from styrbord.staff.importing.plan import Plan
from styrbord.staff.importing.preview import hand_edit_rows, hand_edits_text
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import run_import

COUNT_LABELS = [
    ("employees_created", "medarbejdere oprettet"),
    ("employees_updated", "medarbejdere opdateret"),
    ("employments_created", "ansættelser oprettet"),
    ("employments_updated", "ansættelser opdateret"),
    ("employments_unchanged", "ansættelser uændret"),
    ("employments_ended", "ansættelser afsluttet"),
    ("facilities_created", "tilbud oprettet"),
    ("units_created", "afdelinger oprettet"),
    ("job_codes_created", "stillingskoder oprettet"),
]


class Command(BaseCommand):
    help = "Import staff from HR/payroll files (five-file CSV set or a generic CSV/XLSX with a saved column mapping)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="the files (bruger.csv organisation.csv ... or one generic file)")
        parser.add_argument("--municipality", help="municipality code, e.g. 0707 (needed unless --mapping says it)")
        parser.add_argument("--mapping", help="name of a saved column mapping, for a generic CSV/XLSX")
        parser.add_argument(
            "--sheet", help="the worksheet of an XLSX file (default: the first with the mapping's columns)"
        )
        parser.add_argument("--end-missing", action="store_true", help="end active employments not in the files")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, change nothing")
        parser.add_argument("--user", help="username to record as the one who imported")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("da")
        sources = []
        for raw in options["paths"]:
            path = Path(raw)
            if not path.is_file():
                raise CommandError(f"Filen findes ikke: {raw}")
            sources.append(SourceFile(name=path.name, path=path, sheet=options.get("sheet") or ""))
        municipality, mapping_obj = self._municipality_and_mapping(options.get("municipality"), options.get("mapping"))
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Ukendt bruger: {options['user']}")
        try:
            result = run_import(
                sources,
                municipality,
                user=user,
                mapping=dict(mapping_obj.mapping) if mapping_obj else None,
                mapping_obj=mapping_obj,
                end_missing=options["end_missing"],
                dry_run=options["dry_run"],
            )
        except ImportRejectedError as rejected:
            for issue in rejected.errors:
                self.stderr.write(str(issue))
            if rejected.errors.hidden:
                self.stderr.write(f"... og {rejected.errors.hidden} fejl mere")
            raise CommandError(f"Importen blev afvist: {rejected.errors.total} fejl. Intet er ændret.") from None
        except ImportFailedError as failed:
            raise CommandError(failed.message) from None
        for warning in result.plan.warnings:
            self.stderr.write(f"Advarsel: {warning}")
        self._hand_edits(result.plan, municipality, user, applied=not options["dry_run"])
        verb = "Prøvekørsel (intet er gemt)" if options["dry_run"] else "Indlæst"
        sheet = f" (arket {result.batch.sheet})" if result.batch.sheet else ""
        self.stdout.write(f"{verb}: {municipality} – {len(result.plan.employments)} ansættelser i filerne{sheet}")
        for key, label in COUNT_LABELS:
            if options["verbosity"] >= 2 or result.counts.get(key):
                self.stdout.write(f"  {result.counts.get(key, 0):>8} {label}")
        beyond = 0 if options["dry_run"] else result.plan.bookings_left_behind()
        if beyond > 0:
            self.stderr.write(
                f"Advarsel: {beyond} {'booking ligger' if beyond == 1 else 'bookinger ligger'} nu på hold, der slutter "
                "efter ansættelsens ophør (Kurser, Bookinger, filteret »Kun efter ansættelsens ophør«)."
            )

    def _hand_edits(self, plan: Plan, municipality: Municipality, user: User | None, *, applied: bool) -> None:
        """The educations set by hand in Styrbord that the delivery sets back to HR's value, as the
        check page lists them: each person, with Styrbord's value and the file's. Styrbord's values
        are personal data shown to whoever runs the command: the access log names the people, as
        the check page's view does (the user of ``--user``, else the system)."""
        if not plan.hand_edited:
            return
        rows = hand_edit_rows(plan, limit=None)
        log_access(
            user,
            "staff.import.hand_edits_listed",
            [person["employee_id"] for person in rows],
            {"municipality": municipality.code, "via": "import_staff"},
        )
        self.stderr.write(f"Advarsel: {hand_edits_text(len(plan.hand_edited), applied=applied)}")
        for person in rows:
            where = f"{person['file']}:{person['row']}" if person["row"] else person["file"]
            for label, styrbord, in_file in person["fields"]:
                self.stderr.write(f"  {person['name']} ({where}): {label} »{styrbord}« i Styrbord, »{in_file}« i filen")

    def _municipality_and_mapping(
        self, code: str | None, mapping_name: str | None
    ) -> tuple[Municipality, ColumnMapping | None]:
        municipality = None
        if code:
            municipality = Municipality.objects.filter(code=code.zfill(4)).first()
            if municipality is None:
                raise CommandError(f"Ukendt kommunekode: {code}")
        mapping_obj = None
        if mapping_name:
            candidates = ColumnMapping.objects.filter(name=mapping_name)
            if municipality is not None:
                candidates = candidates.filter(municipality=municipality)
            found = list(candidates[:2])
            if not found:
                raise CommandError(f"Ukendt kolonneopsætning: {mapping_name}")
            if len(found) > 1:
                raise CommandError("Flere kommuner har en kolonneopsætning med det navn; angiv --municipality.")
            mapping_obj = found[0]
            municipality = municipality or mapping_obj.municipality
        if municipality is None:
            raise CommandError("Angiv kommunen med --municipality (f.eks. 0707).")
        return municipality, mapping_obj
