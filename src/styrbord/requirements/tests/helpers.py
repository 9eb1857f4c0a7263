"""Small builders for requirement tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from styrbord.competences.models import Competence
from styrbord.organisations.models import Facility
from styrbord.requirements.models import Population, Requirement, Rule, ScopeLevel


def requirement(
    competences: list[Competence],
    *,
    facility: Facility | None = None,
    rule: str = Rule.EVERY_PERSON,
    target: str | Decimal = "100",
    population: str = Population.ALL_STAFF,
    **kwargs: Any,
) -> Requirement:
    """A requirement on one facility (or another scope via kwargs) with the given alternatives."""
    if facility is not None:
        kwargs.setdefault("scope_level", ScopeLevel.FACILITY)
        kwargs.setdefault("facility", facility)
    req = Requirement.objects.create(
        name=kwargs.pop("name", "Krav"),
        rule=rule,
        target_percent=Decimal(target),
        population=population,
        **kwargs,
    )
    req.competences.set(competences)
    return req


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
