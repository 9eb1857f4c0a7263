"""The planning services against the database: inputs, a run, accepting, re-planning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from styrbord.funding.models import LedgerEntry
from styrbord.organisations.models import StaffingPeriod
from styrbord.planner.evaluate import evaluate
from styrbord.planner.model import Plan
from styrbord.planning import services
from styrbord.planning.inputs import OWN_BUDGET_ID, build_inputs
from styrbord.planning.models import PlanRun, Scenario
from styrbord.planning.tests.data import DAYS, planning_setup
from styrbord.staff.models import Absence
from styrbord.testing.fixtures import World
from styrbord.training.models import Booking, BookingStatus
from styrbord.training.services import book

pytestmark = pytest.mark.django_db


def run_now(scenario: Scenario) -> PlanRun:
    run = PlanRun.objects.create(scenario=scenario, parameters=services.parameters_of(scenario))
    return services.execute_run(run.pk)


def test_inputs_describe_people_sessions_requirements_and_money(world: World) -> None:
    setup = planning_setup(world, own_budget="5000.00")
    Absence.objects.create(employee=world.dolmer_staff[1], start_date=dt.date(2027, 2, 1), end_date=dt.date(2027, 2, 5))
    inputs = build_inputs(setup.scenario)
    problem = inputs.problem
    assert len(problem.persons) == 5
    (requirement,) = problem.requirements
    assert len(requirement.population) == 5
    assert requirement.weight == 3.0
    assert requirement.deadline == dt.date(2027, 6, 30)
    assert [s.fee_ore for s in problem.sessions] == [200_000, 200_000]
    grants = {g.id: g for g in problem.grants}
    assert grants[setup.grant.pk].remaining_ore == 2_000_000
    assert grants[setup.grant.pk].facility_ids == frozenset({world.dolmer.pk})
    assert grants[OWN_BUDGET_ID].remaining_ore == 500_000
    away = {p.id: p.unavailable for p in problem.persons}
    employment = world.dolmer_staff[1].employments.get()
    assert away[employment.pk] == frozenset({dt.date(2027, 2, 3)})


def test_a_second_employment_counts_at_both_facilities_on_the_days_it_runs(world: World) -> None:
    """One person, two employments: the main one (Dolmer Have) is planned; Glesborg, where a
    second employment runs, counts them towards its minimum too, on the days it runs."""
    from styrbord.testing import factories

    setup = planning_setup(world)
    both, part = world.dolmer_staff[0], world.dolmer_staff[1]
    factories.employment(both, world.glesborg, weekly_hours="8")
    factories.employment(part, world.glesborg, weekly_hours="8", end_date=dt.date(2027, 2, 28))
    inputs = build_inputs(setup.scenario)
    persons = {inputs.employee_of[p.id]: p for p in inputs.problem.persons}
    assert persons[both.pk].facility_id == world.dolmer.pk  # the main employment (more hours)
    assert persons[both.pk].staffed_at == (world.dolmer.pk, world.glesborg.pk)
    assert persons[both.pk].away_at == {}  # employed at Glesborg on every session day
    assert persons[part.pk].staffed_at == (world.dolmer.pk, world.glesborg.pk)
    session_days = {d for s in inputs.problem.sessions for d in s.days}
    after = {d for d in session_days if d > dt.date(2027, 2, 28)}
    assert after == {dt.date(2027, 3, 10)}  # the second session comes after the end
    assert persons[part.pk].not_employed_at(world.glesborg.pk) == after
    assert persons[part.pk].not_employed_at(world.dolmer.pk) == frozenset()  # the main employment
    assert len(inputs.problem.persons) == 5  # still one planner person each
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.DONE, run.error
    rows = {r["facility"]: r for r in run.result["facilities"]}
    glesborg_staff = sum(1 for p in inputs.problem.persons if world.glesborg.pk in p.staffed_at)
    assert rows[world.glesborg.pk]["staff"] == glesborg_staff == len(world.glesborg_staff) + 2


def test_a_period_with_a_higher_minimum_keeps_the_plan_off_its_days(world: World) -> None:
    """Dolmer Have's three must all be at work on 3 February 2027 (1:1 support that day), so the
    plan sends them on the March session; a period outside the horizon is not passed on."""
    setup = planning_setup(world)
    world.dolmer.minimum_staff = 1
    world.dolmer.minimum_staff_weekend = 2
    world.dolmer.save()
    StaffingPeriod.objects.create(facility=world.dolmer, start_date=DAYS[0], end_date=DAYS[0], minimum=3)
    StaffingPeriod.objects.create(
        facility=world.dolmer, start_date=dt.date(2029, 1, 1), end_date=dt.date(2029, 1, 31), minimum=9
    )
    rules = {rule.facility_id: rule for rule in build_inputs(setup.scenario).problem.staffing}
    dolmer = rules[world.dolmer.pk]
    assert (dolmer.min_staff, dolmer.weekend_min_staff) == (1, 2)
    assert [(p.start, p.end, p.min_staff) for p in dolmer.periods] == [(DAYS[0], DAYS[0], 3)]
    assert rules[world.glesborg.pk].periods == ()
    # Public holidays in the horizon (1-12-2026 to 31-12-2027) go to the planner as data.
    assert {dt.date(2026, 12, 25), dt.date(2027, 5, 6)} <= dolmer.holidays
    assert dt.date(2026, 4, 3) not in dolmer.holidays  # Good Friday 2026: before the horizon
    assert dolmer.minimum_on(dt.date(2026, 12, 25)) == 2  # a Friday, staffed as a weekend
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.DONE, run.error
    seats = list(run.assignments.select_related("employment"))
    dolmer_sessions = {s.session_id for s in seats if s.employment.facility_id == world.dolmer.pk}
    assert dolmer_sessions == {setup.sessions[1].pk}
    # Two of three away on 10 March against a weekday minimum of one: no margin left.
    (row,) = [r for r in run.result["facilities"] if r["facility"] == world.dolmer.pk]
    assert (row["seats"], row["peak"], row["margin"]) == (2, 2, 0)


def test_a_day_that_existing_bookings_take_under_the_minimum_is_named_and_gets_no_new_seat(world: World) -> None:
    """Two of Dolmer Have's three are already booked on 3 February against a minimum of two: the
    day is one short before any plan. The run puts its new seat on 10 March and says so."""
    setup = planning_setup(world, own_budget="10000.00")
    world.dolmer.minimum_staff = 2
    world.dolmer.save()
    for person in world.dolmer_staff[:2]:
        Booking.objects.create(
            employee=person,
            employment=person.employments.get(),
            session=setup.sessions[0],
            status=BookingStatus.BOOKED,
        )
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.DONE, run.error
    third = world.dolmer_staff[2]
    assert set(run.assignments.filter(employee=third).values_list("session_id", flat=True)) == {setup.sessions[1].pk}
    (row,) = [r for r in run.result["facilities"] if r["facility"] == world.dolmer.pk]
    assert (row["margin"], row["short_days"], row["new_on_short_days"]) == (-1, 1, 0)
    assert row["first_short_day"] == "2027-02-03"
    (glesborg,) = [r for r in run.result["facilities"] if r["facility"] == world.glesborg.pk]
    assert (glesborg["short_days"], glesborg["new_on_short_days"]) == (0, 0)
    assert "first_short_day" not in glesborg


def test_a_run_spends_the_money_it_has_and_names_what_holds_the_rest_back(world: World) -> None:
    setup = planning_setup(world)
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.DONE, run.error
    seats = list(run.assignments.select_related("employment"))
    assert {s.employment.facility_id for s in seats} == {world.dolmer.pk}
    assert len(seats) == 3
    (target,) = run.result["targets"]
    assert not target["met"]
    assert target["reason"] == "budget"
    assert run.inputs["persons"]
    assert run.points is not None
    assert run.bound is not None
    assert run.bound >= run.points
    assert run.cost == sum((s.cost for s in seats), Decimal("0"))
    # stored with its parameters, solver status, objective, bound and timings
    assert run.parameters["time_limit_s"] == 3
    assert run.parameters["grants"] == [setup.grant.pk]
    assert run.solver_status in {"optimal", "feasible"}
    assert run.gap is not None
    assert run.gap >= 0
    assert run.time_to_first_plan_s is not None
    assert run.total_time_s is not None
    assert 0 <= run.time_to_first_plan_s <= run.total_time_s
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.started_at <= run.finished_at


def test_own_money_lets_the_plan_meet_the_target(world: World) -> None:
    setup = planning_setup(world, own_budget="10000.00")
    run = run_now(setup.scenario)
    (target,) = run.result["targets"]
    assert target["met"]
    assert run.assignments.count() == 5
    inputs = build_inputs(setup.scenario)
    assert evaluate(inputs.problem, Plan((), ())).points < run.points


def test_starting_a_run_queues_it_and_solves_it_after_commit(
    world: World, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    setup = planning_setup(world)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(setup.scenario, world.coordinator)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.DONE
    assert run.progress == 100


def test_a_second_run_waits_for_the_first(world: World) -> None:
    setup = planning_setup(world)
    PlanRun.objects.create(scenario=setup.scenario, status=PlanRun.Status.RUNNING)
    with pytest.raises(services.PlanningError):
        services.start_run(setup.scenario, world.coordinator)


def test_accepting_books_planned_seats_and_charges_the_grant(world: World) -> None:
    setup = planning_setup(world)
    run = run_now(setup.scenario)
    bookings = services.accept_run(run, world.coordinator)
    assert len(bookings) == 3
    assert {b.status for b in bookings} == {BookingStatus.PLANNED}
    charged = LedgerEntry.objects.filter(grant=setup.grant, booking__in=bookings)
    assert charged.exists()
    setup.scenario.refresh_from_db()
    assert setup.scenario.status == Scenario.Status.ACCEPTED
    assert setup.scenario.accepted_run == run
    assert run.assignments.filter(booking__isnull=False).count() == 3


def test_accepted_bookings_note_their_scenario_in_danish_whoever_accepts(world: World) -> None:
    setup = planning_setup(world)
    run = run_now(setup.scenario)
    with translation.override("en"):
        bookings = services.accept_run(run, world.coordinator)
    assert {b.note for b in bookings} == {f"Fra planlægningsscenariet {setup.scenario.name}"}


def test_replanning_keeps_accepted_bookings(world: World) -> None:
    setup = planning_setup(world, own_budget="10000.00")
    first = run_now(setup.scenario)
    services.accept_run(first, world.coordinator)
    second = run_now(setup.scenario)
    assert second.status == PlanRun.Status.DONE, second.error
    kept = set(Booking.objects.filter(status=BookingStatus.PLANNED).values_list("employee_id", "session_id"))
    planned = set(second.assignments.values_list("employee_id", "session_id"))
    assert kept <= planned
    assert second.assignments.filter(existing=True).count() == len(kept)
    assert services.accept_run(second, world.coordinator) == []  # nothing new to book


def test_an_old_run_cannot_be_accepted(world: World) -> None:
    setup = planning_setup(world)
    first = run_now(setup.scenario)
    run_now(setup.scenario)
    with pytest.raises(services.PlanningError):
        services.accept_run(first, world.coordinator)


def test_a_failing_run_is_stored_with_its_error(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = planning_setup(world)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no solver")

    monkeypatch.setattr(services, "solve", broken)
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.FAILED
    assert "no solver" in run.error


def test_replanning_moves_accepted_bookings_when_told_to(world: World) -> None:
    setup = planning_setup(world, own_budget="10000.00")
    first = run_now(setup.scenario)
    services.accept_run(first, world.coordinator)
    early = Booking.objects.filter(status=BookingStatus.PLANNED, session=setup.sessions[0]).first()
    assert early is not None
    # the person falls ill on the day of the first session; one seat is free on the second
    Absence.objects.create(employee=early.employee, start_date=DAYS[0], end_date=DAYS[0])

    kept = run_now(setup.scenario)  # keep_accepted (the default): the booking stays where it is
    assert kept.assignments.filter(employee=early.employee, session=setup.sessions[0], existing=True).exists()
    assert all(b.fixed for b in build_inputs(setup.scenario).problem.bookings)

    setup.scenario.keep_accepted = False
    setup.scenario.save()
    assert not any(b.fixed for b in build_inputs(setup.scenario).problem.bookings)
    moved = run_now(setup.scenario)
    assert moved.status == PlanRun.Status.DONE, moved.error
    seats = set(moved.assignments.values_list("employee_id", "session_id"))
    assert (early.employee_id, setup.sessions[1].pk) in seats
    assert (early.employee_id, setup.sessions[0].pk) not in seats
    (target,) = moved.result["targets"]
    assert target["met"]
    services.accept_run(moved, world.coordinator)
    early.refresh_from_db()
    assert early.status == BookingStatus.CANCELLED
    assert Booking.objects.filter(
        employee=early.employee, session=setup.sessions[1], status=BookingStatus.PLANNED
    ).exists()


def test_accepting_the_same_run_again_changes_nothing(world: World) -> None:
    """A form sent twice (a double click, a reload) must not cancel again what the plan moved."""
    setup = planning_setup(world, own_budget="10000.00")
    services.accept_run(run_now(setup.scenario), world.coordinator)
    early = Booking.objects.filter(status=BookingStatus.PLANNED, session=setup.sessions[0]).first()
    assert early is not None
    Absence.objects.create(employee=early.employee, start_date=DAYS[0], end_date=DAYS[0])
    setup.scenario.keep_accepted = False
    setup.scenario.save()
    moved = run_now(setup.scenario)
    services.accept_run(moved, world.coordinator)  # cancels the booking on the first session
    early.refresh_from_db()
    assert early.status == BookingStatus.CANCELLED
    # The absence is withdrawn and the manager books the person on the first session again by hand.
    Absence.objects.filter(employee=early.employee).delete()
    by_hand = book(early.employee, setup.sessions[0], early.employment, status=BookingStatus.PLANNED)
    bookings_before = Booking.objects.count()

    with pytest.raises(services.PlanningError, match="allerede godkendt"):
        services.accept_run(moved, world.coordinator)

    by_hand.refresh_from_db()
    assert by_hand.status == BookingStatus.PLANNED
    assert Booking.objects.count() == bookings_before
    assert Scenario.objects.get(pk=setup.scenario.pk).accepted_run == moved


@pytest.mark.django_db(transaction=True)
def test_a_database_worker_picks_up_the_run(world: World, settings: Any) -> None:
    """Production: the run waits in the database queue until a `db_worker` on the "planning" queue takes it."""
    from django.core.management import call_command

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "planning", "reports"]}
    }
    setup = planning_setup(world)
    run = services.start_run(setup.scenario, world.coordinator)  # not in an atomic block: enqueued at once
    run.refresh_from_db()
    assert run.status == PlanRun.Status.QUEUED
    call_command("db_worker", queue_name="planning", batch=True, no_startup_delay=True, interval=0.1)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.DONE, run.error
    assert run.assignments.count() == 3


def _on(day: dt.date) -> Any:
    import time_machine

    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC), tick=False)


def test_a_scenario_whose_start_has_passed_plans_no_course_that_has_begun(world: World) -> None:
    """Saved with 'plan from' 01-12-2026 and run again on 10-02-2027: the first session (03-02-2027)
    has begun, so no one is planned on it, and a planned seat left on it is not counted as done."""
    setup = planning_setup(world)
    first, second = setup.sessions
    with _on(dt.date(2027, 1, 10)):
        left = book(world.dolmer_staff[0], first)  # planned, never booked with the provider
    with _on(dt.date(2027, 2, 10)):
        inputs = build_inputs(setup.scenario)
        assert inputs.problem.start == dt.date(2027, 2, 11)
        assert [s.id for s in inputs.problem.sessions] == [second.pk]
        assert inputs.problem.bookings == ()
        run = run_now(setup.scenario)
        assert run.status == PlanRun.Status.DONE, run.error
        assert set(run.assignments.values_list("session_id", flat=True)) == {second.pk}
        assert run.assignments.count() == 3  # the second session's seats
    assert Booking.objects.get(pk=left.pk).status == BookingStatus.PLANNED  # the coordinator's to clear


def test_a_run_older_than_a_courses_first_day_cannot_be_accepted(world: World) -> None:
    setup = planning_setup(world, capacity=2)
    with _on(dt.date(2027, 1, 20)):
        run = run_now(setup.scenario)
        assert run.status == PlanRun.Status.DONE, run.error
        assert run.assignments.filter(session=setup.sessions[0]).exists()
    with _on(dt.date(2027, 2, 5)), pytest.raises(services.PlanningError) as caught:
        services.accept_run(run, world.coordinator)
    assert str(caught.value) == (
        f"Planen kan ikke godkendes: {setup.sessions[0]} er begyndt siden kørslen. Kør scenariet igen."
    )
    assert not Booking.objects.exists()
    setup.scenario.refresh_from_db()
    assert setup.scenario.status == Scenario.Status.DRAFT


def test_a_scenario_whose_period_is_over_is_not_run_and_the_page_says_why(world: World) -> None:
    from django.test import Client

    setup = planning_setup(world)
    client = Client()
    url = f"/planlaegning/{setup.scenario.pk}/"
    with _on(dt.date(2027, 2, 10)):
        client.force_login(world.coordinator)  # a session of that day
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        notice = page.split('id="scenario-start-passed"')[1].split("</div>")[0]
        assert (
            "Planlæg fra (01-12-2026) er passeret. En ny kørsel planlægger kun hold, der begynder 11-02-2027" in notice
        )
    with _on(dt.date(2028, 1, 3)):
        client.force_login(world.coordinator)
        with pytest.raises(services.PlanningError) as caught:
            services.start_run(setup.scenario, world.coordinator)
        assert str(caught.value) == (
            "Scenariets periode sluttede 31-12-2027, så der er ingen hold at planlægge. Ret perioden, og kør igen."
        )
        assert "Scenariets periode sluttede 31-12-2027." in client.get(url).content.decode()
        client.cookies["django_language"] = "en"
        english = client.get(url).content.decode()
        assert "period ended on 31 Dec 2027. Change the period to plan again." in english
    assert not PlanRun.objects.exists()


def test_a_refused_acceptance_names_three_begun_sessions_and_counts_the_rest(world: World) -> None:
    from styrbord.training.models import Session

    setup = planning_setup(world, own_budget="100000.00", capacity=1)
    for n, day in enumerate((dt.date(2027, 1, 26), dt.date(2027, 1, 27), dt.date(2027, 1, 28)), start=3):
        session = Session.objects.create(course=setup.course, name=f"Hold {n}", capacity=1)
        session.set_days([(day, Decimal("7.40"))])
    with _on(dt.date(2027, 1, 20)):
        run = run_now(setup.scenario)
        assert run.status == PlanRun.Status.DONE, run.error
        assert run.assignments.filter(existing=False).values("session").distinct().count() == 5
    with _on(dt.date(2027, 3, 11)), pytest.raises(services.PlanningError) as caught:
        services.accept_run(run, world.coordinator)
    assert str(caught.value).startswith("Planen kan ikke godkendes: Konflikthåndtering – Hold 3, ")
    assert str(caught.value).endswith(" og 2 hold mere er begyndt siden kørslen. Kør scenariet igen.")


def test_a_replan_has_only_the_own_money_its_accepted_plans_left(world: World) -> None:
    """The scenario's own budget is a ceiling for all its plans together: a re-plan that keeps
    the accepted seats does not get the whole budget again (it spent it twice before)."""
    from styrbord.lib.money import to_ore
    from styrbord.planning.inputs import own_budget_used

    setup = planning_setup(world, own_budget="10000.00")
    first = run_now(setup.scenario)
    own_first = sum(
        (Decimal(c["amount"]) for a in first.assignments.all() for c in a.charges if c["grant"] == OWN_BUDGET_ID),
        Decimal("0"),
    )
    assert own_first > 0
    bookings = services.accept_run(first, world.coordinator)
    assert own_budget_used(setup.scenario) == own_first
    own = next(g for g in build_inputs(setup.scenario).problem.grants if g.id == OWN_BUDGET_ID)
    assert own.remaining_ore == to_ore(Decimal("10000.00") - own_first)
    second = run_now(setup.scenario)
    (row,) = [g for g in second.result["grants"] if g["grant"] == OWN_BUDGET_ID]
    assert Decimal(row["remaining"]) == Decimal("10000.00") - own_first
    assert "heraf" in row["name"]
    assert Decimal(row["planned"]) <= Decimal(row["remaining"])
    # Seats cancelled give their money back to the scenario.
    from styrbord.training.services import cancel

    for booking in bookings:
        cancel(booking)
    assert own_budget_used(setup.scenario) == 0


def test_a_plan_cannot_put_people_on_a_session_filled_since_the_run(world: World) -> None:
    setup = planning_setup(world)
    run = run_now(setup.scenario)
    session = run.assignments.filter(existing=False).first().session  # type: ignore[union-attr]
    # Filled by hand after the run (the planner counted it empty): three booked seats from Syddjurs.
    for person in world.syddjurs_staff[: session.capacity]:
        book(person, session, status=BookingStatus.BOOKED)
    with pytest.raises(services.PlanningError, match="holdene er fyldt op siden kørslen"):
        services.accept_run(run, world.coordinator)
    assert not Booking.objects.filter(status=BookingStatus.PLANNED).exists()


def test_accepting_seats_on_a_team_day_charges_the_grant_what_the_plan_said(world: World) -> None:
    """A team day's price is shared by its participants. Accepting charged each seat as it was
    booked, the first when it was the only one, so its share of the grant was worked out from a
    price that changed as colleagues joined (here the grant ended 1 øre off the plan). Now all
    seats are booked first, and each is charged on the final price."""
    from django.db.models import Sum

    from styrbord.training.models import BookingCost, Course

    setup = planning_setup(world, grant_kr="20000.00")
    Course.objects.filter(pk=setup.course.pk).update(
        kind=Course.Kind.IN_HOUSE_TEAM_DAY, fee_per_participant=Decimal("0"), fee_per_inhouse_day=Decimal("6000.00")
    )
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.DONE, run.error
    bookings = services.accept_run(run, world.coordinator)
    assert len(bookings) == 3
    planned = sum(
        (Decimal(c["amount"]) for a in run.assignments.all() for c in a.charges if int(c["grant"]) == setup.grant.pk),
        Decimal("0"),
    )
    charged = LedgerEntry.objects.filter(grant=setup.grant, booking__in=bookings).aggregate(s=Sum("amount"))["s"]
    costs = BookingCost.objects.filter(booking__in=bookings).aggregate(s=Sum("amount"))["s"]
    assert planned > 0
    assert (charged, costs) == (planned, planned)


def test_accepted_seats_that_leave_a_facility_short_are_flagged(world: World) -> None:
    """Dolmer Have's minimum rose to all three after the run: each of its accepted seats now leaves
    the house short on its day and is flagged, as a booking by hand would be (the plan's seats are
    checked per session once all are booked)."""
    setup = planning_setup(world)
    run = run_now(setup.scenario)
    world.dolmer.minimum_staff = 3
    world.dolmer.save()
    bookings = services.accept_run(run, world.coordinator)
    flags = {
        b.employment.facility_id: b.staffing_warning
        for b in Booking.objects.filter(pk__in=[b.pk for b in bookings]).select_related("employment")
    }
    assert flags == {world.dolmer.pk: True}
    assert {b.staffing_warning for b in bookings} == {True}


def test_a_team_days_seat_is_priced_by_the_people_who_could_share_it(world: World) -> None:
    """A walk accepted a plan that priced a team day for a house of four at 6.000 kr. / 11 seats
    a seat; the bookings then cost 6.000 / 4 each, and the plan's total was 8.488 kr. short. A
    seat is now priced by those who could take part (here Dolmer Have's three), not the seats."""
    from styrbord.training.models import BookingCost, Course, Session

    setup = planning_setup(world, grant_kr="20000.00", capacity=20)
    Course.objects.filter(pk=setup.course.pk).update(
        kind=Course.Kind.IN_HOUSE_TEAM_DAY, fee_per_participant=Decimal("0"), fee_per_inhouse_day=Decimal("6000.00")
    )
    Session.objects.filter(pk__in=[s.pk for s in setup.sessions]).update(facility=world.dolmer)
    fees = {s.id: s.fee_ore for s in build_inputs(setup.scenario).problem.sessions}
    assert fees == {s.pk: 200_000 for s in setup.sessions}  # 6.000 kr. / 3, not / 20
    run = run_now(setup.scenario)
    assert run.status == PlanRun.Status.DONE, run.error
    bookings = services.accept_run(run, world.coordinator)
    fee_lines = BookingCost.objects.filter(booking__in=bookings, category="fee")
    assert sorted(c.amount for c in fee_lines) == [Decimal("2000.00")] * 3


def test_a_grant_closed_or_out_of_period_since_the_run_refuses_the_acceptance_as_said_before(world: World) -> None:
    """The confirmation's reason is the acceptance's: funding refuses a charge to a grant that no
    longer takes entries, or for a course day outside its pool's period, and nothing is booked."""
    from styrbord.funding.models import Grant, Pool

    setup = planning_setup(world)
    run = run_now(setup.scenario)
    charged = {a.session for a in run.assignments.select_related("session__course") if services._charged_per_grant([a])}
    assert charged
    assert services.acceptance_refusal(run) is None
    Grant.objects.filter(pk=setup.grant.pk).update(status=Grant.Status.CLOSED)
    assert services.acceptance_refusal(run) == (
        "Planen kan ikke godkendes: tilsagnet kan ikke længere betale det, planen regner med "
        f"({setup.grant} tager ikke imod posteringer (status: Afsluttet)). Kør scenariet igen."
    )
    with pytest.raises(services.PlanningError, match="er ikke åbent for posteringer"):
        services.accept_run(run, world.coordinator)
    assert not Booking.objects.exists()

    Grant.objects.filter(pk=setup.grant.pk).update(status=Grant.Status.APPROVED)
    last = max(charged, key=lambda s: s.first_day)
    Pool.objects.filter(pk=setup.pool.pk).update(period_end=last.first_day - dt.timedelta(days=1))
    refusal = services.acceptance_refusal(run)
    assert refusal is not None
    assert f"({setup.grant}: {last} ligger uden for puljens periode 01-01-2026 – " in refusal
    with pytest.raises(services.PlanningError, match="uden for projektperioden"):
        services.accept_run(run, world.coordinator)
    assert not Booking.objects.exists()

    Pool.objects.filter(pk=setup.pool.pk).update(period_end=last.first_day)  # its last day counts
    assert services.acceptance_refusal(run) is None
    assert len(services.accept_run(run, world.coordinator)) == len(run.assignments.filter(existing=False))


def test_the_sessions_to_book_name_only_the_people_the_reader_may_see(world: World) -> None:
    setup = planning_setup(world, own_budget="10000.00")
    run = run_now(setup.scenario)
    new = run.assignments.filter(existing=False, booking__isnull=True)
    rows = services.acceptance_sessions(run, new.filter(employment__facility=world.dolmer))
    assert [r.session for r in rows] == sorted({a.session for a in new}, key=lambda s: s.first_day)
    assert sum(r.seats for r in rows) == new.count()
    assert sum((r.cost for r in rows), Decimal("0")) == sum((a.cost for a in new), Decimal("0"))
    for row in rows:
        assert {p.employment.facility_id for p in row.people} <= {world.dolmer.pk}
        assert row.hidden == new.filter(session=row.session).exclude(employment__facility=world.dolmer).count()
    assert sum(r.hidden for r in rows) == new.exclude(employment__facility=world.dolmer).count() > 0
    assert all(r.people == [] for r in services.acceptance_sessions(run))  # no names without a scope
