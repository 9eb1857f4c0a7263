"""The personal-data export as a person reads it (the right of access): one worksheet per kind of data.

``privacy.employee_data`` gathers the rows with their technical names and codes (the JSON export
keeps them so). Here they are written for the person: a reference to another record shows that
record's name ("Kompetence: Autismeforståelse", "Hold: Low Arousal i praksis – Februar 2026
(02-02-2026)"), a coded value its label, the log its readable action names, who acted by name and
role, and its details as "name: value" text. What only the application uses (row ids, versions,
the account's superuser and staff flags) is left out.

Nothing about another person is written: a reference to a record that belongs to someone else
reads "anden person", never that person's name. A colleague who looked at or changed the person's
data is named with their role (who saw and changed it is part of the answer); an ordinary
employee's account is named by its role only, unless it is the person's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role, User
from styrbord.accounts.services import scope_label
from styrbord.audit.actions import action_label, object_type_label
from styrbord.audit.details import as_decimal, is_record_id, label_for, money_text
from styrbord.audit.details import concrete_field as _field
from styrbord.audit.details import model_of as _model
from styrbord.audit.models import AuditEntry
from styrbord.lib.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_ore,
    natural_places,
    shown_record_text,
)
from styrbord.lib.money import is_money_field
from styrbord.lib.spreadsheets import Sheet, unique_sheet_name, write_xlsx
from styrbord.staff.models import Employee

AUDIT = "audit.auditentry"

# Fields written to no worksheet: row ids and versions (bookkeeping), secrets (never exported).
HIDDEN_FIELDS = {"id", "version", "password", "token_hash"}
# Per kind of data, fields only the application reads.
HIDDEN_MODEL_FIELDS: dict[str, set[str]] = {
    # The framework's flags; where the role applies is written as one column, "Omfang", instead.
    "accounts.user": {"is_superuser", "is_staff", "municipality_id", "region_id", "grantor_id"},
    # What the reminder was about, as an internal key ("session:12:2026-03-02"): its type says it.
    "training.reminderlog": {"key"},
}

# A worksheet's (and the personal-data page's) name where the model's own is unclear out of context.
SECTION_TITLES: dict[str, Promise] = {
    "accounts.user": gettext_lazy("Brugerkonti"),
    "funding.ledgerentry": gettext_lazy("Posteringer på tilsagn"),
    AUDIT: gettext_lazy("Log over opslag og ændringer"),
}


def section_title(label: str) -> str:
    """The name a person reads for one kind of data ("Kompetencebeviser" for
    ``competences.competenceholding``), in the active language."""
    if label in SECTION_TITLES:
        return str(SECTION_TITLES[label])
    model = _model(label)
    return capfirst(str(model._meta.verbose_name_plural)) if model is not None else label


def _yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nej")


def plain(value: Any) -> str:
    """A stored value as text, with no JSON punctuation: a list is its items, a mapping its
    "key: value" pairs, text in the reader's language where the system wrote it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(text for text in (plain(v) for v in value) if text)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {plain(v)}" for key, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, Decimal):
        return format_number(value, natural_places(value))
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    return shown_record_text(str(value))


def _moment(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return plain(value)


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return plain(value)


@dataclass(frozen=True)
class Column:
    """One field as a person reads it: its own name, labels for coded values, the model a
    reference points to (the cell then shows that record's name), or a value worked out from
    the row's record."""

    key: str
    header: str
    labels: dict[Any, str] | None = None
    related: type[Model] | None = None
    computed: Callable[[Any], Any] | None = None


def _field_column(f: Any) -> Column:
    return Column(
        f.attname,
        capfirst(str(f.verbose_name)),
        {k: str(v) for k, v in f.flatchoices} if f.choices else None,
        f.related_model if f.is_relation else None,
    )


def columns(model: type[Model]) -> list[Column]:
    """The columns of one kind of data: every field a person may recognise, references by name."""
    label = model._meta.label_lower
    hidden = HIDDEN_FIELDS | HIDDEN_MODEL_FIELDS.get(label, set())
    found = [_field_column(f) for f in model._meta.concrete_fields if f.attname not in hidden]
    if label == "accounts.user":
        found.append(Column("scope", _("Omfang"), computed=scope_label))
    return found


def _session_name(session: Any) -> str:
    """A course date as a person recognises it: "Low Arousal i praksis – Februar 2026 (02-02-2026–03-02-2026)"."""
    name = f"{session.course.name} – {session.name}" if session.name else session.course.name
    first, last = session.first_day, session.last_day
    if first is None:
        return name
    days = format_date(first) if last in (None, first) else f"{format_date(first)}–{format_date(last)}"
    return f"{name} ({days})"


def _employment_name(employment: Any) -> str:
    """The person's own reference to an employment: its number and where ("DEMO-4 – Dolmer Have")."""
    return f"{employment.employment_number} – {employment.facility}"


def _holding_name(holding: Any) -> str:
    """A competence held, and since when: "Low Arousal (03-02-2026)"."""
    return (
        f"{holding.competence} ({format_date(holding.acquired_on)})" if holding.acquired_on else str(holding.competence)
    )


def _cost_name(cost: Any) -> str:
    """One of a booking's costs: "Kursusgebyr 3.200,00 kr."."""
    return f"{cost.get_category_display()} {format_ore(cost.amount)}"


# How a record is named where its ``str()`` is not what a person reads (model label -> name).
NAMES: dict[str, Callable[[Any], str]] = {
    "competences.competenceholding": _holding_name,
    "staff.employment": _employment_name,
    "training.bookingcost": _cost_name,
    "training.session": _session_name,
}


class Reader:
    """Names records for one person's export, looked up in bulk and remembered."""

    def __init__(self, employee: Employee) -> None:
        self.employee = employee
        self._names: dict[tuple[str, str], str | None] = {}

    # --- records -----------------------------------------------------------------------------

    def load(self, model: type[Model], ids: Iterable[Any]) -> None:
        """Look up the records of ``model`` with these ids (one query) and remember their names."""
        label = model._meta.label_lower
        wanted: dict[str, Any] = {}
        for raw in ids:
            if raw is None or raw == "" or (label, str(raw)) in self._names:
                continue
            try:
                wanted[str(raw)] = model._meta.pk.to_python(raw)  # type: ignore[union-attr]
            except (ValidationError, TypeError, ValueError):
                self._names[(label, str(raw))] = None
        if not wanted:
            return
        found = model._default_manager.in_bulk(list(set(wanted.values())))
        for text, pk in wanted.items():
            obj = found.get(pk)
            self._names[(label, text)] = self._name(obj) if obj is not None else None

    def reference(self, model: type[Model], pk: Any, missing: str | None = None) -> str:
        """The name of the record ``model`` ``pk``; ``missing`` (or the id) if it is gone."""
        if pk is None or pk == "":
            return ""
        key = (model._meta.label_lower, str(pk))
        if key not in self._names:
            self.load(model, [pk])
        name = self._names[key]
        if name is not None:
            return name
        return missing if missing is not None else str(pk)

    def _name(self, obj: Model) -> str:
        if isinstance(obj, User):
            return self.person(obj)
        if self._someone_elses(obj):
            return _("anden person")
        named = NAMES.get(obj._meta.label_lower)
        return named(obj) if named is not None else shown_record_text(str(obj))

    def _someone_elses(self, obj: Model) -> bool:
        """Whether ``obj`` is another person, or a record of another person (their booking)."""
        if isinstance(obj, Employee):
            return obj.pk != self.employee.pk
        for f in obj._meta.concrete_fields:
            if f.is_relation and f.related_model is Employee:
                value = getattr(obj, f.attname)
                if value is not None and value != self.employee.pk:
                    return True
        return False

    def person(self, user: User) -> str:
        """A user as the answer to "who": name and role ("Mette Holm, Tilbudsleder"). An ordinary
        employee's account that is not the person's own is named by its role only."""
        role = user.role_label if user.role else ""
        if user.role == Role.EMPLOYEE and user.employee_id != self.employee.pk:
            return role
        name = user.get_full_name() or user.get_username()
        return f"{name}, {role}" if role else name

    def actor(self, actor_id: int | None) -> str:
        """Who acted: a user (see ``person``), Styrbord itself, or an account since deleted."""
        if actor_id is None:
            return _("Styrbord (automatisk)")
        return self.reference(User, actor_id, missing=_("slettet bruger"))

    # --- values ------------------------------------------------------------------------------

    def cell(self, column: Column, value: Any) -> Any:
        """A value for a worksheet cell: numbers and dates stay numbers and dates."""
        if column.related is not None:
            return self.reference(column.related, value)
        if column.labels is not None and value in column.labels:
            return column.labels[value]
        if isinstance(value, bool):
            return _yes_no(value)
        if isinstance(value, (dict, list)):
            return plain(value)
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        if isinstance(value, str):
            return shown_record_text(value)
        return value

    def field_text(self, field: Any, value: Any) -> str:
        """A field's value as the log stored it (JSON), as text."""
        if field.is_relation:
            return self.reference(field.related_model, value) if is_record_id(value) else plain(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, plain(value)))
        if isinstance(field, models.BooleanField):
            return _yes_no(bool(value))
        if isinstance(field, models.DateTimeField):
            return _moment(value)
        if isinstance(field, models.DateField):
            return _day(value)
        if is_money_field(field):
            return money_text(value, plain)
        if isinstance(field, models.DecimalField):
            number = as_decimal(value)
            return plain(number if number is not None else value)
        return plain(value)

    def details(self, object_type: str, data: Any) -> str:
        """An entry's details as "name: value" text ("Hold: Low Arousal i praksis – Februar 2026
        (02-02-2026); Status: Tilmeldt"), bookkeeping left out."""
        if not isinstance(data, dict):
            return plain(data)
        model = _model(object_type)
        parts = []
        # By key: PostgreSQL's jsonb keeps no insertion order (it wrote "Status" before "Hold"
        # where SQLite kept "Hold" first), and the file reads the same on either database.
        for key, value in sorted(data.items()):
            if key in SKIPPED_DETAILS or value in (None, "", [], {}):
                continue
            named = self._detail(model, str(key), value)
            if named is not None and named[1]:
                parts.append(f"{named[0]}: {named[1]}")
        return "; ".join(parts)

    def _detail(self, model: type[Model] | None, key: str, value: Any) -> tuple[str, str] | None:
        field = _field(model, key)
        if field is not None:
            if field.attname in HIDDEN_FIELDS:
                return None
            return capfirst(str(field.verbose_name)), self.field_text(field, value)
        if key in DETAILS:
            label, render = DETAILS[key]
            return str(label), render(self, model, value)
        referred = _model(REFERENCES.get(key, ""))
        if referred is not None:
            text = self.reference(referred, value) if is_record_id(value) else plain(value)
            return capfirst(str(referred._meta.verbose_name)), text
        # The audit log's own label for the key ("Side", "Dage"), never the code word itself.
        return label_for(key), plain(value)

    def _splits(self, value: Any) -> str:
        """[[grant id, share], ...] -> "<grant> (100 %)"."""
        grant = _model("funding.grant")
        if grant is None or not isinstance(value, list):
            return plain(value)
        parts = []
        for item in value:
            if isinstance(item, list) and len(item) == 2 and is_record_id(item[0]):
                share = as_decimal(item[1])
                percent = f" ({format_number(share, natural_places(share))} %)" if share is not None else ""
                parts.append(self.reference(grant, item[0]) + percent)
        return ", ".join(parts) if parts else plain(value)


def _field_names(reader: Reader, model: type[Model] | None, value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    shown = []
    for name in names:
        field = _field(model, str(name))
        shown.append(str(field.verbose_name) if field is not None else str(name).replace("_", " "))
    return ", ".join(shown)


VIA = {"api": gettext_lazy("API"), "admin": gettext_lazy("administrationsmodulet")}
CHANGES = {"add": gettext_lazy("tilføjet"), "remove": gettext_lazy("fjernet"), "clear": gettext_lazy("tømt")}

# Details that are not fields of the entry's object: key -> (name, how its value reads).
DETAILS: dict[str, tuple[Promise, Callable[[Reader, type[Model] | None, Any], str]]] = {
    "reason": (gettext_lazy("Begrundelse"), lambda r, m, v: plain(v)),
    "charged": (gettext_lazy("Konteret beløb"), lambda r, m, v: money_text(v, plain)),
    "uncovered": (gettext_lazy("Ikke dækket af tilsagn"), lambda r, m, v: money_text(v, plain)),
    "splits": (gettext_lazy("Betalt af"), lambda r, m, v: r._splits(v)),
    "format": (gettext_lazy("Format"), lambda r, m, v: plain(v).upper()),
    "on": (gettext_lazy("Dato"), lambda r, m, v: _day(v)),
    "via": (gettext_lazy("Via"), lambda r, m, v: str(VIA.get(v, plain(v)))),
    "fields": (gettext_lazy("Ændrede felter"), _field_names),
    "changed_personal_fields": (gettext_lazy("Ændrede personoplysninger"), _field_names),
    "field": (gettext_lazy("Felt"), _field_names),
    "change": (gettext_lazy("Ændring"), lambda r, m, v: str(CHANGES.get(v, plain(v)))),
}
# Details that name another record by its id: key -> model.
REFERENCES = {
    "booking": "training.booking",
    "competence": "competences.competence",
    "course": "training.course",
    "facility": "organisations.facility",
    "facility_id": "organisations.facility",
    "grant": "funding.grant",
    "municipality": "organisations.municipality",
    "pool": "funding.pool",
    "run": "planning.planrun",
    "scenario": "planning.scenario",
    "session": "training.session",
}
# Bookkeeping in the details that says nothing to the person: ids of reversed ledger entries and of
# changed relations, a list page's raw filters, a token's id.
SKIPPED_DETAILS = {"reversed", "ids", "filters", "token_id"}


def _section_sheet(reader: Reader, model: type[Model], rows: Sequence[dict[str, Any]], name: str) -> Sheet:
    cols = columns(model)
    for column in cols:
        if column.related is not None:
            reader.load(column.related, (row.get(column.key) for row in rows))
    records = (
        model._default_manager.in_bulk([row["id"] for row in rows]) if any(c.computed for c in cols) and rows else {}
    )
    values = [
        [
            column.computed(records[row["id"]])
            if column.computed and row["id"] in records
            else reader.cell(column, row.get(column.key))
            for column in cols
        ]
        for row in rows
    ]
    return Sheet(name, [c.header for c in cols], values)


def _log_header(name: str) -> str:
    return capfirst(str(getattr(AuditEntry._meta.get_field(name), "verbose_name", name)))


def _log_sheet(reader: Reader, rows: Sequence[dict[str, Any]], name: str) -> Sheet:
    """Who saw and changed the person's data: when, what (in words), who (name and role), which
    record, and the details as text."""
    by_type: dict[str, set[str]] = {}
    for row in rows:
        if row["object_type"] and row["object_id"]:
            by_type.setdefault(row["object_type"], set()).add(row["object_id"])
    for object_type, ids in by_type.items():
        model = _model(object_type)
        if model is not None:
            reader.load(model, ids)
    reader.load(User, {row["actor_id"] for row in rows})
    kinds = dict(AuditEntry.Kind.choices)
    headers = [
        _log_header("created_at"),
        _log_header("kind"),
        _("Beskrivelse"),
        _("Udført af"),
        _log_header("object_type"),
        _("Vedrører"),
        _log_header("data"),
    ]
    values = []
    for row in rows:
        model = _model(row["object_type"])
        concerns = reader.reference(model, row["object_id"]) if model is not None else row["object_id"]
        values.append(
            [
                reader.cell(Column("created_at", ""), row["created_at"]),
                str(kinds.get(row["kind"], row["kind"])),
                action_label(row["action"]),
                reader.actor(row["actor_id"]),
                object_type_label(row["object_type"]) if row["object_type"] else "",
                concerns,
                reader.details(row["object_type"], row["data"]),
            ]
        )
    return Sheet(name, headers, values, column_widths=[17, 10, 40, 32, 18, 40, 70])


def write_export(employee: Employee, data: dict[str, Any]) -> bytes:
    """``privacy.employee_data`` as a workbook for the person to read: what the export holds, one
    worksheet per kind of data, and the log of who saw and changed it, last."""
    reader = Reader(employee)
    taken: set[str] = set()
    about: list[list[Any]] = [
        [_("Medarbejder (id)"), employee.pk],
        [_("Navn"), employee.name],
        [_("Udtrukket"), reader.cell(Column("exported_at", ""), data["exported_at"])],
        [
            _("Indhold"),
            _(
                "Alt, hvad Styrbord har registreret om personen: ét ark pr. slags oplysning, og til sidst "
                "loggen over, hvem der har set og ændret oplysningerne. Et ark uden rækker betyder, at der "
                "intet er registreret af den slags."
            ),
        ],
    ]
    sheets = [
        Sheet(unique_sheet_name(_("Om udtrækket"), taken), [_("Felt"), _("Værdi")], about, column_widths=[20, 100])
    ]
    for label, rows in data["sections"].items():
        name = unique_sheet_name(section_title(label), taken)
        if label == AUDIT:
            sheets.append(_log_sheet(reader, rows, name))
            continue
        model = _model(label)
        if model is not None:
            sheets.append(_section_sheet(reader, model, rows, name))
    return write_xlsx(sheets)
