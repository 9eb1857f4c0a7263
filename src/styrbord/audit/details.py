"""An audit entry's details (``AuditEntry.data``) as the log page shows them: a label in the
reader's language for each key, and each value as a reader reads it.

The code writes the details with short English keys ("facility", "on", "rows") and JSON values
(ids, codes, ISO dates). Here a key is named by the field of the entry's object it is, else by
``LABELS``, else by the key itself made readable ("some_key" -> "Some key"). A value reads:

- a record named by id (``REFERENCES``: a facility, a course, a grant ...) by its name and id,
  "Dolmer Have (3)"; the records of one page are looked up together, one query per kind of
  record. People, and records that belong to a person (a booking, a ledger entry), stay ids: the
  log names people by employee id only;
- a coded value by its label (the field's choices, ``VIA``, ``CHANGES``, ``PAGES``);
- dates and times (ISO text) in the reader's format, "07-12-2026" / "07 Dec 2026", money and
  counts by the formatting helper, field names by their verbose names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from styrbord.audit.models import AuditEntry
from styrbord.lib.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_ore,
    format_percent,
    natural_places,
    shown_record_text,
)
from styrbord.lib.money import is_money_field

# Each key the code writes into the details and no field of the entry's object names.
LABELS: dict[str, Promise] = {
    # Records
    "booking": _("Booking"),
    "bookings": _("Bookinger"),
    "competence": _("Kompetence"),
    "competences": _("Kompetencer"),
    "course": _("Kursus"),
    "deadline": _("Rapporteringsfrist"),
    "facility": pgettext_lazy("one facility", "Tilbud"),
    "facility_id": pgettext_lazy("one facility", "Tilbud"),
    "grant": _("Tilsagn"),
    "municipality": _("Kommune"),
    "pool": _("Pulje"),
    "run": _("Planberegning"),
    "scenario": _("Scenarie"),
    "session": _("Hold"),
    "token_id": _("API-nøgle (id)"),
    "ids": _("Id'er"),
    "promoted": _("Rykket op fra venteliste (bookinger)"),
    "replaces": _("Erstatter skabeloner (id)"),
    "reversed": _("Tilbageførte posteringer (id)"),
    "reverses": _("Tilbagefører postering (id)"),
    "reopens": _("Genåbner disponering (id)"),
    "releases": _("Frigiver disponering (id)"),
    "corrects": _("Retter postering (id)"),
    # Dates and periods
    "on": _("Dato"),
    "before": _("Før"),
    "after": _("Efter"),
    "month": _("Måned"),
    "months": _("Måneder"),
    "years": _("År"),
    "days": _("Dage"),
    "days_changed": _("Kursusdage ændret"),
    "period": _("Periode"),
    "periods": _("Perioder"),
    "posted_on": _("Bogføringsdato"),
    # Money
    "amount": _("Beløb"),
    "old_amount": _("Tidligere beløb"),
    "charged": _("Konteret beløb"),
    "uncovered": _("Ikke dækket af tilsagn"),
    "splits": _("Betalt af"),
    "budget_lines": _("Budgetlinjer"),
    "lines": _("Linjer"),
    "balance": _("Saldo"),
    "category": _("Udgiftsart"),
    # Counts
    "rows": _("Rækker"),
    "rows_skipped": _("Rækker sprunget over"),
    "found": _("Fundet"),
    "created": _("Oprettet"),
    "updated": _("Opdateret"),
    "deleted": _("Slettet"),
    "seats": _("Pladser"),
    "points": _("Point"),
    "absences_deleted": _("Fraværsregistreringer slettet"),
    "accounts_closed": _("Brugerkonti lukket"),
    "facilities_created": _("Nye tilbud"),
    "units_created": _("Afdelinger oprettet"),
    "units_updated": _("Afdelinger opdateret"),
    "job_codes_created": _("Stillingskoder oprettet"),
    "employees_created": _("Medarbejdere oprettet"),
    "employees_updated": _("Medarbejdere opdateret"),
    "employees_unchanged": _("Medarbejdere uændrede"),
    "employments_created": _("Ansættelser oprettet"),
    "employments_updated": _("Ansættelser opdateret"),
    "employments_unchanged": _("Ansættelser uændrede"),
    "employments_ended": _("Ansættelser afsluttet"),
    "holdings_created": _("Kompetencebeviser oprettet"),
    "holdings_unchanged": _("Kompetencebeviser, der fandtes i forvejen"),
    # Fields and changes
    "field": _("Felt"),
    "fields": _("Ændrede felter"),
    "changed_personal_fields": _("Ændrede personoplysninger"),
    "cleared_fields": _("Ryddede felter"),
    "change": _("Ændring"),
    "import_fields": _("Importfelter med ny kolonne"),
    "weekdays": _("Minimumsbemanding på hverdage"),
    "weekend": _("Minimumsbemanding i weekenden"),
    # Words and codes
    "via": _("Via"),
    "page": _("Side"),
    "format": _("Format"),
    "filters": _("Filtre"),
    "kind": _("Type"),
    "status": _("Status"),
    "scope": _("Omfang"),
    "document_type": _("Dokumenttype"),
    "reason": _("Begrundelse"),
    "error": _("Fejlmeddelelse"),
    "file": _("Fil"),
    "name": _("Navn"),
    "username": _("Brugernavn"),
    "written": _("Navn i filen"),
    # A refused request
    "route": _("Side (URL-navn)"),
    "method": _("HTTP-metode"),
    "wanted": _("Forsøgte at"),
    "response": _("Svar (HTTP-status)"),
}

# The order details are shown in: the label map's (records, dates, money, counts, words), then any
# other key by name. Not the order they were written in: PostgreSQL's jsonb keeps none (it gave
# "Dato" before "Tilbud" there, "Tilbud" before "Dato" on SQLite).
_ORDER = {key: n for n, key in enumerate(LABELS)}


def ordered(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """``data``'s items in the order the log shows them, the same on every database."""
    return sorted(data.items(), key=lambda item: (_ORDER.get(str(item[0]), len(_ORDER)), str(item[0])))


# Keys whose value is the id (or, for a municipality or a competence, the code) of a record
# that is named on the page: key -> model label.
REFERENCES: dict[str, str] = {
    "competence": "competences.competence",
    "competences": "competences.competence",
    "course": "training.course",
    "deadline": "funding.reportingdeadline",
    "facility": "organisations.facility",
    "facility_id": "organisations.facility",
    "grant": "funding.grant",
    "municipality": "organisations.municipality",
    "pool": "funding.pool",
    "run": "planning.planrun",
    "scenario": "planning.scenario",
    "session": "training.session",
}

COUNTS = {
    "rows",
    "rows_skipped",
    "found",
    "created",
    "updated",
    "deleted",
    "seats",
    "absences_deleted",
    "accounts_closed",
    "facilities_created",
    "units_created",
    "units_updated",
    "job_codes_created",
    "employees_created",
    "employees_updated",
    "employees_unchanged",
    "employments_created",
    "employments_updated",
    "employments_unchanged",
    "employments_ended",
    "holdings_created",
    "holdings_unchanged",
}
MONEY = {"amount", "old_amount", "charged", "uncovered"}
FIELD_LISTS = {"field", "fields", "changed_personal_fields", "cleared_fields"}

VIA = {"api": _("API"), "admin": _("administrationsmodulet")}
CHANGES = {"add": _("tilføjet"), "remove": _("fjernet"), "clear": _("tømt")}
# What a refused request wanted to do (the permission helper's actions).
WANTED = {
    "list": pgettext_lazy("tried to", "se en liste"),
    "retrieve": pgettext_lazy("tried to", "se"),
    "create": pgettext_lazy("tried to", "oprette"),
    "update": pgettext_lazy("tried to", "ændre"),
    "delete": pgettext_lazy("tried to", "slette"),
    "export": pgettext_lazy("tried to", "eksportere"),
}
# The pages a view of people is logged from (by URL name).
PAGES = {"organisations.facility_detail": _("Tilbuddets side")}

# Actions whose details describe another record than the entry's object: action -> model label.
DETAILS_OF = {"funding.deadline.done": "funding.reportingdeadline"}


def model_of(label: str) -> type[Model] | None:
    """The model named "app.model", or None (the audit log and the personal-data export share these)."""
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def concrete_field(model: type[Model] | None, name: str) -> Any:
    """The concrete field ``name`` (or with that attname, "session_id") of ``model``, if any."""
    if model is None:
        return None
    found: Any
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        found = next((f for f in model._meta.concrete_fields if f.attname == name), None)
    return found if getattr(found, "concrete", False) else None


def _session_name(session: Any) -> str:
    return f"{session.course.name} – {session.name}" if session.name else session.course.name


def _deadline_name(deadline: Any) -> str:
    return f"{deadline.get_kind_display()} {format_date(deadline.due_date)}"


# How a referenced record is named, where its str() is not what the log should show, and what
# to fetch with it (model label -> (name, select_related)).
NAMERS: dict[str, tuple[Callable[[Any], str], tuple[str, ...]]] = {
    "training.session": (_session_name, ("course",)),
    "funding.reportingdeadline": (_deadline_name, ()),
    "funding.grant": (str, ("pool",)),
    "planning.planrun": (str, ("scenario",)),
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


def is_record_id(value: Any) -> bool:
    """Whether a detail's value is a record's id: the code logs ids as numbers (a code such as a
    municipality's "0707" is text, and must not be read as the record with that id). Shared with
    the personal-data export."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_decimal(value: Any) -> Decimal | None:
    """A stored number (JSON number, or text such as "1234.50") as a Decimal; None for anything
    else: a bool, other text, a list, and "NaN" or "Infinity" (no amount, and no format takes them).

    Shared with the personal-data export (``accounts.privacy_sheets``)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def money_text(value: Any, otherwise: Callable[[Any], str] | None = None) -> str:
    """An amount as text with øre ("1.234,50 kr."); a value that is no amount (``as_decimal``) as
    ``otherwise`` writes it: the log's ``plain`` unless given (the personal-data export gives its own)."""
    amount = as_decimal(value)
    if amount is not None:
        return format_ore(amount)
    return (otherwise or plain)(value)


def _count(value: Any) -> str:
    return format_number(value) if is_record_id(value) else plain(value)


def plain(value: Any) -> str:
    """A JSON value as text: ISO dates and times in the reader's format, lists as their items, a
    mapping as "key: value" pairs, a system message in the reader's language."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("Ja") if value else gettext("Nej")
    if isinstance(value, (list, tuple)):
        return ", ".join(_item(v) for v in value) if value else "–"
    if isinstance(value, dict):
        return "; ".join(f"{label_for(str(k))}: {plain(v)}" for k, v in ordered(value))
    if isinstance(value, float):
        number = as_decimal(value)
        return format_number(number, natural_places(number)) if number is not None else str(value)
    if isinstance(value, str):
        return _text(value)
    return str(value)


def _item(value: Any) -> str:
    """One item of a list; a list in a list (a budget line: category, year, amount) in parentheses."""
    if isinstance(value, (list, tuple)):
        return "(" + " ".join(plain(v) for v in value) + ")"
    return plain(value)


def _text(value: str) -> str:
    if _ISO_DATE.fullmatch(value):
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if _ISO_DATETIME.fullmatch(value):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is None and moment.time() == dt.time():
            return format_date(moment)
        return format_datetime(moment)
    return shown_record_text(value)


def label_for(key: str, model: type[Model] | None = None) -> str:
    """The name a reader reads for a details key, in the active language."""
    field = concrete_field(model, key)
    if field is not None:
        return capfirst(str(field.verbose_name))
    if key in LABELS:
        return str(LABELS[key])
    return capfirst(key.replace("_", " ").strip()) or key


def _field_name(model: type[Model] | None, name: str) -> str:
    """A field named in the details by its verbose name; ``staff.employee.notes`` as "Medarbejder: noter"."""
    if name.count(".") == 2:
        label, _sep, field_name = name.rpartition(".")
        other = model_of(label)
        field = concrete_field(other, field_name)
        if other is not None and field is not None:
            return f"{capfirst(str(other._meta.verbose_name))}: {field.verbose_name}"
    field = concrete_field(model, name)
    return str(field.verbose_name) if field is not None else name.replace("_", " ")


def _import_fields(value: Any) -> str:
    """The HR import's fields (``start_date``) as its column mapping page names them ("Startdato")."""
    from styrbord.staff.importing.generic import FIELDS  # the staff app's vocabulary, read when shown

    labels = {f.key: f.label for f in FIELDS}
    keys = value if isinstance(value, list) else [value]
    return ", ".join(str(labels.get(str(k), k)) for k in keys) if keys else "–"


class DetailReader:
    """Reads the details of a page of entries; the records they name are looked up together."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str | None] = {}

    # --- records -----------------------------------------------------------------------------

    def load(self, entries: Iterable[AuditEntry]) -> None:
        """Look up every record the entries' details name: one query per kind of record."""
        wanted: dict[str, set[Any]] = {}
        for entry in entries:
            data = entry.data
            if not isinstance(data, dict):
                continue
            pairs = list(data.items())
            for key, value in pairs:
                label = REFERENCES.get(str(key))
                if label is not None:
                    named = value if isinstance(value, list) else [value]
                    wanted.setdefault(label, set()).update(
                        v for v in named if is_record_id(v) or (isinstance(v, str) and v)
                    )
                elif key == "splits" and isinstance(value, list):
                    grants = wanted.setdefault("funding.grant", set())
                    grants.update(
                        item[0] for item in value if isinstance(item, list) and item and is_record_id(item[0])
                    )
                elif key in ("before", "after") and isinstance(value, dict):
                    pairs.extend(value.items())  # a requirement's competences before and after
        for label, found in wanted.items():
            self._load(label, found)

    def _load(self, label: str, wanted: Iterable[Any]) -> None:
        model = model_of(label)
        if model is None:
            return
        values = {v for v in wanted if (label, str(v)) not in self._names}
        ids = {v for v in values if is_record_id(v)}
        codes = {v for v in values if isinstance(v, str)}
        namer, related = NAMERS.get(label, (str, ()))
        rows = model._default_manager.select_related(*related) if related else model._default_manager.all()
        if ids:
            found = rows.in_bulk(list(ids))
            for pk in ids:
                obj = found.get(pk)
                self._names[(label, str(pk))] = namer(obj) if obj is not None else None
        if codes and concrete_field(model, "code") is not None:
            found = rows.in_bulk(list(codes), field_name="code")
            for code in codes:
                obj = found.get(code)
                self._names[(label, code)] = namer(obj) if obj is not None else None
        for value in values:
            self._names.setdefault((label, str(value)), None)

    def reference(self, label: str, value: Any) -> str:
        """A record by its name and id ("Dolmer Have (3)"); one no longer there by its id."""
        if value is None or value == "":
            return "–"
        if not (is_record_id(value) or isinstance(value, str)):
            return plain(value)
        if isinstance(value, str) and concrete_field(model_of(label), "code") is None:
            return plain(value)  # text where an id was expected: as it is
        key = (label, str(value))
        if key not in self._names:
            self._load(label, [value])
        name = self._names.get(key)
        if name is None:
            return gettext("%(id)s (findes ikke)") % {"id": value}
        return gettext("%(name)s (%(id)s)") % {"name": name, "id": value}

    # --- details -----------------------------------------------------------------------------

    def details(self, entry: AuditEntry) -> list[tuple[str, str]]:
        """The entry's details as (label, text) pairs, in the log's order (``ordered``)."""
        data = entry.data
        if not isinstance(data, dict):
            return [("", plain(data))]
        model = model_of(DETAILS_OF.get(entry.action, entry.object_type))
        return [(label_for(str(key), model), self.value(str(key), value, model)) for key, value in ordered(data)]

    def value(self, key: str, value: Any, model: type[Model] | None = None) -> str:
        """One detail's value as text (see the module's description)."""
        if key in REFERENCES:
            if isinstance(value, list):
                return ", ".join(self.reference(REFERENCES[key], v) for v in value) if value else "–"
            return self.reference(REFERENCES[key], value)
        field = concrete_field(model, key)
        if field is not None and key not in FIELD_LISTS:
            return self._field_value(field, value)
        if key in FIELD_LISTS:
            names = value if isinstance(value, list) else [value]
            return ", ".join(_field_name(model, str(n)) for n in names) if names else "–"
        if key in MONEY:
            return money_text(value)
        if key in COUNTS:
            return _count(value)
        if key == "splits":
            return self._splits(value)
        if key in ("before", "after") and isinstance(value, dict):
            return "; ".join(f"{label_for(str(k), model)}: {self.value(str(k), v, model)}" for k, v in ordered(value))
        if key == "format" and isinstance(value, str):
            return value.upper()
        if key == "import_fields":
            return _import_fields(value)
        coded = {"via": VIA, "change": CHANGES, "page": PAGES, "wanted": WANTED}.get(key)
        if coded is not None and isinstance(value, str) and value in coded:
            return str(coded[value])
        return plain(value)

    def _field_value(self, field: Any, value: Any) -> str:
        if field.choices and not isinstance(value, (list, dict)):
            return str(dict(field.flatchoices).get(value, plain(value)))
        if field.is_relation:
            related = field.related_model._meta.label_lower if field.related_model is not None else ""
            if related in REFERENCES.values():
                values = value if isinstance(value, list) else [value]
                return ", ".join(self.reference(related, v) for v in values) if values else "–"
            return plain(value)  # a person, or a person's record: by id
        if is_money_field(field):
            return money_text(value)
        if isinstance(field, models.DecimalField):
            number = as_decimal(value)
            return format_number(number, natural_places(number)) if number is not None else plain(value)
        return plain(value)

    def _splits(self, value: Any) -> str:
        """[[grant id, share], ...] -> "<pool> – <recipient> (1) 100 %"."""
        if not isinstance(value, list):
            return plain(value)
        parts = []
        for item in value:
            if isinstance(item, list) and len(item) == 2:
                share = as_decimal(item[1])
                percent = f" {format_percent(share, natural_places(share))}" if share is not None else ""
                parts.append(self.reference("funding.grant", item[0]) + percent)
            else:
                parts.append(_item(item))
        return ", ".join(parts) if parts else "–"
