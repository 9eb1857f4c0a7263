"""One small hand-made test per constraint family: the planner respects it, and without the
family (``Parameters.disabled``) the same problem gets a plan the evaluator rejects for it."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from styrbord.planner.evaluate import evaluate
from styrbord.planner.model import (
    Assignment,
    Booking,
    Charge,
    Family,
    Plan,
    Problem,
    StaffingPeriod,
    StaffingRule,
)
from styrbord.planner.solve import solve
from styrbord.planning.tests.tiny import FACILITY, A, B, day, everyone, grant, person, problem, quick, session


def check(pb: Problem, family: Family) -> tuple[int, int]:
    """Seats planned with and without ``family``; asserts clean vs violating plans."""
    kept = solve(pb, quick())
    evaluation = evaluate(pb, kept.plan)
    assert evaluation.ok, evaluation.violations
    assert kept.points == pytest.approx(evaluation.points)
    dropped = solve(pb, quick(disabled=frozenset({family})))
    assert family in evaluate(pb, dropped.plan).by_family
    return len(kept.plan.assignments), len(dropped.plan.assignments)


def test_capacity_keeps_a_session_within_its_seats() -> None:
    people = [person(i) for i in range(1, 4)]
    pb = problem(people, [session(11, A, (1,), capacity=2)], [everyone(21, A, people)])
    assert check(pb, Family.CAPACITY) == (2, 3)


def test_clashes_keep_a_person_on_one_session_a_day() -> None:
    people = [person(1)]
    pb = problem(
        people, [session(11, A, (1,)), session(12, B, (1,))], [everyone(21, A, people), everyone(22, B, people)]
    )
    assert check(pb, Family.CLASHES) == (1, 2)


def test_staffing_keeps_the_minimum_at_work() -> None:
    people = [person(i) for i in range(1, 4)]
    pb = problem(people, [session(11, A, (1,))], [everyone(21, A, people)], staffing=[StaffingRule(FACILITY, 2)])
    assert check(pb, Family.STAFFING) == (1, 3)


def test_staffing_counts_people_on_leave_as_away() -> None:
    people = [person(1), person(2), person(3, unavailable=frozenset({day(1)}))]
    pb = problem(
        people[:2], [session(11, A, (1,))], [everyone(21, A, people[:2])], staffing=[StaffingRule(FACILITY, 1)]
    )
    pb_leave = problem(
        people, [session(11, A, (1,))], [everyone(21, A, people[:2])], staffing=[StaffingRule(FACILITY, 2)]
    )
    assert len(solve(pb, quick()).plan.assignments) == 1
    assert len(solve(pb_leave, quick()).plan.assignments) == 0


def test_staffing_counts_a_second_employment_at_the_other_facility_too() -> None:
    """Person 1 works at facility 10 and also at 20, where three must be at work: 20 has two
    of its own, so person 1's course day would leave it short. Counted once, at 10 only (as
    before), the plan sent them."""
    other = 20
    people = [person(1, also_at=frozenset({other})), person(4, facility=other), person(5, facility=other)]
    pb = problem(people, [session(11, A, (1,))], [everyone(21, A, people[:1])], staffing=[StaffingRule(other, 3)])
    assert people[0].staffed_at == (FACILITY, other)
    assert check(pb, Family.STAFFING) == (0, 1)
    once = replace(pb, persons=(replace(people[0], also_at=frozenset()), *people[1:]))
    assert len(solve(once, quick()).plan.assignments) == 1
    # Not employed at 20 on the course day (the second employment starts later): 20 misses nobody.
    later = replace(people[0], away_at={other: frozenset({day(1)})})
    assert later.unavailable_at(other) == frozenset({day(1)})
    assert later.unavailable_at(FACILITY) == frozenset()
    free = replace(pb, persons=(later, *people[1:]))
    plan = solve(free, quick()).plan
    assert len(plan.assignments) == 1
    assert evaluate(free, plan).ok


def test_staffing_holds_the_minimum_of_each_day_weekend_and_periods() -> None:
    """Four staff; a session on Tuesday (day 1) and one on Saturday (day 5). Three must be at
    work on weekdays but one on weekends, so three go on Saturday and one on Tuesday. A period
    over the weekend with a minimum of three leaves one place on Saturday."""
    people = [person(i) for i in range(1, 5)]
    sessions = [session(11, A, (1,)), session(12, A, (5,))]
    rule = StaffingRule(FACILITY, 3, weekend_min_staff=1)
    pb = problem(people, sessions, [everyone(21, A, people)], staffing=[rule])
    result = solve(pb, quick())
    assert evaluate(pb, result.plan).ok
    assert Counter(a.session_id for a in result.plan.assignments) == {11: 1, 12: 3}

    stricter = replace(rule, periods=(StaffingPeriod(day(4), day(6), 3),))
    pb_period = problem(people, sessions, [everyone(21, A, people)], staffing=[stricter])
    in_period = solve(pb_period, quick())
    assert evaluate(pb_period, in_period.plan).ok
    assert Counter(a.session_id for a in in_period.plan.assignments) == {11: 1, 12: 1}
    # The evaluator judges each day by its own minimum: the first plan breaks the period.
    assert Family.STAFFING in evaluate(pb_period, result.plan).by_family


def test_the_minimum_of_a_day_comes_from_the_period_then_the_weekend_then_the_weekdays() -> None:
    rule = StaffingRule(
        FACILITY,
        4,
        weekend_min_staff=2,
        periods=(StaffingPeriod(day(3), day(5), 6), StaffingPeriod(day(5), day(5), 7)),
    )
    assert [rule.minimum_on(day(n)) for n in range(8)] == [4, 4, 4, 6, 6, 7, 2, 4]
    assert StaffingRule(FACILITY, 4).minimum_on(day(6)) == 4  # no weekend minimum: as on weekdays
    assert StaffingRule(FACILITY, 4, weekend_min_staff=0).minimum_on(day(6)) == 0


def test_a_day_already_under_the_minimum_takes_no_new_seat_even_when_a_booking_moves_away() -> None:
    """Day 1: four staff, one on leave, minimum three: nobody may be away. Person 1's booking
    that day is a fact that may stay or move to day 5 (nurses only). Moving it frees no room on
    day 1: person 2 on day 1 would still leave two at work."""
    nurse = person(1, group="nurse")
    people = [nurse, person(2), person(3), person(4, unavailable=frozenset({day(1)}))]
    pb = problem(
        people,
        [session(11, A, (1,)), session(12, A, (5,), job_groups=("nurse",))],
        [everyone(21, A, people[:2])],
        staffing=[StaffingRule(FACILITY, 3)],
        bookings=[Booking(person_id=1, session_id=11, fixed=False)],
    )
    result = solve(pb, quick())
    assert evaluate(pb, result.plan).ok
    assert (2, 11) not in {(a.person_id, a.session_id) for a in result.plan.assignments}


def test_budgets_stop_spending_at_the_grant_balance() -> None:
    people = [person(i, hourly_wage_ore=0) for i in range(1, 4)]
    # three seats of 1.000 kr. each, 2.500 kr. left on the only grant
    pb = problem(people, [session(11, A, (1,), fee_ore=100_000)], [everyone(21, A, people)], [grant(2_500)])
    assert check(pb, Family.BUDGETS) == (2, 3)


def test_budgets_respect_what_a_grant_may_pay_for() -> None:
    people = [person(1, hourly_wage_ore=0), person(2, facility=99, hourly_wage_ore=0)]
    earmarked = grant(10_000, facility_ids=frozenset({FACILITY}))
    pb = problem(people, [session(11, A, (1,))], [everyone(21, A, people)], [earmarked])
    result = solve(pb, quick())
    assert [a.person_id for a in result.plan.assignments] == [1]
    assert evaluate(pb, result.plan).ok


def test_eligibility_keeps_out_other_job_groups_and_people_on_leave() -> None:
    on_leave = person(2, unavailable=frozenset({day(1)}))
    people = [person(1, group="nurse"), on_leave]
    pb = problem(people, [session(11, A, (1,), job_groups=("social_educator",))], [everyone(21, A, people)])
    assert check(pb, Family.ELIGIBILITY) == (0, 2)


def test_prerequisites_need_an_earlier_session() -> None:
    people = [person(1)]
    advanced = session(12, B, (10,), prerequisites=(A,))
    pb = problem(people, [session(11, A, (20,)), advanced], [everyone(22, B, people)])
    assert check(pb, Family.PREREQUISITES) == (0, 1)


def test_prerequisites_are_planned_as_a_chain() -> None:
    people = [person(1)]
    pb = problem(people, [session(11, A, (1,)), session(12, B, (10,), prerequisites=(A,))], [everyone(22, B, people)])
    result = solve(pb, quick())
    assert sorted(a.session_id for a in result.plan.assignments) == [11, 12]
    assert evaluate(pb, result.plan).ok


def test_days_cap_limits_course_days_in_a_year() -> None:
    people = [person(1, days_cap_per_year=4)]
    sessions = [session(11, A, (1, 2, 3)), session(12, B, (8, 9, 10))]
    pb = problem(people, sessions, [everyone(21, A, people), everyone(22, B, people)])
    assert check(pb, Family.DAYS_CAP) == (1, 2)


def test_fixed_bookings_stay_and_movable_ones_may_move() -> None:
    people = [person(1, unavailable=frozenset({day(5)})), person(2)]
    sessions = [session(11, A, (1,), capacity=1), session(12, A, (5,), capacity=1), session(13, B, (30,))]
    bookings = [Booking(1, 13, fixed=True), Booking(2, 11, fixed=False)]
    pb = problem(people, sessions, [everyone(21, A, people)], bookings=bookings)
    result = solve(pb, quick())
    seats = {(a.person_id, a.session_id) for a in result.plan.assignments}
    assert (1, 13) in seats  # kept although it earns nothing
    assert {(1, 11), (2, 12)} <= seats  # person 2 moved to make room
    assert evaluate(pb, result.plan).ok
    dropped = solve(pb, quick(disabled=frozenset({Family.BOOKINGS})))
    assert Family.BOOKINGS in evaluate(pb, dropped.plan).by_family


def test_a_co_financed_grant_pays_only_its_share() -> None:
    people = [person(i, hourly_wage_ore=0) for i in range(1, 4)]
    half = grant(10_000, share_permille=500)
    own = grant(1_600, gid=2, own=True)  # enough for the other half of three seats
    pb = problem(people, [session(11, A, (1,), fee_ore=100_000)], [everyone(21, A, people)], [half, own])
    result = solve(pb, quick())
    assert len(result.plan.assignments) == 3
    assert all(c.amount_ore <= 50_000 for c in result.plan.charges if c.grant_id == 1)
    assert sum(c.amount_ore for c in result.plan.charges) == 300_000
    assert evaluate(pb, result.plan).ok
    short = problem(
        people,
        [session(11, A, (1,), fee_ore=100_000)],
        [everyone(21, A, people)],
        [half, grant(1_200, gid=2, own=True)],
    )
    assert len(solve(short, quick()).plan.assignments) == 2


def _paid_by(plan: Plan) -> dict[int, int]:
    paid: Counter[int] = Counter()
    for charge in plan.charges:
        paid[charge.grant_id] += charge.amount_ore
    return dict(paid)


@pytest.mark.parametrize("strategy", ["milp", "greedy"])
def test_budgets_leave_what_a_co_financed_grant_does_not_pay_of_its_portion_to_the_own_budget(strategy: str) -> None:
    """The ledger charges a 50 % pool half of its portion of a cost and leaves the other half to
    the facility's own money, never to another pool (funding.rules.plan_split). Two seats of
    1.000 kr., a 50 % pool, a full pool of 1.000 kr. and 100 kr. of own money (each grant plus the
    krone the planner keeps back): only one seat can be paid, the full pool's. The planner had each
    pool pay half of each seat, and the ledger then put 1.000 kr. on 100 kr. of own money."""
    people = [person(i, hourly_wage_ore=0) for i in (1, 2)]
    half, full = grant(10_000, share_permille=500), grant(1_001, gid=2)
    sessions, targets = [session(11, A, (1,), fee_ore=100_000)], [everyone(21, A, people)]
    pb = problem(people, sessions, targets, [half, full, grant(101, gid=3, own=True)])
    result = solve(pb, quick(strategy=strategy))
    assert evaluate(pb, result.plan).ok
    assert "repaired" not in result.stats  # the model knew: no seat dropped after the solve
    assert len(result.plan.assignments) == 1
    assert _paid_by(result.plan) == {2: 100_000}
    # The old plan: each pool half of each seat. The evaluator rejects both seats.
    seats = tuple(Assignment(p.id, 11, 100_000) for p in people)
    halves = Plan(seats, tuple(Charge(g, p.id, 11, "fee", 50_000) for p in people for g in (1, 2)))
    assert evaluate(pb, halves).by_family == {Family.BUDGETS: 2}
    # With 500 kr. of own money both seats: the 50 % pool pays half of one, own money the other half.
    richer = problem(people, sessions, targets, [half, full, grant(501, gid=3, own=True)])
    result = solve(richer, quick(strategy=strategy))
    assert evaluate(richer, result.plan).ok
    assert "repaired" not in result.stats
    assert len(result.plan.assignments) == 2
    assert _paid_by(result.plan) == {1: 50_000, 2: 100_000, 3: 50_000}
    # Without an own budget a co-financed pool pays nothing: nobody would pay the rest.
    alone = problem(people, sessions, targets, [half])
    assert solve(alone, quick(strategy=strategy)).plan.assignments == ()


@pytest.mark.parametrize("strategy", ["milp", "greedy"])
def test_pools_pay_before_the_own_budget(strategy: str) -> None:
    """Pools expire; the own money is what is left. With 100.000 kr. of own money a 50 % pool paid
    nothing of a seat: the points and the cost were the same whoever paid. The pools pay first,
    a co-financed one its share, and the own budget the rest."""
    people = [person(1, hourly_wage_ore=0), person(2, hourly_wage_ore=0, facility=FACILITY + 1)]
    sessions, targets = [session(11, A, (1,), fee_ore=100_000)], [everyone(21, A, people)]
    own = grant(100_000, gid=3, own=True)
    half = grant(10_000, share_permille=500, facility_ids=frozenset({FACILITY}))
    full = grant(10_000, gid=2, facility_ids=frozenset({FACILITY + 1}))
    pb = problem(people, sessions, targets, [own, half, full])
    result = solve(pb, quick(strategy=strategy))
    assert evaluate(pb, result.plan).ok
    assert len(result.plan.assignments) == 2
    assert _paid_by(result.plan) == {1: 50_000, 2: 100_000, 3: 50_000}


def test_preferring_pools_never_costs_more() -> None:
    """Of two sessions giving the same points, the cheaper is planned though only own money pays
    for it, and the pool only for the dearer one: who pays breaks ties, never the cost."""
    people = [person(1, hourly_wage_ore=0)]
    pool = grant(10_000, period_start=day(20))
    sessions = [session(11, A, (1,), fee_ore=100_000), session(12, A, (30,), fee_ore=100_100)]
    pb = problem(people, sessions, [everyone(21, A, people)], [pool, grant(100_000, gid=3, own=True)])
    for strategy in ("milp", "greedy"):
        result = solve(pb, quick(strategy=strategy))
        assert evaluate(pb, result.plan).ok
        assert [a.session_id for a in result.plan.assignments] == [11]
        assert _paid_by(result.plan) == {3: 100_000}
