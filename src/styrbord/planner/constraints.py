"""One function per named constraint family.

Each adds its hard constraints to the linear model (rows tagged with the family name) and
returns soft penalty terms, in the style of OR-Tools' ``shift_scheduling_sat.py`` and
Timefold's ``constraints.py``. ``FAMILIES`` lists them; ``Parameters.disabled`` leaves one out
(tests use that to show each family really constrains the plan).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from styrbord.planner.funding import funding_classes, usable
from styrbord.planner.linear import INF, MONEY_UNIT, LinearModel, Penalty
from styrbord.planner.model import Family, Grant
from styrbord.planner.prepare import Index


def capacity(m: LinearModel, ix: Index) -> list[Penalty]:
    """A session takes at most its capacity (or its fixed bookings, if they already exceed it)."""
    fixed = ix.existing
    for s, seats in enumerate(ix.by_session):
        limit = max(ix.sessions[s].capacity, sum(1 for a in seats if a in fixed))
        if len(seats) > limit:
            m.add_row(Family.CAPACITY, seats, [1.0] * len(seats), -INF, limit)
    return []


def clash_groups(ix: Index) -> list[list[int]]:
    """Per person, the maximal sets of seats that share a day (at most one of each may be used)."""
    groups: list[list[int]] = []
    for seats in ix.by_person:
        if len(seats) < 2:
            continue
        by_day: dict[object, set[int]] = defaultdict(set)
        for a in seats:
            for day in ix.sessions[ix.seats[a].session].days:
                by_day[day].add(a)
        sets = {frozenset(group) for group in by_day.values() if len(group) > 1}
        for group in sets:
            if not any(group < other for other in sets):
                groups.append(sorted(group))
    return groups


def clashes(m: LinearModel, ix: Index) -> list[Penalty]:
    """A person attends at most one session per day."""
    fixed = ix.existing
    for group in clash_groups(ix):
        limit = max(1, sum(1 for a in group if a in fixed))
        m.add_row(Family.CLASHES, group, [1.0] * len(group), -INF, limit)
    return []


def staffing(m: LinearModel, ix: Index) -> list[Penalty]:
    """On every day, a facility keeps its minimum staff at work: away on courses <= present - minimum.

    Existing bookings that already break it are facts, but a new seat on such a day must leave
    the day at its minimum: for each new seat j, away + (load - free) * x_j <= load, so with
    x_j = 1 the day's total must fit ``free`` (possible only by moving existing bookings away),
    and with x_j = 0 the row says nothing beyond what the existing load already is.
    """
    for _facility, _day, seats, allowance in ix.staffing_rows:
        m.add_row(Family.STAFFING, seats, [1.0] * len(seats), -INF, allowance)
    for _facility, _day, seats, free, load, new in ix.staffing_strict:
        for j in new:
            m.add_row(Family.STAFFING, seats, [1.0 + (load - free) * (a == j) for a in seats], -INF, load)
    return []


def days_cap(m: LinearModel, ix: Index) -> list[Penalty]:
    """A person spends at most ``days_cap_per_year`` course days in each calendar year."""
    fixed = ix.existing
    for p, seats in enumerate(ix.by_person):
        per_year: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a in seats:
            for year, days in ix.year_days(ix.seats[a].session).items():
                per_year[year].append((a, days))
        cap = ix.persons[p].days_cap_per_year
        for terms in per_year.values():
            if sum(days for _a, days in terms) > cap:
                limit = max(cap, sum(days for a, days in terms if a in fixed))
                m.add_row(Family.DAYS_CAP, [a for a, _d in terms], [float(d) for _a, d in terms], -INF, limit)
    return []


def prerequisites(m: LinearModel, ix: Index) -> list[Penalty]:
    """A seat needs each missing prerequisite earned on an earlier seat of the same person."""
    for seat in ix.seats:
        if seat.booking is not None and seat.booking.fixed:
            continue
        for _competence, providers in seat.prereqs:
            if not providers:
                m.col_ub[seat.index] = 0.0
                continue
            m.add_row(
                Family.PREREQUISITES,
                [seat.index, *providers],
                [1.0] + [-1.0] * len(providers),
                -INF,
                0.0,
            )
    return []


def eligibility(m: LinearModel, ix: Index) -> list[Penalty]:
    """Only eligible people (job group, closed sessions, not on leave) take new seats.

    Candidate generation already leaves ineligible pairs out; this guards any that exist.
    """
    for seat in ix.seats:
        if not seat.eligible and not (seat.booking is not None and seat.booking.fixed):
            m.col_ub[seat.index] = 0.0
    return []


def budgets(m: LinearModel, ix: Index) -> list[Penalty]:
    """Every seat's cost is paid by eligible grants, within their co-financing shares, and no
    grant pays more than it has left.

    One flow column per (funding class, grant); money is in units of 1.000 kr. in the model.
    A co-financed pool that pays ``f`` of a cost takes ``f / share`` of it (its portion, in the
    ledger's terms) and leaves the rest of that portion to the own budget (``Grant.own``): so in a
    class with co-financed payers, the other pools and the co-financed ones' portions together
    stay within the class's cost (and where no own budget may pay, a co-financed pool pays
    nothing). Seat by seat a portion is the least cost whose share, rounded half up, is what the
    pool pays (``Grant.portion``), up to ``500 / share`` øre under ``f / share``: the row allows
    that much a seat, so every plan the exact charges allow (``funding.allocate``) fits it.
    """
    per_grant: dict[int, list[int]] = defaultdict(list)
    for (_category, payers), members in funding_classes(ix).items():
        flows = []
        for g in payers:
            col = m.add_col(0.0, INF)
            flows.append(col)
            per_grant[g].append(col)
        seats = [a for a, _amount in members]
        cols = flows + seats
        coefs = [1.0] * len(flows) + [-amount / MONEY_UNIT for _a, amount in members]
        m.add_row(Family.BUDGETS, cols, coefs, 0.0, 0.0)
        for g, flow in zip(payers, flows, strict=True):
            grant = ix.grants[g]
            if grant.co_financed:  # co-financing: at most its share of each seat's cost
                caps = [-grant.cap(amount) / MONEY_UNIT for _a, amount in members]
                m.add_row(Family.BUDGETS, [flow, *seats], [1.0, *caps], -INF, 0.0)
        pays_rest = any(ix.grants[g].own for g in payers)
        shared: list[tuple[int, Grant]] = []  # the pools' flows (not the own budget's)
        for g, flow in zip(payers, flows, strict=True):
            grant = ix.grants[g]
            if grant.own:
                continue
            if grant.co_financed and (grant.share_permille <= 0 or not pays_rest):
                m.col_ub[flow] = 0.0  # nobody may pay the rest of its portion (or it pays nothing)
                continue
            shared.append((flow, grant))
        co_financed = [(flow, grant) for flow, grant in shared if grant.co_financed]
        if not co_financed:
            continue
        weights = [1000 / grant.share_permille if grant.co_financed else 1.0 for _f, grant in shared]
        allowance = sum(500 / grant.share_permille for _f, grant in co_financed)
        m.add_row(
            Family.BUDGETS,
            [flow for flow, _g in shared] + seats,
            weights + [-(amount + allowance) / MONEY_UNIT for _a, amount in members],
            -INF,
            0.0,
        )
    limits = usable(ix)
    for g, cols in per_grant.items():
        limit = limits[g] / MONEY_UNIT
        m.add_row(Family.BUDGETS, cols, [1.0] * len(cols), -INF, limit)
    return []


def bookings(m: LinearModel, ix: Index) -> list[Penalty]:
    """Fixed bookings stay; a movable booking keeps one session of its course (soft: prefer its own)."""
    penalties = []
    for a in ix.fixed:
        m.col_lb[a] = 1.0
    for group in ix.movable:
        m.add_row(Family.BOOKINGS, group, [1.0] * len(group), 1.0, 1.0)
        for a in group[1:]:
            penalties.append(Penalty(a, ix.params.move_penalty_ore / MONEY_UNIT, "moved_booking"))
    return penalties


FAMILIES: dict[Family, Callable[[LinearModel, Index], list[Penalty]]] = {
    Family.CAPACITY: capacity,
    Family.CLASHES: clashes,
    Family.STAFFING: staffing,
    Family.BUDGETS: budgets,
    Family.ELIGIBILITY: eligibility,
    Family.PREREQUISITES: prerequisites,
    Family.DAYS_CAP: days_cap,
    Family.BOOKINGS: bookings,
}
