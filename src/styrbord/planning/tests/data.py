"""A small planning world on top of the shared ``world`` fixture: one requirement, one course
with two sessions, a grant to Dolmer Have, and a scenario for Norddjurs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from styrbord.competences.models import Competence
from styrbord.funding.models import Grant, Pool
from styrbord.funding.services.setup import create_grant, create_pool
from styrbord.lib.costs import CostCategory
from styrbord.planning.models import Scenario
from styrbord.requirements.models import Priority, Requirement, Rule, ScopeLevel
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.training.models import Course, CourseCompetence, Provider, Session

START = dt.date(2026, 12, 1)
DAYS = (dt.date(2027, 2, 3), dt.date(2027, 3, 10))


@dataclass
class Setup:
    competence: Competence
    requirement: Requirement
    course: Course
    sessions: list[Session]
    pool: Pool
    grant: Grant
    scenario: Scenario


def planning_setup(world: World, *, grant_kr: str = "20000.00", own_budget: str = "0.00", capacity: int = 3) -> Setup:
    """Five people need conflict management by mid-2027; money for Dolmer Have's three only."""
    norddjurs = factories.municipality("0707")
    competence = factories.competence("konflikthaandtering", name="Konflikthåndtering")
    requirement = Requirement.objects.create(
        name="Konflikthåndtering for alle",
        scope_level=ScopeLevel.MUNICIPALITY,
        municipality=norddjurs,
        rule=Rule.EVERY_PERSON,
        deadline=dt.date(2027, 6, 30),
        priority=Priority.HIGH,
    )
    requirement.competences.add(competence)
    provider = Provider.objects.create(name="VIA University College", kind=Provider.Kind.UNIVERSITY_COLLEGE)
    course = Course.objects.create(
        code="konflikt",
        name="Konflikthåndtering",
        provider=provider,
        kind=Course.Kind.CERTIFICATION,
        fee_per_participant=Decimal("2000.00"),
    )
    CourseCompetence.objects.create(course=course, competence=competence)
    sessions = []
    for n, day in enumerate(DAYS, start=1):
        session = Session.objects.create(course=course, name=f"Hold {n}", capacity=capacity)
        session.set_days([(day, Decimal("7.40"))])
        sessions.append(session)
    pool = create_pool(
        Pool(
            municipality=norddjurs,
            name="Kompetencepulje",
            kind=Pool.Kind.MUNICIPAL_BUDGET,
            total=Decimal("100000.00"),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2027, 12, 31),
            eligible_categories=[CostCategory.FEE, CostCategory.BACKFILL],
        ),
        None,
    )
    grant = create_grant(Grant(pool=pool, facility=world.dolmer, amount=Decimal(grant_kr)), None)
    scenario = Scenario.objects.create(
        municipality=norddjurs,
        name="Konflikthåndtering 2027",
        start_date=START,
        horizon_end=dt.date(2027, 12, 31),
        own_budget=Decimal(own_budget),
        time_limit_s=3,
    )
    scenario.facilities.set([world.dolmer, world.glesborg])
    scenario.grants.set([grant])
    return Setup(competence, requirement, course, sessions, pool, grant, scenario)
