"""Hand-made planning problems for the engine tests: a few people, sessions and one grant."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from styrbord.planner.model import (
    Booking,
    Grant,
    Parameters,
    Person,
    Problem,
    Requirement,
    RuleKind,
    Session,
    StaffingRule,
)

START = dt.date(2027, 1, 4)  # a Monday
A, B, C = 1, 2, 3  # competences
FACILITY = 10


def day(n: int) -> dt.date:
    """The n-th day after the planning start."""
    return START + dt.timedelta(days=n)


def person(pid: int, *, facility: int = FACILITY, group: str = "social_educator", **extra: object) -> Person:
    values: dict[str, object] = {"hourly_wage_ore": 25_000, "fte": 1.0}
    values.update(extra)
    return Person(id=pid, facility_id=facility, job_group=group, **values)  # type: ignore[arg-type]


def session(sid: int, competence: int, days: tuple[int, ...], **extra: object) -> Session:
    values: dict[str, object] = {"hours": 7.4 * len(days), "capacity": 20, "fee_ore": 100_000, "course_id": competence}
    values.update(extra)
    return Session(id=sid, grants=(competence,), days=tuple(day(n) for n in days), **values)  # type: ignore[arg-type]


def everyone(
    rid: int, competence: int, people: list[Person], *, deadline: int = 200, weight: float = 1.0
) -> Requirement:
    return Requirement(
        id=rid,
        name=f"krav {rid}",
        competence_ids=(competence,),
        population=tuple(p.id for p in people),
        kind=RuleKind.EVERY_PERSON,
        target_share=1.0,
        deadline=day(deadline),
        weight=weight,
    )


def grant(amount_kr: int, gid: int = 1, **extra: object) -> Grant:
    return Grant(id=gid, name=f"pulje {gid}", remaining_ore=amount_kr * 100, **extra)  # type: ignore[arg-type]


def problem(
    people: list[Person],
    sessions: list[Session],
    requirements: list[Requirement],
    grants: list[Grant] | None = None,
    staffing: list[StaffingRule] | None = None,
    bookings: list[Booking] | None = None,
) -> Problem:
    return Problem(
        start=START,
        persons=tuple(people),
        requirements=tuple(requirements),
        sessions=tuple(sessions),
        grants=tuple(grants if grants is not None else [grant(10_000_000)]),
        staffing=tuple(staffing or ()),
        bookings=tuple(bookings or ()),
        validity_months={A: None, B: None, C: 24},
    )


def quick(**extra: object) -> Parameters:
    """Parameters for tests: a short time limit, the monolithic MILP."""
    values: dict[str, object] = {"time_limit_s": 4.0, "strategy": "milp", "cost_phase_share": 0.3}
    values.update(extra)
    return Parameters(**values)  # type: ignore[arg-type]


def random_problem(seed: int) -> Problem:
    """A tiny random problem (at most a dozen seats) for brute-force comparison."""
    rng = random.Random(seed)
    people = [
        person(
            100 + i,
            facility=FACILITY + i % 2,
            hourly_wage_ore=rng.randrange(18_000, 30_000),
            fte=rng.choice((1.0, 0.5, 0.8)),
            days_cap_per_year=rng.choice((2, 3, 10)),
        )
        for i in range(3)
    ]
    sessions = []
    for i in range(4):
        competence = rng.choice((A, B))
        first = rng.randrange(0, 20)
        sessions.append(
            session(
                200 + i,
                competence,
                (first, first + 1) if rng.random() < 0.5 else (first,),
                capacity=rng.choice((1, 2, 3)),
                fee_ore=rng.randrange(50_000, 300_000),
                prerequisites=(A,) if competence == B and rng.random() < 0.3 else (),
            )
        )
    requirements = [
        replace(everyone(300, A, people, weight=2.0), kind=RuleKind.PEOPLE_SHARE, target_share=0.67),
        replace(
            everyone(301, B, people[1:], deadline=rng.randrange(10, 40)), kind=RuleKind.FTE_SHARE, target_share=0.6
        ),
    ]
    budget = rng.randrange(2_000, 9_000)
    staffing = [StaffingRule(FACILITY, 1), StaffingRule(FACILITY + 1, 0)]
    return problem(people, sessions, requirements, [grant(budget)], staffing)
