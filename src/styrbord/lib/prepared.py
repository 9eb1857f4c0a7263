"""Hot queries of a fixed shape: the ORM builds the SQL once per shape, later calls only swap values.

Building and compiling a queryset costs the ORM a millisecond or more for an aggregate with
filters and subqueries, often more than the database needs to answer it. A page that runs
the same query on every view can keep the compiled SQL and Django's result converters and
run them again with new parameter values.

``PreparedQuery(build)`` wraps ``build(*values)``, a function that returns a ``values()`` or
``values_list()`` queryset in which each of ``values`` (ints, strings, dates; a list of ids is
passed as separate values) reaches the SQL as a plain parameter, once or more. The first call
for a shape (database, number of values) compiles ``build`` twice, with the real values and
with probe values, to find the parameter positions each value fills; the rest of the SQL and
parameters is kept. If the positions cannot be matched exactly, that shape always goes
through the ORM instead. Results are the ORM's: the same SQL, the same converters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable, ValuesListIterable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]  # per value, the parameter positions it fills
    converters: Any
    names: tuple[str, ...] | None  # column names for values() querysets, None for values_list()


def _probe(value: Any, n: int) -> Any:
    """A value of the same type that cannot be equal to any real one (one per value)."""
    if isinstance(value, bool) or value is None:
        raise TypeError("booleans and None cannot be told apart in the parameters")
    if isinstance(value, int):
        return -1_000_003 - n
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.date(1001, 1, 1) + dt.timedelta(days=n)
    if isinstance(value, str):
        return f"\x00probe-{n}"
    raise TypeError(f"no probe for {type(value).__name__}")


def _adapt(connection: Any, value: Any) -> Any:
    """A value as the ORM passes it to the database driver (dates are text on SQLite)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return connection.ops.adapt_datefield_value(value)
    return value


class PreparedQuery:
    """A ``values()``/``values_list()`` queryset compiled once per shape (see the module)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], using: str = "default") -> None:
        self.build = build
        self.using = using
        self._compiled: dict[tuple[str, str, int], _Compiled | None] = {}

    def _compile(self, values: Sequence[Any]) -> _Compiled | None:
        connection = connections[self.using]
        queryset = self.build(*values)
        if queryset._iterable_class not in (ValuesIterable, ValuesListIterable):
            return None
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        try:
            probes = [_adapt(connection, _probe(v, i)) for i, v in enumerate(values)]
        except TypeError:
            return None
        probe_sql, probe_params = (
            self.build(*[_probe(v, i) for i, v in enumerate(values)]).query.get_compiler(using=self.using).as_sql()
        )
        if probe_sql != sql or len(probe_params) != len(params):
            return None
        slots = tuple(tuple(i for i, p in enumerate(probe_params) if p == probe) for probe in probes)
        claimed = sorted(i for positions in slots for i in positions)
        varying = [i for i, (a, b) in enumerate(zip(params, probe_params, strict=True)) if a != b]
        if not all(slots) or claimed != varying:
            return None  # a value did not reach the SQL as one plain parameter
        for value, positions in zip(values, slots, strict=True):
            if any(params[i] != _adapt(connection, value) for i in positions):
                return None
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        names = None
        if queryset._iterable_class is ValuesIterable:
            names = (*compiler.query.extra_select, *compiler.query.values_select, *compiler.query.annotation_select)
        return _Compiled(sql, tuple(params), slots, compiler.get_converters(fields), names)

    def rows(self, *values: Any) -> list[Any]:
        """The rows of ``build(*values)``: tuples for values_list(), dicts for values()."""
        connection = connections[self.using]
        key = (self.using, connection.vendor, len(values))
        if key not in self._compiled:
            self._compiled[key] = self._compile(values)
        compiled = self._compiled[key]
        if compiled is None:
            return list(self.build(*values))
        params = list(compiled.params)
        for value, positions in zip(values, compiled.slots, strict=True):
            adapted = _adapt(connection, value)
            for i in positions:
                params[i] = adapted
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = _convert(rows, compiled.converters, connection)
        if compiled.names is not None:
            return [dict(zip(compiled.names, row, strict=True)) for row in rows]
        return [tuple(row) for row in rows]


def _convert(rows: Any, converters: Any, connection: Any) -> list[list[Any]]:
    """Django's result converters (SQLCompiler.apply_converters), on this thread's connection."""
    items = list(converters.items())
    out = []
    for row in rows:
        values = list(row)
        for pos, (convs, expression) in items:
            value = values[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            values[pos] = value
        out.append(values)
    return out
