"""Writing a checked plan: bulk inserts and updates, called inside one transaction.

Nothing here validates: ``plan.build_plan`` has already refused anything wrong. Inserts go
through ``bulk_create`` in batches; the two big tables (people, employments) are written with
COPY on PostgreSQL (what the import benchmark compares against) and with multi-row INSERTs on
SQLite. Their changed rows are updated by ``_update``, which writes what ``bulk_update`` wrote.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

from django.db import connection
from django.db.models import Case, F, Field, Model, Value, When
from django.db.models.fields import DateField
from django.db.models.functions import Greatest

from styrbord.lib import lookups  # noqa: F401  (registers field__any_of)
from styrbord.organisations.models import Facility, Unit
from styrbord.staff.education import record_education
from styrbord.staff.import_models import FacilityDepartment
from styrbord.staff.importing.plan import Plan, PlannedEmployment
from styrbord.staff.models import EDUCATION_FIELDS, FULL_TIME_HOURS, Employee, Employment, JobCode
from styrbord.training.services.staffing import refresh_staffing_flags_at

EMPLOYEE_BATCH = 2000
EMPLOYMENT_BATCH = 1000
UPDATE_BATCH = 500
PG_UPDATE_BATCH = 100_000  # rows to one UPDATE ... FROM unnest(...) on PostgreSQL
ZERO_WAGE = Decimal("0.00")


def apply_plan(plan: Plan) -> dict[str, int]:
    """Write the plan (the caller holds the transaction). Returns the counts of what changed."""
    facility_ids = _facilities(plan)
    unit_ids = _units(plan, facility_ids)
    _job_codes(plan)
    _people(plan)
    _employments(plan, facility_ids, unit_ids)
    _end_missing(plan)
    _refresh_staffing_flags(plan)
    return plan.counts()


STAFFING_FIELDS = {"facility_id", "start_date", "end_date", "status"}  # who is at work where, and when


def _refresh_staffing_flags(plan: Plan) -> None:
    """The staffing flags of the bookings at the facilities whose staff the import changed (an
    employment begun, moved, given other dates or status, or ended) follow, in the import's
    transaction: one refresh over all of them, a few queries. A facility the import creates has
    no bookings yet, so only existing ones count."""
    touched: set[int | None] = set()
    for p in plan.employments:
        if p.existing_id is None or STAFFING_FIELDS.intersection(p.changes or ()):
            touched.add(p.placement.facility_id)  # None: a facility the import creates
            if p.current is not None:
                touched.add(p.current["facility_id"])  # the one it was at
    if plan.to_end:
        ended = Employment.objects.filter(id__any_of=set(plan.to_end)).order_by()
        touched.update(ended.values_list("facility_id", flat=True).distinct())
    refresh_staffing_flags_at(pk for pk in touched if pk is not None)


def _facilities(plan: Plan) -> dict[str, int]:
    created = [Facility(name=row.name[:200], municipality=plan.municipality) for row in plan.new_facilities]
    Facility.objects.bulk_create(created)
    facility_ids = {row.department_id: f.pk for row, f in zip(plan.new_facilities, created, strict=True)}
    links = list(facility_ids.items()) + plan.new_facility_links
    FacilityDepartment.objects.bulk_create(
        [FacilityDepartment(municipality=plan.municipality, department_id=dept, facility_id=pk) for dept, pk in links]
    )
    return facility_ids


def _units(plan: Plan, facility_ids: dict[str, int]) -> dict[str, int]:
    created = [
        Unit(
            facility_id=pk if pk is not None else facility_ids[top],
            name=row.name[:200],
            hr_department_id=row.department_id,
        )
        for row, top, pk in plan.new_units
    ]
    Unit.objects.bulk_create(created)
    changed = [
        Unit(id=unit_id, name=name[:200], facility_id=pk if pk is not None else facility_ids[top])
        for unit_id, name, top, pk in plan.changed_units
    ]
    Unit.objects.bulk_update(changed, ["name", "facility"], batch_size=UPDATE_BATCH)
    return {u.hr_department_id: u.pk for u in created}


def _job_codes(plan: Plan) -> None:
    created = [JobCode(code=row.code, name=row.name[:200], job_group=row.job_group) for row in plan.new_job_codes]
    JobCode.objects.bulk_create(created)
    plan.job_code_ids.update({jc.code: jc.pk for jc in created})


def _people(plan: Plan) -> None:
    municipality_id = plan.municipality.pk  # the data controller of the people it imports
    rows = [
        (
            municipality_id,
            p.key,
            p.name[:200],
            (p.email or "")[:254],
            p.birth_year,
            (p.education or "")[:200],
            bool(p.education_relevant),
            None,
            1,
        )
        for p in plan.new_people
    ]
    columns = [
        "municipality_id",
        "person_key",
        "name",
        "email",
        "birth_year",
        "education",
        "education_relevant",
        "anonymised_at",
        "version",
    ]
    ids = _insert(Employee, columns, rows, EMPLOYEE_BATCH)
    plan.person_ids.update({p.key: pk for p, pk in zip(plan.new_people, ids, strict=True)})
    if plan.changed_people:
        names = sorted({name for _, values in plan.changed_people for name in values})
        _update(Employee, names, [(pk, [values[name] for name in names]) for pk, values in plan.changed_people])
    # The education history: a first period for everyone created, a new one from the import's day
    # for everyone whose education or mark it changed (``staff.education``: three statements).
    record_education(
        {*ids, *(pk for pk, values in plan.changed_people if EDUCATION_FIELDS.intersection(values))}, on=plan.today
    )


def _placement_ids(
    planned: PlannedEmployment, facility_ids: dict[str, int], unit_ids: dict[str, int]
) -> tuple[int, int | None]:
    """The facility and unit ids of an employment, for those the import itself creates too."""
    placement = planned.placement
    facility_id = placement.facility_id if placement.facility_id is not None else facility_ids[placement.facility_dept]
    unit_id = placement.unit_id
    if unit_id is None and placement.unit_dept:
        unit_id = unit_ids[placement.unit_dept]
    return facility_id, unit_id


def _employment_values(
    planned: PlannedEmployment, plan: Plan, facility_ids: dict[str, int], unit_ids: dict[str, int]
) -> dict[str, Any]:
    row = planned.row
    facility_id, unit_id = _placement_ids(planned, facility_ids, unit_ids)
    return {
        "facility_id": facility_id,
        "unit_id": unit_id,
        "job_group": planned.job_group,
        "job_code_id": plan.job_code_ids.get(planned.job_code),
        "kind": row.kind,
        "title": row.title,
        "weekly_hours": row.weekly_hours,
        "is_contact_person": row.is_contact_person,
        "is_primary": row.is_primary,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "status": row.status,
        "hourly_wage": row.hourly_wage,
    }


_EMPLOYMENT_COLUMNS = [
    "municipality_id",
    "employee_id",
    "employment_number",
    "facility_id",
    "unit_id",
    "job_group",
    "job_code_id",
    "kind",
    "title",
    "weekly_hours",
    "fte",
    "is_contact_person",
    "is_primary",
    "start_date",
    "end_date",
    "status",
    "hourly_wage",
    "version",
]


NOT_GIVEN_KEEPS = ("title", "weekly_hours", "is_contact_person", "is_primary", "hourly_wage")


def _employments(plan: Plan, facility_ids: dict[str, int], unit_ids: dict[str, int]) -> None:
    rows = []
    changed: list[tuple[PlannedEmployment, dict[str, Any]]] = []
    person_ids = plan.person_ids
    job_code_ids = plan.job_code_ids
    fte_for = lru_cache(maxsize=1024)(Employment.fte_for)  # a file has a few dozen distinct hours
    # The employer: every facility the import places an employment at is one of its municipality's.
    municipality_id = plan.municipality.pk
    for planned in plan.employments:
        if planned.existing_id is None:
            # New rows straight into the insert tuple (100.000 of them on a first import).
            row = planned.row
            facility_id, unit_id = _placement_ids(planned, facility_ids, unit_ids)
            hours = row.weekly_hours if row.weekly_hours is not None else FULL_TIME_HOURS
            rows.append(
                (
                    municipality_id,
                    person_ids[row.person_key],
                    row.number,
                    facility_id,
                    unit_id,
                    planned.job_group,
                    job_code_ids.get(planned.job_code),
                    row.kind,
                    (row.title or "")[:200],
                    hours,
                    fte_for(hours),
                    bool(row.is_contact_person),
                    True if row.is_primary is None else row.is_primary,
                    row.start_date,
                    row.end_date,
                    row.status,
                    row.hourly_wage if row.hourly_wage is not None else ZERO_WAGE,
                    1,
                )
            )
        elif planned.changes:
            changed.append((planned, _employment_values(planned, plan, facility_ids, unit_ids)))
    _insert(Employment, _EMPLOYMENT_COLUMNS, rows, EMPLOYMENT_BATCH)
    if changed:
        _update_employments(changed)


def _update_employments(changed: list[tuple[PlannedEmployment, dict[str, Any]]]) -> None:
    """Every row gets the same fields set: its new value where its row changed the field, and its
    stored value elsewhere."""
    union: set[str] = set()
    for planned, _ in changed:
        union.update(planned.changes or {})
    names = sorted(union)
    rows: list[tuple[int, list[Any]]] = []
    for planned, values in changed:
        current = planned.current or {}
        changes = planned.changes or {}
        row = []
        for name in names:
            value = values[name] if name in changes else current[name]
            if value is None and name in NOT_GIVEN_KEEPS:
                value = current[name]
            row.append(value)
        if "weekly_hours" in union:
            row.append(Employment.fte_for(row[names.index("weekly_hours")]))
        rows.append((planned.existing_id, row))  # type: ignore[arg-type]
    _update(Employment, names + (["fte"] if "weekly_hours" in union else []), rows)


def _update(model: type[Model], fields: list[str], rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
    """Set ``fields`` of each row (by id) to its values, and count its version up: what
    ``bulk_update(objs, [*fields, "version"])`` with ``version = F("version") + 1`` writes, each
    value prepared by its field as bulk_update prepares it. bulk_update writes, for every field,
    a CASE with a WHEN id = ... branch per object, which the database walks for every row: an
    import that changed 100.000 wages took 40 s, on SQLite as on PostgreSQL.

    On PostgreSQL one statement joins the table to the values as arrays (``unnest``), each cast
    to its field's type as bulk_update casts its CASE (so a text longer than its column is cut
    as before); on SQLite one UPDATE by id is prepared and run for every row."""
    if not rows:
        return
    opts = model._meta
    targets = [cast("Field[Any, Any]", opts.get_field(name)) for name in fields]
    if connection.vendor not in ("postgresql", "sqlite"):
        objs = []
        for row_id, values in rows:
            obj = model(pk=row_id)
            for field, value in zip(targets, values, strict=True):
                setattr(obj, field.attname, value)
            obj.version = F("version") + 1  # type: ignore[attr-defined]
            objs.append(obj)
        model.objects.bulk_update(objs, [*fields, "version"], batch_size=UPDATE_BATCH)  # type: ignore[attr-defined]
        return
    prepared = [
        [field.get_db_prep_save(value, connection) for field, value in zip(targets, values, strict=True)]
        for _, values in rows
    ]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    version = quote(cast(str, cast("Field[Any, Any]", opts.get_field("version")).column))
    pk = quote(cast(str, opts.pk.column))
    columns = [quote(cast(str, field.column)) for field in targets]
    if connection.vendor == "postgresql":
        types = [opts.pk.cast_db_type(connection), *(field.cast_db_type(connection) for field in targets)]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        names = [f"v{i}" for i in range(len(targets))]
        sets = ", ".join(f"{column} = data.{name}" for column, name in zip(columns, names, strict=True))
        sql = (
            f"UPDATE {table} SET {sets}, {version} = {table}.{version} + 1 "
            f"FROM unnest({arrays}) AS data(id, {', '.join(names)}) WHERE {table}.{pk} = data.id"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), PG_UPDATE_BATCH):
                ids = [row_id for row_id, _ in rows[start : start + PG_UPDATE_BATCH]]
                batch = prepared[start : start + PG_UPDATE_BATCH]
                cursor.execute(sql, [ids, *(list(map(itemgetter(i), batch)) for i in range(len(targets)))])
    else:
        sets = ", ".join(f"{column} = %s" for column in columns)
        sql = f"UPDATE {table} SET {sets}, {version} = {version} + 1 WHERE {pk} = %s"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[*values, row_id] for (row_id, _), values in zip(rows, prepared, strict=True)])


def _end_missing(plan: Plan) -> None:
    """Status ended, last day the day before the import (``plan.last_day_of_missing``)."""
    last = plan.today - dt.timedelta(days=1)
    yesterday = Value(last, output_field=DateField())
    if plan.to_end:
        Employment.objects.filter(id__any_of=plan.to_end).update(
            status=Employment.Status.ENDED,
            end_date=Case(
                When(end_date__isnull=False, end_date__lte=last, then=F("end_date")),
                default=Greatest(F("start_date"), yesterday),
                output_field=DateField(),
            ),
            version=F("version") + 1,
        )


# --- inserting -------------------------------------------------------------------------------------


def _insert(model: type[Model], columns: list[str], rows: Sequence[tuple[Any, ...]], batch_size: int) -> list[int]:
    """Insert rows (values in ``columns`` order, already valid) and return their new ids, in order.

    The rows are plain tuples of checked values, so the ORM's per-object work (model instances,
    field preparation) is skipped: COPY on PostgreSQL, executemany on SQLite, bulk_create elsewhere.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows)
    if connection.vendor == "sqlite":
        return _sqlite_insert(model, columns, rows, batch_size)
    objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model.objects.bulk_create(objs, batch_size=batch_size)  # type: ignore[attr-defined]
    return [int(obj.pk) for obj in objs]


def _sqlite_insert(
    model: type[Model], columns: list[str], rows: Sequence[tuple[Any, ...]], batch_size: int
) -> list[int]:
    """SQLite: explicit ids after the highest ever used. Safe because the import's transaction
    holds SQLite's write lock from its start (transaction_mode IMMEDIATE).

    Many rows to a statement (``INSERT ... VALUES (...), (...)``, as many as Django's limit on a
    statement's parameters allows): executemany steps the statement once a row, and that cost
    per row was most of the time the people of a 100.000-row file took."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX(id) FROM {quote(table)}), 0))",
            [table],
        )
        first = int(cursor.fetchone()[0]) + 1
    ids = list(range(first, first + len(rows)))
    width = len(columns) + 1
    limit = connection.features.max_query_params  # None: no limit
    step = batch_size if limit is None else max(1, min(batch_size, limit // width))
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in ['id', *columns])}) VALUES "
    marks = "(" + ", ".join(["?"] * width) + ")"
    full = head + ", ".join([marks] * step)
    # Decimals, dates and booleans go to sqlite3 as they are: the adapters Django's SQLite
    # backend registers store them exactly as the ORM would (text, ISO text, 0/1).
    # A plain sqlite3 cursor on the same connection (and transaction), with qmark marks: Django's
    # cursor rewrites a statement's %s marks with a regular expression every time it runs it,
    # which for statements of a thousand marks cost a third of the insert. Django's error
    # translation is applied here, as for COPY on PostgreSQL: a refused row raises
    # django.db.IntegrityError.
    raw = connection.connection.cursor()  # type: ignore[union-attr]
    try:
        with connection.wrap_database_errors:
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                sql = full if len(chunk) == step else head + ", ".join([marks] * len(chunk))
                pairs = zip(ids[start : start + step], chunk, strict=True)
                raw.execute(sql, list(itertools.chain.from_iterable([(pk, *row) for pk, row in pairs])))
    finally:
        raw.close()
    return ids


def _copy(model: type[Model], columns: list[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """PostgreSQL: take ids from the table's sequence, then stream the rows in with COPY."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The sequence is looked up once: as nextval's argument, pg_get_serial_sequence is evaluated
        # (a catalog lookup) for every row, 0,4 s of 0,45 s for 100.000 ids.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
        ids = [int(r[0]) for r in cursor.fetchall()]
        column_sql = ", ".join(quote(c) for c in ["id", *columns])
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        # Past Django's cursor wrapper, so its error translation is applied here: a row the database
        # refuses raises django.db.IntegrityError as on SQLite (psycopg's own class before), which
        # the import turns into a message.
        statement = f"COPY {quote(table)} ({column_sql}) FROM STDIN"
        with connection.wrap_database_errors, raw.copy(statement) as copy:  # type: ignore[attr-defined]
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids
