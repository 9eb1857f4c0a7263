"""The migrations: complete, fully applied on the database under test, and the data core in place.

The suite runs on SQLite and (with DATABASE_URL) on PostgreSQL, so these run on both; the
``postgres`` test checks what only PostgreSQL enforces.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from styrbord.organisations.models import Municipality, Region

pytestmark = pytest.mark.django_db


def test_the_models_have_no_changes_without_a_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"missing migrations:\n{out.getvalue()}\n(exit {exc.code})")


def test_every_migration_is_applied_to_the_test_database() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(leaves) == []
    applied = executor.loader.applied_migrations
    for app in ("organisations", "staff", "competences", "accounts"):
        assert (app, "0001_initial") in applied
    assert ("organisations", "0002_load_reference_data") in applied


def test_the_data_core_tables_exist_on_this_database() -> None:
    tables = set(connection.introspection.table_names())
    for label in ("organisations", "staff", "competences"):
        for model in apps.get_app_config(label).get_models():
            assert model._meta.db_table in tables, f"{model._meta.label} on {connection.vendor}"


def test_the_reference_data_migration_loaded_regions_and_municipalities() -> None:
    assert Region.objects.count() == 5
    assert Municipality.objects.count() == 98


def test_a_municipality_code_is_unique_on_this_database() -> None:
    region = Region.objects.get(code="1082")
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(code="0707", name="Dublet", region=region)
