"""An independent evaluator: re-scores any plan from the problem alone and checks every hard rule.

It shares nothing with the solver's bookkeeping (no Index, no model): only the problem's
definitions (seat cost, expiry). Benchmarks and tests use it to check every plan.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from styrbord.planner.model import (
    SEAT_CATEGORIES,
    Family,
    Plan,
    Problem,
    RuleKind,
    expiry,
    holds_on,
    months_valid,
    requirement_points,
    seat_cost,
)


@dataclass(frozen=True)
class Violation:
    family: str
    detail: str


@dataclass(frozen=True)
class Evaluation:
    """Points and cost recomputed from scratch, attainment per requirement, and every violation."""

    points: float
    cost_ore: int
    attainment: dict[int, float]
    covered: dict[int, float]
    violations: tuple[Violation, ...] = ()
    by_family: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


def evaluate(problem: Problem, plan: Plan) -> Evaluation:
    """Check ``plan`` against ``problem``."""
    persons = {p.id: p for p in problem.persons}
    sessions = {s.id: s for s in problem.sessions}
    grants = {g.id: g for g in problem.grants}
    factor = {rule.facility_id: rule.backfill_permille for rule in problem.staffing}
    problems: list[Violation] = []

    def flag(family: str, detail: str) -> None:
        problems.append(Violation(family, detail))

    pairs = [(a.person_id, a.session_id) for a in plan.assignments]
    for pair, count in Counter(pairs).items():
        if count > 1:
            flag("duplicates", f"person {pair[0]} on session {pair[1]} {count} times")
    seats = [pair for pair in dict.fromkeys(pairs) if pair[0] in persons and pair[1] in sessions]
    for pair in dict.fromkeys(pairs):
        if pair not in seats:
            flag(Family.ELIGIBILITY, f"unknown person or session {pair}")
    fixed = {(b.person_id, b.session_id) for b in problem.bookings if b.fixed}
    # Existing bookings on their own sessions are facts for the limits (capacity, clashes,
    # staffing, days cap): a limit they already break is only checked for new seats.
    existing = {(b.person_id, b.session_id) for b in problem.bookings}
    # A paid booking's cost is already on a grant: a fixed one for its own seat, a movable one
    # for whichever session of its course the person ends up on.
    paid_seats = {(b.person_id, b.session_id) for b in problem.bookings if b.paid and b.fixed}
    paid_courses = {
        (b.person_id, sessions[b.session_id].course_id)
        for b in problem.bookings
        if b.paid and not b.fixed and b.session_id in sessions
    }
    by_person: dict[int, list[int]] = defaultdict(list)
    for p, s in seats:
        by_person[p].append(s)

    # bookings: fixed ones kept, movable ones on a session of the same course
    for booking in problem.bookings:
        if booking.session_id not in sessions:
            continue
        if booking.fixed and (booking.person_id, booking.session_id) not in seats:
            flag(Family.BOOKINGS, f"fixed booking {booking.person_id}/{booking.session_id} dropped")
        if not booking.fixed:
            course = sessions[booking.session_id].course_id
            if not any(sessions[s].course_id == course for s in by_person.get(booking.person_id, [])):
                flag(Family.BOOKINGS, f"movable booking {booking.person_id}/{booking.session_id} dropped")

    # eligibility
    for p, s in seats:
        if (p, s) in fixed:
            continue
        person, session = persons[p], sessions[s]
        if session.days[0] < problem.start:
            flag(Family.ELIGIBILITY, f"session {s} starts before the planning start")
        if session.job_groups and person.job_group not in session.job_groups:
            flag(Family.ELIGIBILITY, f"person {p} job group not admitted to session {s}")
        if session.facility_ids and person.facility_id not in session.facility_ids:
            flag(Family.ELIGIBILITY, f"person {p} facility not admitted to session {s}")
        if any(day in person.unavailable for day in session.days):
            flag(Family.ELIGIBILITY, f"person {p} unavailable during session {s}")

    # capacity
    per_session = Counter(s for _p, s in seats)
    fixed_per_session = Counter(s for p, s in seats if (p, s) in existing)
    for s, count in per_session.items():
        if count > max(sessions[s].capacity, fixed_per_session[s]):
            flag(Family.CAPACITY, f"session {s} has {count} participants, capacity {sessions[s].capacity}")

    # clashes and days cap
    for p, attended in by_person.items():
        day_count: Counter[dt.date] = Counter()
        fixed_day_count: Counter[dt.date] = Counter()
        year_count: Counter[int] = Counter()
        fixed_year_count: Counter[int] = Counter()
        for s in attended:
            for day in sessions[s].days:
                day_count[day] += 1
                year_count[day.year] += 1
                if (p, s) in existing:
                    fixed_day_count[day] += 1
                    fixed_year_count[day.year] += 1
        for day, count in day_count.items():
            if count > max(1, fixed_day_count[day]):
                flag(Family.CLASHES, f"person {p} on {count} sessions on {day}")
        cap = persons[p].days_cap_per_year
        for year, count in year_count.items():
            if count > max(cap, fixed_year_count[year]):
                flag(Family.DAYS_CAP, f"person {p} has {count} course days in {year}, cap {cap}")

    # staffing
    rules = {rule.facility_id: rule for rule in problem.staffing}
    staff: dict[int, list[int]] = defaultdict(list)
    for person in problem.persons:
        for facility in person.staffed_at:
            staff[facility].append(person.id)
    away: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    fixed_away: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for p, s in seats:
        for facility in persons[p].staffed_at:
            elsewhere = persons[p].not_employed_at(facility)
            for day in sessions[s].days:
                if day in elsewhere:
                    continue  # not employed there that day: takes nobody from it
                away[(facility, day)].add(p)
                if (p, s) in existing:
                    fixed_away[(facility, day)].add(p)
    for (facility, day), people in away.items():
        if facility not in rules:
            continue
        minimum = rules[facility].minimum_on(day)
        present = sum(1 for q in staff[facility] if day not in persons[q].unavailable_at(facility))
        at_work = present - sum(1 for q in people if day not in persons[q].unavailable)
        if at_work < minimum and len(people) > len(fixed_away[(facility, day)]):
            flag(Family.STAFFING, f"facility {facility} has {at_work} at work on {day}, minimum {minimum}")

    # prerequisites
    for p, s in seats:
        if (p, s) in fixed:
            continue
        session, person = sessions[s], persons[p]
        for c in session.prerequisites:
            held = c in person.holdings and holds_on(person.holdings[c], session.days[0])
            earned = any(
                c in sessions[o].grants
                and sessions[o].days[-1] < session.days[0]
                and holds_on(expiry(sessions[o].days[-1], months_valid(problem, sessions[o], c)), session.days[0])
                for o in by_person[p]
            )
            if not held and not earned:
                flag(Family.PREREQUISITES, f"person {p} lacks prerequisite {c} for session {s}")

    # budgets: every seat's cost fully charged to eligible grants, no grant overspent
    cost_total = 0
    needs: dict[tuple[int, int], dict[str, int]] = {}
    for p, s in seats:
        person, session = persons[p], sessions[s]
        cost = seat_cost(person, session, factor.get(person.facility_id, 1000))
        if (p, s) in paid_seats or (p, session.course_id) in paid_courses:
            needs[(p, s)] = dict.fromkeys(SEAT_CATEGORIES, 0)
        else:
            needs[(p, s)] = cost.by_category()
            cost_total += cost.total
    charged: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    by_grant: dict[tuple[int, int, str, int], int] = defaultdict(int)
    spent: Counter[int] = Counter()
    for charge in plan.charges:
        key = (charge.person_id, charge.session_id)
        if key not in needs:
            flag(Family.BUDGETS, f"charge for a seat not in the plan {key}")
            continue
        grant = grants.get(charge.grant_id)
        if grant is None or charge.amount_ore < 0:
            flag(Family.BUDGETS, f"charge to unknown grant {charge.grant_id} or negative amount")
            continue
        facility = persons[charge.person_id].facility_id
        if not grant.pays_for(facility, charge.category, sessions[charge.session_id].days[0]):
            flag(Family.BUDGETS, f"grant {grant.id} may not pay {charge.category} for {key}")
        charged[key][charge.category] += charge.amount_ore
        by_grant[(charge.person_id, charge.session_id, charge.category, grant.id)] += charge.amount_ore
        spent[grant.id] += charge.amount_ore
    for key, need in needs.items():
        if key in fixed and not sum(charged[key].values()):
            continue  # a fixed booking nobody charged is paid outside the plan (see solve.fund_fixed)
        for category, amount in need.items():
            if charged[key][category] != amount:
                flag(Family.BUDGETS, f"seat {key} {category} charged {charged[key][category]} of {amount} øre")
    taken: dict[tuple[int, int, str], int] = defaultdict(int)  # the pools' portions of each cost
    shared: set[tuple[int, int, str]] = set()  # costs a co-financed pool pays part of
    for (p, s, category, grant_id), amount in by_grant.items():
        grant = grants[grant_id]
        cap = grant.cap(needs[(p, s)].get(category, 0))
        if amount > cap:
            flag(Family.BUDGETS, f"grant {grant_id} pays {amount} of {category} for {(p, s)}, its share allows {cap}")
        if grant.own or amount <= 0:
            continue
        if grant.co_financed:
            shared.add((p, s, category))
            taken[(p, s, category)] += grant.portion(amount) if grant.share_permille > 0 else amount
        else:
            taken[(p, s, category)] += amount
    # The ledger charges a co-financed pool its share of its portion of a cost and leaves the rest of
    # that portion to the own money (funding.rules.plan_split): no other pool may pay it.
    for p, s, category in sorted(shared):
        amount = needs[(p, s)].get(category, 0)
        if taken[(p, s, category)] > amount:
            flag(
                Family.BUDGETS,
                f"pools take {taken[(p, s, category)]} of {amount} øre of {category} for {(p, s)}: "
                "a co-financed grant's portion left to other pools, not to the own budget",
            )
    for grant_id, amount in spent.items():
        if amount > grants[grant_id].remaining_ore:
            flag(Family.BUDGETS, f"grant {grant_id} overspent: {amount} of {grants[grant_id].remaining_ore} øre")

    # score: coverage on each deadline
    attainment: dict[int, float] = {}
    covered_units: dict[int, float] = {}
    points = 0.0
    for req in problem.requirements:
        members = [persons[p] for p in req.population if p in persons]
        units = {m.id: (m.fte if req.kind == RuleKind.FTE_SHARE else 1.0) for m in members}
        total = sum(units.values())
        target = total if req.kind == RuleKind.EVERY_PERSON else req.target_share * total
        covered = 0.0
        for member in members:
            held = any(c in member.holdings and holds_on(member.holdings[c], req.deadline) for c in req.competence_ids)
            earned = any(
                c in sessions[s].grants
                and sessions[s].days[-1] <= req.deadline
                and holds_on(expiry(sessions[s].days[-1], months_valid(problem, sessions[s], c)), req.deadline)
                for s in by_person.get(member.id, [])
                for c in req.competence_ids
            )
            if held or earned:
                covered += units[member.id]
        covered_units[req.id] = covered
        attainment[req.id] = min(1.0, covered / target) if target > 0 else 1.0
        points += requirement_points(req.weight, covered, target)
    return Evaluation(
        points=points,
        cost_ore=cost_total,
        attainment=attainment,
        covered=covered_units,
        violations=tuple(problems),
        by_family=dict(Counter(v.family for v in problems)),
    )
