"""Make the funding ledger append-only in PostgreSQL: UPDATE and DELETE raise.

One UPDATE is allowed: clearing ``booking_cost_id`` when training rewrites a booking's cost
lines (ON DELETE SET NULL) while every other column stays the same. TRUNCATE (test flushes,
restore) is statement-level and not blocked. On SQLite the model and queryset refuse instead.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION styrbord_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.booking_cost_id IS NULL
       AND (to_jsonb(OLD) - 'booking_cost_id') = (to_jsonb(NEW) - 'booking_cost_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'funding ledger entries are append-only (% refused); reverse the entry instead', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER funding_ledger_append_only BEFORE UPDATE OR DELETE ON funding_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION styrbord_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS funding_ledger_append_only ON funding_ledgerentry;
DROP FUNCTION IF EXISTS styrbord_ledger_append_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_booking_links_and_splits")]
    operations = [migrations.RunPython(forwards, backwards)]
