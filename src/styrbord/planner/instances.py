"""Fixed-seed generated planning problems shaped like the seed cases (for benchmarks and tests).

A municipality with residential facilities, staff by job group with part-time, wages, key
workers, holdings (some expiring), summer holidays and sick days; the competences of the
seeds (conflict management, Low Arousal, KRAP, recovery, Housing First, autism, medicine,
first aid, prevention instructor, use of force, a diploma module, special instructor);
requirements per facility with deadlines in 2027 and priorities; dated sessions with
capacities and fees; an own budget, earmarked facility grants (like Dolmer Have's) and a
fee-only pool that ends mid-2027; minimum staffing; a few existing bookings.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from styrbord.planner.model import (
    BACKFILL,
    FEE,
    Booking,
    Grant,
    Person,
    Problem,
    Requirement,
    RuleKind,
    Session,
    StaffingRule,
    add_months,
)

START = dt.date(2026, 12, 1)

EDUCATOR, SOSU_HELPER, SOSU_ASSISTANT, NURSE, CARE_ASSISTANT = (
    "social_educator",
    "sosu_helper",
    "sosu_assistant",
    "nurse",
    "care_assistant",
)
JOB_GROUPS = [
    (EDUCATOR, 0.45, 25_000),
    (SOSU_ASSISTANT, 0.18, 23_000),
    (SOSU_HELPER, 0.10, 21_500),
    (NURSE, 0.05, 28_000),
    (CARE_ASSISTANT, 0.22, 19_500),
]
CARE = (SOSU_HELPER, SOSU_ASSISTANT, NURSE)


@dataclass(frozen=True)
class CourseSpec:
    competence: int
    name: str
    days: int
    fee_kr: int
    capacity: int
    validity: int | None
    weight: float  # share of the sessions
    prerequisites: tuple[int, ...] = ()
    job_groups: tuple[str, ...] = ()
    veu_kr_per_hour: int = 0
    weekly: bool = False  # one day a week instead of consecutive days


COURSES = [
    CourseSpec(1, "Konflikthåndtering", 2, 3_500, 20, None, 0.18),
    CourseSpec(2, "Low Arousal", 1, 2_000, 24, None, 0.08),
    CourseSpec(3, "KRAP", 5, 12_000, 20, None, 0.12, weekly=True),
    CourseSpec(4, "Recovery-orienteret rehabilitering", 4, 8_000, 24, None, 0.12, weekly=True),
    CourseSpec(5, "Housing First", 2, 4_000, 20, None, 0.05),
    CourseSpec(6, "Autismeforståelse", 2, 3_000, 24, None, 0.05),
    CourseSpec(7, "Medicinhåndtering", 3, 0, 16, 24, 0.10, job_groups=CARE, veu_kr_per_hour=135),
    CourseSpec(8, "Førstehjælp", 1, 1_200, 16, 24, 0.15, veu_kr_per_hour=135),
    CourseSpec(9, "Forebyggelsesinstruktør", 3, 9_000, 12, 36, 0.04, prerequisites=(1,)),
    CourseSpec(10, "Magtanvendelse", 1, 1_500, 30, 12, 0.04),
    CourseSpec(11, "Diplommodul i psykiatri", 6, 18_000, 30, None, 0.03, job_groups=(EDUCATOR, NURSE), weekly=True),
    CourseSpec(12, "Specialinstruktør", 2, 6_000, 12, 36, 0.02, prerequisites=(9,)),
]
HOURS_PER_DAY = 7.4


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate(
    staff: int,
    facilities: int,
    sessions: int,
    seed: int = 0,
    start: dt.date = START,
    municipality_id: int = 0,
    budget_share: float = 0.45,
    shared_grant: Grant | None = None,
) -> Problem:
    """A reproducible problem: same arguments, same problem."""
    rng = random.Random(f"{seed}/{staff}/{facilities}/{sessions}/{municipality_id}")
    base = municipality_id * 1_000_000
    horizon = weekdays(start + dt.timedelta(days=7), add_months(start, 13))
    horizon = [d for d in horizon if d.month != 7 and not (d.month == 12 and d.day > 20)]

    # facilities: lognormal sizes, at least 8 staff each
    weights = [rng.lognormvariate(0.0, 0.6) for _ in range(facilities)]
    sizes = [max(8, round(staff * w / sum(weights))) for w in weights]
    while sum(sizes) > staff:
        sizes[sizes.index(max(sizes))] -= 1
    while sum(sizes) < staff:
        sizes[rng.randrange(facilities)] += 1
    facility_ids = [base + 1 + f for f in range(facilities)]

    persons: list[Person] = []
    key_workers: set[int] = set()
    staffing: list[StaffingRule] = []
    pid = base + 100_000
    for f, size in zip(facility_ids, sizes, strict=True):
        for _ in range(size):
            pid += 1
            group = rng.choices([g for g, _s, _w in JOB_GROUPS], [s for _g, s, _w in JOB_GROUPS])[0]
            wage = {g: w for g, _s, w in JOB_GROUPS}[group]
            holdings = _holdings(rng, group, start)
            fte = rng.choices([1.0, 0.8, 0.6, 0.5], [0.5, 0.25, 0.15, 0.1])[0]
            persons.append(
                Person(
                    id=pid,
                    facility_id=f,
                    job_group=group,
                    fte=fte,
                    hourly_wage_ore=round(wage * rng.uniform(0.95, 1.12)),
                    holdings=holdings,
                    unavailable=_unavailable(rng, horizon),
                    days_cap_per_year=10,
                    hours_per_day=round(HOURS_PER_DAY * fte, 2),
                    veu_eligible=group in (SOSU_HELPER, CARE_ASSISTANT) and rng.random() < 0.7,
                    municipality_id=municipality_id,
                )
            )
            if group != CARE_ASSISTANT and rng.random() < 0.45:
                key_workers.add(pid)
        staffing.append(StaffingRule(f, math.floor(size * rng.uniform(0.80, 0.88)), rng.choice((1000, 1100, 1250))))

    sessions_list = _sessions(rng, sessions, horizon, facility_ids, base)
    requirements = _requirements(rng, persons, facility_ids, key_workers, base)
    grants = _grants(rng, persons, requirements, sessions_list, facility_ids, base, budget_share, start)
    if shared_grant is not None:
        grants.append(shared_grant)
    bookings = _bookings(rng, persons, sessions_list)
    return Problem(
        start=start,
        persons=tuple(persons),
        requirements=tuple(requirements),
        sessions=tuple(sessions_list),
        grants=tuple(grants),
        staffing=tuple(staffing),
        bookings=tuple(bookings),
        validity_months={c.competence: c.validity for c in COURSES},
    )


def _holdings(rng: random.Random, group: str, start: dt.date) -> dict[int, dt.date | None]:
    held: dict[int, dt.date | None] = {}
    chances = {1: 0.30, 2: 0.12, 3: 0.25 if group == EDUCATOR else 0.08, 4: 0.10, 5: 0.05, 6: 0.08, 11: 0.04}
    for competence, chance in chances.items():
        if rng.random() < chance:
            held[competence] = None
    if rng.random() < 0.6:  # first aid, 24 months: some lapse before the deadlines
        held[8] = add_months(start - dt.timedelta(days=rng.randrange(0, 720)), 24)
    if group in CARE and rng.random() < 0.55:
        held[7] = add_months(start - dt.timedelta(days=rng.randrange(0, 720)), 24)
    if rng.random() < 0.5:
        held[10] = add_months(start - dt.timedelta(days=rng.randrange(0, 360)), 12)
    if 1 in held and rng.random() < 0.08:
        held[9] = add_months(start - dt.timedelta(days=rng.randrange(0, 900)), 36)
    return held


def _unavailable(rng: random.Random, horizon: list[dt.date]) -> frozenset[dt.date]:
    """Three weeks of summer holiday, a week in autumn for some, sick days, and long leave for a few."""
    days: set[dt.date] = set()
    summer = [d for d in horizon if d.month in (6, 8)]
    if summer:
        first = rng.randrange(len(summer))
        days.update(summer[first : first + 10])
    if rng.random() < 0.4:
        first = rng.randrange(len(horizon))
        days.update(horizon[first : first + 5])
    days.update(rng.sample(horizon, min(len(horizon), 8)))
    if rng.random() < 0.05:
        first = rng.randrange(len(horizon))
        days.update(horizon[first : first + rng.randrange(40, 120)])
    return frozenset(days)


def _sessions(
    rng: random.Random, count: int, horizon: list[dt.date], facility_ids: list[int], base: int
) -> list[Session]:
    specs = rng.choices(COURSES, [c.weight for c in COURSES], k=count)
    for spec in COURSES:  # every course runs at least once when there is room
        if spec not in specs and count >= len(COURSES):
            specs[rng.randrange(count)] = spec
    result: list[Session] = []
    for i, spec in enumerate(sorted(specs, key=lambda c: c.competence)):
        step = 5 if spec.weekly else 1
        span = (spec.days - 1) * step
        first = rng.randrange(max(1, len(horizon) - span))
        days = tuple(horizon[min(len(horizon) - 1, first + k * step)] for k in range(spec.days))
        days = tuple(sorted(set(days)))
        closed = rng.random() < 0.15 and len(facility_ids) > 1
        result.append(
            Session(
                id=base + 10_000 + i,
                course_id=base + 1_000 + spec.competence,
                grants=(spec.competence,),
                days=days,
                hours=round(HOURS_PER_DAY * len(days), 1),
                capacity=spec.capacity,
                fee_ore=round(spec.fee_kr * 100 * (0.7 if closed else rng.uniform(0.9, 1.15))),
                prerequisites=spec.prerequisites,
                job_groups=spec.job_groups,
                facility_ids=(rng.choice(facility_ids),) if closed else (),
                veu_ore_per_hour=spec.veu_kr_per_hour * 100,
            )
        )
    return result


def _requirements(
    rng: random.Random, persons: list[Person], facility_ids: list[int], key_workers: set[int], base: int
) -> list[Requirement]:
    staff_of: dict[int, list[Person]] = {f: [] for f in facility_ids}
    for person in persons:
        staff_of[person.facility_id].append(person)
    result: list[Requirement] = []

    def add(
        name: str,
        alts: tuple[int, ...],
        members: list[Person],
        kind: RuleKind,
        share: float,
        deadline: dt.date,
        weight: float,
    ) -> None:
        if members:
            result.append(
                Requirement(
                    base + 500_000 + len(result),
                    name,
                    alts,
                    tuple(p.id for p in members),
                    kind,
                    share,
                    deadline,
                    weight,
                )
            )

    for f in facility_ids:
        staff = staff_of[f]
        add("Konflikthåndtering 80 %", (1, 2), staff, RuleKind.PEOPLE_SHARE, 0.8, dt.date(2027, 6, 30), 3.0)
        add("Førstehjælp alle", (8,), staff, RuleKind.EVERY_PERSON, 1.0, dt.date(2027, 9, 30), 1.5)
        if rng.random() < 0.7:
            add(
                "Recovery 75 % af kontaktpersoner",
                (4,),
                [p for p in staff if p.id in key_workers],
                RuleKind.PEOPLE_SHARE,
                0.75,
                dt.date(2027, 12, 31),
                2.0,
            )
        if rng.random() < 0.6:
            add(
                "KRAP 50 % af pædagogernes årsværk",
                (3,),
                [p for p in staff if p.job_group == EDUCATOR],
                RuleKind.FTE_SHARE,
                0.5,
                dt.date(2027, 12, 31),
                1.0,
            )
        if rng.random() < 0.6:
            add(
                "Medicinhåndtering 90 %",
                (7,),
                [p for p in staff if p.job_group in CARE],
                RuleKind.PEOPLE_SHARE,
                0.9,
                dt.date(2027, 10, 31),
                2.0,
            )
        if rng.random() < 0.5:
            add(
                "Forebyggelsesinstruktører 6 %", (9, 12), staff, RuleKind.PEOPLE_SHARE, 0.06, dt.date(2027, 12, 31), 1.0
            )
        if rng.random() < 0.3:
            alts = rng.choice(((5,), (6,)))
            add(
                "Målgruppe: Housing First / autisme 60 %",
                alts,
                staff,
                RuleKind.PEOPLE_SHARE,
                0.6,
                dt.date(2027, 12, 31),
                1.0,
            )
        if rng.random() < 0.3:
            add("Magtanvendelse alle", (10,), staff, RuleKind.EVERY_PERSON, 1.0, dt.date(2027, 3, 31), 1.0)
    return result


def _grants(
    rng: random.Random,
    persons: list[Person],
    requirements: list[Requirement],
    sessions: list[Session],
    facility_ids: list[int],
    base: int,
    budget_share: float,
    start: dt.date,
) -> list[Grant]:
    """Own budget, earmarked facility grants and a fee-only pool, sized to a share of the demand."""
    fee_of: dict[int, list[int]] = {}
    hours_of: dict[int, float] = {}
    for session in sessions:
        for c in session.grants:
            fee_of.setdefault(c, []).append(session.fee_ore)
            hours_of[c] = session.hours
    wage = sum(p.hourly_wage_ore for p in persons) / max(1, len(persons))
    by_id = {p.id: p for p in persons}
    demand: dict[int, float] = dict.fromkeys(facility_ids, 0.0)
    for req in requirements:
        c = req.competence_ids[0]
        if c not in fee_of:
            continue
        seat = sum(fee_of[c]) / len(fee_of[c]) + hours_of[c] * wage * 1.1
        missing = sum(1 for p in req.population if not any(a in by_id[p].holdings for a in req.competence_ids))
        needed = (
            missing
            if req.kind == RuleKind.EVERY_PERSON
            else max(0.0, missing - (1 - req.target_share) * len(req.population))
        )
        demand[by_id[req.population[0]].facility_id] += needed * seat
    total = sum(demand.values()) * budget_share
    grants = [
        Grant(
            base + 900_001,
            "Egen kompetencepulje",
            round(total * 0.55),
            period_start=start,
            period_end=dt.date(2027, 12, 31),
        )
    ]
    grants.append(
        Grant(
            base + 900_002,
            "Statslig pulje: kursusgebyrer",
            round(total * 0.15),
            categories=frozenset({FEE}),
            period_start=start,
            period_end=dt.date(2027, 6, 30),
        )
    )
    earmarked = list(facility_ids)
    rng.shuffle(earmarked)
    chosen = earmarked[: max(1, len(facility_ids) // 4)]
    share = sum(demand[f] for f in chosen) or 1.0
    for i, f in enumerate(chosen):
        grants.append(
            Grant(
                base + 900_010 + i,
                f"Puljemidler tilbud {f}",
                round(total * 0.30 * demand[f] / share),
                categories=frozenset({FEE, BACKFILL}),
                facility_ids=frozenset({f}),
                period_start=dt.date(2025, 1, 1),
                period_end=dt.date(2027, 12, 31),
            )
        )
    return grants


def _bookings(rng: random.Random, persons: list[Person], sessions: list[Session]) -> list[Booking]:
    result: list[Booking] = []
    used: set[tuple[int, int]] = set()
    for person in rng.sample(persons, max(0, len(persons) // 100)):
        options = [
            s
            for s in sessions
            if (not s.job_groups or person.job_group in s.job_groups)
            and not s.prerequisites
            and not s.facility_ids
            and not any(d in person.unavailable for d in s.days)
        ]
        if options:
            session = rng.choice(options)
            if (person.id, session.id) not in used:
                used.add((person.id, session.id))
                result.append(Booking(person.id, session.id, fixed=rng.random() < 0.5, paid=rng.random() < 0.7))
    return result


TIERS = {
    "500": (500, 10, 30),
    "1500": (1500, 30, 60),
    "5000": (5000, 100, 200),
}
