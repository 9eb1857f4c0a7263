"""Personal data: export everything about an employee, anonymise them, and apply retention rules.

Export walks every model that points at the employee (employments, holdings, bookings, ledger
references, ...: new apps are included automatically) plus the audit entries about them.
Anonymising keeps every row (so employments, bookings, ledgers and accounts stay valid) but
replaces what identifies the person; free-text fields about them are cleared (apps add theirs
with ``register_free_text``), absences (which may be sickness) are deleted. The education history
keeps only the relevant mark on each day (the workforce figures of earlier years count it): its
texts are cleared and the periods left alike merged (``staff.education.forget_education``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from styrbord.accounts.models import ApiToken, RetentionHold, RetentionRule, User
from styrbord.accounts.privacy_sheets import write_export
from styrbord.api.idempotency import forget_answers
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_action, prune_access_log
from styrbord.staff.education import forget_education
from styrbord.staff.models import Absence, Employee, Employment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

# Free-text fields that may describe the person, cleared on anonymisation: model label -> fields.
FREE_TEXT: dict[str, set[str]] = {
    "competences.competenceholding": {"evidence"},
    "training.booking": {"note"},
    "training.courseinterest": {"note"},
    "staff.employment": {"title"},
    "staff.educationperiod": {"education"},  # the education history (also merged: forget_education)
}
# Never exported as rows about the person (secrets, or the trail exported separately).
SKIPPED_RELATIONS = {"audit.auditentry"}
SECRET_FIELDS = {"password", "token_hash"}


class PrivacyError(Exception):
    """A personal-data workflow refused an action; ``message`` is Danish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def register_free_text(label: str, fields: set[str]) -> None:
    """Let an app name fields about a person that anonymisation must clear."""
    FREE_TEXT.setdefault(label, set()).update(fields)


def _row(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in SECRET_FIELDS}


def _related_sections(employee: Employee) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(section name, rows) for every model with a foreign key or one-to-one to Employee."""
    for relation in Employee._meta.related_objects:
        model = relation.related_model
        label = model._meta.label_lower  # type: ignore[union-attr]
        if label in SKIPPED_RELATIONS or relation.many_to_many:
            continue
        rows = model._default_manager.filter(**{relation.field.name: employee}).order_by("pk")  # type: ignore[union-attr]
        yield label, [_row(obj) for obj in rows]


def may_take_out_everything(user: Any, employee: Employee) -> bool:
    """Whether ``user`` may see and export everything held about ``employee`` (the right of access:
    every employment, the user account, the audit trail of who looked): the person themself and
    the personal-data administrators. A manager or coordinator sees the person's data in their own
    scope on the ordinary pages; this record reaches beyond it (an employment elsewhere, its wage)."""
    from styrbord.accounts.permissions import EXPORT, can

    if getattr(user, "employee_id", None) == employee.pk:
        return True
    return can(user, EXPORT, "personal_data")


def employee_data(employee: Employee) -> dict[str, Any]:
    """Everything Styrbord holds about one person, by section (JSON-ready after encoding)."""
    sections: dict[str, Any] = {"staff.employee": [_row(employee)]}
    for label, rows in _related_sections(employee):
        sections[label] = rows
    sections["audit.auditentry"] = [
        {
            "created_at": e.created_at,
            "kind": e.kind,
            "action": e.action,
            "actor_id": e.actor_id,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "data": e.data,
        }
        for e in AuditEntry.objects.filter(subject_employee_id=employee.pk).order_by("created_at", "id")
    ]
    return {
        "format": "styrbord-persondata",
        "version": 1,
        "employee_id": employee.pk,
        "exported_at": timezone.now(),
        "sections": sections,
    }


def export_json(employee: Employee) -> bytes:
    return json.dumps(employee_data(employee), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def export_xlsx(employee: Employee) -> bytes:
    """The same data for a person to read (``privacy_sheets``): one worksheet per kind of data,
    named like the application names it ("Ansættelser", "Kompetencebeviser"), columns by the
    fields' own names, references by the name of what they refer to, coded values by their labels,
    and the log in words (the JSON export keeps the technical names and codes). Cells are written
    as data, never as formulas."""
    return write_export(employee, employee_data(employee))


def export_filename(employee: Employee, extension: str) -> str:
    """A file name with the person's id only: never a name or CPR number."""
    return f"persondata-medarbejder-{employee.pk}-{timezone.localdate():%Y-%m-%d}.{extension}"


def active_hold(employee: Employee) -> RetentionHold | None:
    return RetentionHold.objects.filter(employee=employee, released_at__isnull=True).first()


@transaction.atomic
def anonymise_employee(
    employee: Employee, user: User | AnonymousUser | None, reason: str, *, ignore_hold: bool = False
) -> Employee:
    """Replace what identifies the person; keep every row that refers to them. Idempotent."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.anonymised_at is not None:
        return employee
    if not ignore_hold and active_hold(employee) is not None:
        raise PrivacyError(_("Medarbejderen er omfattet af en tilbageholdelse og kan ikke anonymiseres."))
    pk = employee.pk
    employee.name = _("Anonymiseret medarbejder %(id)s") % {"id": pk}
    employee.email = ""
    employee.birth_year = None
    employee.education = ""
    # Cleared in the history first, so saving the person below records no change of education.
    forget_education(pk)
    employee.person_key = f"anonymiseret-{pk}-{secrets.token_hex(4)}"
    employee.anonymised_at = timezone.now()
    employee.version += 1
    employee.save()
    employments = list(Employment.objects.filter(employee_id=pk).only("pk", "employment_number"))
    for employment in employments:
        employment.employment_number = f"ANON-{employment.pk}"
    Employment.objects.bulk_update(employments, ["employment_number"])
    cleared = _clear_free_text(employee)
    absences = Absence.objects.filter(employee_id=pk).delete()[0]
    if absences:
        from styrbord.training.services.staffing import refresh_staffing_flags_for

        refresh_staffing_flags_for([pk])  # leave to come no longer keeps them from work
    accounts = _close_accounts(employee)
    forget_answers(everything=True)  # a stored API answer (kept for retries) may name the person
    log_action(
        employee,
        "staff.employee.anonymised",
        user,
        {"reason": reason[:200], "cleared_fields": cleared, "absences_deleted": absences, "accounts_closed": accounts},
    )
    return employee


def _clear_free_text(employee: Employee) -> list[str]:
    cleared = []
    for relation in Employee._meta.related_objects:
        model = relation.related_model
        label = model._meta.label_lower  # type: ignore[union-attr]
        fields = FREE_TEXT.get(label)
        if not fields:
            continue
        model._default_manager.filter(**{relation.field.name: employee}).update(  # type: ignore[union-attr]
            **dict.fromkeys(fields, "")
        )
        cleared += [f"{label}.{name}" for name in sorted(fields)]
    return cleared


def _close_accounts(employee: Employee) -> int:
    users = list(User.objects.filter(employee=employee))
    for account in users:
        account.first_name = ""
        account.last_name = ""
        account.email = ""
        account.username = f"anonymiseret-{account.pk}"
        account.is_active = False
        account.set_unusable_password()
        account.save()
        ApiToken.objects.filter(user=account, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return len(users)


# --- retention ---------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    """What ``apply_retention`` did (or would do, in a dry run)."""

    today: dt.date
    candidates: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)
    dry_run: bool = True
    # The log of views, exports and logins: entries from before log_cutoff are (or would be) deleted.
    log_cutoff: dt.datetime | None = None
    log_entries: int = 0


def years_for(municipality_ids: set[int], rules: dict[int | None, int]) -> int:
    """The longest retention among the person's municipalities (their own rule or the national one)."""
    default = rules.get(None, int(getattr(settings, "RETENTION_DEFAULT_YEARS", 5)))
    return max((rules.get(m, default) for m in municipality_ids), default=default)


def retention_candidates(today: dt.date) -> tuple[list[int], list[int]]:
    """(due, held): people whose every employment ended more than their retention ago."""
    rules: dict[int | None, int] = {r.municipality_id: r.years_after_end for r in RetentionRule.objects.all()}
    longest = max([*rules.values(), int(getattr(settings, "RETENTION_DEFAULT_YEARS", 5))])
    shortest = min([*rules.values(), int(getattr(settings, "RETENTION_DEFAULT_YEARS", 5))])
    # Set-based prefilter: not anonymised, no employment still open, last end before the shortest cutoff.
    cutoff = _years_before(today, shortest)
    people = (
        Employee.objects.filter(anonymised_at__isnull=True, employments__isnull=False)
        .exclude(employments__end_date__isnull=True)
        .annotate(last_end=Max("employments__end_date"))
        .filter(last_end__lt=cutoff)
        .values_list("pk", "last_end")
    )
    last_end = dict(people)
    municipalities: dict[int, set[int]] = {}
    for employee_id, municipality_id in Employment.objects.filter(employee_id__in=last_end).values_list(
        "employee_id", "facility__municipality_id"
    ):
        municipalities.setdefault(employee_id, set()).add(municipality_id)
    held_ids = set(
        RetentionHold.objects.filter(employee_id__in=last_end, released_at__isnull=True).values_list(
            "employee_id", flat=True
        )
    )
    due: list[int] = []
    held: list[int] = []
    for employee_id, ended in sorted(last_end.items()):
        years = years_for(municipalities.get(employee_id, set()), rules) if longest != shortest else shortest
        if ended < _years_before(today, years):
            (held if employee_id in held_ids else due).append(employee_id)
    return due, held


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def apply_retention(today: dt.date, *, dry_run: bool = True, user: User | None = None) -> RetentionResult:
    """Anonymise everyone due under the retention rules, except people on hold, and delete the
    view, export and login entries of the log that are older than its retention period."""
    due, held = retention_candidates(today)
    result = RetentionResult(today=today, candidates=due, held=held, dry_run=dry_run)
    result.log_cutoff, result.log_entries = prune_access_log(
        today, settings.AUDIT_ACCESS_RETENTION_MONTHS, dry_run=dry_run
    )
    if dry_run:
        return result
    forget_answers()
    for employee in Employee.objects.filter(pk__in=due).order_by("pk"):
        anonymise_employee(employee, user, "retention")
        result.anonymised.append(employee.pk)
    if result.anonymised:
        logger.info("retention: anonymised %d employees", len(result.anonymised))
    return result
