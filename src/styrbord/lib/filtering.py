"""Filter forms onto querysets: each chosen value becomes one lookup, empty choices are skipped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def apply_choices(queryset: QuerySet[M], chosen: Mapping[str, Any], lookups: Mapping[str, str]) -> QuerySet[M]:
    """``queryset`` narrowed by each of ``lookups`` ({form field: ORM lookup}) whose value in
    ``chosen`` (a form's cleaned data) is set; a field left empty ("", None, 0) filters nothing."""
    for name, lookup in lookups.items():
        value = chosen.get(name)
        if value:
            queryset = queryset.filter(**{lookup: value})
    return queryset
