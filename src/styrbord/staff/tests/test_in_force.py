"""One rule for "is this employment in force on a day", used by every page that counts staff.

A municipal user found two counts of the same facility on the same day: the facility pages left
out an employment HR had marked ended (AktivStatus 0) before its last day, while the workforce
figures and the requirement coverage counted it until its end date. The rule is
``staff.models.in_force_q`` (its docstring says why); these tests hold every count to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from styrbord.lib.dates import local_today
from styrbord.organisations import services
from styrbord.requirements import benchmarks as requirement_sql
from styrbord.requirements.coverage import coverage_for, forecast, gaps_for, person_requirements
from styrbord.requirements.evidence import build_sheet
from styrbord.requirements.tests.helpers import requirement
from styrbord.staff.models import Employment, in_force, in_force_q
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.workforce import figures as workforce

pytestmark = pytest.mark.django_db

ENDED, ACTIVE = Employment.Status.ENDED, Employment.Status.ACTIVE


@pytest.fixture
def facility(world: World) -> dict[str, Any]:
    """A Norddjurs facility with three people: one ordinary employment; one HR marked ended
    ahead of its last day (in 20 days); one whose end date passed 10 days ago while its status
    still says active (the next import would end it)."""
    today = local_today()
    place = factories.facility("Tællehuset", "0707")
    keep = factories.employee(name="Bliver Bo")
    hr_ended = factories.employee(name="Fratrådt før tid")
    lagging = factories.employee(name="Udløbet aktiv")
    factories.employment(keep, place)
    factories.employment(hr_ended, place, end_date=today + dt.timedelta(days=20), status=ENDED)
    factories.employment(lagging, place, end_date=today - dt.timedelta(days=10), status=ACTIVE)
    competence = factories.competence()
    return {
        "facility": place,
        "keep": keep,
        "hr_ended": hr_ended,
        "lagging": lagging,
        "requirement": requirement([competence], facility=place),
        "competence": competence,
    }


def _facility_page(client: Any, place: Any) -> str:
    response = client.get(reverse("organisations:facility_detail", args=[place.pk]))
    assert response.status_code == 200
    return str(response.context["figures"]["headcount"])


def _list_row(response: Any, place: Any) -> str:
    assert response.status_code == 200
    return next(str(r.headcount) for r in response.context["rows"] if r.pk == place.pk)


def _workforce_headcount(place: Any, day: dt.date) -> int:
    figures = workforce.staff_figures(Employment.objects.filter(facility=place), [day.year], day)
    return figures.totals[day.year].headcount


def test_today_every_count_leaves_out_both_the_hr_ended_and_the_lapsed_employment(
    world: World, facility: dict[str, Any]
) -> None:
    today = local_today()
    place, req = facility["facility"], facility["requirement"]
    client = client_for(world.coordinator)
    overview = client.get(reverse("organisations:municipality_overview", args=["0707"]))
    facility_list = client.get(reverse("organisations:facility_list"))

    assert _facility_page(client, place) == "1"
    assert _list_row(facility_list, place) == "1"
    assert _list_row(overview, place) == "1"
    assert services.StaffSnapshot([place.pk], today).total().headcount == 1
    assert _workforce_headcount(place, today) == 1
    (row,) = coverage_for([req], on=today)
    assert row.in_scope == 1
    assert requirement_sql.sql_aggregate([req], today)[(req.pk, place.pk)][0] == 1
    assert {g.employee.pk for g in gaps_for(req, place, on=today)} == {facility["keep"].pk}
    assert [s.employee.pk for s in build_sheet(place, today).staff] == [facility["keep"].pk]
    assert person_requirements(facility["hr_ended"], today) == []
    # A course completion planned today for the person HR ended does not make them comply.
    (point,) = forecast(
        req, [place.pk], on=today, until=today, planned=[(facility["hr_ended"].pk, facility["competence"].pk, today)]
    )
    assert (point.in_scope, point.compliant) == (1, 0)


def test_a_day_before_today_is_decided_by_the_dates_everywhere(world: World, facility: dict[str, Any]) -> None:
    """A month ago all three worked there: the history of every figure counts them, whatever HR
    says of the one it has ended since."""
    past = local_today() - dt.timedelta(days=30)
    place, req = facility["facility"], facility["requirement"]

    assert services.StaffSnapshot([place.pk], past).total().headcount == 3
    assert len(services.facility_staff(place.pk, past)) == 3
    assert _workforce_headcount(place, past) == 3
    (row,) = coverage_for([req], on=past)
    assert row.in_scope == 3
    assert requirement_sql.sql_aggregate([req], past)[(req.pk, place.pk)][0] == 3
    assert len(build_sheet(place, past).staff) == 3
    assert [r.requirement for r in person_requirements(facility["hr_ended"], past)] == [req]


def test_the_python_twin_agrees_with_the_query_for_every_case(facility: dict[str, Any]) -> None:
    today = local_today()
    days = [today - dt.timedelta(days=d) for d in (-30, -20, -19, -1, 0, 1, 10, 11, 30)]
    for day in days:
        in_db = set(Employment.objects.filter(in_force_q(day)).values_list("pk", flat=True))
        twin = {e.pk for e in Employment.objects.all() if in_force(e.start_date, e.end_date, e.status, day)}
        method = set(Employment.objects.in_force(day).values_list("pk", flat=True))
        assert in_db == twin == method, day
