"""What the preview page shows: counts, the sniffed files, and the first rows as they will be stored.

CPR numbers never reach the page: person keys from a CPR column are hashes, and any value
that looks like a CPR number is masked (ddmmyy-****).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from styrbord.lib.formatting import format_number, natural_places
from styrbord.organisations.models import Facility, Unit
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.plan import Plan, PlannedEmployment
from styrbord.staff.importing.values import mask_cpr
from styrbord.staff.models import Employment, JobGroup

PREVIEW_ROWS = 20


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
    """The first employments as they will be stored, with names of facilities and units."""
    shown = plan.employments[:limit]
    facility_ids = {p.placement.facility_id for p in shown if p.placement.facility_id}
    unit_ids = {p.placement.unit_id for p in shown if p.placement.unit_id}
    facilities = dict(Facility.objects.filter(id__in=facility_ids).values_list("id", "name"))
    units = dict(Unit.objects.filter(id__in=unit_ids).values_list("id", "name"))
    departments = plan.parsed.departments
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
            facility = f"{departments[placement.facility_dept].name} ({_('ny')})"
        unit = ""
        if placement.unit_id:
            unit = units.get(placement.unit_id, "")
        elif placement.unit_dept:
            unit = f"{departments[placement.unit_dept].name} ({_('ny')})"
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
                "changes": sorted(planned.changes or {}),
            }
        )
    return rows


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
