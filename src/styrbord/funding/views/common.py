"""What the funding views share: the policy check, scoped querysets and balances with warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from styrbord.accounts.permissions import LIST, can, scoped_for
from styrbord.funding.models import Appropriation, Grant, Pool
from styrbord.funding.services.balances import Balances, balances_by_grant
from styrbord.funding.services.warnings import FundingWarning, Severity, grant_warnings


def require(request: HttpRequest, action: str, object_type: str) -> None:
    """403 for a role that may not do this at all (rows outside the scope answer 404 elsewhere)."""
    if not can(request.user, action, object_type):
        raise PermissionDenied


def pools_for(request: HttpRequest, action: str = LIST) -> QuerySet[Pool]:
    return scoped_for(request.user, action, "pool", Pool.objects.select_related("grantor", "municipality"))


def grants_for(request: HttpRequest, action: str = LIST) -> QuerySet[Grant]:
    return scoped_for(
        request.user, action, "grant", Grant.objects.select_related("pool__grantor", "facility", "municipality")
    )


def appropriations_for(request: HttpRequest, action: str = LIST) -> QuerySet[Appropriation]:
    return scoped_for(
        request.user, action, "appropriation", Appropriation.objects.select_related("municipality", "pool")
    )


@dataclass
class GrantRow:
    """A grant with its balances and warnings, for tables."""

    grant: Grant
    balances: Balances
    warnings: list[FundingWarning] = field(default_factory=list)
    period_ended: bool = False  # a grant still open after its pool's period: the final accounts are due

    @property
    def worst(self) -> str | None:
        for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
            if any(w.severity == severity for w in self.warnings):
                return str(severity)
        return None


def grant_rows(grants: list[Grant], today: dt.date, user: Any) -> list[GrantRow]:
    """The grants with their balances and the warnings ``user`` gets (see ``grant_warnings``)."""
    balances = balances_by_grant(grants)
    return [
        GrantRow(
            g,
            balances[g.pk],
            grant_warnings(g, today, balances[g.pk], user=user),
            period_ended=g.status == Grant.Status.APPROVED and g.pool.period_end < today,
        )
        for g in grants
    ]
