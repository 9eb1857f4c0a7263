"""Load the VEU hourly rates (VEU-godtgørelse). Later years are added as data, not code."""

from datetime import date
from decimal import Decimal

from django.db import migrations

# VEU = 100 % of the highest unemployment benefit (dagpenge): weekly rate = daily rate x 5,
# hourly rate = weekly rate / 37, rounded to the øre.
RATES = [
    (date(2023, 1, 1), "123.11", "4555.00", "4.555 kr./uge (UC SYD, AMU-vejledning 2023)"),
    (date(2024, 1, 1), "127.03", "4700.00", "127,03 kr./time, 4.700 kr./uge (2024)"),
    (
        date(2025, 1, 1),
        "131.49",
        "4865.00",
        "Skønnet: afledt af højeste dagpengesats 2025, 21.092 kr./md. (bm.dk, satser 2025), "
        "dagssats 973 kr. x 5 / 37. Bekræft mod AUB.",
    ),
    (
        date(2026, 1, 1),
        "137.43",
        "5085.00",
        "Skønnet: afledt af højeste dagpengesats 2026, 22.041 kr./md. (bm.dk, satser 2026), "
        "dagssats 1.017 kr. x 5 / 37. Bekræft mod AUB.",
    ),
]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    VeuRate = apps.get_model("training", "VeuRate")
    for valid_from, hourly, weekly, source in RATES:
        VeuRate.objects.update_or_create(
            valid_from=valid_from,
            defaults={"hourly_rate": Decimal(hourly), "weekly_rate": Decimal(weekly), "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_catalogue_sessions_bookings_costs")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
