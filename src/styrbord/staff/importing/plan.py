"""Checking a parsed delivery against the database and working out what would change.

The plan answers, without writing anything: which departments become facilities and units,
which job codes are new, which people and employments are created or updated (only the fields
the files provide, and only when they differ), and which employments would be ended.
All database reads are set-based: a key list goes as one parameter (``any_of``), never one query per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.sql.constants import MULTI
from django.utils.translation import gettext_noop

from styrbord.audit.models import AuditEntry
from styrbord.lib import lookups  # noqa: F401  (registers field__any_of)
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality, Unit
from styrbord.staff.import_models import FacilityDepartment, ImportBatch
from styrbord.staff.importing.records import DepartmentRow, EmploymentRow, JobCodeRow, ParsedSet, PersonRow
from styrbord.staff.models import Employee, Employment, JobCode
from styrbord.training.models import OPEN_STATUSES, Booking

EMPLOYMENT_FIELDS = (
    "facility_id",
    "unit_id",
    "job_group",
    "job_code_id",
    "kind",
    "title",
    "weekly_hours",
    "is_contact_person",
    "is_primary",
    "start_date",
    "end_date",
    "status",
    "hourly_wage",
)
PERSON_FIELDS = ("name", "email", "birth_year", "education", "education_relevant")
# A person's education, as a coordinator or manager also keeps it in Styrbord (the profile, the
# page "Uddannelser", the API): the fields whose hand edit an import sets back is said beforehand.
EDUCATION_FIELDS = ("education", "education_relevant")
# Rows fetched from the database at a time by ``stored_values`` (Django's default is 100).
_READ_CHUNK = 2000
# Parsed field name -> model attribute, for the "which fields does the delivery provide" sets.
_PROVIDED = {"facility": "facility_id", "unit": "unit_id", "job_code": "job_code_id"}


@dataclass(slots=True)
class Placement:
    """Where an employment goes: an existing facility/unit (ids) or one the import creates (HR ids)."""

    facility_id: int | None = None
    facility_dept: str = ""
    unit_id: int | None = None
    unit_dept: str = ""


@dataclass(slots=True)
class PlannedEmployment:
    row: EmploymentRow
    placement: Placement
    job_group: str
    job_code: str  # code; its id is known at apply time
    existing_id: int | None = None
    changes: dict[str, Any] | None = None
    current: dict[str, Any] | None = None  # the stored values, kept only for rows that change


@dataclass(slots=True)
class Ending:
    """An open employment the delivery does not contain, which ``end_missing`` ends."""

    id: int
    number: str
    name: str
    facility: str
    last_day: dt.date
    employee_id: int | None = None


def last_day_of_missing(today: dt.date, start: dt.date, end: dt.date | None) -> dt.date:
    """The end date an employment missing from today's delivery gets: the day before the import
    (it is absent from today's file, so not in force today), or its own earlier end date. Never
    before its start (the employment's check constraint): one that starts today or later ends on
    its start date. ``apply._end_missing`` writes the same rule in SQL."""
    yesterday = today - dt.timedelta(days=1)
    if end is not None and end <= yesterday:
        return end
    return max(start, yesterday)


@dataclass
class Plan:
    """What applying the delivery would do. Empty lists when nothing changes."""

    parsed: ParsedSet
    municipality: Municipality
    end_missing: bool
    today: dt.date
    new_facilities: list[DepartmentRow] = field(default_factory=list)
    new_facility_links: list[tuple[str, int]] = field(default_factory=list)  # (HR id, existing facility id)
    new_units: list[tuple[DepartmentRow, str, int | None]] = field(
        default_factory=list
    )  # row, facility HR id, facility id
    changed_units: list[tuple[int, str, str, int | None]] = field(
        default_factory=list
    )  # id, name, facility HR id, facility id
    new_job_codes: list[JobCodeRow] = field(default_factory=list)
    job_code_ids: dict[str, int] = field(default_factory=dict)
    new_people: list[PersonRow] = field(default_factory=list)
    changed_people: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # id, every provided field
    # The stored values of the provided fields of each changed person (by id): what the check
    # page shows as "old" beside the new values.
    person_before: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The fields whose value each changed person's delivery changes, in ``PERSON_FIELDS`` order
    # (the audit log names them; the check page shows them old -> new).
    person_changed_fields: dict[int, tuple[str, ...]] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)
    # The changed people whose education (or its relevant mark) was last set by hand in Styrbord
    # and which the delivery sets back to HR's value: id -> those fields, in ``changed_people``
    # order (``_find_hand_edits``). Applying still writes the file's value: HR is the master.
    hand_edited: dict[int, tuple[str, ...]] = field(default_factory=dict)
    employments: list[PlannedEmployment] = field(default_factory=list)
    to_end: list[int] = field(default_factory=list)
    ending: list[Ending] = field(default_factory=list)  # the same employments, by facility and name

    @property
    def errors(self):  # type: ignore[no-untyped-def]
        return self.parsed.errors

    @property
    def warnings(self):  # type: ignore[no-untyped-def]
        return self.parsed.warnings

    def bookings_left_behind(self) -> int:
        """Open bookings on sessions that last beyond the end date the delivery gives their
        employment (a resignation in the file, or an employment the delivery ends today): what
        applying it leaves for the booking list's filter "Kun efter ansættelsens ophør". The
        comparison of ``training.services.after_employment_ends``, on end dates not yet stored."""
        ends: dict[int, dt.date] = {e.id: e.last_day for e in self.ending}
        for planned in self.employments:
            if planned.existing_id is not None and planned.changes and planned.changes.get("end_date"):
                ends[planned.existing_id] = planned.changes["end_date"]
        if not ends:
            return 0
        open_bookings = Booking.objects.filter(employment__id__any_of=list(ends), status__in=OPEN_STATUSES)
        return sum(
            1
            for employment_id, last_day in open_bookings.values_list("employment_id", "session__last_day")
            if last_day is not None and last_day > ends[employment_id]
        )

    def fingerprint(self) -> str:
        """A hash of everything applying the plan would write: the check page stores it, and
        applying refuses a plan that has changed since (another import, an edit in Styrbord)."""
        digest = hashlib.sha256()

        def put(*parts: object) -> None:
            digest.update(repr(parts).encode())

        put(sorted(self.counts().items()), self.today)
        for row in self.new_facilities:
            put("facility", row.department_id, row.name)
        put("links", sorted(self.new_facility_links))
        for unit, top, facility_id in self.new_units:
            put("unit", unit.department_id, unit.name, top, facility_id)
        for changed_unit in self.changed_units:
            put("unit changed", *changed_unit)
        for code in self.new_job_codes:
            put("job code", code.code, code.job_group)
        for person in self.new_people:
            put("person", person.key)
        for person_id, values in self.changed_people:
            put("person changed", person_id, sorted(values.items()))
        for e in self.employments:
            p = e.placement
            put(e.row.number, e.existing_id, p.facility_id, p.facility_dept, p.unit_id, p.unit_dept)
            put(sorted((e.changes or {}).items()))
        for ending in self.ending:
            put("end", ending.id, ending.last_day)
        return digest.hexdigest()

    def counts(self) -> dict[str, int]:
        created = sum(1 for e in self.employments if e.existing_id is None)
        updated = sum(1 for e in self.employments if e.existing_id is not None and e.changes)
        return {
            "rows": len(self.employments),
            "facilities_created": len(self.new_facilities),
            "units_created": len(self.new_units),
            "units_updated": len(self.changed_units),
            "job_codes_created": len(self.new_job_codes),
            "employees_created": len(self.new_people),
            "employees_updated": len(self.changed_people),
            "employees_unchanged": len(self.parsed.persons) - len(self.new_people) - len(self.changed_people),
            "employments_created": created,
            "employments_updated": updated,
            "employments_unchanged": len(self.employments) - created - updated,
            "employments_ended": len(self.to_end),
        }

    def changes_nothing(self) -> bool:
        """Whether applying would write nothing at all: no person, employment, facility, unit or
        job code created, changed or ended (an employment count alone says nothing of people)."""
        counts = self.counts()
        return not self.new_facility_links and not any(
            counts[key]
            for key in (
                "facilities_created",
                "units_created",
                "units_updated",
                "job_codes_created",
                "employees_created",
                "employees_updated",
                "employments_created",
                "employments_updated",
                "employments_ended",
            )
        )


def build_plan(parsed: ParsedSet, municipality: Municipality, *, end_missing: bool = False) -> Plan:
    """Resolve references and compute changes; errors are added to ``parsed.errors``."""
    plan = Plan(parsed=parsed, municipality=municipality, end_missing=end_missing, today=local_today())
    if any(issue.row is None for issue in parsed.errors):
        return plan  # a file or its columns are wrong: its rows say little
    # The rows that did parse are checked against Styrbord too, so that one report names unknown
    # facilities, departments and job codes beside the rows' own errors.
    placements = _resolve_departments(plan)
    groups = _resolve_job_codes(plan)
    if parsed.errors:
        return plan
    _plan_people(plan)
    _plan_employments(plan, placements, groups)
    if end_missing and not parsed.errors:
        _plan_ending(plan)
    return plan


def stored_values(queryset: QuerySet[Any], fields: Sequence[str]) -> list[dict[str, Any]]:
    """``list(queryset.values(*fields))``, read the way 100.000 stored rows are cheap to read: the
    ORM's own SQL and its own converters (the backend's and the fields' ``from_db_value``), but
    each converter applied once to each distinct stored value of its column, not once a cell.
    ``values()`` called them for every cell (on SQLite a Decimal made and rounded for every
    stored hour and wage), which cost more than the query.

    A distinct value is a (type, value) pair, so that equal values of different types (1 and
    1.0, 0 and False) are each converted as themselves. The values must be hashable, as the
    numbers, texts, dates and booleans the import compares are."""
    compiler = queryset.values_list(*fields).query.get_compiler(using=queryset.db)
    rows: Iterable[tuple[Any, ...]] = list(chain.from_iterable(compiler.execute_sql(MULTI, chunk_size=_READ_CHUNK)))
    if not rows:
        return []
    expressions = [selected[0] for selected in compiler.select[: compiler.col_count]]
    connection = connections[queryset.db]
    columns: dict[int, Iterable[Any]] = {}
    for position, (functions, expression) in compiler.get_converters(expressions).items():
        stored = list(map(itemgetter(position), rows))
        keys = list(zip(map(type, stored), stored, strict=True))
        converted: dict[tuple[type, Any], Any] = {}
        for key in set(keys):
            value = key[1]
            for function in functions:
                value = function(value, expression, connection)
            converted[key] = value
        # A column whose every value converts to itself (None, a date or a boolean the driver
        # already made) is left as it is.
        if any(value is not key[1] for key, value in converted.items()):
            columns[position] = map(converted.__getitem__, keys)
    if columns:
        parts = [columns[i] if i in columns else map(itemgetter(i), rows) for i in range(len(fields))]
        rows = zip(*parts, strict=True)
    return [dict(zip(fields, row, strict=True)) for row in rows]


# --- departments ---------------------------------------------------------------------------------


def _is_municipality_root(row: DepartmentRow) -> bool:
    return "kommune" in row.name.lower()


def _facility_level(parsed: ParsedSet) -> dict[str, str | None]:
    """HR id -> HR id of the facility-level department it belongs to (None for the municipality root).

    Roots (no parent in the file) are facilities, unless the root is the municipality itself
    (its name contains "Kommune"): then its children are the facilities. Deeper departments
    become units of their nearest facility-level ancestor.
    """
    departments = parsed.departments
    level: dict[str, str | None] = {}
    for dept, row in departments.items():
        chain = [dept]
        seen = {dept}
        current = row
        while current.parent_id and current.parent_id in departments:
            if current.parent_id in seen:
                parsed.errors.add(
                    row.file,
                    row.row,
                    "Parentid",
                    row.parent_id,
                    gettext_noop("Afdelingerne danner en løkke (en afdeling er sin egen overafdeling)."),
                )
                break
            seen.add(current.parent_id)
            chain.append(current.parent_id)
            current = departments[current.parent_id]
        else:
            root = chain[-1]
            if _is_municipality_root(departments[root]):
                level[dept] = chain[-2] if len(chain) >= 2 else None
            else:
                level[dept] = root
    return level


def _resolve_departments(plan: Plan) -> dict[tuple[str, str], Placement]:
    """Placement of each (department HR id, facility name) the employments use."""
    parsed = plan.parsed
    muni = plan.municipality
    level = _facility_level(parsed)
    wanted: dict[tuple[str, str], tuple[EmploymentRow, int]] = {}
    for e in parsed.employments:
        key = (e.department_id, e.facility_name)
        seen = wanted.get(key)
        wanted[key] = (e, 1) if seen is None else (seen[0], seen[1] + 1)
    dept_ids = sorted({d for d, _ in wanted if d} | set(parsed.departments))
    links = dict(
        FacilityDepartment.objects.filter(municipality=muni, department_id__any_of=dept_ids).values_list(
            "department_id", "facility_id"
        )
    )
    units: dict[str, tuple[int, str, int, int]] = {}
    for unit_id, hr_id, name, facility_id, municipality_id in Unit.objects.filter(
        hr_department_id__any_of=dept_ids
    ).values_list("id", "hr_department_id", "name", "facility_id", "facility__municipality_id"):
        units[hr_id] = (unit_id, name, facility_id, municipality_id)
    own_facilities = Facility.objects.filter(municipality=muni).exclude(operator_kind=Facility.OperatorKind.REGION)
    by_name: dict[str, int] = {}
    for facility_id, name in own_facilities.values_list("id", "name"):
        by_name.setdefault(name.strip().lower(), facility_id)

    facility_ids: dict[str, int | None] = {}  # facility-level HR id -> id (None: created by the import)
    for dept, top in level.items():
        if top is None or top != dept:
            continue
        row = parsed.departments[dept]
        if dept in links:
            facility_ids[dept] = links[dept]
        elif row.name.strip().lower() in by_name:
            facility_ids[dept] = by_name[row.name.strip().lower()]
            plan.new_facility_links.append((dept, facility_ids[dept]))  # type: ignore[arg-type]
        else:
            facility_ids[dept] = None
            plan.new_facilities.append(row)
    for dept, top in level.items():
        if top is None or top == dept:
            continue
        row = parsed.departments[dept]
        existing = units.get(dept)
        if existing is None:
            plan.new_units.append((row, top, facility_ids[top]))
            continue
        unit_id, name, facility_id, municipality_id = existing
        if municipality_id != muni.pk:
            parsed.errors.add(
                row.file,
                row.row,
                "AfdelingsID",
                dept,
                gettext_noop("Afdelings-id'et bruges allerede af en afdeling i en anden kommune."),
            )
        elif name != row.name or facility_id != facility_ids[top]:
            plan.changed_units.append((unit_id, row.name, top, facility_ids[top]))

    placements: dict[tuple[str, str], Placement] = {}
    for (dept, facility_name), (first, count) in wanted.items():
        placement = _place(plan, dept, facility_name, first, count, level, facility_ids, links, units, by_name)
        if placement is not None:
            placements[(dept, facility_name)] = placement
    return placements


def _place(
    plan: Plan,
    dept: str,
    facility_name: str,
    first: EmploymentRow,
    count: int,
    level: dict[str, str | None],
    facility_ids: dict[str, int | None],
    links: dict[str, int],
    units: dict[str, tuple[int, str, int, int]],
    by_name: dict[str, int],
) -> Placement | None:
    parsed = plan.parsed
    column = parsed.headers.get("department_id", "AfdelingsId") if dept else parsed.headers.get("facility", "Tilbud")
    if not dept:
        facility_id = by_name.get(facility_name.strip().lower())
        if facility_id is None:
            parsed.errors.add(first.file, first.row, column, facility_name, gettext_noop("Ukendt tilbud i kommunen."))
            return None
        return Placement(facility_id=facility_id)
    if dept in level:
        top = level[dept]
        if top is None:
            parsed.errors.add(
                first.file,
                first.row,
                column,
                dept,
                gettext_noop("Afdelingen er kommunen selv; en ansættelse skal ligge på et tilbud eller en afdeling."),
            )
            return None
        if top == dept:
            return Placement(facility_id=facility_ids[dept], facility_dept=dept)
        existing_unit = units.get(dept)
        return Placement(
            facility_id=facility_ids[top],
            facility_dept=top,
            unit_id=existing_unit[0] if existing_unit else None,
            unit_dept=dept,
        )
    # Not in organisation.csv (or a generic file): the department must be known already.
    if dept in links:
        return Placement(facility_id=links[dept])
    existing_unit = units.get(dept)
    if existing_unit is not None and existing_unit[3] == plan.municipality.pk:
        return Placement(facility_id=existing_unit[2], unit_id=existing_unit[0])
    if parsed.source_format == ImportBatch.Format.FIVE_FILE:
        message = gettext_noop(
            "Ukendt afdeling: den findes hverken i organisationsfilen eller i Styrbord. Rækker med den: %(count)s."
        )
    else:  # one generic file: there is no organisation file
        message = gettext_noop(
            "Ukendt afdeling: Styrbord kender ikke afdelings-id'et %(department)s. Opret afdelingen under tilbuddet "
            "eller ret filen. Rækker med den: %(count)s."
        )
    parsed.errors.add(first.file, first.row, column, dept, message, count=count, department=dept)
    return None


# --- job codes -----------------------------------------------------------------------------------


def _resolve_job_codes(plan: Plan) -> dict[str, str]:
    """Job group of each job code the employments use; unknown codes are errors."""
    parsed = plan.parsed
    used = Counter(e.job_code for e in parsed.employments if e.job_code)
    first_use: dict[str, EmploymentRow] = {}
    for e in parsed.employments:
        if e.job_code:
            first_use.setdefault(e.job_code, e)
    known = {
        code: (pk, group)
        for pk, code, group in JobCode.objects.filter(code__in=list(used)).values_list("id", "code", "job_group")
    }
    groups: dict[str, str] = {}
    for code, count in used.items():
        in_db = known.get(code)
        in_file = parsed.job_codes.get(code)
        if in_db is not None:
            plan.job_code_ids[code] = in_db[0]
            groups[code] = in_db[1]
            if in_file is not None and in_file.job_group and in_file.job_group != in_db[1]:
                parsed.warnings.add(
                    in_file.file,
                    in_file.row,
                    "Stillingskode",
                    code,
                    gettext_noop(
                        "Stillingskoden findes allerede i Styrbord med en anden faggruppe; Styrbords faggruppe bruges."
                    ),
                )
        elif in_file is not None and in_file.job_group:
            groups[code] = in_file.job_group
            plan.new_job_codes.append(in_file)
        elif all(e.job_group for e in parsed.employments if e.job_code == code):
            continue  # every row gives its job group itself: the code is only informative
        elif in_file is not None:
            parsed.errors.add(
                in_file.file,
                in_file.row,
                "Stillingskode",
                f"{code} {in_file.name}",
                gettext_noop(
                    "Stillingskoden kan ikke knyttes til en faggruppe. Rækker med koden: %(count)s. "
                    "Tilføj kolonnen Faggruppe i stillingskodefilen eller opret stillingskoden i Styrbord."
                ),
                count=count,
            )
        else:
            row = first_use[code]
            parsed.errors.add(
                row.file,
                row.row,
                parsed.headers.get("job_code", "StillingskodeId"),
                code,
                gettext_noop("Ukendt stillingskode. Rækker med koden: %(count)s."),
                count=count,
            )
    return groups


# --- people and employments ------------------------------------------------------------------------


def _plan_people(plan: Plan) -> None:
    parsed = plan.parsed
    provided = [f for f in PERSON_FIELDS if f in parsed.person_fields]
    fields = ["id", "person_key", "anonymised_at", *provided]
    existing: dict[str, dict[str, Any]] = {}
    # People are looked up in the import's own municipality only (the key is unique per
    # municipality; a key known only in another municipality is a new person here). One query
    # without a parameter list (the unique index on (municipality, person_key) serves it), and
    # without the model's default ordering: the rows go into a dict, and PostgreSQL sorted all
    # 100.000 by name (on disk) to order them.
    for values in stored_values(Employee.objects.filter(municipality=plan.municipality).order_by(), fields):
        if values["person_key"] in parsed.persons:
            existing[values["person_key"]] = values
    for key, person in parsed.persons.items():
        current = existing.get(key)
        if current is None:
            plan.new_people.append(person)
            continue
        plan.person_ids[key] = current["id"]
        if current["anonymised_at"] is not None:
            parsed.warnings.add(
                person.file, person.row, "", "", gettext_noop("Personen er anonymiseret i Styrbord og opdateres ikke.")
            )
            continue
        values = {}
        for name in provided:
            value = getattr(person, name)
            if value is None:
                value = current[name]  # not given on this row: keep
            values[name] = value
        changed = tuple(name for name in provided if current[name] != values[name])
        if changed:
            plan.changed_people.append((current["id"], values))
            plan.person_before[current["id"]] = {name: current[name] for name in provided}
            plan.person_changed_fields[current["id"]] = changed
    _warn_relevance_unknown(plan)
    _find_hand_edits(plan)


# The detail of the change entries the HR import writes that names its batch: an entry without it
# was written by a person in Styrbord (the profile, "Uddannelser", the API, the admin).
BY_IMPORT = "import_batch"


def _find_hand_edits(plan: Plan) -> None:
    """The changed people whose education the delivery changes and whom the change log shows as
    last given it by hand (``Plan.hand_edited``). For each of the education fields the delivery
    changes, the latest change entry of the person that set the field decides: the import's own
    entries name their batch (``BY_IMPORT``), every other writer's do not. The change trail is
    never pruned, so a hand edit is known however old. One query for all of them, by the log's
    index on the person (``audit_subject_time``)."""
    due: dict[int, tuple[str, ...]] = {}
    for person_id, fields in plan.person_changed_fields.items():
        education = tuple(name for name in fields if name in EDUCATION_FIELDS)
        if education:
            due[person_id] = education
    if not due:
        return
    entries = (
        AuditEntry.objects.filter(
            subject_employee_id__any_of=set(due), kind=AuditEntry.Kind.CHANGE, object_type="staff.employee"
        )
        # Those that can have set an education: named in the details, or with before/after values.
        .filter(Q(data__icontains='"education') | Q(before__isnull=False) | Q(after__isnull=False))
        .order_by("subject_employee_id", "created_at", "id")
        .values_list("subject_employee_id", "data", "before", "after")
    )
    by_hand: dict[tuple[int, str], bool] = {}
    for subject, data, before, after in entries.iterator(chunk_size=_READ_CHUNK):
        details = data if isinstance(data, dict) else {}
        for name in due.get(subject or 0, ()):
            if _sets_field(name, details, before, after):
                by_hand[subject or 0, name] = BY_IMPORT not in details
    for person_id, _values in plan.changed_people:
        fields = tuple(name for name in due.get(person_id, ()) if by_hand.get((person_id, name)))
        if fields:
            plan.hand_edited[person_id] = fields


def _sets_field(name: str, details: dict[str, Any], before: Any, after: Any) -> bool:
    """Whether a change entry of a person set the field ``name``: its details list it among the
    changed fields (the profile, "Uddannelser", the import, the admin's personal fields), or its
    before and after differ (the API, the admin); a creation sets what it gave other than the
    default (empty, not relevant)."""
    for key in ("fields", "changed_personal_fields"):
        listed = details.get(key)
        if isinstance(listed, list) and name in listed:
            return True
    if not isinstance(after, dict):
        return False  # a deletion, or an entry without values
    if not isinstance(before, dict):
        return after.get(name) not in (None, "", False)
    return before.get(name) != after.get(name)


RELEVANT_COLUMN = "Relevant uddannelse"


def _warn_relevance_unknown(plan: Plan) -> None:
    """New people without a yes/no for relevant education are stored as without one (the field
    has no "unknown"), so every facility page would count them so: said once, like a missing
    wage. Existing people keep their marking (only provided values are written)."""
    parsed = plan.parsed
    if not plan.new_people:
        return
    first = plan.new_people[0]
    if "education_relevant" not in parsed.person_fields:
        parsed.warnings.add(
            first.file,
            None,
            RELEVANT_COLUMN,
            "",
            gettext_noop(
                "Filen har ingen kolonne for relevant uddannelse, så andelen af medarbejdere med relevant "
                "uddannelse kan ikke beregnes ud fra den: de nye medarbejdere (%(count)s) gemmes som uden "
                "relevant uddannelse, og tilbuddenes sider tæller dem sådan. Eksisterende medarbejdere beholder "
                "deres markering. Tilføj kolonnen %(column)s (ja/nej), eller sæt relevant uddannelse på hver "
                "medarbejder."
            ),
            count=len(plan.new_people),
            column=RELEVANT_COLUMN,
        )
        return
    blank = [p for p in plan.new_people if p.education_relevant is None]
    if blank:
        column = parsed.headers.get("education_relevant", RELEVANT_COLUMN)
        parsed.warnings.add(
            blank[0].file,
            blank[0].row,
            column,
            "",
            gettext_noop(
                "Nye medarbejdere uden ja eller nej i kolonnen %(column)s: %(count)s (række %(rows)s). De gemmes "
                "som uden relevant uddannelse, og tilbuddenes sider tæller dem sådan. Udfyld kolonnen, eller sæt "
                "relevant uddannelse på hver medarbejder."
            ),
            count=len(blank),
            rows=_rows_text(blank),
            column=column,
        )


def _row_values(planned: PlannedEmployment) -> dict[str, Any]:
    row = planned.row
    return {
        "facility_id": planned.placement.facility_id,
        "unit_id": planned.placement.unit_id,
        "job_group": planned.job_group,
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


def _plan_employments(plan: Plan, placements: dict[tuple[str, str], Placement], groups: dict[str, str]) -> None:
    parsed = plan.parsed
    provided = {_PROVIDED.get(f, f) for f in parsed.employment_fields}
    compare = [f for f in EMPLOYMENT_FIELDS if f in provided]
    fields = ["id", "employment_number", "employee__person_key"]
    fields += sorted({*compare, "status", "end_date", "facility_id", "unit_id"})
    in_file = {e.number for e in parsed.employments}
    existing: dict[str, dict[str, Any]] = {}
    # As for people: the municipality's employments in one query (the unique index on
    # (municipality, employment_number)); a number used only in another municipality is a new
    # employment here, since payroll numbers are per employer. Unordered, as for people: the
    # default ordering (facility and employee name) sorted all 100.000 rows on disk.
    in_municipality = Employment.objects.filter(municipality=plan.municipality).order_by()
    for values in stored_values(in_municipality, fields):
        if values["employment_number"] in in_file:
            existing[values["employment_number"]] = values
    new_codes = {jc.code for jc in plan.new_job_codes}
    for row in parsed.employments:
        placement = placements.get((row.department_id, row.facility_name))
        if placement is None:
            continue
        group = row.job_group or groups.get(row.job_code, "")
        planned = PlannedEmployment(row=row, placement=placement, job_group=group, job_code=row.job_code)
        current = existing.get(row.number)
        if current is not None:
            if current["employee__person_key"] != row.person_key:
                parsed.errors.add(
                    row.file,
                    row.row,
                    "",
                    row.number,
                    gettext_noop("Ansættelsesnummeret tilhører en anden medarbejder i Styrbord."),
                )
                continue
            planned.existing_id = current["id"]
            planned.changes = _changes(planned, current, compare, plan.job_code_ids, new_codes)
            if planned.changes:
                planned.current = current
        plan.employments.append(planned)
    # A new employment without an hourly wage is stored with 0 kr.: its course days would cost no
    # backfill and the planner would find it cheap. Said once, with the number of rows.
    no_wage = [p.row for p in plan.employments if p.existing_id is None and p.row.hourly_wage is None]
    if no_wage:
        # Which rows (the first few), and whether the column is there but empty or missing.
        if "hourly_wage" in parsed.headers:
            message = gettext_noop(
                "%(count)s nye ansættelser (række %(rows)s) har ingen timeløn og gemmes med 0 kr.: deres "
                "kursusdage koster da ingen vikardækning, og planlæggeren finder dem billige. Udfyld kolonnen "
                "%(column)s, eller ret timelønnen på ansættelsen."
            )
        else:
            message = gettext_noop(
                "%(count)s nye ansættelser (række %(rows)s) har ingen timeløn og gemmes med 0 kr.: deres "
                "kursusdage koster da ingen vikardækning, og planlæggeren finder dem billige. Tilføj kolonnen "
                "%(column)s, eller ret timelønnen på ansættelsen."
            )
        column = parsed.headers.get("hourly_wage", "Timeløn")
        parsed.warnings.add(
            no_wage[0].file,
            no_wage[0].row,
            column,
            "",
            message,
            count=len(no_wage),
            rows=_rows_text(no_wage),
            column=column,
        )


ROWS_SHOWN = 5  # rows a warning about several rows names ("række 3, 5, 7"); more read as "…"


def _rows_text(rows: Sequence[PersonRow | EmploymentRow]) -> str:
    """The file rows of the first ``ROWS_SHOWN`` of ``rows``: '3, 5, 7', '3, 5, 7, 9, 11 …'."""
    return ", ".join(str(r.row) for r in rows[:ROWS_SHOWN]) + (" …" if len(rows) > ROWS_SHOWN else "")


def _changes(
    planned: PlannedEmployment,
    current: dict[str, Any],
    compare: Iterable[str],
    job_code_ids: dict[str, int],
    new_codes: set[str],
) -> dict[str, Any]:
    values = _row_values(planned)
    values["job_code_id"] = job_code_ids.get(planned.job_code)
    changes: dict[str, Any] = {}
    # The unit comes from a department column; a row placed by facility name alone says nothing about it.
    unit_given = "unit_id" in compare and bool(planned.row.department_id)
    for name in compare:
        if name == "unit_id" and not unit_given:
            continue
        if name == "kind" and not planned.row.kind_given:
            continue  # an empty cell: the type stays
        if name == "status" and not planned.row.status_given and current["status"] != "ended":
            continue  # an empty cell: the status stays (an ended employment back in the file opens again)
        value = values[name]
        if value is not None and value == current[name]:
            continue  # the common case on a re-import: nothing to do
        if name in ("facility_id", "unit_id") and value is None:
            if name == "facility_id" or planned.placement.unit_dept:
                changes[name] = None  # created by the import: certainly a change
            elif current[name] is not None:
                changes[name] = None
            continue
        if value is None and name in ("title", "weekly_hours", "is_contact_person", "is_primary", "hourly_wage"):
            continue  # not given on this row
        if name == "job_code_id" and value is None and planned.job_code in new_codes:
            changes[name] = None  # a job code created by this import
            continue
        old = current[name]
        if isinstance(value, Decimal) and old is not None:
            if Decimal(old) != value:
                changes[name] = value
        elif old != value:
            changes[name] = value
    if not unit_given and "facility_id" in changes and current["unit_id"] is not None:
        changes["unit_id"] = None  # moved to another facility: the old facility's unit no longer applies
    if "end_date" not in compare and planned.row.status != "ended" and current["status"] == "ended":
        changes["end_date"] = None  # back in the delivery after having been ended: open again
        changes.setdefault("status", planned.row.status)
    return changes


def _plan_ending(plan: Plan) -> None:
    """Active employments at the municipality's facilities that the delivery does not contain."""
    in_file = {e.row.number for e in plan.employments}
    still_open = (
        Employment.objects.filter(municipality=plan.municipality)
        .filter(~Q(status=Employment.Status.ENDED))
        .order_by()  # ids for a set-based update; ``ending`` below is the ordered list
    )
    plan.to_end = [pk for pk, number in still_open.values_list("id", "employment_number") if number not in in_file]
    missing = Employment.objects.filter(id__any_of=plan.to_end).order_by(
        collated("facility__name"), collated("employee__name"), "id"
    )
    plan.ending = [
        Ending(
            id=pk,
            number=number,
            name=name,
            facility=facility,
            last_day=last_day_of_missing(plan.today, start, end),
            employee_id=employee_id,
        )
        for pk, number, name, facility, start, end, employee_id in missing.values_list(
            "id", "employment_number", "employee__name", "facility__name", "start_date", "end_date", "employee_id"
        )
    ]
