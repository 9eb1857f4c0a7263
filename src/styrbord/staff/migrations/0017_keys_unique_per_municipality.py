"""Every person and employment has its municipality (0016): the fields become NOT NULL, and the
person key and employment number unique per municipality (whose unique indexes also serve the
HR import's look-ups by municipality and key)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0016_municipality_per_person"),
    ]

    operations = [
        migrations.AlterField(
            model_name="employee",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                help_text="Kommunen, der er arbejdsgiver og dataansvarlig for personen.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="employees",
                to="organisations.municipality",
                verbose_name="kommune",
            ),
        ),
        migrations.AlterField(
            model_name="employment",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.municipality",
                verbose_name="kommune",
            ),
        ),
        migrations.AddConstraint(
            model_name="employee",
            constraint=models.UniqueConstraint(
                fields=("municipality", "person_key"),
                name="employee_person_key_per_municipality",
                violation_error_code="employee_person_key_taken",
                violation_error_message="Der findes allerede en medarbejder med denne personnøgle.",
            ),
        ),
        migrations.AddConstraint(
            model_name="employment",
            constraint=models.UniqueConstraint(
                fields=("municipality", "employment_number"),
                name="employment_number_per_municipality",
                violation_error_code="employment_number_taken",
                violation_error_message="Der findes allerede en ansættelse med dette ansættelsesnummer.",
            ),
        ),
    ]
