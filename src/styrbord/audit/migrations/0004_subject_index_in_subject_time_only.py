"""Drop the single-column index on subject_employee_id: audit_subject_time starts with it.

Every lookup by person uses the composite index; the second index only doubled the scattered
index writes of each page view that logs access to many people.

Only the index is dropped (plain SQL on both databases). An AlterField would make SQLite
rebuild the table, which would lose the append-only trigger of migration 0003.
"""

from django.db import migrations, models

INDEX = "audit_auditentry_subject_employee_id_49878a82"  # the name Django gave it in 0001


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_sqlite_no_update_trigger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="subject_employee_id",
                    field=models.BigIntegerField(
                        blank=True,
                        help_text="Den person, hvis data handlingen angik.",
                        null=True,
                        verbose_name="registreret (medarbejder-id)",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "audit_auditentry" ("subject_employee_id")',
                ),
            ],
        ),
    ]
