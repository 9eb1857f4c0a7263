"""Build the demo: run each app's ``demo.build(ctx)`` in ``DEMO_STEPS`` order in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.db import connection, transaction

from styrbord.demo.context import DEMO_STEPS, DemoContext, make_context
from styrbord.lib.dates import local_today
from styrbord.staff.models import Employee

logger = logging.getLogger(__name__)

DEFAULT_SEED = 2024
DEMO_KEY_MARK = ":demo-"  # demo people are keyed as the HR import keys them: "0707:demo-000031"


class DemoError(Exception):
    """The demo cannot be built; the message says why, in Danish."""


def demo_exists() -> bool:
    """Whether the database already holds the demo (its people have ':demo-' in their person keys)."""
    return Employee.objects.filter(person_key__contains=DEMO_KEY_MARK).exists()


def demo_steps(only: list[str] | None = None) -> list[str]:
    """The step modules (``<app>.demo``) that exist, in order; ``only`` limits to some apps."""
    steps = []
    for app in DEMO_STEPS:
        if only is not None and app not in only:
            continue
        module = f"{app}.demo"
        if find_spec(module) is not None:
            steps.append(module)
    return steps


def build_demo(seed: int = DEFAULT_SEED, today: dt.date | None = None, only: list[str] | None = None) -> DemoContext:
    """Build the demo into the current database, all-or-nothing. Returns the shared context."""
    if demo_exists():
        raise DemoError("Databasen indeholder allerede demodata. Brug `styrbord demo --reset` for at bygge forfra.")
    ctx = make_context(seed, today or local_today())
    with transaction.atomic():
        for module_name in demo_steps(only):
            logger.debug("demo step %s", module_name)
            import_module(module_name).build(ctx)
    return ctx


def reset_database() -> None:
    """Start from an empty database: remove the SQLite file, or empty PostgreSQL's public schema.

    Callers run ``migrate`` afterwards. Only for the demo database: everything in it is lost.
    """
    database = settings.DATABASES["default"]
    connection.close()
    if connection.vendor == "sqlite":
        path = str(database["NAME"])
        if path == ":memory:" or "mode=memory" in path:
            raise DemoError("En SQLite-database i hukommelsen kan ikke nulstilles.")
        from pathlib import Path

        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.close()
    else:
        raise DemoError(f"Nulstilling understøttes ikke for databasen {connection.vendor}.")
