"""Planned course completions from training bookings, for the coverage forecast.

A booking that is planned, booked or attended on a session that is not cancelled and ends after
the forecast's first day is expected to be completed on the session's last day. Completing it
records a holding of each competence the course grants (``training.services.bookings.complete``),
acquired on the last day and expiring after the course's own validity for that competence, else
the competence's. The forecast counts those expected holdings with exactly those dates, so the
forecast line shows what the bookings will bring once they are completed.

Sessions that end on or before the first day are left out: a course that ended without being
marked completed is not counted on the strength of a booking alone, and today's forecast point
stays today's actual coverage.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from styrbord.lib.dates import add_months
from styrbord.requirements.coverage import PlannedCompletion
from styrbord.requirements.models import Requirement
from styrbord.staff.models import Employment
from styrbord.training.models import Booking, BookingStatus, CourseCompetence

# Bookings expected to end in a completed course.
EXPECTED_STATUSES = (BookingStatus.PLANNED, BookingStatus.BOOKED, BookingStatus.ATTENDED)


def planned_completions(
    requirement: Requirement,
    facilities: Any = None,
    on: dt.date | None = None,
    until: dt.date | None = None,
) -> list[PlannedCompletion]:
    """(employee_id, competence_id, expected completion, expires_on) for the requirement's alternatives.

    ``facilities`` (ids or a Facility queryset) keeps the people employed there at some time;
    ``on``/``until`` keep sessions ending after ``on`` and on or before ``until``. Two queries.
    """
    alternative_ids = [c.pk for c in requirement.competences.all()]
    if not alternative_ids:
        return []
    grants: dict[int, list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for course_id, competence_id, course_months, competence_months in CourseCompetence.objects.filter(
        competence_id__in=alternative_ids
    ).values_list("course_id", "competence_id", "validity_months", "competence__validity_months"):
        grants[course_id].append((competence_id, course_months, competence_months))
    if not grants:
        return []
    bookings = Booking.objects.filter(
        status__in=EXPECTED_STATUSES,
        session__cancelled=False,
        session__last_day__isnull=False,
        session__course_id__in=list(grants),
    )
    if on is not None:
        bookings = bookings.filter(session__last_day__gt=on)
    if until is not None:
        bookings = bookings.filter(session__last_day__lte=until)
    if facilities is not None:
        bookings = bookings.filter(
            employee_id__in=Employment.objects.filter(facility__in=facilities).values("employee_id")
        )
    result: list[PlannedCompletion] = []
    seen: set[tuple[int, int, dt.date]] = set()
    rows = bookings.order_by().values_list("employee_id", "session__course_id", "session__last_day").distinct()
    for employee_id, course_id, last_day in rows:
        if last_day is None:  # excluded by the filter; keeps the type checker informed
            continue
        for competence_id, course_months, competence_months in grants[course_id]:
            key = (employee_id, competence_id, last_day)
            if key in seen:
                continue
            seen.add(key)
            months = course_months if course_months is not None else competence_months
            expires = add_months(last_day, months) if months is not None else None
            result.append((employee_id, competence_id, last_day, expires))
    result.sort()
    return result
