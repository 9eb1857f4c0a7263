"""`styrbord report TYPE --scope ... --period ... --output FILE`: make a document from the command line.

Exists so a coordinator (or a scheduled job) can produce the same DOCX, PDF or XLSX as the
reports page without a browser; the format follows the file extension. ``--as-user`` limits
the scope to what that user may see; without it the command runs with full access, as
management commands do. ``styrbord report types`` lists the document types, and
``styrbord report build-template`` rewrites the default Word template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from styrbord.accounts.models import User
from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError, all_types, get_type, option_fields
from styrbord.reports.documents.default_template import DEFAULT_TEMPLATE_PATH, build_default_template
from styrbord.reports.models import OutputFormat

EXTENSIONS = {".docx": OutputFormat.DOCX, ".pdf": OutputFormat.PDF, ".xlsx": OutputFormat.XLSX}


class Command(BaseCommand):
    help = "Make a committee document (DOCX, PDF or XLSX by the output file's extension) from live data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("type", help="Document type (see `styrbord report types`), or build-template.")
        parser.add_argument(
            "--scope", help="What the document is about: pool:ID, facility:ID, municipality:0707, initiative:ID."
        )
        parser.add_argument(
            "--period",
            default="",
            help="2025, 2025-2027 or 01-01-2025:30-06-2025 (default: this year; an initiative or a release: its own years).",
        )
        parser.add_argument("--output", help="The file to write; .docx, .pdf or .xlsx.")
        parser.add_argument("--as-user", dest="as_user", help="Make the document with this user's permissions.")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help=f"Case details ({', '.join(option_fields())}, heading, area, strategy).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Build the document but write no file.")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["type"]
        if kind == "types":
            for doc_type in all_types():
                scopes = ", ".join(k.value for k in doc_type.scope_kinds)
                self.stdout.write(f"{doc_type.key:24} {doc_type.name} ({scopes})")
            return
        if kind == "build-template":
            path = build_default_template(Path(options["output"]) if options["output"] else DEFAULT_TEMPLATE_PATH)
            self.stdout.write(f"Wrote {path}")
            return
        if not options["scope"]:
            raise CommandError("--scope is required, e.g. --scope pool:12")
        if not options["output"] and not options["dry_run"]:
            raise CommandError("--output is required (a .docx, .pdf or .xlsx file)")
        output = Path(options["output"] or "dry-run.docx")
        fmt = EXTENSIONS.get(output.suffix.lower())
        if fmt is None:
            raise CommandError(f"Unknown file type {output.suffix!r}: use .docx, .pdf or .xlsx")
        user = None
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['as_user']!r}")
        extra = {}
        for pair in options["option"]:
            name, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--option must be NAME=VALUE, got {pair!r}")
            extra[name.strip()] = value
        verbosity = int(options["verbosity"])

        def progress(percent: int, message: str) -> None:
            if verbosity >= 2:
                self.stderr.write(f"{percent:3d} % {message}")

        try:
            from styrbord.lib.dates import local_today

            # No period: an initiative or a release covers its own years; anything else this year.
            period = options["period"] or ("" if get_type(kind).fit_period else str(local_today().year))
            request = services.make_request(kind, options["scope"], period, extra, user)
            result = services.generate(request, fmt.value, progress)
        except ReportError as error:
            raise CommandError(str(error))
        if options["dry_run"]:
            self.stdout.write(f"{result.item.heading}: {len(result.content)} bytes (dry run, nothing written)")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(result.content)
        if verbosity >= 1:
            self.stdout.write(f"Wrote {output} ({result.item.heading})")
