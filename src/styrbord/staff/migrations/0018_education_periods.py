"""A person's education over time (``EducationPeriod``), and one open period "since always"
(``valid_from`` NULL) for every person there is, with the values they hold now: one
INSERT ... SELECT, so 100.000 people take a moment, not a loop."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

import styrbord.lib.cpr


def backfill_education_periods(apps: Any, schema_editor: Any) -> int:
    """Give every person without an open period one with their current education and mark,
    since always. Returns how many were written (idempotent: a second run writes none)."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    employee = quote(apps.get_model("staff", "Employee")._meta.db_table)
    period = quote(apps.get_model("staff", "EducationPeriod")._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {period} (employee_id, education, education_relevant, valid_from, valid_to, created_at) "
        f"SELECT e.id, e.education, e.education_relevant, NULL, NULL, %s FROM {employee} e "
        f"WHERE NOT EXISTS (SELECT 1 FROM {period} p WHERE p.employee_id = e.id AND p.valid_to IS NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now])
        return max(cursor.rowcount, 0)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0017_keys_unique_per_municipality"),
    ]

    operations = [
        migrations.CreateModel(
            name="EducationPeriod",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "education",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[styrbord.lib.cpr.no_cpr_in_text],
                        verbose_name="uddannelse",
                    ),
                ),
                ("education_relevant", models.BooleanField(default=False, verbose_name="relevant uddannelse")),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="gælder fra")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="gælder til (ikke medregnet)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="oprettet")),
                (
                    "employee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="education_periods",
                        to="staff.employee",
                        verbose_name="medarbejder",
                    ),
                ),
            ],
            options={
                "verbose_name": "uddannelsesperiode",
                "verbose_name_plural": "uddannelseshistorik",
                "ordering": ["employee_id", models.F("valid_from").asc(nulls_first=True)],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("valid_to__isnull", True)),
                        fields=("employee",),
                        name="education_period_one_open",
                        violation_error_code="education_period_one_open",
                        violation_error_message="En medarbejder kan kun have én åben uddannelsesperiode.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gt", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="education_period_ends_after_start",
                        violation_error_code="education_period_ends_after_start",
                        violation_error_message="Uddannelsesperioden slutter, før den begynder.",
                    ),
                ],
            },
        ),
        migrations.RunPython(backfill_education_periods, migrations.RunPython.noop, elidable=True),
    ]
