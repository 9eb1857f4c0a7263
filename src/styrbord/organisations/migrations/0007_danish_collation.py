from django.contrib.postgres.operations import CreateCollation
from django.db import migrations

from styrbord.lib.collation import COLLATION, ICU_LOCALE


class Migration(migrations.Migration):
    """The Danish collation lists are ordered by (``styrbord.lib.collation``). PostgreSQL gets an
    ICU collation; SQLite needs nothing stored: each connection registers one of the same name."""

    dependencies = [
        ("organisations", "0006_calendar_dates"),
    ]

    operations = [
        CreateCollation(COLLATION, ICU_LOCALE, provider="icu"),
    ]
