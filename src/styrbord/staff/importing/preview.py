"""What the preview page shows: counts, the sniffed files, and the changed people and
employments (old -> new), a sample on the page and all of them in a workbook.

CPR numbers never reach the page: person keys from a CPR column are hashes, and any value
that looks like a CPR number is masked (ddmmyy-****).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from styrbord.lib.cpr import mask_cpr
from styrbord.lib.formatting import format_date, format_number, natural_places
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility, Unit
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.plan import EMPLOYMENT_FIELDS, Plan, PlannedEmployment
from styrbord.staff.models import Employee, Employment, JobCode, JobGroup

# The changed people and the created or changed employments the page shows (each list); the
# workbook of changes has all of them.
PREVIEW_ROWS = 50


def _new() -> str:
    """The mark of a department or job code the import will create ("ny"); a call of its own, so
    makemessages (which does not read f-strings) finds the message."""
    return _("ny")


def hours_text(value: Decimal) -> str:
    return format_number(value, natural_places(value))


def _short_key(key: str) -> str:
    return key if len(key) <= 20 else f"{key[:12]}…"


def _action(planned: PlannedEmployment) -> tuple[str, str]:
    if planned.existing_id is None:
        return "create", _("Opret")
    if planned.changes:
        return "update", _("Opdater")
    return "same", _("Uændret")


def _changed_employments(plan: Plan) -> list[PlannedEmployment]:
    """The employments the import changes: updated ones first, then new ones."""
    updated = [p for p in plan.employments if p.existing_id is not None and p.changes]
    created = [p for p in plan.employments if p.existing_id is None]
    return updated + created


def preview_rows(plan: Plan, limit: int | None = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """The employments the import changes, updated ones first, each with its fields old -> new,
    then new ones, as they will be stored (all of them with ``limit`` None). Unchanged ones are
    only counted (``counts``)."""
    changed = _changed_employments(plan)
    shown = changed if limit is None else changed[:limit]
    facility_ids = {p.placement.facility_id for p in shown if p.placement.facility_id}
    unit_ids = {p.placement.unit_id for p in shown if p.placement.unit_id}
    for p in shown:
        if p.current:
            facility_ids.add(p.current["facility_id"])
            unit_ids.add(p.current["unit_id"])
    facilities = dict(Facility.objects.filter(id__in=facility_ids - {None}).values_list("id", "name"))
    units = dict(Unit.objects.filter(id__in=unit_ids - {None}).values_list("id", "name"))
    job_code_ids: set[int] = set(plan.job_code_ids.values())
    job_code_ids |= {p.current["job_code_id"] for p in shown if p.current and p.current.get("job_code_id")}
    codes = dict(JobCode.objects.filter(id__in=job_code_ids).values_list("id", "code"))
    departments = plan.parsed.departments
    names = _Names(facilities, units, codes, departments)
    groups = dict(JobGroup.choices)
    kinds = dict(Employment.Kind.choices)
    statuses = dict(Employment.Status.choices)
    rows = []
    for planned in shown:
        row = planned.row
        person = plan.parsed.persons.get(row.person_key)
        placement = planned.placement
        if placement.facility_id:
            facility = facilities.get(placement.facility_id, "")
        else:
            facility = f"{departments[placement.facility_dept].name} ({_new()})"
        unit = ""
        if placement.unit_id:
            unit = units.get(placement.unit_id, "")
        elif placement.unit_dept:
            unit = f"{departments[placement.unit_dept].name} ({_new()})"
        action, action_label = _action(planned)
        rows.append(
            {
                "action": action,
                "action_label": action_label,
                "number": mask_cpr(row.number),
                "person_key": _short_key(row.person_key),
                "name": mask_cpr(person.name) if person else "",
                "facility": facility,
                "unit": unit,
                "job_group": groups.get(planned.job_group, planned.job_group),
                "kind": kinds.get(row.kind, row.kind),
                "title": mask_cpr(row.title or ""),
                # The decimals the value has: 24,75 stays 24,75, 37 stays 37.
                "weekly_hours": None if row.weekly_hours is None else hours_text(row.weekly_hours),
                "start_date": row.start_date,
                "end_date": row.end_date,
                "status": statuses.get(row.status, row.status),
                "changes": _changes(planned, names) if planned.current else [],
                "change_fields": _change_fields(planned, names) if planned.current else [],
                "employee_id": plan.person_ids.get(row.person_key),
                "file": row.file,
                "row": row.row,
            }
        )
    return rows


def _person_value(name: str, value: Any) -> str:
    """A person's stored or new value as the change list shows it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    return mask_cpr(str(value))


def _person_fields(
    changed: tuple[str, ...], before: dict[str, Any], values: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """Each changed field of a person: (label, old, new), in the order of the person's fields."""
    fields = []
    for name in changed:
        model_field: Any = Employee._meta.get_field(name)
        label = capfirst(str(model_field.verbose_name))
        fields.append((label, _person_value(name, before.get(name)), _person_value(name, values[name])))
    return fields


def person_rows(plan: Plan, limit: int | None = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """The people already in Styrbord whose own data (name, e-mail, birth year, education ...)
    the import changes, in file order, each with its fields old -> new (all with ``limit`` None).
    Named by the name Styrbord has now: that is whom the change is about."""
    shown = plan.changed_people if limit is None else plan.changed_people[:limit]
    wanted = {person_id for person_id, _values in shown}
    key_of = {pk: key for key, pk in plan.person_ids.items() if pk in wanted}
    rows = []
    for person_id, values in shown:
        before = plan.person_before.get(person_id, {})
        key = key_of.get(person_id, "")
        person = plan.parsed.persons.get(key)
        fields = _person_fields(plan.person_changed_fields.get(person_id, ()), before, values)
        rows.append(
            {
                "employee_id": person_id,
                "name": mask_cpr(str(before.get("name") or values.get("name") or "")),
                "person_key": _short_key(key),
                "file": person.file if person else "",
                "row": person.row if person else None,
                "fields": fields,
                "changes": [f"{label} {old} → {new}" for label, old, new in fields],
            }
        )
    return rows


def hand_edit_rows(plan: Plan, limit: int | None = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """The people whose education was last set by hand in Styrbord and which the import sets back
    to the file's value (``Plan.hand_edited``), in file order, each with those fields: (label,
    Styrbord's value, the file's value); all of them with ``limit`` None."""
    shown = list(plan.hand_edited.items())
    if limit is not None:
        shown = shown[:limit]
    if not shown:
        return []
    values_of = dict(plan.changed_people)
    key_of = {pk: key for key, pk in plan.person_ids.items() if pk in plan.hand_edited}
    rows = []
    for person_id, fields in shown:
        before = plan.person_before.get(person_id, {})
        person = plan.parsed.persons.get(key_of.get(person_id, ""))
        rows.append(
            {
                "employee_id": person_id,
                "name": mask_cpr(str(before.get("name") or values_of[person_id].get("name") or "")),
                "file": person.file if person else "",
                "row": person.row if person else None,
                "fields": _person_fields(fields, before, values_of[person_id]),
            }
        )
    return rows


def hand_edits_text(count: int, *, applied: bool = False) -> str:
    """'3 uddannelser rettet i Styrbord bliver sat tilbage til HR's værdi' (or, once applied, 'er sat')."""
    if applied:
        text = ngettext(
            "%(count)s uddannelse rettet i Styrbord er sat tilbage til HR's værdi.",
            "%(count)s uddannelser rettet i Styrbord er sat tilbage til HR's værdi.",
            count,
        )
    else:
        text = ngettext(
            "%(count)s uddannelse rettet i Styrbord bliver sat tilbage til HR's værdi.",
            "%(count)s uddannelser rettet i Styrbord bliver sat tilbage til HR's værdi.",
            count,
        )
    return text % {"count": count}


class _Names:
    """Names of the ids a change refers to (facility, unit, job code)."""

    def __init__(
        self, facilities: dict[int, str], units: dict[int, str], codes: dict[int, str], departments: dict[str, Any]
    ) -> None:
        self.facilities = facilities
        self.units = units
        self.codes = codes
        self.departments = departments


def _show(name: str, value: Any, names: _Names) -> str:
    """A stored value as the change list shows it."""
    if value is None or value == "":
        return "–"
    if name == "facility_id":
        return names.facilities.get(value, "")
    if name == "unit_id":
        return names.units.get(value, "")
    if name == "job_code_id":
        return names.codes.get(value, "")
    if name == "job_group":
        return str(dict(JobGroup.choices).get(value, value))
    if name == "kind":
        return str(dict(Employment.Kind.choices).get(value, value))
    if name == "status":
        return str(dict(Employment.Status.choices).get(value, value))
    if name == "weekly_hours":
        return hours_text(Decimal(value))
    if name == "hourly_wage":
        return format_number(Decimal(value), 2)
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, dt.date):
        return format_date(value)
    return mask_cpr(str(value))


def _new_value(planned: PlannedEmployment, name: str, value: Any, names: _Names) -> str:
    """The new value; a facility, unit or job code the import creates has no id yet."""
    placement = planned.placement
    if value is None and name == "facility_id" and placement.facility_dept:
        return f"{names.departments[placement.facility_dept].name} ({_new()})"
    if value is None and name == "unit_id" and placement.unit_dept:
        return f"{names.departments[placement.unit_dept].name} ({_new()})"
    if value is None and name == "job_code_id" and planned.job_code:
        return f"{planned.job_code} ({_new()})"
    return _show(name, value, names)


def _change_fields(planned: PlannedEmployment, names: _Names) -> list[tuple[str, str, str]]:
    """Each changed field: (label, old, new), in the order of the employment's fields."""
    current = planned.current or {}
    changes = planned.changes or {}
    fields = []
    for name in sorted(changes, key=lambda n: EMPLOYMENT_FIELDS.index(n) if n in EMPLOYMENT_FIELDS else 99):
        field: Any = Employment._meta.get_field(name.removesuffix("_id"))
        label = capfirst(str(field.verbose_name))
        old = _show(name, current.get(name), names)
        new = _new_value(planned, name, changes[name], names)
        fields.append((label, old, new))
    return fields


def _changes(planned: PlannedEmployment, names: _Names) -> list[str]:
    """Each changed field: 'Ugentlige timer 37 → 30', in the order of the employment's fields."""
    return [f"{label} {old} → {new}" for label, old, new in _change_fields(planned, names)]


def shown_employee_ids(context: dict[str, Any]) -> list[int]:
    """The people in Styrbord whose data a check page shows (changed people, employments that
    exist, employments it ends): the access log names them."""
    ids = {r["employee_id"] for r in context.get("people", [])}
    ids |= {r["employee_id"] for r in context.get("rows", [])}
    ids |= {e["employee_id"] for e in context.get("ending", [])}
    ids |= {r["employee_id"] for r in context.get("hand_edits", [])}
    return sorted(i for i in ids if i is not None)


def changes_workbook(plan: Plan) -> tuple[bytes, list[int]]:
    """Every change the import would make, one row per changed field (a new person or
    employment on one row): people, employments, and the employments it ends. With the ids of
    the people in Styrbord it names, for the access log."""
    field_header, before_header, after_header = _("Felt"), _("Før"), _("Efter")
    action_header, name_header, file_header, row_header = _("Handling"), _("Navn"), _("Fil"), _("Række")
    people: list[list[Any]] = []
    ids: set[int] = set()
    for r in person_rows(plan, limit=None):
        ids.add(r["employee_id"])
        for label, old, new in r["fields"]:
            people.append([_("Opdater"), r["name"], r["person_key"], r["file"], r["row"], label, old, new])
    for person in plan.new_people:
        people.append([_("Opret"), mask_cpr(person.name), _short_key(person.key), person.file, person.row, "", "", ""])
    employments: list[list[Any]] = []
    for r in preview_rows(plan, limit=None):
        if r["employee_id"] is not None:  # a person already in Styrbord (new ones have no id yet)
            ids.add(r["employee_id"])
        common = [r["action_label"], r["name"], r["number"], r["facility"], r["unit"], r["file"], r["row"]]
        if r["change_fields"]:
            employments += [[*common, label, old, new] for label, old, new in r["change_fields"]]
        else:
            employments.append([*common, "", "", ""])
    ending = []
    for e in plan.ending:
        if e.employee_id is not None:
            ids.add(e.employee_id)
        ending.append([mask_cpr(e.name), mask_cpr(e.number), e.facility, e.last_day])
    number_header, facility_header = _("Ansættelsesnummer"), pgettext("one facility", "Tilbud")
    sheets = [
        Sheet(
            _("Medarbejdere"),
            [
                action_header,
                name_header,
                _("Personnøgle"),
                file_header,
                row_header,
                field_header,
                before_header,
                after_header,
            ],
            people,
        ),
        Sheet(
            _("Ansættelser"),
            [
                action_header,
                name_header,
                number_header,
                facility_header,
                _("Afdeling"),
                file_header,
                row_header,
                field_header,
                before_header,
                after_header,
            ],
            employments,
        ),
    ]
    if plan.end_missing:
        sheets.append(Sheet(_("Afsluttes"), [name_header, number_header, facility_header, _("Sidste dag")], ending))
    if plan.hand_edited:
        # Every education set by hand in Styrbord that the import sets back (the page shows the first).
        hand_edited = [
            [r["name"], r["file"], r["row"], label, styrbord, in_file]
            for r in hand_edit_rows(plan, limit=None)
            for label, styrbord, in_file in r["fields"]
        ]
        sheets.append(
            Sheet(
                _("Rettet i Styrbord"),
                [name_header, file_header, row_header, field_header, _("I Styrbord"), _("I filen")],
                hand_edited,
            )
        )
    return write_xlsx(sheets), sorted(ids)


def preview_context(batch: ImportBatch, plan: Plan) -> dict[str, Any]:
    return {
        "batch": batch,
        "plan": plan,
        "counts": plan.counts(),
        "files": plan.parsed.files,
        "rows": preview_rows(plan) if not plan.errors else [],
        "people": person_rows(plan) if not plan.errors else [],
        "changes_nothing": not plan.errors and plan.changes_nothing(),
        "preview_limit": PREVIEW_ROWS,
        "errors": plan.errors,
        "warnings": plan.warnings,
        "new_facilities": [d.name for d in plan.new_facilities],
        "bookings_left_behind": plan.bookings_left_behind() if not plan.errors else 0,
        "hand_edits": hand_edit_rows(plan) if not plan.errors else [],
        "hand_edits_total": len(plan.hand_edited) if not plan.errors else 0,
        "ending": [
            {
                "name": mask_cpr(e.name),
                "number": mask_cpr(e.number),
                "facility": e.facility,
                "last_day": e.last_day,
                "employee_id": e.employee_id,
            }
            for e in plan.ending
        ],
        "ending_day": plan.today - dt.timedelta(days=1),
    }
