"""``log_action``, ``log_changes``, ``log_access`` and ``log_refused``: the only ways to write the audit trail.

Call them inside the same transaction as the change they describe. Never put a CPR
number or a person's name in ``data``: refer to people by id.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import add_months, start_of_local_day

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User


def _jsonable(value: Any) -> Any:
    """``value`` as JSON data. Anything JSON has no type for becomes text, so that a field type
    added later can never stop the save it records."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def snapshot(obj: Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data, for before/after."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def _actor(user: User | AnonymousUser | None) -> tuple[int | None, str]:
    if user is None or not user.is_authenticated:
        return None, "system"
    return user.pk, user.get_username()


def _subject_of(obj: Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "staff.employee":
        return int(obj.pk)
    employee_id = getattr(obj, "employee_id", None)
    return int(employee_id) if employee_id is not None else None


def log_action(
    obj: Model | None,
    action: str,
    user: User | AnonymousUser | None,
    data: dict[str, Any] | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    kind: str = AuditEntry.Kind.CHANGE,
) -> AuditEntry:
    """Record a change (dotted action id, e.g. ``funding.grant.approved``)."""
    actor_id, actor_label = _actor(user)
    return AuditEntry.objects.create(
        kind=kind,
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        subject_employee_id=_subject_of(obj),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        data=_jsonable(data or {}),
    )


def log_refused(
    user: User | AnonymousUser | None,
    action: str,
    *,
    object_type: str = "",
    object_id: str = "",
    subject_employee_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record a refused attempt (a security entry) at a record the user may not reach: named by
    its type and id, and the person it belongs to, never fetched (``audit.refusals``)."""
    actor_id, actor_label = _actor(user)
    return AuditEntry.objects.create(
        kind=AuditEntry.Kind.SECURITY,
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        object_type=object_type,
        object_id=object_id,
        subject_employee_id=subject_employee_id,
        data=_jsonable(data or {}),
    )


def log_changes(
    objs: Iterable[Model], action: str, user: User | AnonymousUser | None, data: dict[str, Any] | None = None
) -> int:
    """Record the creation of each of ``objs`` (saved), one entry per object with its values as
    ``after`` and its person as subject, written in one statement per thousand: an import of
    several thousand certificates leaves the same trail as registering them one by one."""
    actor_id, actor_label = _actor(user)
    extra = _jsonable(data or {})
    entries = [
        AuditEntry(
            kind=AuditEntry.Kind.CHANGE,
            action=action,
            actor_id=actor_id,
            actor_label=actor_label,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            subject_employee_id=_subject_of(obj),
            after=snapshot(obj),
            data=extra,
        )
        for obj in objs
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def log_access(
    user: User | AnonymousUser | None,
    action: str,
    employee_ids: list[int] | None = None,
    data: dict[str, Any] | None = None,
    *,
    kind: str = AuditEntry.Kind.ACCESS,
) -> None:
    """Record that a user viewed, searched or exported personal data of these employees.

    One row per person, as the per-person export and the log filter expect. The rows differ
    only in the person, so they are written by one INSERT ... SELECT over the list of ids
    (constant parameters, no model instances): a facility page of 200 people costs one
    short statement instead of 200 ORM rows.
    """
    actor_id, actor_label = _actor(user)
    payload = _jsonable(data or {})
    ids = [int(i) for i in employee_ids or [] if i is not None]
    if not ids:
        AuditEntry.objects.create(
            kind=kind, action=action, actor_id=actor_id, actor_label=actor_label, subject_employee_id=None, data=payload
        )
        return
    fields = AuditEntry._meta
    shared = [
        fields.get_field("created_at").get_db_prep_save(timezone.now(), connection),
        str(kind),
        action,
        actor_id,
        actor_label,
        fields.get_field("data").get_db_prep_save(payload, connection),
    ]
    table = connection.ops.quote_name(fields.db_table)
    columns = (
        '"created_at", "kind", "action", "actor_id", "actor_label", "data", '
        '"object_type", "object_id", "subject_employee_id", "before", "after"'
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, %s, %s, %s, 'staff.employee', "
            "s.id::text, s.id, NULL, NULL FROM unnest(%s::bigint[]) WITH ORDINALITY AS s(id, n) ORDER BY s.n"
        )
        params = [*shared, ids]
    else:  # SQLite (JSON1 is built in): the ids as a JSON array
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, %s, %s, %s, 'staff.employee', "
            "CAST(s.value AS TEXT), s.value, NULL, NULL FROM json_each(%s) AS s ORDER BY s.key"
        )
        params = [*shared, json.dumps(ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# The kinds of entry that only record that someone looked (views, searches, exports, logins):
# kept for AUDIT_ACCESS_RETENTION_MONTHS. The change trail is never pruned.
PRUNABLE_KINDS = (AuditEntry.Kind.ACCESS, AuditEntry.Kind.EXPORT, AuditEntry.Kind.SECURITY)


def access_log_cutoff(today: dt.date, months: int) -> dt.datetime:
    """The start (in Copenhagen) of the day ``months`` months before ``today``: view and export
    entries from before it are due for deletion."""
    return start_of_local_day(add_months(today, -months))


def prune_access_log(today: dt.date, months: int, *, dry_run: bool = True) -> tuple[dt.datetime, int]:
    """(cutoff, entries) of the view, export and login entries older than ``months`` months;
    unless ``dry_run``, they are deleted in one transaction and the deletion is itself logged
    (as a change, so it stays). PostgreSQL's append-only trigger lets these kinds through only
    while ``styrbord.audit_prune`` is set in this transaction (migration 0005)."""
    cutoff = access_log_cutoff(today, months)
    due = AuditEntry.objects.filter(kind__in=PRUNABLE_KINDS, created_at__lt=cutoff)
    if dry_run:
        return cutoff, due.count()
    with transaction.atomic():
        deleted = _delete_prunable(due)
        if deleted:
            log_action(
                None,
                "audit.access_log.pruned",
                None,
                {"before": cutoff.isoformat(), "months": months, "deleted": deleted},
            )
    return cutoff, deleted


def _delete_prunable(due: Any) -> int:
    """Delete the entries past retention. On PostgreSQL the trigger's permission is set for this
    statement only and cleared again at once: it is transaction-local, and the caller may sit in
    a longer transaction that must not be able to delete audit rows afterwards."""
    if connection.vendor != "postgresql":
        return int(due._raw_delete(due.db))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('styrbord.audit_prune', 'on', true)")
        try:
            return int(due._raw_delete(due.db))
        finally:
            cursor.execute("SELECT set_config('styrbord.audit_prune', '', true)")
