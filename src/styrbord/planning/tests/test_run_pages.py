"""What a run's pages call things (from a report-only walk of the demo).

- The facility table's seats column counted existing and new seats together and read "Places" in
  English, the word for a facility's residential places: it now says the plan's new course seats
  and the course seats already booked apart, on the page (the facility manager's summed row too)
  and in the export.
- The comparison said "different periods or facilities" for runs that differed only in their
  staff: it now names what the runs' stored inputs differ in.
- A run was numbered by its database id ("plan #3" for a scenario's second run): it is numbered
  within its scenario.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.planning import services
from styrbord.planning.compare import input_differences
from styrbord.planning.models import PlanAssignment, PlanRun, Scenario
from styrbord.planning.tests.data import Setup, planning_setup
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.training.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db


def _run(scenario: Scenario) -> PlanRun:
    run = PlanRun.objects.create(scenario=scenario, parameters=services.parameters_of(scenario))
    run = services.execute_run(run.pk)
    assert run.status == PlanRun.Status.DONE, run.error
    return run


def _copy(scenario: Scenario, name: str, **changes: Any) -> Scenario:
    facilities, grants = list(scenario.facilities.all()), list(scenario.grants.all())
    copy = Scenario.objects.get(pk=scenario.pk)
    copy.pk = None
    copy.name = name
    for key, value in changes.items():
        setattr(copy, key, value)
    copy.save()
    copy.facilities.set(facilities)
    copy.grants.set(grants)
    return copy


def _english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


# --- the seats columns ---------------------------------------------------------------------------


def _plan_with_a_booked_seat(world: World) -> tuple[Setup, PlanRun]:
    """A plan in which one of Dolmer Have's staff is already booked on the first session."""
    setup = planning_setup(world, own_budget="10000.00")
    person = world.dolmer_staff[0]
    Booking.objects.create(
        employee=person, employment=person.employments.get(), session=setup.sessions[0], status=BookingStatus.BOOKED
    )
    return setup, _run(setup.scenario)


def _new_at(run: PlanRun, facility: Any) -> int:
    return run.assignments.filter(existing=False, employment__facility=facility).count()


def test_the_facility_table_says_new_course_seats_and_those_already_booked_apart(world: World) -> None:
    _setup, run = _plan_with_a_booked_seat(world)
    assert run.assignments.filter(existing=True).count() == 1
    assert run.result["new_seats"] > 0
    client = client_for(world.coordinator)
    url = reverse("planning:run_detail", args=[run.pk])

    response = client.get(url)

    page = response.content.decode()
    assert ">Nye kursuspladser</th>" in page
    assert ">Allerede bookede kursuspladser</th>" in page
    assert ">Pladser</th>" not in page
    rows = {row["name"]: row for row in response.context["result"]["facilities"]}
    assert (rows["Dolmer Have"]["new_seats"], rows["Dolmer Have"]["existing_seats"]) == (
        _new_at(run, world.dolmer),
        1,
    )
    assert rows["Dolmer Have"]["new_seats"] + 1 == rows["Dolmer Have"]["seats"]
    # The facilities' new seats add up to the tile's.
    assert sum(row["new_seats"] for row in rows.values()) == run.result["new_seats"]
    assert sum(row["existing_seats"] for row in rows.values()) == 1
    # On a phone the already booked column folds into the facility's cell.
    assert "1 kursusplads allerede booket" in page

    english = _english(client).get(url).content.decode()
    assert ">New course seats</th>" in english
    assert ">Course seats already booked</th>" in english
    assert ">Places</th>" not in english
    assert "1 course seat already booked" in english


def test_the_export_and_the_facility_managers_summed_row_say_the_same_seats(world: World) -> None:
    _setup, run = _plan_with_a_booked_seat(world)
    url = reverse("planning:run_xlsx", args=[run.pk])

    book = load_workbook(io.BytesIO(client_for(world.coordinator).get(url).content))

    sheet: list[tuple[Any, ...]] = list(book["Tilbud"].iter_rows(values_only=True))
    header, *rows = sheet
    assert header[3:5] == ("Nye kursuspladser", "Allerede bookede kursuspladser")
    by_name = {row[0]: row for row in rows}
    assert by_name["Dolmer Have"][3:5] == (_new_at(run, world.dolmer), 1)
    assert sum(row[3] for row in rows) == run.result["new_seats"]
    assert sum(Decimal(str(row[8])) for row in rows) == sum(a.cost for a in run.assignments.all())

    # A facility manager: Dolmer Have's row, the others summed into one, the same totals.
    manager = client_for(world.manager)
    page = manager.get(reverse("planning:run_detail", args=[run.pk]))
    shown = page.context["result"]["facilities"]
    assert [row["name"] for row in shown] == ["Dolmer Have", "Øvrige tilbud (1)"]
    assert shown[0]["new_seats"] == _new_at(run, world.dolmer)
    assert shown[1]["new_seats"] == _new_at(run, world.glesborg)
    assert sum(row["new_seats"] for row in shown) == run.result["new_seats"]
    assert sum(row["existing_seats"] for row in shown) == 1
    theirs = load_workbook(io.BytesIO(manager.get(url).content))
    header, *rows = list(theirs["Tilbud"].iter_rows(values_only=True))
    assert [row[3:5] for row in rows] == [(r["new_seats"], r["existing_seats"]) for r in shown]

    english = load_workbook(io.BytesIO(_english(client_for(world.coordinator)).get(url).content))
    assert next(english["Facilities"].iter_rows(values_only=True))[3:5] == (
        "New course seats",
        "Course seats already booked",
    )


# --- what the compared runs differ in --------------------------------------------------------------


def test_runs_that_differ_only_in_their_staff_are_said_to(world: World) -> None:
    """An HR import between two runs of one scenario: one more person at Dolmer Have. The coverage
    without a plan differs, and the page says it is the staff, not the period or the facilities."""
    setup = planning_setup(world)
    factories.holding(world.dolmer_staff[0], setup.competence, acquired_on=dt.date(2026, 1, 1))
    before = _run(setup.scenario)
    factories.employment(factories.employee(), world.dolmer)  # the import's new hire
    after = _run(setup.scenario)
    client = client_for(world.coordinator)

    response = client.get(reverse("planning:compare"), {"koersel": [before.pk, after.pk]})

    page = response.content.decode()
    assert response.context["table"]["differences"] == ["staff"]
    assert response.context["table"]["per_run"]  # 1 of 5 covered without a plan, then 1 of 6
    assert "Kørslerne er regnet på forskellige inddata: medarbejdere." in page
    assert "Det skyldes forskelle i medarbejdere." in page
    assert "perioder" not in page
    english = _english(client).get(reverse("planning:compare"), {"koersel": [before.pk, after.pk]})
    assert "The runs were worked out from different inputs: staff." in english.content.decode()
    assert "This is down to differences in staff." in english.content.decode()


def test_runs_name_each_difference_and_say_when_there_is_none(world: World) -> None:
    setup = planning_setup(world)
    first = _run(setup.scenario)
    again = _run(setup.scenario)
    assert input_differences([first, again]) == []
    page = client_for(world.coordinator).get(reverse("planning:compare"), {"koersel": [first.pk, again.pk]})
    assert "Kørslerne er regnet på de samme inddata." in page.content.decode()
    assert input_differences([first]) is None  # nothing to compare with

    # A shorter period and no grant: the two, and not the sessions dropped by the shorter period.
    shorter = _copy(setup.scenario, "Kort", horizon_end=dt.date(2027, 2, 28))
    shorter.grants.set([])
    other = _run(shorter)
    assert input_differences([first, other]) == ["period", "grants"]
    # Other facilities bring other people: the facilities are named, the people not again.
    fewer = _copy(setup.scenario, "Kun Dolmer")
    fewer.facilities.set([world.dolmer])
    assert input_differences([first, _run(fewer)]) == ["facilities"]
    # The own money and the cap on course days.
    richer = _copy(setup.scenario, "Rig", own_budget=Decimal("5000.00"), days_cap_per_year=4)
    assert input_differences([first, _run(richer)]) == ["own_budget", "days_cap"]
    # A run stored without its inputs cannot tell.
    PlanRun.objects.filter(pk=other.pk).update(inputs={})
    other.refresh_from_db()
    assert input_differences([first, other]) is None


# --- run numbers ---------------------------------------------------------------------------------


def test_a_run_is_numbered_within_its_scenario_on_every_page(world: World) -> None:
    setup = planning_setup(world)
    first = _run(setup.scenario)
    other_scenario = _copy(setup.scenario, "Uden puljen")
    theirs = _run(other_scenario)  # the database's second run, its scenario's first
    second = _run(setup.scenario)  # the database's third run, its scenario's second
    assert (first.number, theirs.number, second.number) == (1, 1, 2)
    assert {r.pk: r.number for r in PlanRun.objects.numbered()} == {first.pk: 1, theirs.pk: 1, second.pk: 2}
    client = client_for(world.coordinator)

    detail = client.get(reverse("planning:run_detail", args=[second.pk])).content.decode()
    assert "<h1>Konflikthåndtering 2027: plan #2</h1>" in detail
    assert (
        "<h1>Uden puljen: plan #1</h1>" in client.get(reverse("planning:run_detail", args=[theirs.pk])).content.decode()
    )
    confirm = client.get(reverse("planning:run_confirm", args=[second.pk])).content.decode()
    assert "Konflikthåndtering 2027 #2</h1>" in confirm
    compare = client.get(reverse("planning:compare"), {"koersel": [first.pk, second.pk, theirs.pk]}).content.decode()
    assert "Konflikthåndtering 2027 #1</a>" in compare
    assert "Konflikthåndtering 2027 #2</a>" in compare
    assert "Uden puljen #1</a>" in compare
    assert "Konflikthåndtering 2027 #3" not in compare
    listing = client.get(reverse("planning:scenario_list")).content.decode()
    assert f'<a href="{reverse("planning:run_detail", args=[second.pk])}">#2, ' in listing
    assert f'<a href="{reverse("planning:run_detail", args=[theirs.pk])}">#1, ' in listing
    scenario = client.get(reverse("planning:scenario_detail", args=[setup.scenario.pk])).content.decode()
    assert f'<a href="{reverse("planning:run_detail", args=[second.pk])}">#2, ' in scenario
    export = client.get(reverse("planning:run_xlsx", args=[second.pk]))
    assert export["Content-Disposition"] == 'attachment; filename="plan-2-konflikthaandtering-2027.xlsx"'
    assert str(second) == "Konflikthåndtering 2027 #2"


def test_the_admins_run_lists_number_runs_in_their_own_query(world: World, django_assert_max_num_queries: Any) -> None:
    """A run prints as "scenario #number", and its number is a count: the admin's lists of runs and
    of planned seats take it from their own query, not one count per row."""
    setup = planning_setup(world)
    first = _run(setup.scenario)
    second = _run(_copy(setup.scenario, "Uden puljen"))
    third = _run(setup.scenario)
    assert PlanAssignment.objects.filter(run__in=[first, second, third]).count() >= 3
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client = client_for(world.admin)
    with django_assert_max_num_queries(12):
        runs = client.get("/admin/planning/planrun/").content.decode()
    assert "Konflikthåndtering 2027 #2" in runs
    assert "Uden puljen #1" in runs
    with django_assert_max_num_queries(12):
        seats = client.get("/admin/planning/planassignment/").content.decode()
    assert "Konflikthåndtering 2027 #2" in seats
    assert "Uden puljen #1" in seats
