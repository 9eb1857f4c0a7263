"""iCalendar export of bookings: one event per session day, in Europe/Copenhagen time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.db.models import QuerySet

from styrbord.lib.dates import LOCAL_TZ
from styrbord.training.models import AWAY_STATUSES, Booking


def live_bookings(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    """Bookings that put someone on a course (planned, booked, attended, completed)."""
    return (
        queryset.filter(status__in=AWAY_STATUSES)
        .select_related("session__course__provider", "employee")
        .prefetch_related("session__days")
    )


def bookings_calendar(bookings: Iterable[Booking], name: str, *, with_names: bool = False) -> bytes:
    """A calendar with an event for each day of each booking. ``with_names`` adds the person's name
    (for a facility's calendar); a person's own calendar does not need it."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Styrbord//Kursuskalender//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Copenhagen")
    stamp = dt.datetime.now(tz=dt.UTC)
    for booking in bookings:
        session = booking.session
        for day in session.days.all():
            # An aware local start: icalendar writes DTSTART;TZID=Europe/Copenhagen, so the time stays
            # 08:30 local on both sides of a DST change.
            start = dt.datetime.combine(day.date, day.start_time, tzinfo=LOCAL_TZ)
            end = start + dt.timedelta(minutes=int(day.hours * 60))
            event = icalendar.Event()
            summary = session.course.name
            if with_names:
                summary = f"{summary} – {booking.employee.name}"
            event.add("uid", f"booking-{booking.pk}-{day.date.isoformat()}@styrbord")
            event.add("summary", summary)
            event.add("dtstart", start)
            event.add("dtend", end)
            event.add("dtstamp", stamp)
            if session.place:
                event.add("location", session.place)
            event.add("description", f"{session.course.provider.name}. Status: {booking.get_status_display()}")
            event.add("status", "CONFIRMED" if booking.status != "planned" else "TENTATIVE")
            calendar.add_component(event)
    # RFC 5545 wants a VTIMEZONE for every TZID used: with it, a client that does not know the
    # IANA name (older Outlook versions) still moves 08:30 correctly across the DST change.
    calendar.add_missing_timezones()
    return calendar.to_ical()
