"""Who is away from a facility on a day (training or leave), and whether a booking breaks the
facility's minimum staffing. Used by the absence view, the booking UI and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from styrbord.lib.dates import daterange
from styrbord.organisations.models import Facility
from styrbord.staff.models import Absence, Employment
from styrbord.training.models import AWAY_STATUSES, Booking, Session, SessionDay


@dataclass
class DayStaffing:
    """One facility day: who works there, who is away on training or leave, and what remains."""

    date: dt.date
    minimum: int
    staff: set[int] = field(default_factory=set)  # employee ids with an employment in force
    on_training: dict[int, str] = field(default_factory=dict)  # employee id -> course name
    on_leave: dict[int, str] = field(default_factory=dict)  # employee id -> absence kind label

    @property
    def away(self) -> set[int]:
        return (set(self.on_training) | set(self.on_leave)) & self.staff

    @property
    def remaining(self) -> int:
        return len(self.staff - self.away)

    @property
    def below_minimum(self) -> bool:
        return self.minimum > 0 and self.remaining < self.minimum


@dataclass(frozen=True)
class BookingCandidate:
    """A booking not yet made: this employment on this session."""

    employment: Employment
    session: Session


@dataclass(frozen=True)
class StaffingWarning:
    """On ``date`` the facility would have ``remaining`` staff at work against a minimum of ``minimum``."""

    date: dt.date
    facility_id: int
    facility_name: str
    remaining: int
    minimum: int

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "facility_id": self.facility_id,
            "facility": self.facility_name,
            "remaining": self.remaining,
            "minimum": self.minimum,
        }


def facility_staffing(
    facility: Facility,
    start: dt.date,
    end: dt.date,
    *,
    exclude_booking_id: int | None = None,
    dates: Iterable[dt.date] | None = None,
) -> dict[dt.date, DayStaffing]:
    """Staffing of every day from start to end (or only of ``dates``), from three set-based queries."""
    wanted = sorted(set(dates)) if dates is not None else list(daterange(start, end))
    days = {d: DayStaffing(date=d, minimum=minimum) for d, minimum in facility.minimums(wanted).items()}
    employments = list(
        Employment.objects.filter(facility=facility, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .exclude(status=Employment.Status.ENDED)
        .values_list("employee_id", "start_date", "end_date", "status")
    )
    employee_ids = {e[0] for e in employments}
    # Most people are employed over the whole span: add them to every day in one set update.
    throughout = {e[0] for e in employments if e[1] <= start and (e[2] is None or e[2] >= end)}
    leave_label = str(Employment.Status.LEAVE.label)
    on_leave = {e[0]: leave_label for e in employments if e[0] in throughout and e[3] == Employment.Status.LEAVE}
    for day in days.values():
        day.staff.update(throughout)
        day.on_leave.update(on_leave)
    for employee_id, e_start, e_end, status in employments:
        if employee_id in throughout:
            continue
        for day in days.values():
            if e_start <= day.date and (e_end is None or day.date <= e_end):
                day.staff.add(employee_id)
                if status == Employment.Status.LEAVE:
                    day.on_leave[employee_id] = leave_label
    training = _training_rows(start, end, employee_ids, exclude_booking_id)
    for day_date, employee_id, course_name in training:
        if day_date in days:
            days[day_date].on_training.setdefault(employee_id, course_name)
    kinds = dict(Absence.Kind.choices)
    for employee_id, a_start, a_end, kind in Absence.objects.filter(
        employee_id__in=employee_ids, start_date__lte=end, end_date__gte=start
    ).values_list("employee_id", "start_date", "end_date", "kind"):
        for day in days.values():
            if a_start <= day.date <= a_end:
                day.on_leave.setdefault(employee_id, str(kinds.get(kind, kind)))
    return days


def _training_rows(
    start: dt.date, end: dt.date, employee_ids: set[int], exclude_booking_id: int | None
) -> list[tuple[dt.date, int, str]]:
    """(date, employee id, course name) for each session day of these people's live bookings.

    Two queries (the bookings, then their sessions' days) instead of one join of bookings x days:
    a 45-day programme with 150 participants is 150 + 45 rows, not 6.750.
    """
    in_span = SessionDay.objects.filter(date__range=(start, end)).values("session_id")
    bookings = Booking.objects.filter(employee_id__in=employee_ids, status__in=AWAY_STATUSES, session_id__in=in_span)
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    people = list(bookings.values_list("employee_id", "session_id", "session__course__name"))
    days_of: dict[int, list[dt.date]] = {}
    for session_id, day in SessionDay.objects.filter(
        session_id__in={p[1] for p in people}, date__range=(start, end)
    ).values_list("session_id", "date"):
        days_of.setdefault(session_id, []).append(day)
    return [(day, employee_id, course) for employee_id, session_id, course in people for day in days_of[session_id]]


def staffing_warnings(booking_or_candidate: Booking | BookingCandidate) -> list[StaffingWarning]:
    """The session days on which this booking leaves its facility under minimum staffing.

    The person is counted as away on each session day (if not already away), against everyone
    else's bookings and leave; the booking itself (if saved) is not counted twice.
    """
    employment = booking_or_candidate.employment
    session = booking_or_candidate.session
    facility = employment.facility
    dates = list(session.days.values_list("date", flat=True).order_by("date"))
    if not dates or not any(facility.minimums(dates).values()):
        return []
    exclude = booking_or_candidate.pk if isinstance(booking_or_candidate, Booking) else None
    by_day = facility_staffing(facility, dates[0], dates[-1], exclude_booking_id=exclude, dates=dates)
    warnings = []
    for day_date in dates:
        day = by_day[day_date]
        away = day.away | ({employment.employee_id} & day.staff)
        remaining = len(day.staff - away)
        if remaining < day.minimum:
            warnings.append(StaffingWarning(day_date, facility.pk, facility.name, remaining, day.minimum))
    return warnings
