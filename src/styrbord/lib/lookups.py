"""``field__any_of=[...]``: membership in a long list of values, sent as one parameter.

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

from django.db.models import Field, Lookup


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
