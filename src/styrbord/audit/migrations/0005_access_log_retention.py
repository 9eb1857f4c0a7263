"""Let retention delete old view, export and login entries in PostgreSQL, and nothing else.

The append-only trigger of migration 0002 still refuses every UPDATE, and every DELETE of a
change entry. A DELETE of another kind passes only while the transaction has set
``styrbord.audit_prune`` (``audit.services.prune_access_log`` does, for the entries older than
the retention period). On SQLite the model and queryset refuse deletes as before.
"""

from django.db import migrations

RETENTION = """
CREATE OR REPLACE FUNCTION styrbord_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.kind <> 'change'
            AND coalesce(current_setting('styrbord.audit_prune', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION styrbord_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RETENTION, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_subject_index_in_subject_time_only")]
    operations = [migrations.RunPython(forwards, backwards)]
