"""Filter forms onto querysets (each chosen value one lookup, empty choices skipped), and the
query string of a filtered page without the parameters a link sets itself (page, sort)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import QueryDict

M = TypeVar("M", bound=Model)


def apply_choices(queryset: QuerySet[M], chosen: Mapping[str, Any], lookups: Mapping[str, str]) -> QuerySet[M]:
    """``queryset`` narrowed by each of ``lookups`` ({form field: ORM lookup}) whose value in
    ``chosen`` (a form's cleaned data) is set; a field left empty ("", None, 0) filters nothing."""
    for name, lookup in lookups.items():
        value = chosen.get(name)
        if value:
            queryset = queryset.filter(**{lookup: value})
    return queryset


def query_without(params: QueryDict, *names: str) -> str:
    """``params`` (a request's GET) as a query string without ``names``: the filters a
    pagination, sort or "show all" link keeps while it sets the rest itself."""
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()
