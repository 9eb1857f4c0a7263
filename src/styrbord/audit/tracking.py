"""The change log for the Django admin: before/after of every model saved or deleted there.

A middleware marks requests to the admin site; model signals then log each save and delete
(with the admin user) in the same transaction. Nothing is logged outside the admin, so bulk
imports (which log one batch entry themselves) and the API (which logs explicitly) are not
logged row by row. Personal fields are replaced by a marker in before/after, so the
append-only trail never keeps a name that anonymisation must erase.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

from styrbord.audit.services import log_action, snapshot

HIDDEN = "«skjult»"
# Fields that identify a person: never copied into the trail.
PERSONAL_FIELDS: dict[str, set[str]] = {
    "staff.employee": {"name", "email", "birth_year", "person_key"},
    "accounts.user": {"password", "username", "first_name", "last_name", "email"},
    "staff.employment": {"employment_number"},
}
# Models whose rows are never change-logged (the trail itself, sessions, bookkeeping).
UNTRACKED_APPS = {"audit", "sessions", "contenttypes", "admin", "django_tasks_database", "socialaccount", "account"}

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("styrbord_audit", default=None)


def register_personal_fields(label: str, fields: set[str]) -> None:
    """Let an app name more fields that identify a person (e.g. free-text notes about them)."""
    PERSONAL_FIELDS.setdefault(label, set()).update(fields)


def _hidden_fields(obj: Model) -> set[str]:
    hidden = PERSONAL_FIELDS.get(obj._meta.label_lower, set())
    return hidden | {f"{name}_id" for name in hidden}


def _redact(obj: Model, data: dict[str, Any]) -> dict[str, Any]:
    hidden = _hidden_fields(obj)
    return {k: (HIDDEN if k in hidden and v not in (None, "") else v) for k, v in data.items()}


def redacted_snapshot(obj: Model) -> dict[str, Any]:
    """``snapshot(obj)`` with personal fields replaced by a marker."""
    return _redact(obj, snapshot(obj))


@contextmanager
def tracking(user: Any, via: str) -> Iterator[None]:
    """Change-log every save and delete inside the block as done by ``user``."""
    token = _context.set({"user": user, "via": via})
    try:
        yield
    finally:
        _context.reset(token)


def _tracked(sender: type[Model]) -> bool:
    return _context.get() is not None and sender._meta.app_label not in UNTRACKED_APPS


@receiver(pre_save, dispatch_uid="audit_tracking_pre_save")
def _remember_before(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _tracked(sender) or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None  # type: ignore[attr-defined]


@receiver(post_save, dispatch_uid="audit_tracking_post_save")
def _log_save(sender: type[Model], instance: Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _tracked(sender):
        return
    ctx = _context.get() or {}
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before == after:
        return
    data: dict[str, Any] = {"via": ctx.get("via")}
    hidden = _hidden_fields(instance)
    changed_personal = sorted(n for n in after if n in hidden and (before or {}).get(n) != after[n])
    if changed_personal:
        data["changed_personal_fields"] = changed_personal
    verb = "created" if created else "updated"
    log_action(
        instance,
        f"{sender._meta.label_lower}.{verb}",
        ctx.get("user"),
        data,
        before=_redact(instance, before) if before is not None else None,
        after=_redact(instance, after),
    )


@receiver(post_delete, dispatch_uid="audit_tracking_post_delete")
def _log_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if not _tracked(sender):
        return
    ctx = _context.get() or {}
    log_action(
        instance,
        f"{sender._meta.label_lower}.deleted",
        ctx.get("user"),
        {"via": ctx.get("via")},
        before=redacted_snapshot(instance),
    )


@receiver(m2m_changed, dispatch_uid="audit_tracking_m2m")
def _log_m2m(sender: type[Model], instance: Model, action: str, pk_set: set[Any] | None, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "post_clear"} or not _tracked(type(instance)):
        return
    ctx = _context.get() or {}
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),  # type: ignore[union-attr]
        sender._meta.model_name,
    )
    log_action(
        instance,
        f"{instance._meta.label_lower}.{field}_changed",
        ctx.get("user"),
        {"via": ctx.get("via"), "field": field, "change": action[5:], "ids": sorted(pk_set or [])},
    )


class AdminChangeLogMiddleware:
    """Turn the change log on for requests served by the Django admin site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _context.set(None)
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is not None and match.namespace == "admin" and request.method not in {"GET", "HEAD", "OPTIONS"}:
            _context.set({"user": request.user, "via": "admin"})
        return None
