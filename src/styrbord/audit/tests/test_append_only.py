"""The application cannot update or delete audit rows: ORM guards on both databases, a trigger on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from styrbord.audit.models import AppendOnlyError, AuditEntry
from styrbord.audit.services import log_action


@pytest.fixture
def entry(db):  # type: ignore[no-untyped-def]
    return log_action(None, "test.something.happened", None, {"n": 1})


def test_an_entry_cannot_be_saved_again_or_deleted(entry) -> None:  # type: ignore[no-untyped-def]
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_queryset_refuses_bulk_update_and_delete(entry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.happened"


@pytest.mark.postgres
def test_postgresql_refuses_raw_sql_update_and_delete(entry) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.happened"


def test_the_database_refuses_a_raw_sql_update_on_either_database(entry) -> None:  # type: ignore[no-untyped-def]
    """SQLite: the trigger of migration 0003; PostgreSQL: the trigger of 0002."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.happened"
