"""Generated CRUD operations for one API resource, all through ``accounts.permissions``.

Every operation of a ``Resource`` follows the same rules:
- list: 403 if the role may not list the type; otherwise only rows in the user's scope, paged;
- retrieve: 404 unless the row is in scope and the role may read it;
- create: 403 if the role may not create; references (facility, employee, ...) must be in the
  user's scope (422 otherwise) and so must the new row, or the transaction is rolled back;
- update (PATCH) and delete: 404 outside the scope, 403 when the role may read but not change,
  409 when the ``version`` sent is not the current one (optimistic locking);
- export: a CSV of the rows in scope (formula injection neutralised by lib.spreadsheets).
Changes are audited with before/after; reads of personal data are access-logged.

No ``from __future__ import annotations`` here: Django Ninja reads the annotations of the
generated view functions, which refer to per-resource schema classes held in closures.
"""

import datetime as dt
import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import CharField, Model, ProtectedError, Q, QuerySet, RestrictedError, TextField
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, Field

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import (
    CREATE,
    DELETE,
    EXPORT,
    LIST,
    POLICY,
    RETRIEVE,
    UPDATE,
    can,
    scope,
    scoped_for,
)
from styrbord.api import schemas
from styrbord.api.registry import declare
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action
from styrbord.audit.tracking import redacted_snapshot
from styrbord.lib.spreadsheets import csv_value, write_csv


class ConflictError(Exception):
    """A write based on a stale version, or one the data's integrity forbids (answered 409)."""

    def __init__(self, detail: str, current_version: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.current_version = current_version


class UnprocessableError(Exception):
    """A payload that is well-formed but refers to something missing or breaks a rule (422)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def field_error(field_name: str, message: str, kind: str = "value_error") -> UnprocessableError:
    return UnprocessableError([{"loc": ["body", "payload", field_name], "msg": str(message), "type": kind}])


def item_errors(
    field_name: str, messages: dict[int, str], key: str | None = None, kind: str = "value_error"
) -> UnprocessableError:
    """One error per bad item of a list field, located at the item (``["body", "payload", field,
    index]``, or ``[..., index, key]`` in a list of objects) as pydantic locates its own, not at the list."""
    return UnprocessableError(
        [
            {"loc": ["body", "payload", field_name, index, *([key] if key else [])], "msg": str(message), "type": kind}
            for index, message in sorted(messages.items())
        ]
    )


def from_django_validation(exc: DjangoValidationError) -> UnprocessableError:
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for name, items in exc.error_dict.items():
            for item in items:
                text = " ".join(str(m) for m in item.messages)
                errors.append({"loc": ["body", "payload", name], "msg": text, "type": item.code or "invalid"})
    else:
        errors = [{"loc": ["body", "payload"], "msg": " ".join(exc.messages), "type": "invalid"}]
    return UnprocessableError(errors)


def form_errors(form: Any) -> list[dict[str, Any]]:
    """Each error of a page's Django form at its field of the payload, worded as the form words it
    (an API write checked by the same form as the page: one set of rules, one set of messages)."""
    return [
        {"loc": ["body", "payload", name], "msg": str(message), "type": error.code or "invalid"}
        for name, errors in form.errors.as_data().items()
        for error in errors
        for message in error.messages
    ]


def relocated(exc: UnprocessableError, path: tuple[str | int, ...]) -> UnprocessableError:
    """The errors of a nested payload object, located under ``path`` (e.g. ``("employment",)``)."""
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", []))
        if loc[:2] == ["body", "payload"]:
            loc = ["body", "payload", *path, *loc[2:]]
        errors.append({**error, "loc": loc})
    return UnprocessableError(errors)


@contextmanager
def nested_at(*path: str | int) -> Iterator[None]:
    """Work on the nested object at ``path`` of the payload: its errors (``field_error``,
    ``resolve_refs``, a model's ``full_clean``) point into it (``["body", "payload", *path,
    field]``), as pydantic's own errors for it do, not at a top-level field of the same name."""
    try:
        yield
    except DjangoValidationError as exc:
        raise relocated(from_django_validation(exc), path) from None
    except UnprocessableError as exc:
        raise relocated(exc, path) from None


def has_version_field(model: type[Model]) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


def current_version(obj: Model, relations: Iterable[str] = ()) -> int:
    """The row's version: its ``version`` field, or a digest of its values for other models.

    ``relations`` are many-to-many fields that belong to the row's facts (a facility's code
    lists, a requirement's alternative competences): their members' keys are in the digest, so
    a change of a list alone gives a new version. ``.all()`` uses a prefetch when there is one."""
    if has_version_field(type(obj)):
        return int(obj.version)  # type: ignore[attr-defined]
    values: dict[str, Any] = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for name in relations:
        values[f"{name}[]"] = sorted(member.pk for member in getattr(obj, name).all())
    digest = hashlib.sha256(json.dumps(values, cls=DjangoJSONEncoder, sort_keys=True).encode()).digest()
    # At most nine digits: a ten-digit version in a URL would look like a CPR number in the logs.
    return int.from_bytes(digest[:8], "big") % 999_999_999 + 1


class VersionedOut(Schema):
    """Base of every output schema: carries the row's version for optimistic locking."""

    version: int

    @staticmethod
    def resolve_version(obj: Any) -> int:
        # ``Resource.output`` has put the version on the row when its relations count.
        return getattr(obj, "api_version", None) or current_version(obj)


@dataclass
class Resource:
    """One API collection over one model and one policy object type."""

    name: str  # URL segment and operation-id prefix, e.g. "employees"
    object_type: str  # row of accounts.permissions.POLICY
    model: type[Model]
    out: type[Schema]
    tag: str
    create_in: type[Schema] | None = None
    update_in: type[Schema] | None = None
    delete: bool = False
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Query param -> (type, ORM lookup), or (type, function(user, value) -> Q) for a filter through
    # rows of another scope (an employee's employments: only those the user may see may match).
    filters: dict[str, tuple[Any, str | Callable[[Any, Any], Q]]] = field(default_factory=dict)
    refs: dict[str, type[Model]] = field(default_factory=dict)  # payload field -> referenced model
    subject: Callable[[Any], int | None] | None = None  # the person a row is about (access log)
    # CSV headings (Danish, lazily translated) for output fields that are no model field of the same
    # name, or whose verbose name would mislead; a nested object's fields as "parent.child".
    csv_labels: Mapping[str, Any] = field(default_factory=dict)
    # The output fields a user's role does not see (null in the JSON): no column at all in the CSV.
    hidden_fields: Callable[[Any], frozenset[str]] | None = None
    tenant_scoped: bool = True  # False for shared catalogues (no scope_paths)
    creator: Callable[[Any, dict[str, Any]], Model] | None = None  # custom create (a domain service)
    updater: Callable[[Any, Any, dict[str, Any]], Model] | None = None
    deleter: Callable[[Any, Any], None] | None = None
    to_out: Callable[[Any], Any] | None = None  # custom row -> output mapping
    # Figures for the output computed for all rows of a page at once (user, rows), e.g. balances.
    prepare: Callable[[Any, list[Any]], None] | None = None
    singular: str = ""
    # The rows a role sees beyond its tenant rows (e.g. national requirements that apply to it).
    visible_hook: Callable[[Any, str, QuerySet[Any]], QuerySet[Any]] | None = None
    # Writes whose creator/updater is a domain service that audits itself: "create", "update".
    service_audits: frozenset[str] = frozenset()
    locks_itself: bool = False  # the updater locks and checks the version (its own lock order)
    # the updater saves through the page's form, whose own words answer a null ("Skriv tilbuddets navn.")
    form_checks_nulls: bool = False
    # Many-to-many fields that are part of a row's facts, and so of its version (``current_version``).
    versioned_relations: tuple[str, ...] = ()
    # The list operation's description in the OpenAPI schema (Danish), when it needs more than its summary.
    description: str = ""
    # One more sentence for every operation's description (English), on what a role sees besides
    # the rows of its scope (e.g. fields that are null for some roles).
    scoping_note: str = ""

    def queryset(self) -> QuerySet[Any]:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs.order_by("pk")

    def visible(self, user: Any, action: str) -> QuerySet[Any]:
        """Rows the user may perform ``action`` on (policy x scope)."""
        if not self.tenant_scoped:
            return self.queryset() if can(user, action, self.object_type) else self.queryset().none()
        if self.visible_hook is not None:
            if not can(user, action, self.object_type):
                return self.queryset().none()
            return self.visible_hook(user, action, self.queryset())
        return scoped_for(user, action, self.object_type, self.queryset())

    def in_scope(self, user: Any) -> QuerySet[Any]:
        """Rows inside the user's tenant, whatever the action (used to tell 403 from 404)."""
        if not self.tenant_scoped:
            return self.queryset() if user.is_authenticated else self.queryset().none()
        return scope(user, self.queryset())

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def version(self, obj: Model) -> int:
        return current_version(obj, self.versioned_relations)

    def output(self, obj: Any) -> Any:
        if self.versioned_relations:
            obj.api_version = self.version(obj)
        return self.to_out(obj) if self.to_out is not None else obj

    def outputs(self, user: Any, rows: list[Any]) -> list[Any]:
        if self.prepare is not None and rows:
            self.prepare(user, rows)
        return [self.output(r) for r in rows]

    def subjects(self, rows: Iterable[Any]) -> list[int]:
        if self.subject is None:
            return []
        return sorted({s for s in (self.subject(r) for r in rows) if s is not None})


def find_for(user: Any, resource: Resource, action: str, pk: int) -> Any:
    """The row for a write: 404 outside scope (or no read/write right at all), 403 read-only."""
    if not (can(user, RETRIEVE, resource.object_type) or can(user, action, resource.object_type)):
        raise Http404
    obj = resource.in_scope(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if not can(user, action, resource.object_type):
        raise PermissionDenied
    return obj


def resolve_refs(user: Any, resource: Resource, data: dict[str, Any]) -> dict[str, Any]:
    """Replace referenced ids by objects inside the user's scope (422 when missing or outside)."""
    resolved = dict(data)
    for name, model in resource.refs.items():
        if name not in data or data[name] is None:
            continue
        qs = model._default_manager.all()
        if getattr(model, "scope_paths", None) is not None:
            qs = scope(user, qs)
        target = qs.filter(pk=data[name]).first()
        if target is None:
            raise field_error(
                name,
                _("%(what)s findes ikke eller er uden for dit omfang.") % {"what": capfirst(model._meta.verbose_name)},
            )
        resolved[name] = target
    return resolved


def _assert_in_scope(user: Any, resource: Resource, obj: Model) -> None:
    if resource.tenant_scoped and not resource.in_scope(user).filter(pk=obj.pk).exists():
        raise field_error("__all__", _("Ændringen ville flytte data uden for dit omfang."))


def generic_create(user: Any, resource: Resource, data: dict[str, Any]) -> Model:
    obj = resource.model(**data)
    obj.full_clean()
    obj.save()
    return obj


def refuse_nulls(model: type[Model], data: dict[str, Any]) -> None:
    """A PATCH's ``null`` for a field the database keeps no null in: 422 at the field, for every
    field alike. It was a 409 blaming "a duplicate" for a text (the NOT NULL constraint), a silent
    "" for another, Django's raw text for a yes/no. ``null`` is never "no change": leave the field
    out for that, and send "" to empty a text."""
    errors = []
    for name, value in data.items():
        if value is not None:
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.many_to_many or model_field.one_to_many or getattr(model_field, "null", True):
            continue  # a list's null is the resource's own business; a nullable field is emptied
        text = isinstance(model_field, (CharField, TextField))
        message = (
            _('Feltet kan ikke være null. Send "" for at tømme det, eller udelad feltet for at lade det være.')
            if text
            else _("Feltet kan ikke være null. Udelad feltet for at lade det være.")
        )
        errors.append({"loc": ["body", "payload", name], "msg": message, "type": "null_not_allowed"})
    if errors:
        raise UnprocessableError(errors)


def generic_update(user: Any, resource: Resource, obj: Model, data: dict[str, Any]) -> Model:
    for name, value in data.items():
        setattr(obj, name, value)
    if has_version_field(type(obj)):
        obj.version = int(obj.version) + 1  # type: ignore[attr-defined]
    obj.full_clean()
    obj.save()
    return obj


def _nested_schema(annotation: Any) -> type[BaseModel] | None:
    """The schema of an output field that is one nested object (``BalancesOut`` or ``BalancesOut | None``)."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


@dataclass(frozen=True)
class CsvColumn:
    """One column of a CSV export: the output field's path (``("balances", "granted")`` for a
    nested object's field) and its heading, translated when the response is written."""

    path: tuple[str, ...]
    label: Any


def _model_label(model: type[Model], name: str) -> Any:
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return getattr(model_field, "verbose_name", None)


@dataclass(frozen=True)
class _JoinedLabel:
    """A nested field's heading, "parent: child", translated when written."""

    parent: Any
    child: Any

    def __str__(self) -> str:
        return f"{self.parent}: {self.child}"


def csv_columns(resource: Resource, user: Any) -> list[CsvColumn]:
    """The CSV's columns: the fields of the JSON item (``resource.out``), in its order with
    ``version`` last, a nested object's fields each in a column of their own ("parent: child"),
    less the fields the user's role does not see. Headings from ``csv_labels``, else the model
    field's verbose name, else the field's name."""
    hidden = resource.hidden_fields(user) if resource.hidden_fields is not None else frozenset()
    names = [n for n in resource.out.model_fields if n != "version" and n not in hidden]
    if "version" in resource.out.model_fields and "version" not in hidden:
        names.append("version")
    columns = []
    for name in names:
        label = resource.csv_labels.get(name) or ("id" if name == "id" else _model_label(resource.model, name))
        label = label or name.replace("_", " ")
        nested = _nested_schema(resource.out.model_fields[name].annotation)
        if nested is None:
            columns.append(CsvColumn((name,), label))
            continue
        for child in nested.model_fields:
            child_label = resource.csv_labels.get(f"{name}.{child}") or child.replace("_", " ")
            columns.append(CsvColumn((name, child), _JoinedLabel(label, child_label)))
    return columns


def _choice_labels(model: type[Model], name: str) -> dict[Any, Any]:
    """A choice field's labels by value (also for a list field of choices), as the pages show them."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return {}
    for candidate in (model_field, getattr(model_field, "base_field", None)):
        if isinstance(candidate, models.Field) and candidate.choices:
            return dict(candidate.flatchoices)
    return {}


def _csv_cell(value: Any, labels: Mapping[Any, Any]) -> Any:
    """A JSON value as ``lib.spreadsheets.write_csv`` writes it (decimal comma, dd-mm-yyyy, Ja/Nej),
    with a choice's label, a time of day kept with its date, and a list in one cell."""
    if isinstance(value, BaseModel):
        return " ".join(str(_csv_text(getattr(value, name), {})) for name in type(value).model_fields)
    if isinstance(value, list):
        return ", ".join(str(_csv_text(item, labels)) for item in value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    return value


def _csv_text(value: Any, labels: Mapping[Any, Any]) -> str:
    """A value inside one cell (a list's item): formatted as a cell of its own would be."""
    return csv_value(_csv_cell(value, labels))


def _csv_response(request: HttpRequest, resource: Resource, rows: list[Any]) -> HttpResponse:
    """The rows as the JSON gives them (``resource.out``, with the request as the list's context:
    the same role-dependent values), one column a field."""
    columns = csv_columns(resource, request.user)
    labels = {c.path: _choice_labels(resource.model, c.path[0]) if len(c.path) == 1 else {} for c in columns}
    context = {"request": request, "response_status": 200}

    def cells(item: Any) -> list[Any]:
        validated = resource.out.model_validate(item, context=context)
        row = []
        for column in columns:
            value: Any = validated
            for part in column.path:
                value = getattr(value, part, None) if value is not None else None
            row.append(_csv_cell(value, labels[column.path]))
        return row

    items = resource.outputs(request.user, rows)
    body = write_csv([str(c.label) for c in columns], (cells(item) for item in items))
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{resource.name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


# The operations whose 201 carries a ``Location`` header (declared in the OpenAPI document by ``main``).
LOCATED_CREATES: set[str] = set()


def located(operation_id: str) -> str:
    """Mark an operation as answering 201 with ``Location`` (see ``set_location``)."""
    LOCATED_CREATES.add(operation_id)
    return operation_id


def set_location(response: HttpResponse, retrieve_operation: str, pk: int) -> None:
    """``Location``: the absolute path of the created row (``/api/v1/<collection>/<id>``), from the
    collection's own retrieve operation, so it is the URL a client reads the row at."""
    response["Location"] = reverse(f"api:{retrieve_operation}", kwargs={"pk": pk})


# Who sees which rows, by role, in the words of ``accounts.permissions.scope`` (a role is named
# only when the policy lets it perform the action and the model has a path to its scope).
_ROLE_SCOPE = {
    Role.ADMIN: "an administrator all rows",
    Role.COORDINATOR: "a coordinator those of their municipality",
    Role.FINANCE: "a finance officer those of their municipality",
    Role.FACILITY_MANAGER: "a facility manager those of their own facilities",
    Role.ANALYST: "an analyst those of their region (a national analyst all)",
    Role.EMPLOYEE: "an employee only their own",
    Role.GRANTOR: "a grantor only those of their own pools",
}


def _roles_for(resource: Resource, action: str) -> list[str]:
    allowed = POLICY.get(resource.object_type, {})
    return [str(role) for role in Role.values if action in allowed.get(role, frozenset())]


def operation_docs(resource: Resource, action: str, plural: str, singular: str) -> tuple[str, str]:
    """The summary and one-line description of a generated operation in the OpenAPI document
    (English, for developers): what it does, which roles may do it, and which rows they see."""
    summaries = {
        LIST: f"List {plural}",
        EXPORT: f"Export {plural} as CSV",
        RETRIEVE: f"Get one {singular}",
        CREATE: f"Create a {singular}",
        UPDATE: f"Change a {singular} (send the version you read)",
        DELETE: f"Delete a {singular} (send the version you read)",
    }
    roles = _roles_for(resource, action)
    who = f"Roles: {', '.join(roles)}." if roles else "No role may do this."
    if not resource.tenant_scoped:
        where = "Shared reference data: the same rows for every role."
    else:
        paths = getattr(resource.model, "scope_paths", None)
        seen = [
            text
            for role, text in _ROLE_SCOPE.items()
            if role in roles
            and not (role == Role.EMPLOYEE and getattr(paths, "employee", None) is None)
            and not (role == Role.GRANTOR and getattr(paths, "grantor", None) is None)
        ]
        scoped = f": {'; '.join(seen)}" if seen else ""
        where = (
            f"The references and the new row must lie in the caller's scope{scoped} (422 otherwise)."
            if action == CREATE
            else f"Only rows in the caller's scope{scoped}. A row outside it answers 404."
        )
        if resource.visible_hook is not None:
            where += " Rows shared with the caller's scope (e.g. national ones) are included."
    if action == EXPORT:
        who = f"{who} Needs the right to list as well; takes the list's filters, not its paging."
    parts = [who, where, resource.scoping_note]
    return summaries[action], " ".join(p for p in parts if p)


def register(router: Router, resource: Resource) -> None:
    """Add list, retrieve, export and (when configured) create, update, delete operations."""
    out = resource.out
    page = schemas.page_schema(resource.name.title().replace("_", ""), out)
    name = resource.name
    singular = resource.singular or name.rstrip("s")
    plural_words, singular_words = name.replace("-", " ").replace("_", " "), singular.replace("_", " ")

    def docs(action: str) -> tuple[str, str]:
        return operation_docs(resource, action, plural_words, singular_words)

    filters: dict[str, Any] = {}
    for param, (kind, _lookup) in resource.filters.items():
        # Ids are bounded like path ids: a 40-digit number must answer 422, not overflow the database.
        filters[param] = ((schemas.Id if kind is int else kind) | None, None)
    paging: dict[str, Any] = {
        "page": (int, Field(1, ge=1, le=schemas.MAX_INT, description="Sidenummer, fra 1.")),
        "page_size": (
            int,
            Field(
                schemas.DEFAULT_PAGE_SIZE,
                ge=1,
                le=schemas.MAX_PAGE_SIZE,
                description=f"Antal pr. side, højst {schemas.MAX_PAGE_SIZE} (større værdier afvises med 422).",
            ),
        ),
    }
    from pydantic import create_model

    params_schema = create_model(f"{page.__name__}Params", __base__=Schema, **paging, **filters)  # type: ignore[call-overload]
    # The export writes every row in scope: it takes the filters, not page/page_size (which it would ignore).
    export_params = create_model(f"{page.__name__}ExportParams", __base__=Schema, **filters)  # type: ignore[call-overload]

    def _filtered(user: Any, qs: QuerySet[Any], params: Any) -> QuerySet[Any]:
        for param, (_kind, lookup) in resource.filters.items():
            value = getattr(params, param)
            if value is not None:
                qs = qs.filter(lookup(user, value) if callable(lookup) else Q(**{lookup: value}))
        return qs

    def _log_read(request: HttpRequest, rows: list[Any], verb: str, kind: str = AuditEntry.Kind.ACCESS) -> None:
        ids = resource.subjects(rows)
        if ids:
            log_access(request.user, f"api.{resource.label}.{verb}", ids, kind=kind)

    op_list = declare(f"{name}_list", resource.object_type, LIST, name, generic=True)

    @router.get(
        f"/{name}",
        response={200: page, **schemas.ERRORS},
        operation_id=op_list,
        url_name=op_list,
        summary=docs(LIST)[0],
        # The resource's own (Danish) text first where it has one, then who sees what.
        description=" ".join(t for t in (resource.description, docs(LIST)[1]) if t),
        tags=[resource.tag],
    )
    def list_view(request: HttpRequest, params: Query[params_schema]):  # type: ignore[valid-type]
        page: Any = params
        if not can(request.user, LIST, resource.object_type):
            raise PermissionDenied
        qs = _filtered(request.user, resource.visible(request.user, LIST), page)
        count = qs.count()
        start = (page.page - 1) * page.page_size
        rows = list(qs[start : start + page.page_size]) if start < count else []
        _log_read(request, rows, "listed")
        return Status(
            200,
            {
                "count": count,
                "page": page.page,
                "page_size": page.page_size,
                "items": resource.outputs(request.user, rows),
            },
        )

    op_export = declare(f"{name}_export", resource.object_type, EXPORT, name, generic=True)

    @router.get(
        f"/{name}/export.csv",
        response={200: None, **schemas.ERRORS},
        operation_id=op_export,
        url_name=op_export,
        summary=docs(EXPORT)[0],
        description=docs(EXPORT)[1],
        tags=[resource.tag],
        openapi_extra={
            "responses": {
                # An int like ninja's own key: a "200" string beside it wrote the key twice in the
                # JSON, which Swagger UI refuses ("duplicated mapping key": a blank docs page).
                200: {
                    "description": "CSV (semikolon, UTF-8 med BOM)",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                }
            }
        },
    )
    def export_view(request: HttpRequest, params: Query[export_params]):  # type: ignore[valid-type]
        # The CSV is the list in a file: a role that may not list the rows may not export them
        # either (an employee exports their own data through its own operation).
        if not (can(request.user, EXPORT, resource.object_type) and can(request.user, LIST, resource.object_type)):
            raise PermissionDenied
        rows = list(_filtered(request.user, resource.visible(request.user, EXPORT), params))
        _log_read(request, rows, "exported", AuditEntry.Kind.EXPORT)
        return _csv_response(request, resource, rows)

    op_get = declare(f"{singular}_retrieve", resource.object_type, RETRIEVE, name, generic=True)

    @router.get(
        f"/{name}/{{pk}}",
        response={200: out, **schemas.ERRORS},
        operation_id=op_get,
        url_name=op_get,
        summary=docs(RETRIEVE)[0],
        description=docs(RETRIEVE)[1],
        tags=[resource.tag],
    )
    def retrieve_view(request: HttpRequest, pk: schemas.Id):  # type: ignore[valid-type]
        obj = resource.visible(request.user, RETRIEVE).filter(pk=pk).first()
        if obj is None:
            raise Http404
        _log_read(request, [obj], "viewed")
        return Status(200, resource.outputs(request.user, [obj])[0])

    if resource.create_in is not None:
        create_in = resource.create_in
        op_create = located(declare(f"{singular}_create", resource.object_type, CREATE, name, generic=True))

        @router.post(
            f"/{name}",
            response={201: out, **schemas.WRITE_ERRORS},
            operation_id=op_create,
            url_name=op_create,
            summary=docs(CREATE)[0],
            description=docs(CREATE)[1] + " Answers 201 with the new row and its path in `Location`.",
            tags=[resource.tag],
        )
        def create_view(request: HttpRequest, payload: create_in, response: HttpResponse):  # type: ignore[valid-type]
            user = request.user
            if not can(user, CREATE, resource.object_type):
                raise PermissionDenied
            data = resolve_refs(user, resource, payload.dict())  # type: ignore[attr-defined]
            with transaction.atomic():
                try:
                    obj = (
                        resource.creator(user, data)
                        if resource.creator is not None
                        else generic_create(user, resource, data)
                    )
                except DjangoValidationError as exc:
                    raise from_django_validation(exc) from None
                _assert_in_scope(user, resource, obj)
                if "create" not in resource.service_audits:
                    log_action(obj, f"{resource.label}.created", user, {"via": "api"}, after=redacted_snapshot(obj))
            obj = resource.queryset().get(pk=obj.pk)
            set_location(response, op_get, obj.pk)
            return Status(201, resource.outputs(user, [obj])[0])

    if resource.update_in is not None:
        update_in = resource.update_in
        op_update = declare(f"{singular}_update", resource.object_type, UPDATE, name, generic=True)

        @router.patch(
            f"/{name}/{{pk}}",
            response={200: out, **schemas.WRITE_ERRORS},
            operation_id=op_update,
            url_name=op_update,
            summary=docs(UPDATE)[0],
            description=docs(UPDATE)[1],
            tags=[resource.tag],
        )
        def update_view(request: HttpRequest, pk: schemas.Id, payload: update_in):  # type: ignore[valid-type]
            user = request.user
            find_for(user, resource, UPDATE, pk)
            data = payload.dict(exclude_unset=True)  # type: ignore[attr-defined]
            expected = data.pop("version")
            if not resource.form_checks_nulls:
                refuse_nulls(resource.model, data)
            data = resolve_refs(user, resource, data)
            with transaction.atomic():
                if resource.locks_itself:
                    # The domain service locks (in its own order) and checks ``expected`` itself.
                    obj = resource.model._default_manager.get(pk=pk)
                else:
                    # Lock the row so two writers with the same version cannot both pass the check.
                    obj = resource.model._default_manager.select_for_update().get(pk=pk)
                    found = resource.version(obj)
                    if found != expected:
                        raise ConflictError(_("Data er ændret siden du læste dem. Hent dem igen."), found)
                before = redacted_snapshot(obj)
                try:
                    if resource.updater is not None:
                        obj = resource.updater(user, obj, {**data, "version": expected})
                    else:
                        obj = generic_update(user, resource, obj, data)
                except DjangoValidationError as exc:
                    raise from_django_validation(exc) from None
                _assert_in_scope(user, resource, obj)
                if "update" not in resource.service_audits:
                    log_action(
                        obj,
                        f"{resource.label}.updated",
                        user,
                        {"via": "api"},
                        before=before,
                        after=redacted_snapshot(obj),
                    )
            obj = resource.queryset().get(pk=obj.pk)
            return Status(200, resource.outputs(user, [obj])[0])

    if resource.delete:
        op_delete = declare(f"{singular}_delete", resource.object_type, DELETE, name, generic=True)

        @router.delete(
            f"/{name}/{{pk}}",
            response={204: None, **schemas.WRITE_ERRORS},
            operation_id=op_delete,
            url_name=op_delete,
            summary=docs(DELETE)[0],
            description=docs(DELETE)[1],
            tags=[resource.tag],
        )
        def delete_view(request: HttpRequest, pk: schemas.Id, version: schemas.Version):  # type: ignore[valid-type]
            user = request.user
            find_for(user, resource, DELETE, pk)
            with transaction.atomic():
                obj = resource.model._default_manager.select_for_update().get(pk=pk)
                found = resource.version(obj)
                if found != version:
                    raise ConflictError(_("Data er ændret siden du læste dem. Hent dem igen."), found)
                before = redacted_snapshot(obj)
                log_action(obj, f"{resource.label}.deleted", user, {"via": "api"}, before=before)
                try:
                    with transaction.atomic():
                        if resource.deleter is not None:
                            resource.deleter(user, obj)
                        else:
                            obj.delete()
                except (ProtectedError, RestrictedError):
                    raise ConflictError(_("Kan ikke slettes, fordi andre data henviser til den.")) from None
            return Status(204, None)
