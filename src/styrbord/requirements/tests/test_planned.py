"""The coverage forecast counts planned and booked courses that grant the competence."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from styrbord.requirements.coverage import coverage_for, forecast
from styrbord.requirements.models import Rule
from styrbord.requirements.planned import planned_completions
from styrbord.requirements.tests.helpers import d, requirement
from styrbord.testing import factories
from styrbord.training.models import Booking, BookingStatus, CourseCompetence
from styrbord.training.services.bookings import complete
from styrbord.training.tests import helpers as training

pytestmark = pytest.mark.django_db
TODAY = d("2026-11-23")


def book(person: Any, session: Any, status: str = BookingStatus.BOOKED) -> Booking:
    employment = person.employments.get()
    return Booking.objects.create(session=session, employee=person, employment=employment, status=status)


@pytest.fixture
def scene(db: Any) -> dict[str, Any]:
    """Six people at one facility; one holds the competence, the others have bookings of every kind."""
    facility = factories.facility("Kursushuset")
    comp = factories.competence(validity_months=24)
    other = factories.competence()
    course = training.course()
    # The course's own validity (2 months) wins over the competence's 24 months, as on completion.
    CourseCompetence.objects.create(course=course, competence=comp, validity_months=2)
    CourseCompetence.objects.create(course=course, competence=other)
    january = training.session(course, days=[d("2027-01-19"), d("2027-01-20")])
    february = training.session(course, days=[d("2027-02-10")])
    cancelled = training.session(course, days=[d("2027-01-12")], cancelled=True)
    finished = training.session(course, days=[d("2026-10-01")])
    people = {name: factories.employee(name) for name in ["Anna", "Bo", "Carl", "Dina", "Erik", "Finn"]}
    for person in people.values():
        factories.employment(person, facility)
    factories.holding(people["Erik"], comp, d("2025-05-01"))
    book(people["Anna"], january, BookingStatus.BOOKED)
    book(people["Bo"], february, BookingStatus.PLANNED)
    book(people["Carl"], january, BookingStatus.WAITLISTED)  # no seat: not expected
    book(people["Dina"], cancelled, BookingStatus.BOOKED)  # the session is cancelled
    book(people["Finn"], january, BookingStatus.CANCELLED)
    book(people["Finn"], finished, BookingStatus.BOOKED)  # ended before today, never completed
    req = requirement([comp], facility=facility, rule=Rule.PERCENT_PEOPLE, target="75", deadline=d("2027-03-31"))
    return {"facility": facility, "comp": comp, "people": people, "req": req, "january": january}


def test_only_live_bookings_on_future_sessions_count_with_the_courses_validity(scene: dict[str, Any]) -> None:
    people, comp = scene["people"], scene["comp"]

    found = planned_completions(scene["req"], facilities=[scene["facility"].pk], on=TODAY)

    assert sorted(found) == sorted(
        [
            (people["Anna"].pk, comp.pk, d("2027-01-20"), d("2027-03-20")),
            (people["Bo"].pk, comp.pk, d("2027-02-10"), d("2027-04-10")),
        ]
    )
    assert planned_completions(scene["req"], facilities=[factories.facility().pk], on=TODAY) == []
    assert planned_completions(scene["req"], on=TODAY, until=d("2027-01-31")) == [found[0]]


def test_the_forecast_rises_with_each_completion_and_falls_when_the_course_validity_ends(
    scene: dict[str, Any],
) -> None:
    req = scene["req"]
    planned = planned_completions(req, on=TODAY)

    without = forecast(req, on=TODAY)
    with_courses = forecast(req, on=TODAY, planned=planned)

    assert {p.share for p in without} == {Decimal("16.7")}
    assert [(p.on, p.compliant, p.in_scope, p.share) for p in with_courses] == [
        (TODAY, 1, 6, Decimal("16.7")),
        (d("2026-11-30"), 1, 6, Decimal("16.7")),
        (d("2026-12-31"), 1, 6, Decimal("16.7")),
        (d("2027-01-31"), 2, 6, Decimal("33.3")),  # Anna completes on 20 January
        (d("2027-02-28"), 3, 6, Decimal("50.0")),  # Bo on 10 February
        (d("2027-03-31"), 2, 6, Decimal("33.3")),  # Anna's 2-month course validity ended on 20 March
    ]


def test_completing_a_booked_course_leaves_the_forecast_unchanged(scene: dict[str, Any]) -> None:
    req, anna, bo = scene["req"], scene["people"]["Anna"], scene["people"]["Bo"]
    before = forecast(req, on=TODAY, planned=planned_completions(req, on=TODAY))
    booking = Booking.objects.get(employee=anna, status=BookingStatus.BOOKED)

    # Completed on the course's last day (not before: the certificate would be dated ahead).
    with time_machine.travel(dt.datetime(2027, 1, 20, 12, tzinfo=dt.UTC), tick=False):
        holdings = {h.competence_id: h for h in complete(booking)}

    assert (holdings[scene["comp"].pk].acquired_on, holdings[scene["comp"].pk].expires_on) == (
        d("2027-01-20"),
        d("2027-03-20"),
    )
    # Anna is no longer a planned completion once she holds the competence ...
    remaining = planned_completions(req, on=TODAY)
    assert [p[0] for p in remaining] == [bo.pk]
    # ... and the forecast from her real holding is the one her booking predicted.
    assert forecast(req, on=TODAY, planned=remaining) == before
    [row] = coverage_for([req], on=d("2027-01-31"))
    assert row.compliant == 2


def _forecast_points(html: str) -> dict[str, float]:
    for block in re.findall(r'<script id="chart-[^"]*-spec" type="application/json">(.*?)</script>', html, re.S):
        spec = json.loads(block)
        for layer in spec.get("layer", []):
            values = layer.get("data", {}).get("values", [])
            points = {v["month"][:10]: v["share"] for v in values if v.get("series") == "Prognose"}
            if points:
                return points
    raise AssertionError("no forecast in the page")


def test_the_facility_page_draws_the_forecast_with_booked_courses(client: Any, world: Any) -> None:
    comp = factories.competence()
    course = training.course()
    CourseCompetence.objects.create(course=course, competence=comp)
    session = training.session(course, days=[d("2027-01-20")])
    book(world.dolmer_staff[0], session)
    requirement([comp], facility=world.dolmer, rule=Rule.PERCENT_PEOPLE, target="75", deadline=d("2027-03-31"))
    client.force_login(world.admin)

    response = client.get(reverse("requirements:facility_coverage", args=[world.dolmer.pk]), {"dato": "2026-11-23"})

    points = _forecast_points(response.content.decode())
    assert points["2026-12-31"] == 0
    assert points["2027-01-31"] == pytest.approx(33.3)
    assert "planlagte og tilmeldte kurser" in response.content.decode()
