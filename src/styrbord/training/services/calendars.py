"""iCalendar export of bookings: one event per session day, in Europe/Copenhagen time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.db.models import Q, QuerySet

from styrbord.lib.dates import LOCAL_TZ, local_today
from styrbord.training.models import AWAY_STATUSES, Booking, BookingStatus


def live_bookings(queryset: QuerySet[Booking], today: dt.date | None = None) -> QuerySet[Booking]:
    """Bookings that put someone on a course (planned, booked, attended, completed), and those
    cancelled (or on a cancelled session) with a day still to come: their events go out as
    cancelled, so a calendar that imported them once takes them out again."""
    upcoming = Q(session__days__date__gte=today or local_today())
    cancelled = Q(status=BookingStatus.CANCELLED) | Q(session__cancelled=True)
    ids = queryset.filter(Q(status__in=AWAY_STATUSES) | (cancelled & upcoming)).values("pk")
    return (
        Booking.objects.filter(pk__in=ids)
        .select_related("session__course__provider", "employee")
        .prefetch_related("session__days")
        .order_by("pk")
    )


def _is_cancelled(booking: Booking) -> bool:
    return booking.status == BookingStatus.CANCELLED or booking.session.cancelled


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
            # The booking's version grows with every change: a client replaces the event it has.
            event.add("sequence", booking.version or 0)
            if _is_cancelled(booking):
                event.add("status", "CANCELLED")
            else:
                event.add("status", "CONFIRMED" if booking.status != BookingStatus.PLANNED else "TENTATIVE")
            calendar.add_component(event)
    # RFC 5545 wants a VTIMEZONE for every TZID used: with it, a client that does not know the
    # IANA name (older Outlook versions) still moves 08:30 correctly across the DST change.
    calendar.add_missing_timezones()
    return calendar.to_ical()
