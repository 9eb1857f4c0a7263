"""Builds the planner's inputs (frozen dataclasses of styrbord.planner.model) from the database.

Set-based: one query per kind of row (employments, holdings, absences, sessions and their days,
bookings, grants and balances) plus one per requirement for its population.

Mapping (and its simplifications):
- a person is an employee's main employment in the scenario's facilities (primary, else most hours);
- unavailable days are the session days the person is absent, on leave or not employed;
- a requirement's deadline is its own, or the scenario's horizon when it has none or it has passed;
  priority high/medium/low weighs 3/2/1; "renew every K months" counts like "every person";
- a seat's cost: the session fee ex VAT (an in-house day price split over the session's places),
  backfill = hours away (each day capped at the person's average day) x wage x the facility's
  backfill factor on the first day, less VEU at the rate on the first day when both course and
  person qualify; the actual booking costs are computed by training when a plan is accepted;
- capacity is what other municipalities' seats leave free; a booked seat is fixed; a planned
  booking is fixed when the scenario keeps accepted bookings, else it may move within its course;
  existing bookings are "paid": their cost is already decided (charged to a grant, whose balance
  counts it, or to the facility's budget), so the plan's money goes to new seats only;
- grants pay fees and backfill (VEU follows backfill) within their pool's categories, period,
  recipient and co-financing share; the scenario's own money is one more grant (id 0). Each
  grant's pool rules go along (``Inputs.rules``): the plan's charges are turned into the split the
  ledger will charge (``services.reconcile``), so the plan says what the grants will be charged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.competences.models import CompetenceHolding
from styrbord.funding.models import Grant
from styrbord.funding.rules import PoolRules
from styrbord.funding.services.balances import balances_by_grant
from styrbord.funding.services.booking_charges import rules_for
from styrbord.lib.costs import CostCategory
from styrbord.lib.dates import local_today, public_holidays
from styrbord.lib.formatting import format_kr
from styrbord.lib.money import ZERO, to_ore
from styrbord.organisations.models import Facility, periods_by_facility
from styrbord.planner import model as engine
from styrbord.planning.models import PlanAssignment, Scenario
from styrbord.requirements.coverage import requirements_for
from styrbord.requirements.models import Priority, Rule
from styrbord.staff.models import Absence, Employment
from styrbord.training.models import Booking, BookingStatus, Session
from styrbord.training.services.rates import BackfillFactors, veu_rates
from styrbord.training.services.veu import HIGHER_EDUCATION_JOB_GROUPS, HIGHER_EDUCATION_WORDS

OWN_BUDGET_ID = 0
OWN_BUDGET_NAME = gettext_lazy("Egen finansiering")  # the scenario's own money, shown as a grant
WEIGHTS = {Priority.HIGH: 3.0, Priority.MEDIUM: 2.0, Priority.LOW: 1.0}
KINDS = {
    Rule.PERCENT_PEOPLE: engine.RuleKind.PEOPLE_SHARE,
    Rule.PERCENT_FTE: engine.RuleKind.FTE_SHARE,
}


@dataclass
class Inputs:
    """The engine problem and what is needed to map its ids back to the database."""

    problem: engine.Problem
    employee_of: dict[int, int]  # person id (employment id) -> employee id
    facility_names: dict[int, str]
    requirement_info: dict[int, dict[str, Any]]
    grant_names: dict[int, str]
    session_days: dict[int, int]
    rules: dict[int, PoolRules] = dataclasses.field(default_factory=dict)  # grant id -> its pool's rules


Spans = dict[int, list[tuple[dt.date, dt.date | None]]]  # facility -> (start, end) of employments there


def main_employments(
    facilities: list[Facility], start: dt.date, end: dt.date
) -> tuple[list[Employment], dict[int, Spans]]:
    """Each employee's main employment in force some time in [start, end] at these facilities,
    and per employee the spans of their active second employments at other facilities: there
    the person also counts towards, and is missed from, the minimum staffing on the days
    employed there (as the booking checks count them)."""
    rows = (
        Employment.objects.filter(facility__in=facilities, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .exclude(status=Employment.Status.ENDED)
        .select_related("employee")
        .order_by("employee_id", "-is_primary", "-weekly_hours", "pk")
    )
    chosen: dict[int, Employment] = {}
    second: dict[int, Spans] = defaultdict(lambda: defaultdict(list))
    for employment in rows:
        main = chosen.setdefault(employment.employee_id, employment)
        if (
            main is not employment
            and employment.facility_id != main.facility_id
            and employment.status == Employment.Status.ACTIVE
        ):
            second[employment.employee_id][employment.facility_id].append((employment.start_date, employment.end_date))
    return list(chosen.values()), second


def _not_employed(spans: list[tuple[dt.date, dt.date | None]], days: set[dt.date]) -> frozenset[dt.date]:
    """The days (of ``days``) that none of these employments covers."""
    return frozenset(d for d in days if not any(first <= d and (last is None or d <= last) for first, last in spans))


def _sessions(scenario: Scenario, facilities: list[Facility], booked_ids: set[int], start: dt.date) -> list[Session]:
    ids = {f.pk for f in facilities}
    open_q = Q(
        cancelled=False,
        first_day__gte=start,
        first_day__lte=scenario.horizon_end,
    ) & (Q(facility__isnull=True) | Q(facility__in=ids))
    open_q &= Q(municipality__isnull=True) | Q(municipality=scenario.municipality)
    return list(
        Session.objects.filter(open_q | Q(pk__in=booked_ids, cancelled=False))
        .select_related("course")
        .prefetch_related("days", "course__grants", "course__prerequisites")
        .order_by("first_day", "pk")
    )


def _unavailable(
    employments: list[Employment], session_days: set[dt.date], start: dt.date, end: dt.date
) -> dict[int, set[dt.date]]:
    """Per employment: the session days its person is absent, on leave or not employed."""
    away: dict[int, set[dt.date]] = defaultdict(set)
    by_employee = {e.employee_id: e for e in employments}
    for employee_id, a_start, a_end in Absence.objects.filter(
        employee_id__in=by_employee, start_date__lte=end, end_date__gte=start
    ).values_list("employee_id", "start_date", "end_date"):
        away[by_employee[employee_id].pk].update(d for d in session_days if a_start <= d <= a_end)
    for employment in employments:
        if employment.status == Employment.Status.LEAVE:
            away[employment.pk].update(session_days)
            continue
        away[employment.pk].update(
            d
            for d in session_days
            if d < employment.start_date or (employment.end_date is not None and d > employment.end_date)
        )
    return away


def _holdings(employments: list[Employment], on: dt.date) -> dict[int, dict[int, dt.date | None]]:
    """Per employee: competence -> latest expiry (None if one never lapses)."""
    found: dict[int, dict[int, dt.date | None]] = defaultdict(dict)
    rows = CompetenceHolding.objects.filter(
        employee_id__in=[e.employee_id for e in employments], acquired_on__lte=on
    ).values_list("employee_id", "competence_id", "expires_on")
    for employee_id, competence_id, expires_on in rows:
        held = found[employee_id]
        current = held.get(competence_id, dt.date.min)
        if current is not None and (expires_on is None or expires_on > current):
            held[competence_id] = expires_on
    return found


def _veu_person(employment: Employment) -> bool:
    education = employment.employee.education
    return employment.job_group not in HIGHER_EDUCATION_JOB_GROUPS and not (
        education and HIGHER_EDUCATION_WORDS.search(education)
    )


def likely_participants(session: Session, employments: list[Employment], outside_seats: int) -> int:
    """How many a team day's price will be shared by, as the plan prices a seat on it: at most its
    seats, and at most the people who could take part (its facility's, of its job groups) and the
    seats others hold. A team day for a house of four is shared by four, not by its 11 seats (the
    bookings then cost what the plan said); the plan's own count is not known before it is made."""
    groups = set(session.course.target_job_groups or ())
    could = sum(
        1
        for e in employments
        if (not session.facility_id or e.facility_id == session.facility_id) and (not groups or e.job_group in groups)
    )
    return max(1, min(session.capacity, could + outside_seats))


def _engine_session(session: Session, outside_seats: int, veu: Any, participants: int = 0) -> engine.Session:
    days = sorted(session.days.all(), key=lambda d: d.date)
    course = session.course
    if course.is_in_house:
        fee = session.inhouse_day_fee() * len(days) / max(1, participants or session.capacity)
    else:
        fee = session.participant_fee()
    rate = veu.on(days[0].date) if course.veu_eligible and days else None
    return engine.Session(
        id=session.pk,
        course_id=course.pk,
        grants=tuple(g.competence_id for g in course.grants.all()),
        days=tuple(d.date for d in days),
        hours=float(sum((d.hours for d in days), Decimal("0"))),
        capacity=max(0, session.capacity - outside_seats),
        fee_ore=to_ore(fee),
        prerequisites=tuple(c.pk for c in course.prerequisites.all()),
        job_groups=tuple(course.target_job_groups or ()),
        facility_ids=(session.facility_id,) if session.facility_id else (),
        veu_ore_per_hour=to_ore(rate) if rate is not None else 0,
        day_hours=tuple(float(d.hours) for d in days),
        validity_months={g.competence_id: g.validity_months for g in course.grants.all() if g.validity_months},
    )


def _grants(
    scenario: Scenario, facilities: list[Facility]
) -> tuple[list[engine.Grant], dict[int, str], dict[int, PoolRules]]:
    grants = list(
        scenario.grants.filter(status=Grant.Status.APPROVED).select_related("pool", "facility", "municipality")
    )
    balances = balances_by_grant(grants)
    ids = {f.pk for f in facilities}
    result, names, rules = [], {}, {}
    for grant in grants:
        pool = grant.pool
        if grant.facility_id is not None:
            allowed = frozenset({grant.facility_id})
        else:
            own = frozenset(f.pk for f in facilities if f.municipality_id == grant.municipality_id)
            allowed = frozenset() if own == ids else own
        categories = frozenset(c for c in (CostCategory.FEE, CostCategory.BACKFILL) if pool.covers(c))
        result.append(
            engine.Grant(
                id=grant.pk,
                name=str(grant),
                remaining_ore=max(0, to_ore(balances[grant.pk].remaining)),
                categories=frozenset(str(c) for c in categories),
                facility_ids=allowed,
                period_start=pool.period_start,
                period_end=pool.period_end,
                share_permille=int(pool.co_financing_share * 10),
            )
        )
        names[grant.pk] = str(grant)
        rules[grant.pk] = rules_for(pool)
    if scenario.own_budget > 0:
        used = own_budget_used(scenario)
        left = max(ZERO, scenario.own_budget - used)
        result.append(engine.Grant(id=OWN_BUDGET_ID, name=str(OWN_BUDGET_NAME), remaining_ore=to_ore(left), own=True))
        names[OWN_BUDGET_ID] = str(OWN_BUDGET_NAME)
        if used > 0:
            names[OWN_BUDGET_ID] = _("%(name)s (%(budget)s, heraf %(used)s brugt af godkendte planer)") % {
                "name": OWN_BUDGET_NAME,
                "budget": format_kr(scenario.own_budget),
                "used": format_kr(used),
            }
    return result, names, rules


def own_budget_used(scenario: Scenario) -> Decimal:
    """What the scenario's accepted plans have already put on its own money: the own-money part
    of the seats they booked that are not cancelled. A re-plan has only the rest (the seats it
    keeps are paid), so the scenario's own budget is a ceiling for all its plans together."""
    used = ZERO
    rows = (
        PlanAssignment.objects.filter(run__scenario=scenario, existing=False, booking__isnull=False)
        .exclude(booking__status=BookingStatus.CANCELLED)
        .values_list("charges", flat=True)
    )
    for charges in rows:
        used += sum((Decimal(c["amount"]) for c in charges if int(c["grant"]) == OWN_BUDGET_ID), ZERO)
    return used


def build_inputs(scenario: Scenario) -> Inputs:
    """The planner problem for a scenario, read from the database now."""
    facilities = list(scenario.facilities.all()) or list(Facility.objects.filter(municipality=scenario.municipality))
    # Never a course that has begun: a scenario saved last spring and run again today plans from tomorrow.
    start, end = scenario.first_day_for_new_seats(local_today()), scenario.horizon_end
    employments, second = main_employments(facilities, start, end)
    person_of_employee = {e.employee_id: e.pk for e in employments}
    live = list(
        Booking.objects.filter(
            # A booked seat counts until its course is over; a planned seat only on a course still to
            # come (one on a course that has begun was never booked, and will not happen).
            Q(status=BookingStatus.BOOKED, session__last_day__gte=start)
            | Q(status=BookingStatus.PLANNED, session__first_day__gte=start),
            employee_id__in=person_of_employee,
            session__cancelled=False,
        ).values_list("pk", "employee_id", "session_id", "status")
    )
    sessions = _sessions(scenario, facilities, {row[2] for row in live}, start)
    session_ids = [s.pk for s in sessions]
    outside: dict[int, int] = defaultdict(int)
    for session_id in (
        Booking.objects.filter(session_id__in=session_ids, status__in=[BookingStatus.BOOKED])
        .exclude(employee_id__in=person_of_employee)
        .values_list("session_id", flat=True)
    ):
        outside[session_id] += 1
    veu = veu_rates()
    engine_sessions = [
        _engine_session(
            s, outside[s.pk], veu, likely_participants(s, employments, outside[s.pk]) if s.course.is_in_house else 0
        )
        for s in sessions
        if s.days.all()
    ]
    all_days = {d for s in engine_sessions for d in s.days}
    away = _unavailable(employments, all_days, start, end)
    holdings = _holdings(employments, start)
    persons = [
        engine.Person(
            id=e.pk,
            facility_id=e.facility_id,
            job_group=e.job_group,
            fte=float(e.fte),
            hourly_wage_ore=to_ore(e.hourly_wage),
            holdings=holdings.get(e.employee_id, {}),
            unavailable=frozenset(away.get(e.pk, ())),
            days_cap_per_year=scenario.days_cap_per_year,
            hours_per_day=float(Decimal(e.weekly_hours) / 5),
            veu_eligible=_veu_person(e),
            municipality_id=scenario.municipality_id,
            also_at=frozenset(second.get(e.employee_id, {})),
            away_at={
                f: off for f, spans in second.get(e.employee_id, {}).items() if (off := _not_employed(spans, all_days))
            },
        )
        for e in employments
    ]
    requirements, info = _requirements(facilities, employments, start, end)
    grants, grant_names, rules = _grants(scenario, facilities)
    periods = periods_by_facility([f.pk for f in facilities], start, end)
    holidays = public_holidays(start, end)
    staffing = [
        engine.StaffingRule(
            facility_id=f.pk,
            min_staff=f.minimum_staff,
            backfill_permille=int(BackfillFactors(f).on(start) * 1000),
            weekend_min_staff=f.minimum_staff_weekend,
            periods=tuple(engine.StaffingPeriod(p.start_date, p.end_date, p.minimum) for p in periods[f.pk]),
            holidays=holidays,
        )
        for f in facilities
    ]
    known_sessions = {s.id for s in engine_sessions}
    bookings = [
        engine.Booking(
            person_id=person_of_employee[employee_id],
            session_id=session_id,
            fixed=status == BookingStatus.BOOKED or scenario.keep_accepted,
            paid=True,
        )
        for _pk, employee_id, session_id, status in live
        if session_id in known_sessions
    ]
    problem = engine.Problem(
        start=start,
        persons=tuple(persons),
        requirements=tuple(requirements),
        sessions=tuple(engine_sessions),
        grants=tuple(grants),
        staffing=tuple(staffing),
        bookings=tuple(bookings),
        validity_months=_validity(requirements, engine_sessions),
    )
    return Inputs(
        problem=problem,
        employee_of={e.pk: e.employee_id for e in employments},
        facility_names={f.pk: f.name for f in facilities},
        requirement_info=info,
        grant_names=grant_names,
        session_days={s.id: len(s.days) for s in engine_sessions},
        rules=rules,
    )


def _requirements(
    facilities: list[Facility], employments: list[Employment], start: dt.date, end: dt.date
) -> tuple[list[engine.Requirement], dict[int, dict[str, Any]]]:
    ids = [e.pk for e in employments]
    facility_qs = Facility.objects.filter(pk__in=[f.pk for f in facilities])
    result, info = [], {}
    for requirement in requirements_for(facility_qs):
        deadline = requirement.deadline if requirement.deadline and requirement.deadline >= start else end
        population = list(
            Employment.objects.filter(pk__in=ids)
            .filter(requirement.employment_q())
            .filter(start_date__lte=deadline)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=deadline))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        alternatives = tuple(sorted(c.pk for c in requirement.competences.all()))
        if not population or not alternatives:
            continue
        result.append(
            engine.Requirement(
                id=requirement.pk,
                name=requirement.name,
                competence_ids=alternatives,
                population=tuple(population),
                kind=KINDS.get(requirement.rule, engine.RuleKind.EVERY_PERSON),  # type: ignore[call-overload]
                target_share=float(requirement.target) / 100,
                deadline=deadline,
                weight=WEIGHTS.get(requirement.priority, 1.0),  # type: ignore[call-overload]
            )
        )
        info[requirement.pk] = {
            "name": requirement.name,
            "scope": requirement.scope_text(),
            "scope_level": str(requirement.scope_level),
            "rule": requirement.rule_text(),
            "rule_parameters": requirement.rule_parameters(),  # worded again in the reader's language
            "deadline": deadline.isoformat(),
            "own_deadline": requirement.deadline.isoformat() if requirement.deadline else None,
        }
    return result, info


def _validity(requirements: list[engine.Requirement], sessions: list[engine.Session]) -> dict[int, int | None]:
    from styrbord.competences.models import Competence

    wanted = {c for r in requirements for c in r.competence_ids} | {
        c for s in sessions for c in (*s.grants, *s.prerequisites)
    }
    return dict(Competence.objects.filter(pk__in=wanted).values_list("pk", "validity_months"))


def snapshot(problem: engine.Problem) -> dict[str, Any]:
    """The problem as JSON-ready data (dates as ISO strings, sets as sorted lists)."""

    def clean(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        if isinstance(value, (set, frozenset)):
            return sorted(clean(v) for v in value)
        return value

    return clean(dataclasses.asdict(problem))  # type: ignore[no-any-return]
