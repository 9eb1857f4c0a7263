"""Demo step: two plans for Norddjurs, with and without the seed-000 grants (24/9263: 700.000 kr.
to Dolmer Have and 322.000 kr. to Bofællesskaberne Glesborg), so the compare page shows the
coverage forecast by deadline with and without them. The solver runs now, with a short time
limit, so the demo opens with finished runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from styrbord.demo.context import DemoContext
from styrbord.lib.formatting import format_kr
from styrbord.organisations.models import Facility, Municipality
from styrbord.planning import services
from styrbord.planning.models import PlanRun, Scenario
from styrbord.training.models import Course, Session

TIME_LIMIT_S = 6
OWN_BUDGET = Decimal("150000.00")
# Under this much left on the seed grants together, the plan with them cannot differ from the one without.
LITTLE_LEFT = Decimal("50000.00")

# The providers' course calendar for 2027 that the coordinator plans with: (course code, name,
# capacity, first day, number of days, days between course days).
CALENDAR_2027 = [
    ("konflikt-simulation", "Kursuskalender 2027: marts", 16, dt.date(2027, 3, 8), 2, 1),
    ("konflikt-simulation", "Kursuskalender 2027: maj", 16, dt.date(2027, 5, 10), 2, 1),
    ("konflikt-simulation", "Kursuskalender 2027: september", 16, dt.date(2027, 9, 13), 2, 1),
    ("konflikt-simulation", "Kursuskalender 2027: november", 16, dt.date(2027, 11, 8), 2, 1),
    ("amu-konflikt", "Kursuskalender 2027: april", 18, dt.date(2027, 4, 12), 2, 1),
    ("amu-konflikt", "Kursuskalender 2027: oktober", 18, dt.date(2027, 10, 4), 2, 1),
    ("low-arousal", "Kursuskalender 2027: april", 20, dt.date(2027, 4, 19), 2, 1),
    ("low-arousal", "Kursuskalender 2027: oktober", 20, dt.date(2027, 10, 18), 2, 1),
    ("krap-grundforloeb", "Kursuskalender 2027: efterår", 24, dt.date(2027, 9, 6), 4, 7),
    ("forebyggelsesinstruktoer", "Kursuskalender 2027: efterår", 12, dt.date(2027, 9, 20), 5, 1),
    ("recovery-45", "Kursuskalender 2027-28", 24, dt.date(2027, 8, 16), 45, 3),
]
# In-house maintenance training: one team day per facility in 2027 (priced per day for the group).
TEAM_DAY = ("vedligeholdelse-konflikt", dt.date(2027, 6, 7))


def _scenario(ctx: DemoContext, municipality: Municipality, name: str, description: str, grants: list[Any]) -> Scenario:
    user = ctx.users.get("koordinator")
    scenario = Scenario.objects.create(
        municipality=municipality,
        name=name,
        description=description,
        own_budget=OWN_BUDGET,
        start_date=ctx.today,
        horizon_end=dt.date(2027, 12, 31),
        time_limit_s=TIME_LIMIT_S,
        created_by=user,
    )
    scenario.facilities.set(
        Facility.objects.filter(municipality=municipality).exclude(operator_kind=Facility.OperatorKind.REGION)
    )
    scenario.grants.set(grants)
    run = PlanRun.objects.create(scenario=scenario, parameters=services.parameters_of(scenario), created_by=user)
    services.execute_run(run.pk)
    return scenario


def _weekdays_from(first: dt.date, count: int, step: int) -> list[dt.date]:
    """``count`` weekdays from ``first``, ``step`` calendar days apart (weekends skipped)."""
    days: list[dt.date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=step)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return days


def _calendar(municipality: Municipality) -> int:
    """Add the 2027 course calendar (sessions) the plans choose from; returns how many."""
    courses = {c.code: c for c in Course.objects.filter(code__in={row[0] for row in CALENDAR_2027} | {TEAM_DAY[0]})}
    created = 0
    for code, name, capacity, first, count, step in CALENDAR_2027:
        course = courses.get(code)
        if course is None:
            continue
        session = Session.objects.create(course=course, name=name, capacity=capacity, municipality=municipality)
        hours = (course.duration_hours / max(1, course.duration_days)).quantize(Decimal("0.01"))
        session.set_days([(day, hours) for day in _weekdays_from(first, count, step)])
        created += 1
    team_day = courses.get(TEAM_DAY[0])
    if team_day is not None:
        for n, facility in enumerate(Facility.objects.filter(municipality=municipality).order_by("name")):
            staff = facility.employments.count()
            if not staff:
                continue
            session = Session.objects.create(
                course=team_day,
                name=f"Temadag 2027 {facility.name}",
                capacity=staff,
                facility=facility,
                municipality=municipality,
            )
            day = _weekdays_from(TEAM_DAY[1] + dt.timedelta(days=7 * n), 1, 1)[0]
            session.set_days([(day, team_day.duration_hours)])
            created += 1
    return created


def build(ctx: DemoContext) -> None:
    """Plan Norddjurs' competence development to the end of 2027, with and without the pool."""
    norddjurs = ctx.municipalities.get("0707") or Municipality.objects.get(code="0707")
    calendar = _calendar(norddjurs)
    grants = list((ctx.extra.get("funding_grants") or {}).values())
    # What the grants have left when the plans run: the funding step charges the demo's bookings
    # to them, and a plan can only use what is left.
    left = {grant.pk: balances.remaining for grant, balances in zip(grants, _balances(grants), strict=True)}
    with_grants = _scenario(
        ctx,
        norddjurs,
        "Plan 2027 med puljemidlerne (24/9263)",
        "Tilsagnene til Dolmer Have (700.000 kr.) og Bofællesskaberne Glesborg (322.000 kr.) fra puljen "
        f"Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud, plus {format_kr(OWN_BUDGET)} "
        "af tilbuddenes egne budgetter.",
        grants,
    )
    without = _scenario(
        ctx,
        norddjurs,
        "Plan 2027 uden puljemidlerne",
        f"Kun {format_kr(OWN_BUDGET)} af tilbuddenes egne budgetter: hvad puljemidlerne gør for dækningen.",
        [],
    )
    runs = [s.latest_run() for s in (with_grants, without)]
    ctx.extra["planning_scenarios"] = [with_grants, without]
    ctx.extra["planning_runs"] = runs
    parts = []
    for scenario, run in zip((with_grants, without), runs, strict=True):
        if run is None or run.status != PlanRun.Status.DONE:
            parts.append(f"{scenario.name}: {run.error if run else 'ingen kørsel'}")
            continue
        met = sum(1 for t in run.result.get("targets", []) if t["met"])
        parts.append(
            f"{scenario.name}: {met}/{len(run.result.get('targets', []))} krav nås, "
            f"{run.result.get('new_seats', 0)} nye pladser, {format_kr(run.cost or 0)}"
        )
    remaining = ", ".join(f"{g.recipient_name} {format_kr(left[g.pk])}" for g in grants)
    note = f"Planlægning: kursuskalender 2027 med {calendar} hold; tilsagnenes restbeløb {remaining}; " + "; ".join(
        parts
    )
    if grants and sum(left.values(), Decimal("0")) < LITTLE_LEFT:
        # The comparison then shows two equal plans: say so where the demo is built.
        note += (
            f" ADVARSEL: tilsagnene har under {format_kr(LITTLE_LEFT)} tilbage, så planen med puljemidlerne "
            "bliver som planen uden (demoens bookinger er allerede fordelt på dem)"
        )
    ctx.note(note)


def _balances(grants: list[Any]) -> list[Any]:
    from styrbord.funding.services.balances import balances_by_grant

    found = balances_by_grant(grants)
    return [found[g.pk] for g in grants]
