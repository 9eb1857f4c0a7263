"""Who is away from a facility on a day (training or leave), and whether a booking breaks the
facility's minimum staffing. Used by the absence view, the booking UI and the API."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet

from styrbord.lib import lookups  # noqa: F401  (registers field__any_of)
from styrbord.lib.dates import daterange, local_today
from styrbord.organisations.models import Facility, minimums_by_facility
from styrbord.staff.models import Absence, Employment
from styrbord.training.models import AWAY_STATUSES, Booking, BookingStatus, Session, SessionDay


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
    minimums: Mapping[dt.date, int] | None = None,
) -> dict[dt.date, DayStaffing]:
    """Staffing of every day from start to end (or only of ``dates``) of one facility.

    ``minimums`` (day -> minimum, from ``Facility.minimums``) saves looking them up again.
    """
    return staffing_by_facility(
        [facility],
        start,
        end,
        exclude_booking_id=exclude_booking_id,
        dates=dates,
        minimums=None if minimums is None else {facility.pk: minimums},
    )[facility.pk]


def staffing_by_facility(
    facilities: Sequence[Facility],
    start: dt.date,
    end: dt.date,
    *,
    exclude_booking_id: int | None = None,
    dates: Iterable[dt.date] | None = None,
    minimums: Mapping[int, Mapping[dt.date, int]] | None = None,
) -> dict[int, dict[dt.date, DayStaffing]]:
    """Staffing of every day from start to end (or only of ``dates``) per facility.

    Set-based over all the facilities together: one query each for the minimums' periods, the
    employments, the training bookings (two) and the absences, whatever their number.
    """
    wanted = sorted(set(dates)) if dates is not None else list(daterange(start, end))
    if minimums is None:
        minimums = minimums_by_facility(facilities, wanted)
    result = {f.pk: {d: DayStaffing(date=d, minimum=minimums[f.pk][d]) for d in wanted} for f in facilities}
    in_force = (
        Employment.objects.filter(facility__in=[f.pk for f in facilities], start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .exclude(status=Employment.Status.ENDED)
    )
    employments = list(in_force.values_list("facility_id", "employee_id", "start_date", "end_date", "status"))
    # The people as a subquery, not as thousands of parameters (a municipality's staff).
    people = in_force.values("employee_id")
    facilities_of: dict[int, set[int]] = {}
    leave_label = str(Employment.Status.LEAVE.label)
    # Most people are employed over the whole span: add them to every day in one set update.
    throughout: dict[int, set[int]] = {f.pk: set() for f in facilities}
    on_leave: dict[int, dict[int, str]] = {f.pk: {} for f in facilities}
    partial = []
    for facility_id, employee_id, e_start, e_end, status in employments:
        facilities_of.setdefault(employee_id, set()).add(facility_id)
        if e_start <= start and (e_end is None or e_end >= end):
            throughout[facility_id].add(employee_id)
            if status == Employment.Status.LEAVE:
                on_leave[facility_id][employee_id] = leave_label
        else:
            partial.append((facility_id, employee_id, e_start, e_end, status))
    for facility_id, days in result.items():
        for day in days.values():
            day.staff.update(throughout[facility_id])
            day.on_leave.update(on_leave[facility_id])
    for facility_id, employee_id, e_start, e_end, status in partial:
        for day in result[facility_id].values():
            if e_start <= day.date and (e_end is None or day.date <= e_end):
                day.staff.add(employee_id)
                if status == Employment.Status.LEAVE:
                    day.on_leave[employee_id] = leave_label
    training = _training_rows(start, end, people, exclude_booking_id)
    for day_date, employee_id, course_name in training:
        for facility_id in facilities_of.get(employee_id, ()):  # () if employed since the first query
            if day_date in result[facility_id]:
                result[facility_id][day_date].on_training.setdefault(employee_id, course_name)
    kinds = dict(Absence.Kind.choices)
    for employee_id, a_start, a_end, kind in Absence.objects.filter(
        employee_id__in=people, start_date__lte=end, end_date__gte=start
    ).values_list("employee_id", "start_date", "end_date", "kind"):
        for facility_id in facilities_of.get(employee_id, ()):  # () if employed since the first query
            for day in result[facility_id].values():
                if a_start <= day.date <= a_end:
                    day.on_leave.setdefault(employee_id, str(kinds.get(kind, kind)))
    return result


def understaffed_days(facilities: Sequence[Facility], start: dt.date, end: dt.date) -> list[StaffingWarning]:
    """Every day from start to end on which a facility has fewer at work than that day's minimum
    (training bookings and leave as they stand), by date and facility.

    The same answer as ``staffing_by_facility`` day by day (a test compares them), but by
    counting: people employed over the whole span are counted per facility in the database,
    and only the few who start or end within it, or are away at some point, come back as rows.
    A municipality's 178 facilities over 30 days need no set of 9.600 people per day.
    """
    return understaffed_on(facilities, list(daterange(start, end)))


def understaffed_on(facilities: Sequence[Facility], dates: Iterable[dt.date]) -> list[StaffingWarning]:
    """``understaffed_days`` on ``dates`` only (any days, not necessarily one after another): the
    days of the sessions whose bookings' staffing flags are refreshed, not every day between."""
    days = sorted(set(dates))
    if not days:
        return []
    start, end = days[0], days[-1]
    minimums = minimums_by_facility(facilities, days)
    active = [f for f in facilities if any(minimums[f.pk].values())]
    if not active:
        return []
    in_force = (
        Employment.objects.filter(facility__in=[f.pk for f in active], start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .exclude(status=Employment.Status.ENDED)
    )
    whole_span = Q(start_date__lte=start) & (Q(end_date__isnull=True) | Q(end_date__gte=end))
    throughout_count = dict(
        in_force.filter(whole_span)
        .order_by()
        .values("facility_id")
        .annotate(n=Count("employee_id", distinct=True))
        .values_list("facility_id", "n")
    )
    # (facility, employee) -> the spans of their employments there, for those the count leaves out
    # (not employed over the whole span) or who may be away (leave status, training, absence).
    training = _training_rows(start, end, in_force.values("employee_id"), None)
    days_away: dict[int, set[dt.date]] = {}
    for day, employee_id, _course in training:
        days_away.setdefault(employee_id, set()).add(day)
    for employee_id, a_start, a_end in Absence.objects.filter(
        employee_id__in=in_force.values("employee_id"), start_date__lte=end, end_date__gte=start
    ).values_list("employee_id", "start_date", "end_date"):
        days_away.setdefault(employee_id, set()).update(days[bisect_left(days, a_start) : bisect_right(days, a_end)])
    rows = in_force.filter(
        ~whole_span | Q(status=Employment.Status.LEAVE) | Q(employee_id__in=list(days_away))
    ).values_list("facility_id", "employee_id", "start_date", "end_date", "status")
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None, bool]]] = {}
    for facility_id, employee_id, e_start, e_end, status in rows:
        spans.setdefault((facility_id, employee_id), []).append((e_start, e_end, status == Employment.Status.LEAVE))
    extra: dict[tuple[int, dt.date], int] = {}  # employed that day, but not counted as throughout
    away: dict[tuple[int, dt.date], int] = {}
    wanted = set(days)
    for (facility_id, employee_id), employed in spans.items():
        counted = any(s <= start and (e is None or e >= end) for s, e, _leave in employed)
        gone = days_away.get(employee_id, ())
        if counted and not any(leave for _s, _e, leave in employed):
            # At work here on every day but those they are away: only those days count.
            for day in gone:
                if day in wanted:
                    away[(facility_id, day)] = away.get((facility_id, day), 0) + 1
            continue
        # Per day: 0 not employed here, 1 employed, 2 employed and on leave.
        state = [0] * len(days)
        for s, e, leave in employed:
            mark = 2 if leave else 1
            for i in range(bisect_left(days, s), len(days) if e is None else bisect_right(days, e)):
                if state[i] < mark:
                    state[i] = mark
        for day, here in zip(days, state, strict=True):
            if not here:
                continue
            if not counted:
                extra[(facility_id, day)] = extra.get((facility_id, day), 0) + 1
            if here == 2 or day in gone:
                away[(facility_id, day)] = away.get((facility_id, day), 0) + 1
    found = []
    for facility in active:
        pk = facility.pk
        own, throughout = minimums[pk], throughout_count.get(pk, 0)
        for day in days:
            minimum = own[day]
            remaining = throughout + extra.get((pk, day), 0) - away.get((pk, day), 0)
            if minimum > 0 and remaining < minimum:
                found.append(StaffingWarning(day, pk, facility.name, remaining, minimum))
    return sorted(found, key=lambda w: (w.date, w.facility_name))


def _training_rows(
    start: dt.date, end: dt.date, employee_ids: Iterable[int] | QuerySet[Any], exclude_booking_id: int | None
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
    minimums = facility.minimums(dates)
    if not any(minimums.values()):
        return []
    exclude = booking_or_candidate.pk if isinstance(booking_or_candidate, Booking) else None
    by_day = facility_staffing(
        facility, dates[0], dates[-1], exclude_booking_id=exclude, dates=dates, minimums=minimums
    )
    return _short_days(by_day, dates, facility, employment.employee_id)


def group_staffing_warnings(session: Session, bookings: Sequence[Booking]) -> dict[int, list[StaffingWarning]]:
    """Per saved booking on ``session``: its staffing warnings with the rest of the group counted
    as away, what ``staffing_warnings(booking)`` gives each one by one, in one set-based pass over
    the group's facilities (a group of 30 costs one staffing lookup, not 30)."""
    dates = list(session.days.values_list("date", flat=True).order_by("date"))
    facilities = {b.employment.facility_id: b.employment.facility for b in bookings}
    if not dates or not facilities:
        return {b.pk: [] for b in bookings}
    by_facility = staffing_by_facility(list(facilities.values()), dates[0], dates[-1], dates=dates)
    return {
        b.pk: _short_days(by_facility[b.employment.facility_id], dates, b.employment.facility, b.employee_id)
        for b in bookings
    }


def _short_days(
    by_day: Mapping[dt.date, DayStaffing], dates: Sequence[dt.date], facility: Facility, employee_id: int
) -> list[StaffingWarning]:
    """The days on which the facility is under its minimum with this person away as well."""
    warnings = []
    for day_date in dates:
        day = by_day[day_date]
        away = day.away | ({employee_id} & day.staff)
        remaining = len(day.staff - away)
        if remaining < day.minimum:
            warnings.append(StaffingWarning(day_date, facility.pk, facility.name, remaining, day.minimum))
    return warnings


# The bookings whose ``staffing_warning`` is kept current: those still to come (a plan's seat, a
# booked seat). The flag of a booking that is over, cancelled or waiting is left as it was.
FLAGGED_STATUSES = (BookingStatus.PLANNED, BookingStatus.BOOKED)


@transaction.atomic
def refresh_staffing_flags(changed: Iterable[Booking | None], dates: Iterable[dt.date] = ()) -> dict[int, bool]:
    """Make ``staffing_warning`` current for every planned or booked booking that shares a facility
    and a day with the ``changed`` bookings (made, cancelled, moved on or off the waiting list),
    and with ``dates`` too (a session's days before they were changed).

    A booking's flag says whether its facility is under its minimum staffing on one of its days
    with everyone away who is (the rest of its session's group and everyone else's bookings and
    leave): a second booking on the same day flags the first as well, and cancelling it clears both.
    Inside ``staffing_flags_deferred`` the bookings are only noted, and refreshed once at its end.

    A flag it changes counts the booking's ``version`` up, as ``refresh_staffing_flags_at`` does
    (the flag is part of the booking an API client holds). Work on several bookings each against
    the version its page read (``register_attendance``, a plan's seats) runs inside
    ``staffing_flags_deferred``, so no step changes the version the next step expects.
    Returns the flag of each booking looked at, by id."""
    bookings = [b for b in changed if b is not None]
    also = set(dates)
    pending = _deferred.get()
    if pending is not None:
        pending.bookings.extend(bookings)
        pending.dates.update(also)
        return {}
    if not bookings:
        return {}
    employees = {b.employee_id for b in bookings}
    days = also | set(
        SessionDay.objects.filter(session_id__in={b.session_id for b in bookings}).values_list("date", flat=True)
    )
    if not days:
        return {}
    facilities = Employment.objects.filter(employee_id__in=employees).values("facility_id")
    return _reflag(
        Booking.objects.filter(
            employment__facility_id__in=facilities,
            session__in=SessionDay.objects.filter(date__in=days).values("session_id"),
        ),
        bookings,
        count_versions=True,
    )


@transaction.atomic
def refresh_staffing_flags_at(
    facility_ids: Iterable[int], start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, bool]:
    """Make ``staffing_warning`` current for every planned or booked booking at these facilities
    (its employment's facility) whose session has a day from ``start`` to ``end`` (no ``end``:
    every day to come), after a change to who is at work there or how many must be: leave, an
    employment begun, ended, moved or on leave, a minimum staffing raised or lowered.

    Only days from today on: the flags of bookings whose sessions are over are left as they were
    (``FLAGGED_STATUSES``). A booking found is judged on all of its session's days. Set-based, a
    handful of queries whatever the number of facilities and bookings: the bookings (locked), their
    days, the facilities, and ``understaffed_on`` over those days. A flag that changes counts the
    booking's ``version`` up, as any other change of it does (an API client holding it gets a 409).
    Inside ``staffing_flags_deferred`` the facilities are only noted, and refreshed at its end.
    Returns the flag of each booking looked at, by id."""
    facilities = {int(pk) for pk in facility_ids if pk is not None}
    today = local_today()
    start = today if start is None else max(start, today)
    if not facilities or (end is not None and end < start):
        return {}
    pending = _deferred.get()
    if pending is not None:
        pending.spans.append((facilities, start, end))
        return {}
    days = SessionDay.objects.filter(date__gte=start)
    if end is not None:
        days = days.filter(date__lte=end)
    return _reflag(
        Booking.objects.filter(employment__facility_id__in=facilities, session__in=days.values("session_id")),
        count_versions=True,
    )


def refresh_staffing_flags_for(
    employee_ids: Iterable[int], start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, bool]:
    """``refresh_staffing_flags_at`` the facilities these people are employed at (a person away
    counts as away at each of them): after their leave (``Absence``) was added, changed or removed."""
    people = {int(pk) for pk in employee_ids if pk is not None}
    if not people:
        return {}
    facilities = set(Employment.objects.filter(employee_id__in=people).values_list("facility_id", flat=True))
    return refresh_staffing_flags_at(facilities, start, end)


def _reflag(found: QuerySet[Booking], changed: Sequence[Booking] = (), *, count_versions: bool) -> dict[int, bool]:
    """Set the flag of each planned or booked booking of ``found`` to whether its facility is under
    its minimum on one of its session's days (``understaffed_on``, everyone away who is: the same
    answer as ``group_staffing_warnings`` gives each seat of a session, in one pass for all).
    ``count_versions``: a booking whose flag changes gets its ``version`` counted up."""
    # Locked without waiting, in id order: a booking another transaction holds (being cancelled or
    # refreshing its own neighbours) is left to it, rather than two refreshes waiting on each other.
    # By the booking's own row (``of``), with no DISTINCT: PostgreSQL locks no DISTINCT query.
    affected = list(
        found.filter(status__in=FLAGGED_STATUSES)
        .select_for_update(skip_locked=True, of=("self",))
        .annotate(facility_of=F("employment__facility_id"))
        .only("pk", "session", "staffing_warning")
        .order_by("pk")
    )
    if not affected:
        return {}
    days_of: dict[int, list[dt.date]] = {}
    for session_id, day in SessionDay.objects.filter(session_id__in={b.session_id for b in affected}).values_list(
        "session_id", "date"
    ):
        days_of.setdefault(session_id, []).append(day)
    facilities = list(Facility.objects.filter(pk__in={b.facility_of for b in affected}))
    short = {
        (w.facility_id, w.date) for w in understaffed_on(facilities, (day for days in days_of.values() for day in days))
    }
    flags: dict[int, bool] = {}
    raised: set[int] = set()
    cleared: set[int] = set()
    for booking in affected:
        facility_id = booking.facility_of
        flag = any((facility_id, day) in short for day in days_of.get(booking.session_id, ()))
        flags[booking.pk] = flag
        if flag != booking.staffing_warning:
            (raised if flag else cleared).add(booking.pk)
    # A changed flag is a changed booking: its version counts up (the API's optimistic locking).
    counted = {"version": F("version") + 1} if count_versions else {}
    if raised:
        Booking.objects.filter(pk__any_of=raised).update(staffing_warning=True, **counted)
    if cleared:
        Booking.objects.filter(pk__any_of=cleared).update(staffing_warning=False, **counted)
    for mine in changed:  # the caller's objects say what the database now says
        if mine.pk in flags:
            mine.staffing_warning = flags[mine.pk]
            if count_versions and (mine.pk in raised or mine.pk in cleared):
                mine.version += 1
    return flags


@dataclass
class _Pending:
    """What ``staffing_flags_deferred`` refreshes at its end: the bookings changed (and days) and
    the facilities whose staff or minimums changed, with their days."""

    bookings: list[Booking] = field(default_factory=list)
    dates: set[dt.date] = field(default_factory=set)
    spans: list[tuple[set[int], dt.date, dt.date | None]] = field(default_factory=list)


_deferred: ContextVar[_Pending | None] = ContextVar("deferred_staffing", default=None)


@contextmanager
def staffing_flags_deferred() -> Iterator[None]:
    """Refresh the staffing flags once, when the block ends, for all the bookings changed in it
    (confirming or cancelling a plan's 40 seats: one refresh, not 40). Nested blocks refresh at the
    end of the outermost; a block left by an exception refreshes nothing (it is rolled back)."""
    if _deferred.get() is not None:
        yield
        return
    pending = _Pending()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    refresh_staffing_flags(pending.bookings, pending.dates)
    if pending.spans:  # the facilities together, over all their days (from the earliest given)
        open_ended = any(end is None for _f, _s, end in pending.spans)
        refresh_staffing_flags_at(
            set().union(*(facilities for facilities, _s, _e in pending.spans)),
            min(start for _f, start, _e in pending.spans),
            None if open_ended else max(end for _f, _s, end in pending.spans if end is not None),
        )
