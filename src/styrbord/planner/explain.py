"""Why a target is not met: the binding constraint family, found by slack analysis of the plan.

Method. For an unmet requirement, take every (person, session) pair that could still raise
its coverage: people of the population not covered on the deadline, and sessions that end
by the deadline and earn an accepted competence. If there are no such sessions, the reason
is ``no_session``. Otherwise try to add each pair to the final plan alone and record which
families would be broken: the session is full (capacity), the facility is at its minimum
on a course day (staffing), the grants that may pay have too little left (budget), the
person is busy that day (clashes) or at the yearly cap (days_cap), or the person may not
attend at all (eligibility, prerequisites). If every pair is blocked by eligibility or
prerequisites only, the reason is ``no_session`` (no session before the deadline that these
people can attend). Otherwise the reason is the family that blocks the most pairs; if some
pair is blocked by nothing, the solver stopped before using it (``time_limit``).

This answers the question a coordinator asks ("why can't one more person be trained for
this target?") and is cheap: no extra solves. It is local: with a very different plan the
answer could differ, which is why the blocked counts for every family are returned too.
"""

from __future__ import annotations

from collections import Counter

from styrbord.planner.greedy import GreedyState
from styrbord.planner.model import MET_TOLERANCE, Charge, Family, Reason, TargetOutcome
from styrbord.planner.prepare import Index, is_eligible

REASON_OF = {
    Family.BUDGETS: Reason.BUDGET,
    Family.CAPACITY: Reason.CAPACITY,
    Family.STAFFING: Reason.STAFFING,
    Family.CLASHES: Reason.CLASHES,
    Family.DAYS_CAP: Reason.DAYS_CAP,
}
ORDER = [Family.BUDGETS, Family.CAPACITY, Family.STAFFING, Family.CLASHES, Family.DAYS_CAP]


def plan_state(ix: Index, chosen: list[int], charges: list[Charge]) -> GreedyState:
    """The resources the plan uses, with grant balances taken from its actual charges."""
    state = GreedyState(ix)
    state.check_budget = False
    for a in chosen:
        state.add(a, force=True)
    state.check_budget = Family.BUDGETS not in ix.disabled
    grant_at = {grant.id: g for g, grant in enumerate(ix.grants)}
    for charge in charges:
        state.budget[grant_at[charge.grant_id]] -= charge.amount_ore
    return state


def blockers(state: GreedyState, a: int) -> set[str]:
    """Families that stop seat ``a`` from being added to the plan."""
    found: set[str] = set()
    if not state.allowed[a]:
        found.add(Family.ELIGIBILITY)
    for r, coef in state.seat_rows[a]:
        if state.usage[r] + coef > state.row_ub[r] + 1e-9:
            found.add(state.row_family[r])
    if state.check_prereqs:
        for providers in state.missing_prereqs(a):
            if not any(state.fits(b) for b in providers):
                found.add(Family.PREREQUISITES)
    if state.check_budget:
        taken = state.charge(a)
        if taken is None:
            found.add(Family.BUDGETS)
        else:
            state.refund(taken)
    return found


def outcomes(ix: Index, chosen: list[int], charges: list[Charge]) -> list[TargetOutcome]:
    """Coverage of every requirement under the plan, with the binding reason where unmet."""
    state = plan_state(ix, chosen, charges)
    results = []
    for r, req in enumerate(ix.requirements):
        target = ix.target[r]
        planned = ix.base_units[r] + sum(ix.units[r][p] for p in state.covered[r])
        attainment = min(1.0, planned / target) if target > 0 else 1.0
        met = planned >= target - MET_TOLERANCE
        reason, counts = (None, {}) if met else _reason(ix, state, r)
        results.append(
            TargetOutcome(
                requirement_id=req.id,
                target=target,
                baseline=ix.base_units[r],
                planned=planned,
                attainment=attainment,
                met=met,
                reason=reason,
                blockers=counts,
            )
        )
    return results


def _reason(ix: Index, state: GreedyState, r: int) -> tuple[Reason, dict[str, int]]:
    sessions = ix.qualifying[r]
    if not sessions:
        return Reason.NO_SESSION, {}
    counts: Counter[str] = Counter()
    free = 0
    pool = [p for p in ix.units[r] if p not in ix.base_covered[r] and p not in state.covered[r]]
    for p in pool:
        for s in sessions:
            a = ix.seat_at.get((p, s))
            if a is None:
                person, session = ix.persons[p], ix.sessions[s]
                if session.start < ix.problem.start or not is_eligible(person, session):
                    counts[Family.ELIGIBILITY] += 1
                elif session.prerequisites:
                    counts[Family.PREREQUISITES] += 1
                else:
                    counts[Family.BUDGETS] += 1  # no grant may pay for this seat at all
                continue
            found = blockers(state, a)
            counts.update(found)
            if not found:
                free += 1
    blocking = {family: counts[family] for family in ORDER if counts[family]}
    if free:
        return Reason.TIME_LIMIT, dict(counts)
    if not blocking:
        return Reason.NO_SESSION, dict(counts)
    best = max(ORDER, key=lambda family: (counts[family], -ORDER.index(family)))
    return REASON_OF[best], dict(counts)
