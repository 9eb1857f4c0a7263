"""Planning workflows: save a scenario, run it in the background, store the result, accept a plan.

A run is queued in the request's transaction and started once it commits
(``transaction.on_commit``), on the "planning" queue. The task claims the run, builds the
inputs from the database, solves them in a solver worker process and reports progress on the
run row, which the page polls. Accepting a run books its new seats as planned bookings
(``training.services.book``) and charges them to grants (``funding`` booking charges), all or
nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from styrbord.audit.services import log_action
from styrbord.funding.models import Grant
from styrbord.funding.rules import CostLine, PoolRules, SplitPart, charged_by_grant, plan_split, split_for
from styrbord.funding.services import FundingError
from styrbord.funding.services.balances import balances_by_grant
from styrbord.funding.services.booking_charges import charge_booking, rules_for, session_cost_dates
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import RecordMessage, format_date, format_price, in_record_language
from styrbord.lib.money import ZERO, from_ore, to_ore
from styrbord.planner.model import Charge, Parameters, Result
from styrbord.planner.solve import solve
from styrbord.planning.inputs import OWN_BUDGET_ID, Inputs, build_inputs, snapshot
from styrbord.planning.models import PlanAssignment, PlanRun, Scenario
from styrbord.staff.models import Employment
from styrbord.training.models import Booking, BookingStatus, Session
from styrbord.training.services import BookingError, book, cancel, session_costs_deferred
from styrbord.training.services.staffing import refresh_staffing_flags

if TYPE_CHECKING:
    from styrbord.accounts.models import User

logger = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.5  # at most this often the run row is updated while solving


class PlanningError(Exception):
    """A planning action that cannot be done; the message is for the user (Danish)."""


# --- runs ---------------------------------------------------------------------------------------

# The note an accepted plan's bookings carry (kept in Danish, shown in the reader's language).
FROM_SCENARIO = RecordMessage(gettext_noop("Fra planlægningsscenariet %(name)s"))


def start_run(scenario: Scenario, user: User | None) -> PlanRun:
    """Queue a run of the scenario; it starts when the transaction commits."""
    from styrbord.planning.tasks import run_plan_task

    if scenario.runs.filter(status__in=[PlanRun.Status.QUEUED, PlanRun.Status.RUNNING]).exists():
        raise PlanningError(_("Scenariet regner allerede. Vent, til den igangværende kørsel er færdig."))
    if scenario.is_over(local_today()):
        raise PlanningError(
            _("Scenariets periode sluttede %(end)s, så der er ingen hold at planlægge. Ret perioden, og kør igen.")
            % {"end": format_date(scenario.horizon_end)}
        )
    with transaction.atomic():
        run = PlanRun.objects.create(
            scenario=scenario,
            parameters=parameters_of(scenario),
            created_by=user if user is not None and user.is_authenticated else None,
            message=gettext_noop("Venter på en ledig beregner"),  # stored Danish, translated where shown
        )
        log_action(run, "planning.run.queued", user, {"scenario": scenario.pk})
        transaction.on_commit(lambda: run_plan_task.enqueue(run.pk))
    return run


def parameters_of(scenario: Scenario) -> dict[str, Any]:
    return {
        "time_limit_s": scenario.time_limit_s,
        "seed": 0,
        "start_date": scenario.start_date.isoformat(),
        "horizon_end": scenario.horizon_end.isoformat(),
        "own_budget": str(scenario.own_budget),
        "grants": sorted(scenario.grants.values_list("pk", flat=True)),
        "facilities": sorted(scenario.facilities.values_list("pk", flat=True)),
        "days_cap_per_year": scenario.days_cap_per_year,
        "keep_accepted": scenario.keep_accepted,
    }


def _progress(run_id: int) -> Any:
    last = [0.0]

    def report(fraction: float, info: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and info.get("event") != "greedy":
            return
        last[0] = now
        message = _("Første plan fundet") if info.get("event") == "greedy" else _("Forbedrer planen")
        PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.RUNNING).update(
            progress=max(5, min(95, int(5 + 90 * fraction))), message=message
        )

    return report


def execute_run(run_id: int) -> PlanRun:
    """Do the run (the task body). Idempotent: a run that has started or finished is left alone.

    Its status messages are stored in Danish, whichever process or request runs it, and
    translated where they are shown (``{% translate run.message %}``)."""
    with in_record_language():
        return _execute_run(run_id)


def _execute_run(run_id: int) -> PlanRun:
    claimed = PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.QUEUED).update(
        status=PlanRun.Status.RUNNING, started_at=timezone.now(), progress=1, message=_("Henter data")
    )
    run = PlanRun.objects.select_related("scenario").get(pk=run_id)
    if not claimed:
        return run
    try:
        inputs = build_inputs(run.scenario)
        PlanRun.objects.filter(pk=run_id).update(inputs=snapshot(inputs.problem), progress=3, message=_("Regner"))
        params = Parameters(
            time_limit_s=float(run.parameters.get("time_limit_s", 20)), seed=run.parameters.get("seed", 0)
        )
        result = solve(inputs.problem, params, _progress(run_id))
        _store(run, inputs, result)
    except Exception as error:
        logger.exception("plan run %s failed", run_id)
        PlanRun.objects.filter(pk=run_id).update(
            status=PlanRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            message=_("Planen kunne ikke beregnes. Prøv igen, eller kontakt support."),
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


def _store(run: PlanRun, inputs: Inputs, result: Result) -> None:
    """Save the result and the planned seats in one transaction. The seats' charges are stored as
    the ledger will make them (``reconcile``), each grant's with the share accepting charges it."""
    employee_of = inputs.employee_of
    result, shares = reconcile(inputs, result)
    charges: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for charge in result.plan.charges:
        seat = (charge.person_id, charge.session_id)
        row: dict[str, Any] = {
            "grant": charge.grant_id,
            "category": charge.category,
            "amount": str(from_ore(charge.amount_ore)),
        }
        if charge.grant_id in shares.get(seat, {}):
            row["share"] = str(shares[seat][charge.grant_id])
        charges[seat].append(row)
    rows = [
        PlanAssignment(
            run=run,
            employee_id=employee_of[a.person_id],
            employment_id=a.person_id,
            session_id=a.session_id,
            cost=from_ore(a.cost_ore),
            existing=a.existing,
            charges=charges[(a.person_id, a.session_id)],
        )
        for a in result.plan.assignments
    ]
    summary = summarise(inputs, result)
    with transaction.atomic():
        PlanAssignment.objects.filter(run=run).delete()
        PlanAssignment.objects.bulk_create(rows)
        PlanRun.objects.filter(pk=run.pk).update(
            status=PlanRun.Status.DONE,
            progress=100,
            message=_("Færdig"),
            result=summary,
            solver_status=result.status,
            points=result.points,
            greedy_points=float(result.stats.get("greedy_points") or 0.0),  # type: ignore[arg-type]
            bound=result.bound,
            gap=result.gap,
            cost=from_ore(result.cost_ore),
            time_to_first_plan_s=result.time_to_first_plan_s,
            total_time_s=result.total_time_s,
            finished_at=timezone.now(),
        )
        log_action(
            run,
            "planning.run.done",
            None,
            {"points": round(result.points, 2), "seats": len(rows), "status": result.status},
        )


def reconcile(inputs: Inputs, result: Result) -> tuple[Result, dict[tuple[int, int], dict[int, Decimal]]]:
    """The plan's charges as the ledger will make them, and the split of every seat a grant pays.

    The engine pays each seat's fee and backfill in whole øre from grants within their categories
    and co-financing share; accepting charges a seat as one *share* per grant, to which the ledger
    applies the pool's rules line by line (``funding.rules.plan_split``). A seat's split is worked
    out from what the engine has each grant pay (``funding.rules.split_for``) and charged here as
    the ledger charges it, with the seat's costs by category as the booking's lines; the
    facilities' own money (OWN_BUDGET_ID) has the rest of each category. So the run's figures,
    the confirmation page's and the ledger's agree to the øre. The shares are per (person,
    session), then grant id; a seat no grant pays keeps the engine's charges."""
    seats: dict[tuple[int, int], list[Charge]] = defaultdict(list)
    for charge in result.plan.charges:
        seats[(charge.person_id, charge.session_id)].append(charge)
    charges: list[Charge] = []
    shares: dict[tuple[int, int], dict[int, Decimal]] = {}
    for (person, session), paid in seats.items():
        by_category: dict[str, int] = defaultdict(int)
        by_grant: dict[int, int] = defaultdict(int)
        for charge in paid:
            by_category[charge.category] += charge.amount_ore
            if charge.grant_id in inputs.rules:
                by_grant[charge.grant_id] += charge.amount_ore
        if not by_grant:
            charges.extend(paid)
            continue
        lines = _lines({category: from_ore(amount) for category, amount in by_category.items()})
        parts = split_for(lines, [(g, inputs.rules[g], from_ore(amount)) for g, amount in sorted(by_grant.items())])
        shares[(person, session)] = {int(part.grant): part.share for part in parts}  # type: ignore[call-overload]
        charged: dict[tuple[int, str], int] = defaultdict(int)
        for line_charge in plan_split(lines, parts) if parts else []:
            if line_charge.grant in shares[(person, session)]:
                charged[(int(line_charge.grant), line_charge.category)] += to_ore(line_charge.charged)  # type: ignore[call-overload]
        for category, amount in by_category.items():
            own = amount
            for (grant_id, charged_category), ore in sorted(charged.items()):
                if charged_category == category and ore:
                    charges.append(Charge(grant_id, person, session, category, ore))
                    own -= ore
            if own:
                charges.append(Charge(OWN_BUDGET_ID, person, session, category, own))
    plan = dataclasses.replace(result.plan, charges=tuple(charges))
    return dataclasses.replace(result, plan=plan), shares


def _lines(by_category: dict[str, Decimal]) -> list[CostLine]:
    """A seat's costs by category as the cost lines of its booking, in the order the ledger reads them."""
    return [CostLine(category, category, amount) for category, amount in sorted(by_category.items()) if amount]


def summarise(inputs: Inputs, result: Result) -> dict[str, Any]:
    """What the pages show: targets with reasons, per-facility staffing impact, grant use."""
    problem = inputs.problem
    persons = {p.id: p for p in problem.persons}
    session_days = {s.id: s.days for s in problem.sessions}
    per_facility: dict[int, dict[str, Any]] = {}

    def row_of(facility: int) -> dict[str, Any]:
        name = inputs.facility_names.get(facility, "")
        blank = {"facility": facility, "name": name, "seats": 0, "days_away": 0, "cost": 0, "peak": 0}
        return per_facility.setdefault(facility, blank)

    for facility in inputs.facility_names:
        row_of(facility)
    away: dict[tuple[int, Any], int] = defaultdict(int)
    kept: dict[tuple[int, Any], int] = defaultdict(int)  # of those, seats kept from existing bookings
    for a in result.plan.assignments:
        person = persons[a.person_id]
        row = row_of(person.facility_id)  # the main employment pays, and reports the seat
        row["seats"] += 1
        row["days_away"] += len(session_days[a.session_id])
        row["cost"] += a.cost_ore
        for at in person.staffed_at:  # counts towards (and is missed from) each one's minimum
            elsewhere = person.not_employed_at(at)
            for day in session_days[a.session_id]:
                if day not in elsewhere:
                    away[(at, day)] += 1
                    kept[(at, day)] += int(a.existing)
    rules = {rule.facility_id: rule for rule in problem.staffing}
    headcount: dict[int, int] = defaultdict(int)
    absent: dict[tuple[int, Any], int] = defaultdict(int)  # on leave, on the course days only
    for person in problem.persons:
        for at in person.staffed_at:
            headcount[at] += 1
            for day in person.unavailable_at(at):
                if (at, day) in away:
                    absent[(at, day)] += 1
    # The least margin over the day's own minimum on any course day (None: nobody away). Days
    # under the minimum are counted, with the new seats the plan puts on them: the engine adds
    # none to a day that existing bookings already take under (see planner.prepare), so a
    # negative margin is the existing bookings' doing, and the page says so.
    for (facility, day), count in sorted(away.items()):
        row = row_of(facility)
        row["peak"] = max(row["peak"], count)
        present = headcount[facility] - absent[(facility, day)]
        rule = rules.get(facility)
        margin = present - count - (rule.minimum_on(day) if rule else 0)
        row["margin"] = margin if row.get("margin") is None else min(row["margin"], margin)
        if margin < 0:
            row.setdefault("first_short_day", day.isoformat())
            row["short_days"] = row.get("short_days", 0) + 1
            row["new_on_short_days"] = row.get("new_on_short_days", 0) + count - kept[(facility, day)]
    for facility, row in per_facility.items():
        row["cost"] = str(from_ore(row["cost"]))
        row["minimum"] = rules[facility].min_staff if facility in rules else 0
        # None set (every minimum 0): the plan may send everyone away on one day, and the page says so.
        rule = rules.get(facility)
        row["minimum_set"] = rule is not None and (
            rule.min_staff > 0 or (rule.weekend_min_staff or 0) > 0 or any(p.min_staff > 0 for p in rule.periods)
        )
        row["staff"] = headcount.get(facility, 0)
        row.setdefault("margin", None)
        row.setdefault("short_days", 0)
        row.setdefault("new_on_short_days", 0)
    spent: dict[int, int] = defaultdict(int)
    for charge in result.plan.charges:
        spent[charge.grant_id] += charge.amount_ore
    grants = [
        {
            "grant": grant.id,
            "name": inputs.grant_names.get(grant.id, grant.name),
            "remaining": str(from_ore(grant.remaining_ore)),
            "planned": str(from_ore(spent.get(grant.id, 0))),
        }
        for grant in problem.grants
    ]
    targets = []
    for outcome in result.targets:
        info = inputs.requirement_info.get(outcome.requirement_id, {})
        targets.append(
            {
                "requirement": outcome.requirement_id,
                "name": info.get("name", ""),
                "scope": info.get("scope", ""),
                "scope_level": info.get("scope_level"),
                "rule": info.get("rule", ""),
                "rule_parameters": info.get("rule_parameters"),
                "deadline": info.get("deadline"),
                "target": outcome.target,
                "baseline": outcome.baseline,
                "planned": outcome.planned,
                "attainment": outcome.attainment,
                "baseline_attainment": min(1.0, outcome.baseline / outcome.target) if outcome.target else 1.0,
                "met": outcome.met,
                "reason": str(outcome.reason) if outcome.reason else None,
                "blockers": outcome.blockers,
            }
        )
    return {
        "targets": targets,
        "facilities": sorted(per_facility.values(), key=lambda r: sort_key(r["name"])),
        "grants": grants,
        "seats": len(result.plan.assignments),
        "new_seats": sum(1 for a in result.plan.assignments if not a.existing),
        "stats": {k: v for k, v in result.stats.items() if isinstance(v, (int, float, str, type(None)))},
        "people": len(problem.persons),
        "sessions": len(problem.sessions),
    }


# --- accepting a plan -------------------------------------------------------------------------------


def _new_seats(run: PlanRun) -> QuerySet[PlanAssignment]:
    """The seats accepting the run books: neither existing bookings nor booked already."""
    return run.assignments.filter(existing=False, booking__isnull=True)


def _charged_per_grant(assignments: list[PlanAssignment]) -> dict[int, Decimal]:
    """What the plan charges each grant (not the own money) for these seats; grants it charges nothing left out."""
    per_grant: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for assignment in assignments:
        for grant_id, amount in _planned_by_grant(assignment).items():
            per_grant[grant_id] += amount
    return {grant_id: amount for grant_id, amount in sorted(per_grant.items()) if amount > 0}


def _planned_by_grant(assignment: PlanAssignment) -> dict[int, Decimal]:
    """What the plan charges each grant (not the own money) for one seat."""
    per_grant: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for charge in assignment.charges:
        grant_id = int(charge["grant"])
        if grant_id != OWN_BUDGET_ID:
            per_grant[grant_id] += Decimal(charge["amount"])
    return dict(per_grant)


def _seat_lines(assignment: PlanAssignment) -> list[CostLine]:
    """The seat's costs by category (all its charges, the own money's too), as its booking's lines."""
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for charge in assignment.charges:
        by_category[str(charge["category"])] += Decimal(charge["amount"])
    return _lines(by_category)


def _seat_split(
    assignment: PlanAssignment, grants: dict[int, Grant], lines: list[CostLine] | None = None
) -> list[SplitPart]:
    """The split accepting charges the seat's booking with (``charge_booking``): the share of each
    of ``grants`` the plan has pay for it, as the run stored it (``reconcile``). A run stored
    before the shares were kept has them worked out from its amounts in the same way (over the
    seat's ``lines``, ``_seat_lines`` unless given)."""
    planned = {g: amount for g, amount in sorted(_planned_by_grant(assignment).items()) if g in grants}
    if not planned:
        return []
    rules: dict[int, PoolRules] = {g: rules_for(grants[g].pool) for g in planned}
    stored = {int(c["grant"]): Decimal(c["share"]) for c in assignment.charges if "share" in c}
    if stored and set(stored) >= set(planned):
        return [SplitPart(g, stored[g], rules[g]) for g in planned if stored[g] > 0]
    seat_lines = lines if lines is not None else _seat_lines(assignment)
    return split_for(seat_lines, [(g, rules[g], amount) for g, amount in planned.items()])


def _ledger_per_grant(assignments: list[PlanAssignment], grants: dict[int, Grant]) -> dict[int, Decimal]:
    """What accepting the seats will put on each grant, worked out as the ledger does it.

    Accepting charges a seat as a *share* per grant of its booking's cost (``_seat_split``), and
    the ledger splits every cost line by that share, applies the pool's rules (covered categories,
    co-financing, ceilings) and rounds each line to the øre (``funding.rules.plan_split``). So the
    seats' cost lines (the plan's amounts by category, as the booking's lines will be) are split
    here with the same split and the same function: a run stored with its splits (``reconcile``)
    says the same, and so does the ledger. Not counted: what a pool's ceilings per person and year
    cut for earlier payments."""
    per_grant: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for assignment in assignments:
        lines = _seat_lines(assignment)
        parts = _seat_split(assignment, grants, lines)
        if not parts:
            continue
        for grant_id, amount in charged_by_grant(plan_split(lines, parts)).items():
            per_grant[grant_id] += amount  # type: ignore[index]
    return {grant_id: amount for grant_id, amount in sorted(per_grant.items()) if amount > 0}


def acceptance_summary(run: PlanRun) -> dict[str, Any]:
    """What accepting the run would do, for the confirmation page: the new planned bookings it
    creates (the seats that are neither existing bookings nor booked already), their planned
    cost, what each grant will be charged for it (as the ledger will charge it: see
    ``_ledger_per_grant``; with what the grant has left now) and what is left to the facilities'
    own money."""
    assignments = list(_new_seats(run))
    planned = _charged_per_grant(assignments)
    named = {g.pk: g for g in Grant.objects.filter(pk__in=planned).select_related("pool", "facility", "municipality")}
    paying = _ledger_per_grant(assignments, named)
    balances = balances_by_grant(named.values())
    cost = sum((a.cost for a in assignments), ZERO)
    grants: list[dict[str, Any]] = [
        {
            "grant": grant_id,
            "name": str(named[grant_id]),
            "amount": amount,
            # Now, not when the run was made: actual spending and open commitments taken off.
            "left": max(ZERO, balances[grant_id].remaining) if grant_id in balances else None,
        }
        for grant_id, amount in paying.items()
    ]
    paid_by_grants = sum(paying.values(), ZERO)
    return {
        "count": len(assignments),
        "cost": cost,
        "grants": grants,
        "grants_total": paid_by_grants,
        "own": max(ZERO, cost - paid_by_grants),
        "sessions": len({a.session_id for a in assignments}),
    }


@dataclass(frozen=True)
class SessionSeats:
    """A session that accepting a run books new seats on: how many and their planned cost, and
    the people on them whom the reader may see (by name)."""

    session: Session
    seats: int
    cost: Decimal
    people: list[PlanAssignment]

    @property
    def hidden(self) -> int:
        """The seats whose people the reader may not see (outside their scope)."""
        return self.seats - len(self.people)

    @property
    def where(self) -> str:
        """The facility an in-house session is held for, otherwise the provider; then the place."""
        session = self.session
        host = session.facility.name if session.facility is not None else session.course.provider.name
        return f"{host}, {session.place}" if session.place and session.place != host else host


def acceptance_sessions(run: PlanRun, visible: QuerySet[PlanAssignment] | None = None) -> list[SessionSeats]:
    """The sessions accepting the run books new seats on, by first day, for the confirmation page.
    ``visible``: the run's seats the reader may see by name (the view scopes them); None shows no
    names. Set-based: one query for the seats, one for the names."""
    assignments = list(_new_seats(run).select_related("session__course__provider", "session__facility"))
    sessions: dict[int, Session] = {}
    seats: dict[int, int] = defaultdict(int)
    cost: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for assignment in assignments:
        sessions.setdefault(assignment.session_id, assignment.session)
        seats[assignment.session_id] += 1
        cost[assignment.session_id] += assignment.cost
    people: dict[int, list[PlanAssignment]] = defaultdict(list)
    if visible is not None and sessions:
        shown = (
            visible.filter(run=run, existing=False, booking__isnull=True)
            .select_related("employee", "employment__facility")
            .order_by(collated("employee__name"), "pk")
        )
        for assignment in shown:
            people[assignment.session_id].append(assignment)
    ordered = sorted(
        sessions.values(),
        key=lambda s: (s.first_day or dt.date.max, sort_key(s.course.name), sort_key(s.name), s.pk),
    )
    return [SessionSeats(s, seats[s.pk], cost[s.pk], people[s.pk]) for s in ordered]


def _grant_refusals(assignments: list[PlanAssignment]) -> list[str]:
    """Why a grant the new seats are charged to would refuse its charges now, one reason a grant.

    Accepting charges every seat with ``funding.charge_booking``, which refuses a grant that is
    not open for entries, a course day outside its pool's period, or a charge above what the
    grant has left (its amount less actual spending and open commitments; per grant, not per
    budget line); ``accept_run`` turns that refusal into a PlanningError and books nothing. The
    amount compared is what accepting will charge the grant, as the confirmation page says it
    (``_ledger_per_grant``)."""
    planned = _charged_per_grant(assignments)
    if not planned:
        return []
    grants = list(
        Grant.objects.filter(pk__in=planned).select_related("pool", "facility", "municipality").order_by("pk")
    )
    balances = balances_by_grant(grants)
    charged = _ledger_per_grant(assignments, {g.pk: g for g in grants})
    sessions_of: dict[int, set[int]] = defaultdict(set)
    for assignment in assignments:
        for charge in assignment.charges:
            sessions_of[int(charge["grant"])].add(assignment.session_id)
    # A seat's cost of a year is dated on its session's first day in that year, as funding posts it.
    cost_days = session_cost_dates({a.session_id for a in assignments})
    named = {a.session_id: a.session for a in assignments}
    reasons = []
    for grant in grants:
        left = max(ZERO, balances[grant.pk].remaining)
        outside = sorted(
            (
                named[session_id]
                for session_id in sessions_of[grant.pk]
                if any(not grant.pool.contains(day) for day in cost_days.get(session_id, {}).values())
            ),
            key=lambda s: (s.first_day or dt.date.max, s.pk),
        )
        if not grant.is_open_for_charges:
            reasons.append(
                _("%(grant)s tager ikke imod posteringer (status: %(status)s)")
                % {"grant": grant, "status": grant.get_status_display()}
            )
        elif outside:
            reasons.append(
                _("%(grant)s: %(session)s ligger uden for puljens periode %(start)s – %(end)s")
                % {
                    "grant": grant,
                    "session": outside[0],
                    "start": format_date(grant.pool.period_start),
                    "end": format_date(grant.pool.period_end),
                }
            )
        elif charged.get(grant.pk, ZERO) > left:
            reasons.append(
                _("%(grant)s har %(left)s tilbage, planen regner med %(planned)s: %(short)s for lidt")
                % {
                    "grant": grant,
                    "left": format_price(left),
                    "planned": format_price(charged[grant.pk]),
                    "short": format_price(charged[grant.pk] - left),
                }
            )
    return reasons


def acceptance_refusal(run: PlanRun) -> str | None:
    """Why the run cannot be accepted now (the checks ``accept_run`` makes again under a lock),
    so the confirmation page offers no button it would refuse; None if it may be."""
    if run.status != PlanRun.Status.DONE:
        return _("Kun en færdig kørsel kan godkendes.")
    scenario = Scenario.objects.get(pk=run.scenario_id)
    if scenario.accepted_run_id == run.pk:
        return _("Planen er allerede godkendt.")
    latest = scenario.latest_run()
    if latest is not None and latest.pk != run.pk:
        return _("Der er en nyere kørsel af scenariet. Godkend den nyeste, eller kør scenariet igen.")
    # What has happened to the plan's sessions since the run (accepting would refuse it).
    assignments = list(_new_seats(run).select_related("session__course"))
    sessions = sorted({a.session for a in assignments}, key=lambda s: (s.first_day or dt.date.max, s.pk))
    cancelled = [s for s in sessions if s.cancelled]
    if cancelled:
        return _("Planen kan ikke godkendes: %(sessions)s er aflyst siden kørslen. Kør scenariet igen.") % {
            "sessions": ", ".join(str(s) for s in cancelled[:3])
        }
    today = local_today()
    begun = [s for s in sessions if s.has_started(today)]
    if begun:
        return _("Planen kan ikke godkendes: %(sessions)s er begyndt siden kørslen. Kør scenariet igen.") % {
            "sessions": ", ".join(str(s) for s in begun[:3])
        }
    try:
        _check_seats_left(run, assignments)
    except PlanningError as error:
        return str(error)
    # The grants, spent or changed since the run: accepting would charge them and be refused.
    grants = _grant_refusals(assignments)
    if grants:
        return ngettext(
            "Planen kan ikke godkendes: tilsagnet kan ikke længere betale det, planen regner med (%(grants)s). "
            "Kør scenariet igen.",
            "Planen kan ikke godkendes: tilsagnene kan ikke længere betale det, planen regner med (%(grants)s). "
            "Kør scenariet igen.",
            len(grants),
        ) % {"grants": "; ".join(grants)}
    return None


def accept_run(run: PlanRun, user: User | None) -> list[Booking]:
    """Book the run's new seats as planned bookings and charge them to grants; all or nothing."""
    if run.status != PlanRun.Status.DONE:
        raise PlanningError(_("Kun en færdig kørsel kan godkendes."))
    grants = {g.pk: g for g in Grant.objects.filter(pk__in=_grant_ids(run)).select_related("pool")}
    created: list[Booking] = []
    with transaction.atomic():
        # Locked and read again: a form sent twice (a double click, a reload) or by two people
        # at once is accepted once. A second acceptance would book nothing new but cancel again
        # the planned bookings the plan moved, including any booked by hand since.
        scenario = Scenario.objects.select_for_update().get(pk=run.scenario_id)
        if scenario.accepted_run_id == run.pk:
            raise PlanningError(_("Planen er allerede godkendt. Der er ikke ændret noget."))
        latest = scenario.latest_run()
        if latest is not None and latest.pk != run.pk:
            raise PlanningError(_("Der er en nyere kørsel af scenariet. Godkend den nyeste, eller kør scenariet igen."))
        assignments = list(
            run.assignments.filter(existing=False, booking__isnull=True).select_related(
                "employee", "employment", "session"
            )
        )
        today = local_today()
        begun = sorted(
            {a.session for a in assignments if a.session.has_started(today)}, key=lambda s: (s.first_day, s.pk)
        )
        if begun:
            # The run is older than these courses' first day: their seats were never booked.
            named = ", ".join(str(s) for s in begun[:3])
            if len(begun) > 3:
                more = len(begun) - 3
                named += ngettext(" og %(count)s hold mere", " og %(count)s hold mere", more) % {"count": more}
            raise PlanningError(
                _("Planen kan ikke godkendes: %(sessions)s er begyndt siden kørslen. Kør scenariet igen.")
                % {"sessions": named}
            )
        _check_seats_left(run, assignments)
        # Every seat is booked before any is charged: an in-house day's price is shared by its
        # participants, so a seat's cost is known (and worked out once) when all are on it.
        with session_costs_deferred():
            for assignment in assignments:
                try:
                    booking = book(
                        assignment.employee,
                        assignment.session,
                        assignment.employment,
                        status=BookingStatus.PLANNED,
                        user=user,
                        note=FROM_SCENARIO(name=scenario.name),
                        check_staffing=False,  # below, per session, with the whole plan booked
                    )
                except BookingError as error:
                    raise PlanningError(
                        _("Planen kan ikke godkendes: %(session)s kan ikke bookes (%(error)s). Kør scenariet igen.")
                        % {"session": assignment.session, "error": error}
                    ) from error
                assignment.booking = booking
                created.append(booking)
        _flag_understaffing(created)
        for assignment, booking in zip(assignments, created, strict=True):
            _charge(booking, assignment, grants, user)
        PlanAssignment.objects.bulk_update(assignments, ["booking"])
        if not scenario.keep_accepted:
            _cancel_moved(run, user)
        scenario.status = Scenario.Status.ACCEPTED
        scenario.accepted_run = run
        scenario.save(update_fields=["status", "accepted_run", "updated_at"])
        log_action(scenario, "planning.scenario.accepted", user, {"run": run.pk, "bookings": len(created)})
    return created


def _flag_understaffing(bookings: list[Booking]) -> None:
    """Flag the plan's bookings that leave a facility under its minimum staffing, each session's
    seats together and with all of the plan booked (one staffing lookup a session, not a seat),
    and make the flags of the others away from those facilities on those days current."""
    # With the other bookings at the same facilities on those days, whose flags follow too.
    refresh_staffing_flags(bookings)


def _check_seats_left(run: PlanRun, assignments: list[PlanAssignment]) -> None:
    """The plan's seats must still fit: a session filled by hand since the run (booked seats, which
    the planner counted as they were then) cannot take the plan's people as well. Planned seats
    hold no place with the provider, so a full session would put them on its waiting list."""
    full = []
    for session in sorted({a.session for a in assignments}, key=lambda s: (s.first_day, s.pk)):
        booked = set(
            Booking.objects.filter(session=session, status=BookingStatus.BOOKED).values_list("employee_id", flat=True)
        )
        planned = {a.employee_id for a in run.assignments.filter(session=session)} - booked
        if len(booked) + len(planned) > session.capacity:
            full.append(
                _("%(session)s har %(free)s ledige pladser, planen skal bruge %(needed)s")
                % {"session": session, "free": max(0, session.capacity - len(booked)), "needed": len(planned)}
            )
    if full:
        raise PlanningError(
            _("Planen kan ikke godkendes: holdene er fyldt op siden kørslen (%(sessions)s). Kør scenariet igen.")
            % {"sessions": "; ".join(full)}
        )


def _grant_ids(run: PlanRun) -> set[int]:
    ids: set[int] = set()
    for charges in run.assignments.values_list("charges", flat=True):
        ids.update(int(c["grant"]) for c in charges if int(c["grant"]) != OWN_BUDGET_ID)
    return ids


def _charge(booking: Booking, assignment: PlanAssignment, grants: dict[int, Grant], user: User | None) -> None:
    """Charge the booking to the grants the plan chose, with the split the run worked out for the
    seat (``_seat_split``): each grant's share of what its pool pays of the booking, so the ledger
    charges it what the plan says; what no grant pays falls to the facility's own budget. The
    confirmation page works out the same (``_ledger_per_grant``).
    """
    parts = _seat_split(assignment, grants)
    if not parts:
        return
    splits = [(grants[int(part.grant)], part.share) for part in parts]  # type: ignore[call-overload]
    try:
        charge_booking(booking, splits, user, skip_ineligible=True)
    except FundingError as error:
        raise PlanningError(
            _("Planen kan ikke godkendes: pladsen på %(session)s kan ikke finansieres (%(error)s). Kør scenariet igen.")
            % {"session": booking.session, "error": error}
        ) from error


def _cancel_moved(run: PlanRun, user: User | None) -> None:
    """Cancel planned bookings the run moved to another session of their course."""
    planned = set(run.assignments.values_list("employee_id", "session_id"))
    people = Employment.objects.filter(pk__in=run.assignments.values("employment_id")).values("employee_id")
    for booking in Booking.objects.filter(
        employee_id__in=people, status=BookingStatus.PLANNED, session__first_day__gte=run.scenario.start_date
    ).select_related("session"):
        if (booking.employee_id, booking.session_id) not in planned and run.assignments.filter(
            employee_id=booking.employee_id, session__course_id=booking.session.course_id
        ).exists():
            cancel(booking, user)
