"""`styrbord generate --staff 100000 --seed 1`: large synthetic data for benchmarks.

Why: the pages, the coverage engine, imports and the planner must stay fast at national
scale; this fills all 98 municipalities with about 2.000 facilities using bulk inserts.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from styrbord.demo.generate import GenerateError, clear_generated, generate, generated_exists


class Command(BaseCommand):
    help = "Generér store syntetiske data (alle 98 kommuner, ca. 2.000 tilbud) til benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--staff", type=int, default=100_000, help="Antal medarbejdere (standard 100000).")
        parser.add_argument("--seed", type=int, default=1, help="Frø til tilfældige tal (standard 1).")
        parser.add_argument(
            "--facilities", type=int, default=None, help="Antal tilbud (standard: én pr. 50 medarbejdere, mindst 98)."
        )
        parser.add_argument("--reset", action="store_true", help="Slet tidligere genererede data først.")
        parser.add_argument("--dry-run", action="store_true", help="Vis kun, hvad der ville blive lavet.")

    def handle(self, *args: Any, **options: Any) -> None:
        staff, seed = options["staff"], options["seed"]
        facilities = options["facilities"] or max(98, round(staff / 50))
        if options["dry_run"]:
            self.stdout.write(f"Ville generere {staff} medarbejdere på {facilities} tilbud (seed {seed}).")
            return
        # A fresh database (a new STYRBORD_DATA_DIR for benchmarks) gets its tables first.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            if options["reset"] and generated_exists():
                self.stdout.write("• Sletter tidligere genererede data")
                clear_generated()
            result = generate(
                staff,
                seed=seed,
                facilities=options["facilities"],
                progress=(lambda line: self.stdout.write(f"• {line}")) if options["verbosity"] else None,
            )
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Færdig: {result.facilities} tilbud, {result.employees} medarbejdere, "
                f"{result.holdings} kompetencebeviser ({result.seconds:.1f} s)"
            )
        )
