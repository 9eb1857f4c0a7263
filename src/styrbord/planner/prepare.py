"""Derived data shared by the greedy, the MILP builder and the explanations: candidate seats.

A *seat* is a (person, session) pair the plan may use. Only useful seats are generated: the
session earns a competence some requirement of the person still needs by its deadline, or
it provides a prerequisite for such a seat, or it belongs to an existing booking. This
pruning is what keeps the model small; it never removes a seat that could earn points.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from styrbord.planner.model import (
    PROGRESS_SHARE,
    SEAT_CATEGORIES,
    Booking,
    Family,
    Grant,
    Parameters,
    Person,
    Problem,
    Requirement,
    SeatCost,
    Session,
    expiry,
    holds_on,
    months_valid,
    person_unit,
    requirement_points,
    seat_cost,
    target_units,
)


class Seat:
    """A candidate (person, session) pair with its cost, what it covers and how it may be funded."""

    __slots__ = (
        "amounts",
        "booking",
        "cost",
        "covers",
        "eligible",
        "funding",
        "index",
        "paid",
        "person",
        "prereqs",
        "price",
        "session",
    )

    def __init__(self, index: int, person: int, session: int, cost: SeatCost, eligible: bool = True) -> None:
        self.index = index
        self.person = person  # index into Index.persons
        self.session = session  # index into Index.sessions
        self.cost = cost
        self.eligible = eligible
        self.booking: Booking | None = None
        self.covers: list[tuple[int, float]] = []  # (requirement index, unit)
        self.prereqs: list[tuple[int, list[int]]] = []  # (competence, provider seats)
        self.funding: dict[str, tuple[int, ...]] = {}  # category -> eligible grant indices, charge order
        self.set_paid(False)

    def set_paid(self, paid: bool) -> None:
        """A paid booking's seat costs nothing now (its charge is already on a grant)."""
        self.paid = paid
        # what grants must pay, by category, and the net cost to the municipality now (øre)
        self.amounts: dict[str, int] = dict.fromkeys(SEAT_CATEGORIES, 0) if paid else self.cost.by_category()
        self.price: int = 0 if paid else self.cost.total


def grant_preference(grant: Grant) -> tuple[bool, int, int, dt.date, int]:
    """Charge order: the most earmarked grant first, own budgets last (what a careful person does)."""
    return (grant.own, len(grant.facility_ids) or 10**9, len(grant.categories), grant.period_end, grant.id)


def is_eligible(person: Person, session: Session) -> bool:
    """Job group, closed session and availability on every day of the session."""
    if session.job_groups and person.job_group not in session.job_groups:
        return False
    if session.facility_ids and person.facility_id not in session.facility_ids:
        return False
    return person.unavailable.isdisjoint(session.days)


class Index:
    """All derived data for one problem, built once."""

    def __init__(self, problem: Problem, params: Parameters | None = None) -> None:
        self.problem = problem
        self.params = params or Parameters()
        self.disabled = self.params.disabled
        self.persons = list(problem.persons)
        self.sessions = list(problem.sessions)
        self.requirements = list(problem.requirements)
        self.grants = sorted(problem.grants, key=grant_preference)
        self.person_at = {p.id: i for i, p in enumerate(self.persons)}
        self.session_at = {s.id: i for i, s in enumerate(self.sessions)}
        self.backfill = {rule.facility_id: rule.backfill_permille for rule in problem.staffing}
        self.seats: list[Seat] = []
        self.seat_at: dict[tuple[int, int], int] = {}
        self._payer_cache: dict[tuple[int, int], dict[str, tuple[int, ...]]] = {}
        self._earmarked = {f for grant in self.grants for f in grant.facility_ids}
        self.session_years: list[dict[int, int]] = []
        for session in self.sessions:
            counts: dict[int, int] = defaultdict(int)
            for day in session.days:
                counts[day.year] += 1
            self.session_years.append(dict(counts))
        self._targets()
        self._coverage_seats()
        self._booking_seats()
        self._prerequisites()
        self._covers()
        self._prune()
        self._index()

    # --- targets ---------------------------------------------------------------------

    def _targets(self) -> None:
        """Per requirement: target units, baseline coverage, gap and points per unit."""
        self.target: list[float] = []
        self.base_units: list[float] = []
        self.base_covered: list[set[int]] = []
        self.coef: list[float] = []  # progress points per covered unit
        self.bonus: list[float] = []  # points for meeting the target
        self.units: list[dict[int, float]] = []  # person index -> unit, for the population
        for req in self.requirements:
            members = [self.person_at[p] for p in req.population if p in self.person_at]
            units = {i: person_unit(req, self.persons[i]) for i in members}
            target = target_units(req, {self.persons[i].id: u for i, u in units.items()})
            covered = {i for i in members if self.covered_before(self.persons[i], req)}
            self.units.append(units)
            self.target.append(target)
            self.base_covered.append(covered)
            self.base_units.append(sum(units[i] for i in covered))
            self.coef.append(req.weight * 100.0 * PROGRESS_SHARE / target if target > 0 else 0.0)
            self.bonus.append(req.weight * 100.0 * (1.0 - PROGRESS_SHARE) if target > 0 else 0.0)

    @staticmethod
    def covered_before(person: Person, req: Requirement) -> bool:
        """Whether existing holdings cover the requirement on its deadline."""
        return any(c in person.holdings and holds_on(person.holdings[c], req.deadline) for c in req.competence_ids)

    def gap(self, r: int) -> float:
        """Units still missing for requirement ``r`` without new training."""
        return max(0.0, self.target[r] - self.base_units[r])

    def baseline_points(self) -> float:
        return sum(
            requirement_points(req.weight, self.base_units[r], self.target[r])
            for r, req in enumerate(self.requirements)
        )

    def max_points(self) -> float:
        return sum(req.weight * 100.0 for req in self.requirements)

    # --- seats -------------------------------------------------------------------------

    def qualifies(self, session: Session, req: Requirement) -> bool:
        """A session counts for a requirement if it ends by the deadline and is still valid then."""
        if session.end > req.deadline:
            return False
        return any(
            c in session.grants and holds_on(expiry(session.end, months_valid(self.problem, session, c)), req.deadline)
            for c in req.competence_ids
        )

    def _seat(self, p: int, s: int, booking: Booking | None = None, eligible: bool | None = None) -> int | None:
        """The seat for (p, s), created if allowed; None if the pair is not allowed."""
        key = (p, s)
        if key in self.seat_at:
            seat = self.seats[self.seat_at[key]]
            if booking is not None:
                seat.booking = booking
                seat.set_paid(booking.paid)
            return seat.index
        person, session = self.persons[p], self.sessions[s]
        if eligible is None:
            eligible = is_eligible(person, session)
        if booking is None or not booking.fixed:
            if session.start < self.problem.start:
                return None
            if not eligible and Family.ELIGIBILITY not in self.disabled:
                return None
        cost = seat_cost(person, session, self.backfill.get(person.facility_id, 1000))
        seat = Seat(len(self.seats), p, s, cost, eligible=eligible)
        if booking is not None:
            seat.booking = booking
            seat.set_paid(booking.paid)
        seat.funding = self._payers(person.facility_id, s)
        for category, amount in list(seat.amounts.items()):
            if amount > 0 and not seat.funding[category] and Family.BUDGETS not in self.disabled:
                if booking is None or not booking.fixed:
                    return None
                seat.set_paid(True)  # a fixed booking nobody can pay for is a fact outside the plan's budgets
        self.seats.append(seat)
        self.seat_at[key] = seat.index
        return seat.index

    def _payers(self, facility: int, s: int) -> dict[str, tuple[int, ...]]:
        """Grant indices (in charge order) that may pay each category of a seat; cached."""
        key = (facility if facility in self._earmarked else -1, s)
        found = self._payer_cache.get(key)
        if found is None:
            day = self.sessions[s].start
            found = {
                category: tuple(g for g, grant in enumerate(self.grants) if grant.pays_for(facility, category, day))
                for category in SEAT_CATEGORIES
            }
            self._payer_cache[key] = found
        return found

    def _coverage_seats(self) -> None:
        """Seats for people who still need a competence, on sessions that count by the deadline."""
        order = sorted(range(len(self.sessions)), key=lambda s: (self.sessions[s].start, self.sessions[s].id))
        self.rank = [0] * len(self.sessions)
        for position, s in enumerate(order):
            self.rank[s] = position
        by_competence: dict[int, list[int]] = defaultdict(list)
        for s in order:
            for c in self.sessions[s].grants:
                by_competence[c].append(s)
        self.sessions_for = by_competence
        self.qualifying: list[list[int]] = []
        for req in self.requirements:
            matching = {
                s for c in req.competence_ids for s in by_competence.get(c, ()) if self.qualifies(self.sessions[s], req)
            }
            self.qualifying.append(sorted(matching, key=self.rank.__getitem__))
        # Per person: candidate sessions and the requirements each would count for.
        check = Family.ELIGIBILITY not in self.disabled
        needs: list[list[int]] = [[] for _ in self.persons]
        for r, units in enumerate(self.units):
            if self.qualifying[r]:
                covered = self.base_covered[r]
                for p in units:
                    if p not in covered:
                        needs[p].append(r)
        self.needs = needs
        candidates: list[dict[int, list[int]]] = []
        total = 0
        # Eligibility depends only on job group, facility and days away: people alike share answers.
        alike: dict[tuple[str, int, frozenset[dt.date]], dict[int, bool]] = {}
        for p, rs in enumerate(needs):
            found: dict[int, list[int]] = {}
            if rs:
                person = self.persons[p]
                known = alike.setdefault((person.job_group, person.facility_id, person.unavailable), {})
                for r in rs:
                    for s in self.qualifying[r]:
                        if s in found:
                            found[s].append(r)
                            continue
                        ok = known.get(s)
                        if ok is None:
                            ok = known[s] = not check or is_eligible(person, self.sessions[s])
                        if ok:
                            found[s] = [r]
                total += len(found)
            candidates.append(found)
        self.sparse_k = self._choose_k(candidates) if total > self.params.max_seats else 0
        for p, found in enumerate(candidates):
            if not found:
                continue
            sessions = sorted(found, key=self.rank.__getitem__)
            if self.sparse_k:
                by_course: dict[int, list[int]] = defaultdict(list)
                for s in sessions:
                    by_course[self.sessions[s].course_id].append(s)
                sessions = [s for group in by_course.values() for s in self.spread(group, p, self.sparse_k)]
            for s in sessions:
                a = self._seat(p, s, eligible=True if check else None)
                if a is not None:
                    seat = self.seats[a]
                    seat.covers = [(r, self.units[r][p]) for r in found[s]]
        self._covered_seats = len(self.seats)

    def _choose_k(self, candidates: list[dict[int, list[int]]]) -> int:
        """The largest K (sessions kept per person and course) that stays under ``max_seats``.

        For big instances only K sessions per (person, course) are kept, evenly spread over
        the year and rotated per person, so a facility's staff are spread over many dates and
        the staffing rows stay loose (everyone offered the same cheap sessions crowds them:
        measured, that greedy plan is 5 % worse). This is a heuristic restriction: plans stay feasible
        for the full problem, but the model's LP bound is then no bound for it (the planner
        reports none).
        """
        sizes: list[int] = []
        for found in candidates:
            per_course: dict[int, int] = defaultdict(int)
            for s in found:
                per_course[self.sessions[s].course_id] += 1
            sizes.extend(per_course.values())
        k = 1
        largest = max(sizes, default=1)
        while k < largest and sum(min(k + 1, n) for n in sizes) <= self.params.max_seats:
            k += 1
        return k

    def spread(self, sessions: list[int], p: int, k: int) -> list[int]:
        """``k`` of ``sessions`` (in date order) evenly spaced, rotated by ``p``; all if few."""
        n = len(sessions)
        if k <= 0 or n <= k:
            return sessions
        return [sessions[(p * 7 + (j * n) // k) % n] for j in range(k)]

    def _covers(self) -> None:
        """What seats created for bookings and prerequisites count for (coverage seats know already)."""
        qualifying = [set(sessions) for sessions in self.qualifying]
        for seat in self.seats[self._covered_seats :]:
            p = seat.person
            seat.covers = [(r, self.units[r][p]) for r in self.needs[p] if seat.session in qualifying[r]]

    def _booking_seats(self) -> None:
        """Seats of existing bookings; a movable one may use any session of its course."""
        self.movable: list[list[int]] = []
        self.fixed: list[int] = []
        for booking in self.problem.bookings:
            p, s = self.person_at.get(booking.person_id), self.session_at.get(booking.session_id)
            if p is None or s is None:
                continue
            own = self._seat(p, s, booking)
            if own is None:
                continue
            if booking.fixed:
                self.fixed.append(own)
                continue
            group = [own]
            course = self.sessions[s].course_id
            for other, session in enumerate(self.sessions):
                if other != s and session.course_id == course:
                    a = self._seat(p, other)
                    if a is not None:
                        self.seats[a].set_paid(booking.paid)
                        group.append(a)
            self.movable.append(group)

    def _prerequisites(self) -> None:
        """Link each seat to the seats that could give its missing prerequisites; drop hopeless seats."""
        provider_sessions: dict[tuple[int, int], list[int]] = {}
        queue = [seat.index for seat in self.seats if self.sessions[seat.session].prerequisites]
        while queue:
            a = queue.pop()
            seat = self.seats[a]
            seat.prereqs = []
            person, session = self.persons[seat.person], self.sessions[seat.session]
            for c in session.prerequisites:
                if c in person.holdings and holds_on(person.holdings[c], session.start):
                    continue
                key = (seat.session, c)
                if key not in provider_sessions:
                    provider_sessions[key] = [
                        s
                        for s in self.sessions_for.get(c, ())
                        if self.sessions[s].end < session.start
                        and holds_on(
                            expiry(self.sessions[s].end, months_valid(self.problem, self.sessions[s], c)), session.start
                        )
                    ]
                providers = []
                options = provider_sessions[key]
                if self.sparse_k and Family.ELIGIBILITY not in self.disabled:
                    options = [s for s in options if is_eligible(person, self.sessions[s])]
                for s in self.spread(options, seat.person, self.sparse_k):
                    before = len(self.seats)
                    b = self._seat(seat.person, s)
                    if b is not None:
                        providers.append(b)
                        if b >= before:
                            queue.append(b)
                seat.prereqs.append((c, providers))

    def _prune(self) -> None:
        """Drop seats whose prerequisite has no provider left (repeatedly), unless fixed."""
        if Family.PREREQUISITES in self.disabled:
            return
        # A seat whose prerequisite has no remaining provider can never be used (unless fixed).
        alive = [True] * len(self.seats)
        changed = True
        while changed:
            changed = False
            for seat in self.seats:
                if alive[seat.index] and not (seat.booking and seat.booking.fixed):
                    for _c, providers in seat.prereqs:
                        if not any(alive[b] for b in providers):
                            alive[seat.index] = False
                            changed = True
                            break
        if all(alive):
            return
        self._compact(alive)

    def _compact(self, alive: list[bool]) -> None:
        renumber: dict[int, int] = {}
        kept: list[Seat] = []
        for seat in self.seats:
            if alive[seat.index]:
                renumber[seat.index] = len(kept)
                seat.index = len(kept)
                kept.append(seat)
        for seat in kept:
            seat.prereqs = [(c, [renumber[b] for b in providers if b in renumber]) for c, providers in seat.prereqs]
        self.seats = kept
        self.seat_at = {(seat.person, seat.session): seat.index for seat in kept}
        self.fixed = [renumber[a] for a in self.fixed if a in renumber]
        self.movable = [[renumber[a] for a in group if a in renumber] for group in self.movable]
        self.movable = [group for group in self.movable if group]

    # --- groupings used by constraints ---------------------------------------------------

    def _index(self) -> None:
        # Existing bookings on their own sessions are facts for every limit: a limit they already
        # break is not broken by keeping them (only new seats must respect it).
        self.existing: set[int] = set(self.fixed) | {group[0] for group in self.movable}
        self.by_person: list[list[int]] = [[] for _ in self.persons]
        self.by_session: list[list[int]] = [[] for _ in self.sessions]
        for seat in self.seats:
            self.by_person[seat.person].append(seat.index)
            self.by_session[seat.session].append(seat.index)
        # staffing: allowance per (facility, day) = present - minimum
        rules = {rule.facility_id: rule for rule in self.problem.staffing}
        loads: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
        for seat in self.seats:
            person = self.persons[seat.person]
            for facility in person.staffed_at:
                if facility in rules:
                    elsewhere = person.not_employed_at(facility)
                    for day in self.sessions[seat.session].days:
                        if day not in elsewhere:  # a day not employed there takes nobody from it
                            loads[(facility, day)].append(seat.index)
        headcount: dict[int, int] = defaultdict(int)
        absent: dict[tuple[int, dt.date], int] = defaultdict(int)
        for person in self.persons:
            for facility in person.staffed_at:
                headcount[facility] += 1
                if facility in rules:
                    for day in person.unavailable_at(facility):
                        absent[(facility, day)] += 1
        fixed = self.existing
        # Only days on which the candidate seats could exceed the allowance need a row.
        self.staffing_rows: list[tuple[int, dt.date, list[int], int]] = []
        # Days the existing bookings already take the facility under its minimum (leave and
        # bookings together): there a new seat is allowed only if the day then keeps the
        # minimum after all, i.e. with existing bookings moved away. (facility, day, seats,
        # free places, existing load, new seats)
        self.staffing_strict: list[tuple[int, dt.date, list[int], int, int, list[int]]] = []
        for (facility, day), seats in sorted(loads.items(), key=lambda item: (item[0][0], item[0][1])):
            present = headcount[facility] - absent.get((facility, day), 0)
            fixed_load = sum(1 for a in seats if a in fixed) if fixed else 0
            free = present - rules[facility].minimum_on(day)
            allowance = max(free, fixed_load)
            if len(seats) > allowance:
                self.staffing_rows.append((facility, day, seats, allowance))
            if fixed_load > free:
                new = [a for a in seats if a not in fixed]
                if new:
                    self.staffing_strict.append((facility, day, seats, free, fixed_load, new))

    def year_days(self, s: int) -> dict[int, int]:
        """Course days of session ``s`` per calendar year."""
        return self.session_years[s]

    def days_lapsed(self, a: int) -> int:
        """Days from the lapse of a certificate seat ``a`` renews to the end of its course (0: in time,
        or nothing to renew). Soft in the plans: each such day costs ``lapse_penalty_ore_per_day``."""
        seat = self.seats[a]
        session = self.sessions[seat.session]
        holdings = self.persons[seat.person].holdings
        return max(
            (
                (session.end - expires).days
                for c in session.grants
                if (expires := holdings.get(c)) is not None and expires < session.end
            ),
            default=0,
        )
