"""Restore a backup written by `styrbord backup`: replaces ALL data in the database.

The database must be migrated to the same schema version first (`styrbord migrate`). Every
table's row count and checksum is verified before the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from styrbord.accounts.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Gendan en sikkerhedskopi. Alle nuværende data i databasen erstattes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Zip-filen fra `styrbord backup`.")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Spørg ikke om bekræftelse."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = read_manifest(options["file"])
        except (OSError, KeyError, ValueError) as error:
            raise CommandError(f"Kan ikke læse sikkerhedskopien: {error}") from None
        except BackupError as error:
            raise CommandError(error.message) from None
        if options["interactive"]:
            answer = input(
                f"Alle data i databasen erstattes med sikkerhedskopien fra {manifest['created_at']}. Skriv 'ja' for at fortsætte: "
            )
            if answer.strip().lower() != "ja":
                raise CommandError("Gendannelsen er afbrudt.")
        try:
            restore_backup(options["file"])
        except BackupError as error:
            raise CommandError(error.message) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"Gendannet {len(manifest['tables'])} tabeller, {rows} rækker; kontrolsummerne stemmer.")
