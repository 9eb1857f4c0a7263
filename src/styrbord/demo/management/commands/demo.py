"""`styrbord demo`: migrate, build the demo from the seed documents if needed, and serve it.

Serves with Django's development server and starts the background-task worker (``db_worker``)
as a child process at lower CPU priority, so exports and plans run without a second command and
a plan being built never holds the web server's interpreter lock.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string

from styrbord.accounts.demo import DEMO_PASSWORD
from styrbord.accounts.models import User
from styrbord.accounts.services import scope_label
from styrbord.demo.services import DEFAULT_SEED, DemoError, build_demo, demo_exists, reset_database

# The logins printed after a build, in this order (the demo creates them).
LOGIN_ORDER = [
    "admin",
    "koordinator",
    "oekonomi",
    "leder-dolmer",
    "medarbejder",
    "analytiker",
    "tilskudsgiver",
    "koordinator-holbaek",
    "koordinator-regionh",
    "leder-glesborg",
]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ugyldig dato {value!r}: brug ÅÅÅÅ-MM-DD.") from exc


class Command(BaseCommand):
    help = "Byg demodata fra sagsdokumenterne (hvis databasen ikke har dem) og start Styrbord på 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Slet databasen og byg demoen forfra.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Frø til tilfældige tal (standard 2024).")
        parser.add_argument(
            "--today", type=_date, default=None, help="Demoens 'i dag' (ÅÅÅÅ-MM-DD); standard er i dag."
        )
        parser.add_argument("--no-serve", action="store_true", help="Byg kun; start ikke serveren.")
        parser.add_argument("--addr", default="127.0.0.1", help="Adresse, serveren lytter på (standard 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port (standard 8000).")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        try:
            if options["reset"]:
                self.stdout.write("• Nulstiller databasen")
                reset_database()
            self.stdout.write("• Opdaterer databasen (migrate)")
            call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
            if demo_exists():
                self.stdout.write("• Demodata findes allerede (brug --reset for at bygge forfra)")
            else:
                self.stdout.write(f"• Bygger demodata (seed {options['seed']})")
                ctx = build_demo(options["seed"], options["today"])
                for line in ctx.log:
                    self.stdout.write(f"  {line}")
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        address = f"http://{options['addr']}:{options['port']}/"
        self._print_logins(address)
        if options["no_serve"]:
            return
        worker = self._start_worker(verbosity)
        try:
            call_command("runserver", f"{options['addr']}:{options['port']}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _print_logins(self, address: str) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=LOGIN_ORDER).select_related()}
        rows = [(name, users[name].role_label, scope_label(users[name])) for name in LOGIN_ORDER if name in users]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Styrbord: {address}"))
        self.stdout.write(f"Demo-logins (adgangskode for alle: {DEMO_PASSWORD}):")
        widths = [max(len(r[i]) for r in [("Brugernavn", "Rolle", "Omfang"), *rows]) for i in range(3)]
        header = ("Brugernavn", "Rolle", "Omfang")
        self.stdout.write("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        self.stdout.write("  " + "  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        self.stdout.write("")

    def _start_worker(self, verbosity: int) -> subprocess.Popen[bytes] | None:
        """Start ``styrbord db_worker`` as a child process when tasks go through the database."""
        backend = settings.TASKS.get("default", {}).get("BACKEND", "")
        if backend != "django_tasks_db.DatabaseBackend":
            return None
        command = [
            sys.executable,
            "-m",
            "styrbord.cli",
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "1",
            "--no-reload",
        ]
        command += ["--no-startup-delay"]
        command += ["--worker-id", f"demo-{get_random_string(12)}"]
        worker = subprocess.Popen(command, preexec_fn=_background_child)  # noqa: S603 (our own command)
        if verbosity > 0:
            self.stdout.write(f"• Baggrundsjob kører i en egen proces (pid {worker.pid}, lavere prioritet)")
        return worker


WORKER_NICENESS = 10  # added to the worker's CPU niceness: pages come first


def _background_child() -> None:
    """In the worker child before it starts: lower priority, and end with the demo (Linux)."""
    os.nice(WORKER_NICENESS)
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
