"""Portable backup and restore: every table as JSON lines in a zip, with a manifest.

The format is the same for SQLite and PostgreSQL, so a backup of the embedded database can be
restored into PostgreSQL and back. The manifest records the applied migrations (the schema
version: a restore refuses a database at another version), and each table's row count and a
SHA-256 checksum of its content, which the restore verifies before it commits.

Sessions and the background-task queue are left out: restoring them would revive old logins
and re-run old jobs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

FORMAT = "styrbord-backup"
FORMAT_VERSION = 1
EXCLUDED_APPS = {"sessions", "django_tasks_database"}
BATCH = 1000


class BackupError(Exception):
    """A backup cannot be restored here; ``message`` is Danish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableInfo:
    rows: int
    sha256: str


def backed_up_models() -> list[type[Model]]:
    """Every concrete, managed table of the project (M2M tables included), in a stable order."""
    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.app_label not in EXCLUDED_APPS
    ]
    return sorted(models, key=lambda m: m._meta.label_lower)


def _fields(model: type[Model]) -> list[Any]:
    return list(model._meta.concrete_fields)


def _rows(model: type[Model]) -> Iterator[list[Any]]:
    names = [f.attname for f in _fields(model)]
    pk = model._meta.pk.attname  # type: ignore[union-attr]
    for values in model._base_manager.order_by(pk).values_list(*names).iterator(chunk_size=2000):
        yield list(values)


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's drops them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


def _line(values: list[Any]) -> str:
    return json.dumps(values, cls=_Encoder, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def table_checksums(models: Iterable[type[Model]] | None = None) -> dict[str, TableInfo]:
    """Row count and content checksum of each table in the current database."""
    result = {}
    for model in models or backed_up_models():
        digest = hashlib.sha256()
        count = 0
        for values in _rows(model):
            digest.update(_line(_normalise(model, values)).encode())
            digest.update(b"\n")
            count += 1
        result[model._meta.label_lower] = TableInfo(count, digest.hexdigest())
    return result


def _normalise(model: type[Model], values: list[Any]) -> list[Any]:
    # The same value must hash the same on SQLite and PostgreSQL (e.g. datetimes in UTC).
    out = []
    for field, value in zip(_fields(model), values, strict=True):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        elif isinstance(value, Decimal):
            value = format(value.quantize(Decimal(1).scaleb(-int(field.decimal_places))), "f")
        out.append(value)
    return out


def applied_migrations() -> dict[str, list[str]]:
    recorder = MigrationRecorder(connection)
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def write_backup(target: IO[bytes] | str | Path) -> dict[str, Any]:
    """Write a backup of the whole database; returns the manifest."""
    models = backed_up_models()
    tables: dict[str, dict[str, Any]] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic(), zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if connection.vendor == "postgresql" and outermost:
            # One consistent snapshot of every table.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in models:
            label = model._meta.label_lower
            digest = hashlib.sha256()
            count = 0
            with archive.open(f"data/{label}.jsonl", "w") as raw:
                out = io.TextIOWrapper(raw, encoding="utf-8")
                out.write(_line([f.attname for f in _fields(model)]) + "\n")
                for values in _rows(model):
                    line = _line(_normalise(model, values))
                    out.write(line + "\n")
                    digest.update(line.encode())
                    digest.update(b"\n")
                    count += 1
                out.flush()
                out.detach()
            tables[label] = {"table": model._meta.db_table, "rows": count, "sha256": digest.hexdigest()}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "django": django.get_version(),
            "migrations": applied_migrations(),
            "tables": tables,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def read_manifest(source: str | Path) -> dict[str, Any]:
    with zipfile.ZipFile(source) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("Filen er ikke en Styrbord-sikkerhedskopi i et format, denne version kan læse.")
    return manifest


@contextmanager
def _raw_timestamps(models: Iterable[type[Model]]) -> Iterator[None]:
    """Keep stored created/updated times: switch auto_now(_add) off while rows are inserted."""
    switched = []
    for model in models:
        for field in _fields(model):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                switched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, now_add in switched:
            field.auto_now, field.auto_now_add = now, now_add


def restore_backup(source: str | Path) -> dict[str, Any]:
    """Replace every table's content with the backup's, in one transaction; verify the checksums."""
    manifest = read_manifest(source)
    here = applied_migrations()
    if manifest["migrations"] != here:
        missing = sorted(
            f"{app}.{name}"
            for app, names in manifest["migrations"].items()
            for name in names
            if name not in here.get(app, [])
        )
        extra = sorted(
            f"{app}.{name}"
            for app, names in here.items()
            for name in names
            if name not in manifest["migrations"].get(app, [])
        )
        raise BackupError(
            "Databasen har ikke samme skemaversion som sikkerhedskopien "
            f"(mangler: {', '.join(missing[:5]) or 'ingen'}; ekstra: {', '.join(extra[:5]) or 'ingen'}). "
            "Kør `styrbord migrate` til samme version først."
        )
    by_label = {m._meta.label_lower: m for m in backed_up_models()}
    unknown = sorted(set(manifest["tables"]) - set(by_label))
    if unknown:
        raise BackupError(f"Sikkerhedskopien har tabeller, denne version ikke kender: {', '.join(unknown[:5])}.")
    models = [by_label[label] for label in manifest["tables"]]
    with transaction.atomic(), zipfile.ZipFile(source) as archive, _raw_timestamps(models):
        tables = [m._meta.db_table for m in by_label.values()]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE refuses tables with pending deferred foreign-key checks (rows written
                # earlier in an enclosing transaction): run those checks now, defer again after.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in models:
            label = model._meta.label_lower
            with archive.open(f"data/{label}.jsonl") as raw:
                lines = io.TextIOWrapper(raw, encoding="utf-8")
                header = json.loads(next(lines))
                fields = {f.attname: f for f in _fields(model)}
                if set(header) != set(fields):
                    raise BackupError(f"Kolonnerne i {label} passer ikke med databasen.")
                batch: list[Model] = []
                for line in lines:
                    values = json.loads(line)
                    batch.append(
                        model(**{name: fields[name].to_python(v) for name, v in zip(header, values, strict=True)})
                    )
                    if len(batch) >= BATCH:
                        model._base_manager.bulk_create(batch)
                        batch = []
                if batch:
                    model._base_manager.bulk_create(batch)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        if connection.vendor == "sqlite":
            connection.check_constraints(table_names=tables)
        found = table_checksums(models)
        wrong = [
            label
            for label, info in manifest["tables"].items()
            if (found[label].rows, found[label].sha256) != (info["rows"], info["sha256"])
        ]
        if wrong:
            raise BackupError(f"Indholdet efter gendannelse stemmer ikke med sikkerhedskopien: {', '.join(wrong[:5])}.")
    ContentType.objects.clear_cache()
    return manifest
