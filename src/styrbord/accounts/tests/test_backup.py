"""Backup and restore: everything comes back, verified table by table (counts and checksums)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from styrbord.accounts.backup import backed_up_models, read_manifest, table_checksums
from styrbord.api.tests import data as api_data
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_action
from styrbord.staff.models import Employee


def _empty_database() -> None:
    """`styrbord flush`: every table emptied (inside the test's transaction on PostgreSQL too)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", "--no-input", verbosity=0)


@pytest.fixture
def filled(world):  # type: ignore[no-untyped-def]
    """The world plus one of every API object per tenant relation, and an audit entry."""
    api_data.build(world)
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"places": 12})
    return world


def test_restore_into_an_emptied_database_brings_every_table_back(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = table_checksums()
    assert before["staff.employee"].rows > 5
    assert before["audit.auditentry"].rows > 0
    target = tmp_path / "backup.zip"
    call_command("backup", "--output", str(target), verbosity=0)
    manifest = read_manifest(target)
    assert {label: (t["rows"], t["sha256"]) for label, t in manifest["tables"].items()} == {
        label: (info.rows, info.sha256) for label, info in before.items()
    }
    _empty_database()
    assert Employee.objects.count() == 0
    call_command("restore", str(target), "--no-input", verbosity=0)
    after = table_checksums()
    assert after == before
    # The restored audit trail is still append-only, and new rows get fresh ids.
    newest = log_action(None, "test.after.restore", None)
    assert newest.pk > max(AuditEntry.objects.exclude(pk=newest.pk).values_list("pk", flat=True))


def test_a_backup_of_another_schema_version_is_refused(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "backup.zip"
    call_command("backup", "--output", str(target), verbosity=0)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(tampered, "w") as out:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(content)
                manifest["migrations"]["staff"].append("9999_from_the_future")
                content = json.dumps(manifest).encode()
            out.writestr(item, content)
    employees = Employee.objects.count()
    with pytest.raises(CommandError, match="skemaversion"):
        call_command("restore", str(tampered), "--no-input", verbosity=0)
    assert Employee.objects.count() == employees  # nothing was touched


def test_a_corrupted_table_fails_the_checksum_and_rolls_back(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "backup.zip"
    call_command("backup", "--output", str(target), verbosity=0)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(tampered, "w") as out:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "data/staff.employee.jsonl":
                content = content.replace(b"Dolmer-medarbejder 1", b"Dolmer-medarbejder X")
            out.writestr(item, content)
    with pytest.raises(CommandError, match="stemmer ikke"):
        call_command("restore", str(tampered), "--no-input", verbosity=0)
    assert Employee.objects.filter(name="Dolmer-medarbejder 1").exists()


def test_sessions_and_the_task_queue_are_left_out() -> None:
    labels = {m._meta.label_lower for m in backed_up_models()}
    assert "sessions.session" not in labels
    assert "audit.auditentry" in labels
    assert "organisations.facility_methods" in labels  # many-to-many tables are included


@pytest.mark.slow
def test_the_commands_restore_into_a_fresh_sqlite_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end with the CLI: a demo-sized database into a freshly migrated, empty file."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(STYRBORD_ENV="test", STYRBORD_DATA_DIR=str(tmp_path))

    def styrbord(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "styrbord", *args],
            env={**env, "STYRBORD_SQLITE_PATH": str(db)},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    source, fresh = tmp_path / "source.sqlite3", tmp_path / "fresh.sqlite3"
    for db in (source, fresh):
        assert styrbord("migrate", "--no-input", "-v0", db=db).returncode == 0
    seeded = styrbord(
        "shell",
        "-c",
        "from styrbord.testing import factories as f; "
        "[f.employment(f.employee(), f.facility(f'Tilbud {i}')) for i in range(5)]",
        db=source,
    )
    assert seeded.returncode == 0, seeded.stderr
    backup = tmp_path / "backup.zip"
    made = styrbord("backup", "--output", str(backup), db=source)
    assert made.returncode == 0, made.stderr
    restored = styrbord("restore", str(backup), "--no-input", db=fresh)
    assert restored.returncode == 0, restored.stderr
    assert "kontrolsummerne stemmer" in restored.stdout
    manifest = read_manifest(backup)
    assert manifest["tables"]["staff.employee"]["rows"] == 5
    assert manifest["tables"]["organisations.municipality"]["rows"] == 98


@pytest.mark.slow
@pytest.mark.postgres
def test_the_commands_restore_into_a_fresh_empty_postgresql_database(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end on PostgreSQL: back up the test database, restore with the CLI into a new, just
    migrated database of its own, and compare every table's rows and checksum there."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    import psycopg

    params = connection.settings_dict
    fresh = f"{params['NAME']}_restore"[:63]
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
    }
    url = f"postgres://{params['USER']}{':' + params['PASSWORD'] if params['PASSWORD'] else ''}@{server['host']}:{server['port']}/{fresh}"

    def admin_sql(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:  # type: ignore[arg-type]
            conn.execute(sql)

    expected = {label: [info.rows, info.sha256] for label, info in table_checksums().items()}
    backup = tmp_path / "backup.zip"
    call_command("backup", "--output", str(backup), verbosity=0)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(STYRBORD_ENV="test", STYRBORD_DATA_DIR=str(tmp_path), DATABASE_URL=url)

    def styrbord(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "styrbord", *args], env=env, capture_output=True, text=True, timeout=900, check=False
        )

    admin_sql(f'DROP DATABASE IF EXISTS "{fresh}"')
    admin_sql(f'CREATE DATABASE "{fresh}"')
    try:
        migrated = styrbord("migrate", "--no-input", "-v0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        restored = styrbord("restore", str(backup), "--no-input")
        assert restored.returncode == 0, restored.stderr[-3000:]
        assert "kontrolsummerne stemmer" in restored.stdout
        code = (
            "import json; from styrbord.accounts.backup import table_checksums; "
            "print(json.dumps({k: [v.rows, v.sha256] for k, v in table_checksums().items()}))"
        )
        found = styrbord("shell", "-c", code)
        assert found.returncode == 0, found.stderr[-3000:]
        assert json.loads(found.stdout.strip().splitlines()[-1]) == expected
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
