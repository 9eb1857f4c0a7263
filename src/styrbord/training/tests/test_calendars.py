"""iCalendar export: parses back with the right local dates and times."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from styrbord.testing.fixtures import World
from styrbord.training import services
from styrbord.training.models import BookingStatus

from . import helpers

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


def _events(content: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_my_calendar_has_one_event_per_day_in_copenhagen_time_across_dst(world: World, client: Client) -> None:
    course = helpers.course(name="Recovery-orienteret rehabilitering")
    # 23 March 2026 is winter time (UTC+1), 30 March summer time (UTC+2): 08:30 local both days.
    session = helpers.session(course, days=[dt.date(2026, 3, 23), dt.date(2026, 3, 30)], place="Grenaa")
    services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    client.force_login(world.employee_user)
    response = client.get(reverse("training:my_calendar"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert [str(e["summary"]) for e in events] == ["Recovery-orienteret rehabilitering"] * 2
    starts = [e.decoded("dtstart") for e in events]
    assert [s.astimezone(CPH).replace(tzinfo=None) for s in starts] == [
        dt.datetime(2026, 3, 23, 8, 30),
        dt.datetime(2026, 3, 30, 8, 30),
    ]
    assert [s.astimezone(dt.UTC).hour for s in starts] == [7, 6]
    assert events[0].decoded("dtend") - starts[0] == dt.timedelta(hours=7, minutes=24)
    assert str(events[0]["location"]) == "Grenaa"
    assert b"TZID=Europe/Copenhagen" in response.content
    # The time zone travels with the file, with both its offsets (RFC 5545, 3.6.5).
    (zone,) = icalendar.Calendar.from_ical(response.content).walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Copenhagen"
    offsets = {c.name: c.decoded("tzoffsetto") for c in zone.subcomponents}
    assert offsets == {"STANDARD": dt.timedelta(hours=1), "DAYLIGHT": dt.timedelta(hours=2)}


@pytest.mark.usefixtures("before_the_courses")
def test_a_facility_calendar_names_the_people_and_sends_a_cancelled_booking_as_cancelled(
    world: World, client: Client
) -> None:
    """A cancelled seat's event left the feed, and a calendar that imported the file once kept the
    appointment: it now goes out as CANCELLED, with a higher SEQUENCE than the one imported."""
    session = helpers.session(helpers.course(name="KRAP"), days=[dt.date(2026, 6, 1)], hours=Decimal("6"))
    services.book(world.dolmer_staff[0], session)
    cancelled = services.book(world.dolmer_staff[1], session)
    client.force_login(world.manager)
    url = reverse("training:facility_calendar", args=[world.dolmer.pk])
    imported = {str(e["uid"]): e for e in _events(client.get(url).content)}
    services.cancel(cancelled)
    response = client.get(url)
    events = {str(e["summary"]): e for e in _events(response.content)}
    kept, gone = events[f"KRAP – {world.dolmer_staff[0].name}"], events[f"KRAP – {world.dolmer_staff[1].name}"]
    assert kept.decoded("dtstart").astimezone(CPH).date() == dt.date(2026, 6, 1)
    assert str(kept["status"]) == "TENTATIVE"  # planned
    assert str(gone["status"]) == "CANCELLED"
    assert str(gone["uid"]) in imported  # the same event, replaced
    assert int(gone["sequence"]) > int(imported[str(gone["uid"])]["sequence"])
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == f"Kurser – {world.dolmer.name}"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("training:facility_calendar", args=[world.dolmer.pk]))
    assert str(icalendar.Calendar.from_ical(english.content)["x-wr-calname"]) == f"Courses – {world.dolmer.name}"


def test_another_tenants_facility_calendar_is_a_404(world: World, client: Client) -> None:
    client.force_login(world.manager)
    assert client.get(reverse("training:facility_calendar", args=[world.glesborg.pk])).status_code == 404
    client.force_login(world.other_coordinator)
    assert client.get(reverse("training:facility_calendar", args=[world.dolmer.pk])).status_code == 404


def test_a_course_day_starts_at_half_past_eight_by_default_and_the_default_passes_checks_at_any_hour() -> None:
    """Django's check for fixed date/time defaults (fields.W161) compares a fixed time with the
    clock, so a fixed 08:30 made `check --deploy` fail when it ran at 08:30 UTC. The default is a
    callable now; checked at exactly that moment."""
    import time_machine

    from styrbord.training.models import SessionDay

    assert SessionDay().start_time == dt.time(8, 30)
    field = SessionDay._meta.get_field("start_time")
    with time_machine.travel(dt.datetime(2026, 12, 5, 8, 30, 3, tzinfo=dt.UTC), tick=False):
        assert [issue.id for issue in field.check()] == []
