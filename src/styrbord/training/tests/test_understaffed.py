"""Understaffed days counted set-based (the landing page) agree with the day-by-day staffing
(the absence page and the booking check) on random facilities, staff, leave and bookings."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from styrbord.organisations.models import StaffingPeriod
from styrbord.staff.models import Absence, Employment
from styrbord.testing import factories
from styrbord.training.models import Booking, BookingStatus
from styrbord.training.services.staffing import staffing_by_facility, understaffed_days

from . import helpers

pytestmark = pytest.mark.django_db

START = dt.date(2027, 3, 1)
END = START + dt.timedelta(days=20)


def random_world(seed: int) -> list[object]:
    rng = random.Random(seed)
    facilities = []
    shared = factories.employee()  # works at two facilities
    course = helpers.course()
    sessions = [
        helpers.session(course, days=[START + dt.timedelta(days=rng.randint(0, 20)) for _ in range(rng.randint(1, 3))])
        for _ in range(4)
    ]
    for n in range(3):
        facility = factories.facility(minimum_staff=rng.randint(0, 6), minimum_staff_weekend=rng.choice([None, 0, 2]))
        facilities.append(facility)
        begin = START + dt.timedelta(days=rng.randint(0, 15))  # a period with a high minimum
        end = begin + dt.timedelta(days=rng.randint(0, 6))
        StaffingPeriod.objects.create(facility=facility, start_date=begin, end_date=end, minimum=rng.choice([7, 12]))
        people = [factories.employment(facility_obj=facility) for _ in range(rng.randint(4, 9))]
        people.append(factories.employment(shared, facility, employment_number=f"S{seed}-{n}"))
        for employment in people:
            roll = rng.random()
            if roll < 0.15:  # starts within the span
                employment.start_date = START + dt.timedelta(days=rng.randint(1, 15))
            elif roll < 0.3:  # ends within it
                employment.end_date = START + dt.timedelta(days=rng.randint(0, 15))
            elif roll < 0.4:
                employment.status = Employment.Status.LEAVE
            elif roll < 0.45:
                employment.status = Employment.Status.ENDED
            employment.save()
            if rng.random() < 0.3:
                first = START + dt.timedelta(days=rng.randint(-5, 18))
                Absence.objects.create(
                    employee=employment.employee,
                    start_date=first,
                    end_date=first + dt.timedelta(days=rng.randint(0, 5)),
                )
            session = rng.choice(sessions)
            if (
                rng.random() < 0.5
                and not Booking.objects.filter(employee=employment.employee, session=session).exists()
            ):
                Booking.objects.create(
                    employee=employment.employee,
                    employment=employment,
                    session=session,
                    status=rng.choice([BookingStatus.BOOKED, BookingStatus.PLANNED, BookingStatus.CANCELLED]),
                )
    return facilities


@pytest.mark.parametrize("seed", range(4))
def test_counting_and_day_by_day_agree(seed: int) -> None:
    facilities = random_world(seed)
    by_day = staffing_by_facility(facilities, START, END)
    expected = sorted(
        (day.date, f.name, day.remaining, day.minimum)
        for f in facilities
        for day in by_day[f.pk].values()
        if day.below_minimum
    )
    found = [(w.date, w.facility_name, w.remaining, w.minimum) for w in understaffed_days(facilities, START, END)]
    assert found == expected
    assert expected  # the random worlds do have understaffed days
