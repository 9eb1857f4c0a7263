"""Drop the single-column index on staff_employment.facility_id: employment_facility_current
starts with the facility, so it serves every lookup by facility, and each import row no longer
maintains a second index. Only the index is dropped (Django's AlterField would rebuild the
table on SQLite and drop and re-check the foreign key on PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "staff_employment_facility_id_b7b2247e"


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_load_reference_data"),
        ("staff", "0003_employment_facility_covering_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "staff_employment" ("facility_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="employment",
                    name="facility",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="employments",
                        to="organisations.facility",
                        verbose_name="tilbud",
                    ),
                ),
            ],
        ),
    ]
