"""``log_action`` and ``log_access``: the only ways to write the audit trail.

Call them inside the same transaction as the change they describe. Never put a CPR
number or a person's name in ``data``: refer to people by id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from styrbord.audit.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


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


def log_access(
    user: User | AnonymousUser | None,
    action: str,
    employee_ids: list[int] | None = None,
    data: dict[str, Any] | None = None,
    *,
    kind: str = AuditEntry.Kind.ACCESS,
) -> None:
    """Record that a user viewed, searched or exported personal data of these employees."""
    actor_id, actor_label = _actor(user)
    ids = employee_ids or [None]  # type: ignore[list-item]
    payload = _jsonable(data or {})  # the same for every row: encoded once
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                kind=kind,
                action=action,
                actor_id=actor_id,
                actor_label=actor_label,
                object_type="staff.employee" if employee_id is not None else "",
                object_id=str(employee_id) if employee_id is not None else "",
                subject_employee_id=employee_id,
                data=payload,
            )
            for employee_id in ids
        ]
    )
