"""Lookups the project adds to Django's; registered when the web app loads (``WebConfig.ready``).

``field__in`` on an integer column (its own, a primary key or a foreign key) skips values no
such column can hold, and ``exact`` through a foreign key matches nothing for one: see below.

``field__any_of=[...]``: membership in a long list of values, sent as one parameter.

``field__in`` compiles one placeholder per value, and for tens of thousands of values the query
building (in Django and in the driver) costs more than the query. ``any_of`` sends the whole
list as a single parameter: a PostgreSQL array (``= ANY(%s)``) or, on SQLite, a JSON array
read with ``json_each``. There is no limit on the number of values, so callers need no chunks.
Values must be plain strings or integers. For long lists pass a set (or another iterable that is
not a list or tuple): Django resolves a list or tuple argument element by element before the
lookup sees it, which for 100.000 values takes longer than the query.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, IntegerField, Lookup
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In

# Django guards ``exact``, ``gt`` and the others on an integer column against integers beyond
# the column's range, but not ``in``, and not ``exact`` through a foreign key: on SQLite a
# 20-digit id (a tampered form, a hand-edited URL) reached the driver, which raised
# OverflowError, and the page answered 500. Such a value can match no row, so these lookups
# leave it out (``in``) or match nothing (``exact``), as Django's own guarded lookups do.


def _integer_range(lookup: Lookup, connection: Any, related: bool) -> tuple[int | None, int | None] | None:  # type: ignore[type-arg]
    """The range of the integer column the lookup compares with, or None if it is no integer."""
    field = lookup.lhs.output_field
    if related:
        path = getattr(field, "path_infos", None)
        if not path or len(path[-1].target_fields) != 1:
            return None
        field = path[-1].target_fields[-1]
    if not isinstance(field, IntegerField):
        return None
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return low, high


def _fits(value: Any, low: int | None, high: int | None) -> bool:
    return not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))


class _InRange:
    """``in`` without the integers the column cannot hold; with none left it matches nothing."""

    related = False
    rhs: Any

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        bounds = _integer_range(self, connection, self.related) if self.rhs_is_direct_value() else None  # type: ignore[arg-type, attr-defined]
        if bounds is None:
            return super().process_rhs(compiler, connection)  # type: ignore[misc]
        given = self.rhs
        self.rhs = [v for v in given if _fits(v, *bounds)]
        try:
            return super().process_rhs(compiler, connection)  # type: ignore[misc]
        finally:
            self.rhs = given


@IntegerField.register_lookup
class IntegerFieldIn(_InRange, In):
    pass


@ForeignObject.register_lookup
class RelatedIntegerIn(_InRange, RelatedIn):
    related = True


@ForeignObject.register_lookup
class RelatedIntegerExact(RelatedExact):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        bounds = _integer_range(self, connection, related=True) if self.rhs_is_direct_value() else None
        if bounds is not None and not _fits(self.rhs, *bounds):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


@Field.register_lookup
class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        values = list(self.rhs)
        # Checked per type, not per value (100.000 values, a handful of types).
        for kind in set(map(type, values)) - {str, int}:
            if not issubclass(kind, str | int) or issubclass(kind, bool):
                raise TypeError(f"any_of takes strings or integers, not {kind.__name__}")
        return values

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        if connection.vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(self.rhs)]
        marks = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({marks})", [*lhs_params, *self.rhs]
