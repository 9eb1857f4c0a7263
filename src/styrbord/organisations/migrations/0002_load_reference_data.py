"""Load regions, municipalities and the facility code lists from package data."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from styrbord.organisations import reference

    Region = apps.get_model("organisations", "Region")
    Municipality = apps.get_model("organisations", "Municipality")
    by_code = {}
    for row in reference.regions():
        by_code[row.code], _ = Region.objects.update_or_create(code=row.code, defaults={"name": row.name, "nuts2": row.nuts2})
    for row in reference.municipalities():
        Municipality.objects.update_or_create(code=row.code, defaults={"name": row.name, "region": by_code[row.region_code]})
    for model_name, rows in (
        ("LegalBasis", reference.LEGAL_BASES),
        ("TargetGroup", reference.TARGET_GROUPS),
        ("Method", reference.METHODS),
    ):
        model = apps.get_model("organisations", model_name)
        for code, name in rows:
            model.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
