"""Refused attempts at a person's data, in the audit trail ("Adgang nægtet").

A user who opens a person's page, or a row that belongs to a person (a booking, a certificate),
outside their scope is answered 404 by the permission helper (``get_scoped_or_404``: the answer
for a missing row, so a URL cannot probe for other tenants' people); a role that may never see
people is answered 403 by the route policy. Both are attempts at personal data a data protection
officer must be able to find: one security entry (``accounts.access.refused``) per refused
request, with the person as subject when known.

- The helper announces each 404 (``permissions.refused``). It is noted here, for the request being
  served, when the row exists and belongs to a person: an Employee, or a row whose
  ``scope_paths.employee`` leads to one. A row that does not exist was not refused: a 404 for a
  person id nobody has is not logged, nor any 404 of the site outside the helper.
- A view of this app that refuses by its own rule (the personal-data pages) notes it with ``note``.
- A 403 on a route whose rule needs the ``employee`` object type (the person pages and search, the
  personal-data export), from that rule refusing the user's role, is a refusal too; the person is
  the URL's when the route is about one.
- ``RefusalLogMiddleware`` writes the entry once the view has answered: at most one a request, only for a 403 or 404 (a view that catches the helper's
  404 and answers otherwise was not refused), and outside any transaction of the view, which the
  404 may have rolled back.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

from styrbord.accounts.permissions import refused
from styrbord.accounts.route_policy import allows, rule_for
from styrbord.audit.services import log_refused

ACTION = "accounts.access.refused"
REFUSED = (403, 404)


@dataclass(frozen=True)
class Refusal:
    user: Any
    action: str  # the permission wanted: "retrieve", "update" ...
    object_type: str  # "staff.employee", "training.booking"
    object_id: str
    subject: int | None  # the person the row belongs to


# The refusals noted while a request is served (None outside one: nothing is noted).
_noted: contextvars.ContextVar[list[Refusal] | None] = contextvars.ContextVar("styrbord_refusals", default=None)


def start() -> contextvars.Token[list[Refusal] | None]:
    """Note refusals from here on (the middleware, as a request begins)."""
    return _noted.set([])


def stop(token: contextvars.Token[list[Refusal] | None]) -> None:
    _noted.reset(token)


def note(user: Any, action: str, obj: Model) -> None:
    """Note that ``user`` was refused ``action`` on ``obj`` (a person, or a person's row)."""
    noted = _noted.get()
    if noted is None:
        return
    noted.append(Refusal(user, action, obj._meta.label_lower, str(obj.pk), _person_of(type(obj), obj.pk)))


def _person_path(model: type[Model]) -> str | None:
    """The path to the person a row belongs to ("pk" for a person), None for rows of no person."""
    paths = getattr(model, "scope_paths", None)
    employee = getattr(paths, "employee", None)
    if employee is None:
        return None
    return employee or "pk"


def _person_of(model: type[Model], pk: Any) -> int | None:
    path = _person_path(model)
    if path is None:
        return None
    if path == "pk":
        return int(pk)
    person = model._default_manager.filter(pk=pk).values_list(path, flat=True).first()
    return int(person) if person is not None else None


@receiver(refused, dispatch_uid="audit_refusal_noted")
def _noted_by_helper(
    sender: type[Model], user: Any, action: str, queryset: QuerySet[Any], lookup: dict[str, Any], **kwargs: Any
) -> None:
    """The helper refused a row: noted when it exists and belongs to a person (one query)."""
    noted = _noted.get()
    if noted is None or noted:  # outside a request, or the request's refusal is already noted
        return
    path = _person_path(sender)
    if path is None:
        return
    probe = queryset.filter(**lookup)
    probe.query.select_for_update = False  # only a look: no row is locked for a refusal
    rows = list(probe.values_list("pk", path)[:2])
    if len(rows) != 1:  # no such row (a 404 like any other), or no one row
        return
    pk, person = rows[0]
    noted.append(Refusal(user, action, sender._meta.label_lower, str(pk), int(person) if person else None))


def _refused_by_route(request: HttpRequest) -> Refusal | None:
    """A 403 on a route for people's data (its rule needs the ``employee`` object type) whose rule
    refuses the user's role. Another 403 there (a form's failed CSRF check) is no refusal of access."""
    match = request.resolver_match
    if match is None:
        return None
    rule = rule_for(match.func, match.url_name, match.namespace)
    if rule is None or rule.kind != "policy" or allows(rule, request.user) is not False:
        return None
    wanted = [action for object_type, action in rule.needs() if object_type == "employee"]
    if not wanted:
        return None
    person = None
    if rule.object_type == "employee":  # the route is about one person: the URL's
        from styrbord.staff.models import Employee

        given = match.kwargs.get("employee_id", match.kwargs.get("pk"))
        if isinstance(given, int) and Employee.objects.filter(pk=given).exists():
            person = given
    return Refusal(
        request.user,
        wanted[0],
        "staff.employee" if person is not None else "",
        str(person) if person is not None else "",
        person,
    )


def log_refusal(request: HttpRequest, response: HttpResponseBase) -> None:
    """Write the request's refusal, if it was refused (see the module's description)."""
    if response.status_code not in REFUSED:
        return
    noted = _noted.get() or []
    refusal = noted[0] if noted else None
    if refusal is None and response.status_code == 403:
        refusal = _refused_by_route(request)
    if refusal is None or not getattr(refusal.user, "is_authenticated", False):
        return
    match = request.resolver_match
    log_refused(
        refusal.user,
        ACTION,
        object_type=refusal.object_type,
        object_id=refusal.object_id,
        subject_employee_id=refusal.subject,
        data={
            "route": match.view_name if match is not None else "",
            "method": request.method,
            "wanted": refusal.action,
            "response": response.status_code,
        },
    )


class RefusalLogMiddleware:
    """Note the refusals while a request is served, and log the request's one refusal (if any)
    once it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        watching = start()
        try:
            response = self.get_response(request)
            log_refusal(request, response)
            return response
        finally:
            stop(watching)
