"""A municipality on people and employments (nullable until 0016 has filled it in), and the
person key and employment number no longer unique across the installation (0017 makes them
unique per municipality)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0009_minimum_staff_limit"),
        ("staff", "0014_import_batch_rejected"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                help_text="Kommunen, der er arbejdsgiver og dataansvarlig for personen.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="employees",
                to="organisations.municipality",
                verbose_name="kommune",
            ),
        ),
        migrations.AddField(
            model_name="employment",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.municipality",
                verbose_name="kommune",
            ),
        ),
        migrations.AlterField(
            model_name="employee",
            name="person_key",
            field=models.CharField(
                help_text="Pseudonym nøgle for personen. Aldrig et CPR-nummer i klar tekst.",
                max_length=64,
                verbose_name="personnøgle",
            ),
        ),
        migrations.AlterField(
            model_name="employment",
            name="employment_number",
            field=models.CharField(max_length=40, verbose_name="ansættelsesnummer"),
        ),
    ]
