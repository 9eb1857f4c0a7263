"""Finding a session for a need: the upcoming sessions whose course grants a competence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from styrbord.training.models import SEAT_STATUSES, Session


@dataclass(frozen=True)
class OpenSession:
    session: Session
    free: int  # seats left (booked, attended and completed bookings hold one)


def sessions_granting(
    sessions: QuerySet[Session], competence_ids: Iterable[int], on: dt.date, limit: int = 5
) -> list[OpenSession]:
    """The first ``limit`` sessions, not cancelled and starting on or after ``on``, whose course
    grants any of these competences, soonest first, with their free seats."""
    wanted = list(competence_ids)
    if not wanted:
        return []
    found = (
        sessions.filter(cancelled=False, first_day__gte=on, course__grants__competence_id__in=wanted)
        .select_related("course")
        .annotate(taken=Count("bookings", filter=Q(bookings__status__in=SEAT_STATUSES), distinct=True))
        .order_by("first_day", "pk")
        .distinct()[:limit]
    )
    return [OpenSession(s, max(0, s.capacity - s.taken)) for s in found]  # type: ignore[attr-defined]
