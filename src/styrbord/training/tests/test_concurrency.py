"""Seat changes on one session are serialised by the session row lock (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from styrbord.testing import factories
from styrbord.training import services
from styrbord.training.models import Booking, BookingStatus

from . import helpers

# serialized_rollback: a transactional test flushes the tables, and the reference data must come back.
# The sessions run on 02-03-2026: the seats are booked (and waited for) before the course begins.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("before_the_courses"),
]


def _at_once(*calls: Callable[[], object]) -> list[BaseException]:
    """Run the calls in threads released together; return any errors."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_cancellations_at_once_promote_two_different_people() -> None:
    facility = factories.facility()
    session = helpers.session(capacity=2)
    people = [factories.employment(facility_obj=facility).employee for _ in range(4)]
    seats = [services.book(p, session, status=BookingStatus.BOOKED) for p in people[:2]]
    waiting = [services.book(p, session, status=BookingStatus.BOOKED) for p in people[2:]]
    assert {w.status for w in waiting} == {BookingStatus.WAITLISTED}
    errors = _at_once(lambda: services.cancel(seats[0]), lambda: services.cancel(seats[1]))
    assert errors == []
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert [statuses[w.pk] for w in waiting] == [BookingStatus.BOOKED, BookingStatus.BOOKED]
    assert services.seats_taken(session) == 2


def test_two_bookings_of_the_last_seat_at_once_give_one_seat_and_one_waiting_place() -> None:
    facility = factories.facility()
    session = helpers.session(capacity=1)
    a, b = (factories.employment(facility_obj=facility).employee for _ in range(2))
    errors = _at_once(
        lambda: services.book(a, session, status=BookingStatus.BOOKED),
        lambda: services.book(b, session, status=BookingStatus.BOOKED),
    )
    assert errors == []
    assert sorted(Booking.objects.values_list("status", flat=True)) == [BookingStatus.BOOKED, BookingStatus.WAITLISTED]
