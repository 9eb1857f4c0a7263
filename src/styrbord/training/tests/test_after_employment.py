"""Bookings on sessions that last beyond the end of the employment they are booked for: the person
has resigned (or moved) after being booked. Pointed out on the landing page, the booking list and
the booking, never cancelled by themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from styrbord.lib.dates import local_today
from styrbord.testing.fixtures import World
from styrbord.training import services
from styrbord.training.models import Booking, BookingStatus
from styrbord.training.tests import helpers
from styrbord.web.dashboard import dashboard_for

pytestmark = pytest.mark.django_db


def _resign(person, last_day: dt.date) -> None:  # type: ignore[no-untyped-def]
    employment = person.employments.get()
    employment.end_date = last_day
    employment.save(update_fields=["end_date"])


def _case(world: World) -> dict[str, Booking]:
    today = local_today()
    first = today + dt.timedelta(days=30)
    two_days = helpers.session(days=[first, first + dt.timedelta(days=1)], capacity=10)
    bookings = {
        "beyond": services.book(world.dolmer_staff[0], two_days, status=BookingStatus.BOOKED),
        "on_the_last_day": services.book(world.dolmer_staff[1], two_days),
        "cancelled": services.book(world.dolmer_staff[2], two_days),
        "still_employed": services.book(world.glesborg_staff[0], two_days),
        "other_municipality": services.book(world.syddjurs_staff[0], two_days),
    }
    services.cancel(bookings["cancelled"], None)
    _resign(world.dolmer_staff[0], first)  # leaves after the first of the two days
    _resign(world.dolmer_staff[1], first + dt.timedelta(days=1))  # leaves on the last day: attends all of it
    _resign(world.dolmer_staff[2], first)
    _resign(world.syddjurs_staff[0], first)
    return bookings


def test_open_bookings_on_sessions_lasting_beyond_the_employment_are_found(world: World) -> None:
    bookings = _case(world)
    found = set(services.after_employment_ends(Booking.objects.all()))
    assert found == {bookings["beyond"], bookings["other_municipality"]}


def test_the_landing_page_counts_them_in_scope_and_the_list_shows_them(world: World) -> None:
    bookings = _case(world)
    today = local_today()
    assert dashboard_for(world.coordinator, today).beyond_employment == 1  # not Syddjurs'
    assert dashboard_for(world.manager, today).beyond_employment == 1
    assert dashboard_for(world.finance, today).beyond_employment == 0  # books nothing, no tile
    client = Client()
    client.force_login(world.coordinator)
    page = client.get("/").content.decode()
    tile = page.split('id="beyond-employment-count"', 1)[1].split("</a>", 1)[0]
    assert 'href="/kurser/bookinger/?ophoer=on"' in page
    assert '<span class="value">1</span>' in tile
    assert "booking på et hold, der slutter efter ansættelsens ophør" in tile

    listing = client.get("/kurser/bookinger/?ophoer=on").content.decode()
    assert "1 booking." in listing
    assert world.dolmer_staff[0].name in listing
    end = bookings["beyond"].session.first_day
    assert f"Ansættelsen ophører {end:%d-%m-%Y}" in listing
    everything = client.get("/kurser/bookinger/?status=").content.decode()
    assert everything.count("Ansættelsen ophører") == 1  # the badge marks only that one

    detail = client.get(f"/kurser/booking/{bookings['beyond'].pk}/").content.decode()
    assert 'id="beyond-employment"' in detail
    # Each date is kept on one line (a phone broke "07-⏎01-2027").
    last = end + dt.timedelta(days=1)
    assert (
        f'ophører <span class="nowrap">{end:%d-%m-%Y}</span>, før holdet slutter <span class="nowrap">{last:%d-%m-%Y}</span>'
    ) in detail
    other = client.get(f"/kurser/booking/{bookings['on_the_last_day'].pk}/").content.decode()
    assert 'id="beyond-employment"' not in other


def test_no_tile_when_there_is_nothing_to_point_out(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    assert 'id="beyond-employment-count"' not in client.get("/").content.decode()


def test_the_demo_has_a_resignation_before_a_booked_course() -> None:
    """So the landing page's tile and the booking list's filter have something to show in the demo."""
    from styrbord.demo.context import DEMO_STEPS
    from styrbord.demo.services import build_demo

    today = dt.date(2026, 11, 23)
    build_demo(2024, today, only=DEMO_STEPS[: DEMO_STEPS.index("styrbord.training") + 1])
    (booking,) = services.after_employment_ends(Booking.objects.all())
    assert booking.employment.facility.name == "Dolmer Have"
    assert booking.status == BookingStatus.BOOKED
    assert today < booking.employment.end_date < booking.session.first_day
