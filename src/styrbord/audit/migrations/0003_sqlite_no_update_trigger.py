"""On SQLite too, refuse UPDATE of audit rows in the database itself (raw SQL included).

DELETE cannot be refused by a trigger on SQLite: Django empties tables with DELETE statements
(test flushes, `styrbord restore`), so deletes stay guarded by the model and queryset only.
PostgreSQL refuses both with the trigger of 0002.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE refused)');
END;
"""
DROP = "DROP TRIGGER IF EXISTS audit_no_update;"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
