"""What the preview page shows: counts, the sniffed files, and the changed rows (old -> new).

CPR numbers never reach the page: person keys from a CPR column are hashes, and any value
that looks like a CPR number is masked (ddmmyy-****).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from styrbord.lib.cpr import mask_cpr
from styrbord.lib.formatting import format_date, format_number, natural_places
from styrbord.organisations.models import Facility, Unit
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.plan import EMPLOYMENT_FIELDS, Plan, PlannedEmployment
from styrbord.staff.models import Employment, JobCode, JobGroup

PREVIEW_ROWS = 20


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


def preview_rows(plan: Plan, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """The employments the import changes, updated ones first, each with its fields old -> new,
    then new ones, as they will be stored. Unchanged ones are only counted (``counts``)."""
    updated = [p for p in plan.employments if p.existing_id is not None and p.changes]
    created = [p for p in plan.employments if p.existing_id is None]
    shown = (updated + created)[:limit]
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
            }
        )
    return rows


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


def _changes(planned: PlannedEmployment, names: _Names) -> list[str]:
    """Each changed field: 'Ugentlige timer 37 → 30', in the order of the employment's fields."""
    current = planned.current or {}
    changes = planned.changes or {}
    lines = []
    for name in sorted(changes, key=lambda n: EMPLOYMENT_FIELDS.index(n) if n in EMPLOYMENT_FIELDS else 99):
        field: Any = Employment._meta.get_field(name.removesuffix("_id"))
        label = capfirst(str(field.verbose_name))
        old = _show(name, current.get(name), names)
        new = _new_value(planned, name, changes[name], names)
        lines.append(f"{label} {old} → {new}")
    return lines


def preview_context(batch: ImportBatch, plan: Plan) -> dict[str, Any]:
    return {
        "batch": batch,
        "plan": plan,
        "counts": plan.counts(),
        "files": plan.parsed.files,
        "rows": preview_rows(plan) if not plan.errors else [],
        "errors": plan.errors,
        "warnings": plan.warnings,
        "new_facilities": [d.name for d in plan.new_facilities],
        "bookings_left_behind": plan.bookings_left_behind() if not plan.errors else 0,
        "ending": [
            {"name": mask_cpr(e.name), "number": mask_cpr(e.number), "facility": e.facility, "last_day": e.last_day}
            for e in plan.ending
        ],
        "ending_day": plan.today - dt.timedelta(days=1),
    }
