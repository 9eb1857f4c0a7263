"""Queries over competence holdings shared by pages: what lapses soon and is not yet renewed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from styrbord.competences.models import CompetenceHolding
from styrbord.staff.models import Employment


def lapsing_holdings(employments: QuerySet[Employment], today: dt.date, days: int) -> QuerySet[CompetenceHolding]:
    """Holdings of these employments' people that lapse within ``days`` and that no later
    certificate of the same competence outlasts (a renewal already in place)."""
    renewed = CompetenceHolding.objects.filter(
        employee_id=OuterRef("employee_id"),
        competence_id=OuterRef("competence_id"),
        acquired_on__gt=OuterRef("acquired_on"),
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    return CompetenceHolding.objects.filter(
        employee_id__in=employments.values("employee_id"),
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=days),
    ).exclude(Exists(renewed))
