"""The one permission helper: what a user may see and do, enforced in pages, API and exports.

Two questions, always asked together:
- the *policy*: may this role do this action on this object type at all (``can``);
- the *scope*: which rows of that type are inside the user's tenant (``scope``).

A row outside the scope is treated as missing: ``get_scoped_or_404`` answers 404, never 403,
so a URL cannot be used to probe for other tenants' data.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.dispatch import Signal
from django.http import Http404

from styrbord.accounts.models import Role
from styrbord.lib.scoping import ScopePaths

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

M = TypeVar("M", bound=Model)

# Sent (sender: the queryset's model) with user, action, object_type, queryset and lookup each time
# ``get_scoped_or_404`` answers 404. The audit trail listens: a refused attempt at a person's data
# is logged there (``audit.refusals``), and this module needs no import of it.
refused = Signal()

# Actions, as used in the policy table and the authorisation matrix.
LIST, RETRIEVE, CREATE, UPDATE, DELETE, EXPORT = "list", "retrieve", "create", "update", "delete", "export"
READ = frozenset({LIST, RETRIEVE})
READ_EXPORT = frozenset({LIST, RETRIEVE, EXPORT})
ALL = frozenset({LIST, RETRIEVE, CREATE, UPDATE, DELETE, EXPORT})
NONE: frozenset[str] = frozenset()

# Policy: object type -> role -> allowed actions. Scope limits *which* rows on top of this.
# Object types are registered by each app with ``register_policy``; the core ones are here.
POLICY: dict[str, dict[str, frozenset[str]]] = {
    "facility": {
        Role.ADMIN: ALL,
        # A coordinator sets up the municipality's own facilities (not regional ones), and keeps their facts.
        Role.COORDINATOR: READ_EXPORT | {CREATE, UPDATE},
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
    "employee": {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: ALL,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: frozenset({RETRIEVE, EXPORT}),
        Role.GRANTOR: NONE,
    },
    "municipality": {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: NONE,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
    "aggregate": {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: READ_EXPORT,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.ANALYST: READ_EXPORT,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
}


def register_policy(object_type: str, rules: dict[str, frozenset[str]]) -> None:
    """Add an object type's row to the policy table (called from an app's ``policy.py``)."""
    missing = {r.value for r in Role} - {str(k) for k in rules}
    if missing:
        raise ValueError(f"policy for {object_type!r} does not say what these roles may do: {sorted(missing)}")
    POLICY[object_type] = rules


def is_administrator(user: User | AnonymousUser | Any) -> bool:
    """Whether the user administers all of Styrbord: a superuser or the administrator role.

    The one place that says so; scope, menus, forms and views ask here. Anonymous: False.
    """
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN))


def can(user: User | AnonymousUser, action: str, object_type: str) -> bool:
    """Whether the user's role may perform ``action`` on ``object_type`` anywhere in their scope."""
    if not user.is_authenticated:
        return False
    rules = POLICY.get(object_type)
    if rules is None:
        raise KeyError(f"no policy for object type {object_type!r}")
    if user.is_superuser:
        return action in ALL
    return action in rules.get(user.role, NONE)  # type: ignore[union-attr]


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def _facility_q(user: User, path: str) -> Q | None:
    """The facility-level filter for a user's scope, or None for 'everything'."""
    role = user.role
    if is_administrator(user):
        return None
    if role == Role.FACILITY_MANAGER:
        return Q(**{_join(path, "in"): user.facilities.all()}) if path else Q(pk__in=user.facilities.all())
    if role in (Role.COORDINATOR, Role.FINANCE):
        if user.municipality_id is not None:
            return Q(**{_join(path, "municipality_id"): user.municipality_id}) & ~Q(
                **{_join(path, "operator_kind"): "region"}
            )
        if user.region_id is not None:
            return Q(**{_join(path, "operator_region_id"): user.region_id})
        return Q(pk__in=[])
    if role == Role.ANALYST:
        if user.region_id is not None:
            return Q(**{_join(path, "municipality__region_id"): user.region_id})
        return None  # a national analyst sees every aggregate
    return Q(pk__in=[])


def _municipality_q(user: User, path: str) -> Q | None:
    role = user.role
    if is_administrator(user):
        return None
    if role in (Role.COORDINATOR, Role.FINANCE) and user.municipality_id is not None:
        return Q(**{_join(path, "id"): user.municipality_id})
    if role == Role.ANALYST:
        return Q(**{_join(path, "region_id"): user.region_id}) if user.region_id else None
    return Q(pk__in=[])


def scope(user: User | AnonymousUser, queryset: QuerySet[M]) -> QuerySet[M]:
    """Filter ``queryset`` to the rows inside the user's tenant. Anonymous users see nothing.

    The model declares how it reaches a tenant with a class attribute ``scope_paths``.
    """
    if not user.is_authenticated:
        return queryset.none()
    paths: ScopePaths | None = getattr(queryset.model, "scope_paths", None)
    if paths is None:
        raise TypeError(f"{queryset.model.__name__} declares no scope_paths")
    if is_administrator(user):
        return queryset
    role = user.role  # type: ignore[union-attr]
    if role == Role.EMPLOYEE:
        if paths.employee is None or user.employee_id is None:  # type: ignore[union-attr]
            return queryset.none()
        key = "pk" if paths.employee == "" else f"{paths.employee}_id"
        return queryset.filter(**{key: user.employee_id})  # type: ignore[union-attr]
    if role == Role.GRANTOR:
        if paths.grantor is None or user.grantor_id is None:  # type: ignore[union-attr]
            return queryset.none()
        key = "pk" if paths.grantor == "" else f"{paths.grantor}_id"
        return queryset.filter(**{key: user.grantor_id})  # type: ignore[union-attr]
    conditions: list[Q] = []
    everything = False
    if paths.facility is not None:
        q = _facility_q(user, paths.facility)  # type: ignore[arg-type]
        if q is None:
            everything = True
        else:
            conditions.append(q)
    if paths.municipality is not None:
        q = _municipality_q(user, paths.municipality)  # type: ignore[arg-type]
        if q is None:
            everything = True
        else:
            conditions.append(q)
    if everything:
        return queryset
    if not conditions:
        return queryset.none()
    combined = conditions[0]
    for extra in conditions[1:]:
        combined |= extra
    scoped = queryset.filter(combined)
    return scoped.distinct() if _may_repeat_rows(queryset, paths) else scoped


@cache
def _single_valued(model: Any, path: str) -> bool:
    """Whether ``path`` from ``model`` follows only forward foreign keys (one row at most)."""
    current: Any = model
    for part in path.split("__") if path else ():
        field = current._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return False
        current = field.related_model
    return True


def _may_repeat_rows(queryset: QuerySet[Any], paths: ScopePaths) -> bool:
    """Whether the scope filter can return a row twice, so the scoped rows need DISTINCT.

    Only a join to many rows repeats rows: a path through a reverse or many-to-many relation
    (e.g. a person's employments), or joins the queryset had before it was scoped. The scope's
    own extra steps (a facility's municipality, ``__in`` subqueries) never do.
    """
    if len(queryset.query.alias_map) > 1:
        return True
    model: Any = queryset.model
    return not all(_single_valued(model, p) for p in (paths.facility, paths.municipality) if p is not None)


def scoped_for(user: User | AnonymousUser, action: str, object_type: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Policy and scope in one: the rows the user may perform ``action`` on (maybe none)."""
    if not can(user, action, object_type):
        return queryset.none()
    return scope(user, queryset)


def get_scoped_or_404(
    user: User | AnonymousUser, action: str, object_type: str, queryset: QuerySet[M], **lookup: Any
) -> M:
    """One object inside the user's scope, or 404 (the same answer as a missing object)."""
    try:
        return scoped_for(user, action, object_type, queryset).get(**lookup)
    except queryset.model.DoesNotExist:  # type: ignore[attr-defined]
        refused.send(
            sender=queryset.model, user=user, action=action, object_type=object_type, queryset=queryset, lookup=lookup
        )
        raise Http404 from None
