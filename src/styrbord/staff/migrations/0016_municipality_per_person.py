"""Give every employment and every person a municipality (the employer and data controller).

Employments: the municipality of their facility.

People, from their employments: the municipality of the first employment in this order:
primary before secondary, not ended before ended, the latest start first (then the lowest id).
A person with employments in several municipalities is split: for each further municipality a
copy of the person (same key, name and other fields; the key is unique per municipality from
0017) takes over the employments in that municipality, and with them the course bookings and
plan seats of those employments. The copy gets copies of the person's competence holdings and
absences (facts about the person both employers may rely on). The rest stays with the person
(the municipality of the first employment): the login linked to the person, course interests,
reminders, retention holds and ledger rows (the ledger is history and is not rewritten).

People without any employment, in this order:
1. the municipality of the login linked to the person, else of the first facility it manages;
2. the municipality whose code the person key starts with ("0707:...", as the HR import makes);
3. the municipality with the most employments (the installation's main tenant), or, without any
   employment, of the first facility, or else the first municipality by code.
So the field can be NOT NULL (0017): every person belongs to one data controller.
"""

from collections import Counter, defaultdict
from typing import Any

from django.db import migrations
from django.db.models import Case, IntegerField, Value, When

EMPLOYEE_COPIED = ("holdings", "absences")  # reverse relations copied along with a split person


def _copy_rows(model: Any, rows: Any, **changes: Any) -> None:
    copies = []
    for row in rows:
        values = {
            f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key
        }
        values.update(changes)
        copies.append(model(**values))
    model.objects.bulk_create(copies)


def assign_municipalities(apps: Any, schema_editor: Any = None) -> None:
    Employee = apps.get_model("staff", "Employee")
    Employment = apps.get_model("staff", "Employment")
    Absence = apps.get_model("staff", "Absence")
    Facility = apps.get_model("organisations", "Facility")
    Municipality = apps.get_model("organisations", "Municipality")
    Holding = apps.get_model("competences", "CompetenceHolding")
    Booking = apps.get_model("training", "Booking")
    PlanAssignment = apps.get_model("planning", "PlanAssignment")
    User = apps.get_model("accounts", "User")

    # Employments: the facility's municipality, one UPDATE per municipality.
    for municipality_id in Facility.objects.order_by().values_list("municipality_id", flat=True).distinct():
        Employment.objects.filter(facility__municipality_id=municipality_id).update(municipality_id=municipality_id)

    # People with employments: their municipalities, the owner's first.
    order = Employment.objects.order_by(
        "employee_id",
        "-is_primary",
        Case(When(status="ended", then=Value(1)), default=Value(0), output_field=IntegerField()),
        "-start_date",
        "id",
    )
    municipalities: dict[int, list[int]] = defaultdict(list)
    for employee_id, municipality_id in order.values_list("employee_id", "municipality_id"):
        if municipality_id not in municipalities[employee_id]:
            municipalities[employee_id].append(municipality_id)
    by_owner: dict[int, list[int]] = defaultdict(list)
    for employee_id, found in municipalities.items():
        by_owner[found[0]].append(employee_id)
    for municipality_id, ids in by_owner.items():
        for start in range(0, len(ids), 500):
            Employee.objects.filter(id__in=ids[start : start + 500]).update(municipality_id=municipality_id)

    # A person employed in several municipalities: a copy per further municipality.
    for employee_id, found in municipalities.items():
        if len(found) < 2:
            continue
        person = Employee.objects.get(pk=employee_id)
        for municipality_id in found[1:]:
            copy = Employee.objects.get(pk=employee_id)
            copy.pk = None
            copy.municipality_id = municipality_id
            copy.save(force_insert=True)
            moved = Employment.objects.filter(employee_id=person.pk, municipality_id=municipality_id)
            moved_ids = list(moved.values_list("id", flat=True))
            Booking.objects.filter(employment_id__in=moved_ids).update(employee_id=copy.pk)
            PlanAssignment.objects.filter(employment_id__in=moved_ids).update(employee_id=copy.pk)
            Employment.objects.filter(id__in=moved_ids).update(employee_id=copy.pk)
            _copy_rows(Holding, Holding.objects.filter(employee_id=person.pk), employee_id=copy.pk)
            _copy_rows(Absence, Absence.objects.filter(employee_id=person.pk), employee_id=copy.pk)

    # People without an employment.
    orphans = Employee.objects.filter(municipality_id__isnull=True)
    if not orphans.exists():
        return
    codes = dict(Municipality.objects.values_list("code", "id"))
    counts = Counter(Employment.objects.order_by().values_list("municipality_id", flat=True))
    if counts:
        fallback = counts.most_common(1)[0][0]
    else:
        fallback = (
            Facility.objects.order_by("id").values_list("municipality_id", flat=True).first()
            or Municipality.objects.order_by("code").values_list("id", flat=True).first()
        )
    for person in orphans.only("id", "person_key"):
        municipality_id = None
        user = User.objects.filter(employee_id=person.pk).first()
        if user is not None:
            municipality_id = user.municipality_id or (
                user.facilities.order_by("id").values_list("municipality_id", flat=True).first()
            )
        if municipality_id is None:
            municipality_id = codes.get(person.person_key.partition(":")[0]) if ":" in person.person_key else None
        Employee.objects.filter(pk=person.pk).update(municipality_id=municipality_id or fallback)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0015_employee_employment_municipality"),
        ("accounts", "0004_user_manager"),
        ("competences", "0007_danish_order"),
        ("planning", "0003_calendar_dates"),
        ("training", "0011_created_at_names"),
    ]

    operations = [migrations.RunPython(assign_municipalities, migrations.RunPython.noop)]
