"""What the log page's "Handling" filter finds: entries by their action, and by the fields they changed.

A change is often logged under a general action: a person's education set on their profile or by
the HR import is "Medarbejderens oplysninger ændret" (``staff.employee.updated``), with the fields
it changed in its details. A reader looking for education changes types "uddannelse" (or
"education"), which no action's name holds. So the filter also finds an entry that changed a field
whose name holds the text: a field of any model, named in Danish or English (its verbose name in
each of the site's languages) or by its code name (``education``). A change entry (the views,
exports and security entries change nothing) changed the field ``f`` of the model ``app.model`` when

- its object is an ``app.model`` and its details name ``f`` among the changed fields: ``fields``
  (the convention of every change entry the code writes), ``changed_personal_fields`` (the admin's
  change log, for fields it does not copy) or ``field`` (a many-to-many field the admin changed);
- its details name ``app.model.f`` in ``cleared_fields`` (anonymisation);
- its object is an ``app.model`` and its before and after hold different values for ``f`` (the
  admin's change log, creation and deletion included).

The candidate fields come from the models, so every field is covered, today's and tomorrow's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Q, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import Exact
from django.utils import translation

from styrbord.audit.models import AuditEntry
from styrbord.audit.tracking import UNTRACKED_APPS

# Text shorter than this finds entries by their action only: two letters are in most field names,
# and one condition per field would make the query as long as the models are many.
MIN_FIELD_TEXT = 3
# Stands for "no value" when two JSON values are compared: a key missing and a JSON null are the
# same, as on the log page (``EntryGroup.changes``), on SQLite (which reads a JSON null as 'null')
# as on PostgreSQL (which reads it as NULL).
_NONE = "\x1fnone"


@dataclass(frozen=True)
class ModelField:
    label: str  # "staff.employee"
    name: str  # "education"
    attname: str  # "education" ("facility_id" for the foreign key "facility")
    names: tuple[str, ...]  # casefolded: the code name and the verbose name in each language


@functools.cache
def model_fields() -> tuple[ModelField, ...]:
    """Every concrete and many-to-many field of every model a change entry can be about."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label in UNTRACKED_APPS:  # never the object of a change entry
            continue
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            names = {field.name.casefold()}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    names.add(str(field.verbose_name).casefold())
            found.append(
                ModelField(model._meta.label_lower, field.name, field.attname, tuple(sorted(names)))  # type: ignore[attr-defined]
            )
    return tuple(found)


def fields_named(text: str) -> list[ModelField]:
    """The fields whose code name or Danish or English name holds ``text`` (any case)."""
    needle = text.strip().casefold()
    if len(needle) < MIN_FIELD_TEXT:
        return []
    return [f for f in model_fields() if any(needle in name for name in f.names)]


def _json_text(path: str) -> Coalesce:
    """A JSON value at ``path`` (``before__education``) as text to compare, ``_NONE`` for none."""
    return Coalesce(NullIf(KT(path), Value("null")), Value(_NONE), output_field=TextField())


def _listed(key: str, name: str) -> Q:
    """The details' list ``key`` holds ``name`` (the JSON text of the list holds it quoted)."""
    return Q(**{f"data__{key}__icontains": f'"{name}"'})


def changed_field_q(text: str) -> Q | None:
    """The entries that changed a field named by ``text`` (see the module's description), or None
    when no field is."""
    by_model: dict[str, list[ModelField]] = {}
    for field in fields_named(text):
        by_model.setdefault(field.label, []).append(field)
    if not by_model:
        return None
    # Cheap tests first, so that the bulk of the log (the views: an entry per person seen) is passed
    # over at once: a change entry, whose raw text names one of the fields quoted or which has a
    # before or after. Only those entries are read as JSON, field by field.
    names = sorted({n for fields in by_model.values() for f in fields for n in (f.name, f.attname)})
    cleared = sorted(f"{f.label}.{f.name}" for fields in by_model.values() for f in fields)
    named = Q(before__isnull=False) | Q(after__isnull=False) | Q(data__icontains='"cleared_fields"')
    for name in names:
        named |= Q(data__icontains=f'"{name}"')
    maybe = Q(kind=AuditEntry.Kind.CHANGE) & named
    found = Q()
    for name in cleared:
        found |= _listed("cleared_fields", name)
    for label, fields in by_model.items():
        changed = Q()
        for name in sorted({n for f in fields for n in (f.name, f.attname)}):
            changed |= _listed("fields", name) | _listed("changed_personal_fields", name) | Q(data__field=name)
        for field in fields:
            before, after = _json_text(f"before__{field.attname}"), _json_text(f"after__{field.attname}")
            changed |= ~Q(Exact(before, after))
        found |= Q(object_type=label) & changed
    return maybe & found
