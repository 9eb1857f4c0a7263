"""One object of every API type for each tenant relation of the ``world`` fixture.

Relations (as seen from the Dolmer Have manager / Norddjurs coordinator personas):
``own`` (Dolmer Have), ``same_municipality`` (Glesborg), ``other_municipality`` (Syddjurs, same
region), ``other_region`` (København), and ``self`` (the employee persona's own records).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from styrbord.competences.models import Competence
from styrbord.funding.models import Grant, Pool
from styrbord.funding.services.ledger import commit
from styrbord.lib.costs import CostCategory
from styrbord.organisations.models import (
    Grantor,
    LegalBasis,
    Method,
    Municipality,
    Region,
    StaffingPeriod,
    TargetGroup,
    Unit,
)
from styrbord.requirements.models import Requirement, ScopeLevel
from styrbord.testing import factories
from styrbord.training.models import Course, Provider, Session
from styrbord.training.services.bookings import book

RELATIONS = ["own", "same_municipality", "other_municipality", "other_region"]
SESSION_DAY = dt.date(2026, 3, 2)
# The day the matrix runs on: the session its bookings are on has begun (attendance can be
# registered), the spare sessions a week apart after it have not (new bookings can be planned).
MATRIX_DAY = SESSION_DAY + dt.timedelta(days=2)
_seq = itertools.count(1)


@dataclass
class TenantData:
    """objects[relation][object_type] -> the object; plus shared catalogue rows."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    facilities: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)  # relation -> employee (not the persona)
    employments: dict[str, Any] = field(default_factory=dict)
    pools: dict[str, Pool] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    competence: Competence | None = None
    provider: Provider | None = None
    spare_sessions: list[Session] = field(default_factory=list)


def _session(course: Course, day: dt.date) -> Session:
    session = Session.objects.create(course=course, name=f"Hold {next(_seq)}", capacity=50)
    session.set_days([(day, Decimal("7.40"))])
    return session


def build(world: Any) -> TenantData:
    """Create the objects (a few dozen rows) and return them by relation."""
    data = TenantData()
    data.facilities = {
        "own": world.dolmer,
        "same_municipality": world.glesborg,
        "other_municipality": world.syddjurs_facility,
        "other_region": world.kbh_facility,
    }
    staff = {
        "own": world.dolmer_staff,
        "same_municipality": world.glesborg_staff,
        "other_municipality": world.syddjurs_staff,
        "other_region": world.kbh_staff,
    }
    data.competence = factories.competence(code="matrix-kompetence", validity_months=24)
    data.provider = Provider.objects.create(name="Matrix-udbyder", kind=Provider.Kind.PRIVATE)
    course = Course.objects.create(
        code="matrix-kursus",
        name="Matrix-kursus",
        provider=data.provider,
        kind=Course.Kind.CERTIFICATION,
        fee_per_participant=Decimal("1000.00"),
    )
    session = _session(course, SESSION_DAY)
    data.spare_sessions = [_session(course, SESSION_DAY + dt.timedelta(days=7 * (i + 1))) for i in range(3)]
    other_grantor = Grantor.objects.create(name="Matrix-fonden")

    def person_objects(person: Any, employment: Any) -> dict[str, Any]:
        return {
            "employee": person,
            "employment": employment,
            "competence_holding": factories.holding(person, data.competence, dt.date(2025, 1, 1)),
            "booking": book(person, session, employment, on=SESSION_DAY - dt.timedelta(days=28)),
        }

    for relation in RELATIONS:
        facility = data.facilities[relation]
        person = staff[relation][1]
        employment = person.employments.get()
        data.people[relation] = person
        data.employments[relation] = employment
        grantor = world.grantor if relation in ("own", "same_municipality") else other_grantor
        pool = Pool.objects.create(
            grantor=grantor,
            municipality=facility.municipality,
            name=f"Matrix-pulje {relation}",
            total=Decimal("1000000.00"),
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2027, 12, 31),
            eligible_categories=[CostCategory.FEE, CostCategory.BACKFILL],
        )
        grant = Grant.objects.create(pool=pool, facility=facility, amount=Decimal("500000.00"))
        data.pools[relation] = pool
        data.grants[relation] = grant
        data.objects[relation] = {
            "facility": facility,
            "unit": Unit.objects.create(facility=facility, name=f"Afdeling {relation}"),
            "staffing_period": StaffingPeriod.objects.create(
                facility=facility, start_date=dt.date(2027, 2, 1), end_date=dt.date(2027, 2, 28), minimum=4
            ),
            **person_objects(person, employment),
            "competence": data.competence,
            "course": course,
            "session": session,
            "requirement": _requirement(facility, data.competence),
            "pool": pool,
            "grant": grant,
            "ledger": commit(grant, CostCategory.FEE, Decimal("100.00"), dt.date(2026, 1, 15), None),
            # The facility code lists' seeded rows (shared by all tenants, as the catalogue).
            "legal_basis": LegalBasis.objects.get(code="sel-108"),
            "target_group": TargetGroup.objects.get(code="psykiatri"),
            "method": Method.objects.get(code="krap"),
            # The official regions and municipalities (reference data, shared likewise).
            "region": Region.objects.get(code="1082"),
            "municipality": Municipality.objects.get(code="0707"),
        }
    me = world.employee_user.employee
    data.objects["self"] = person_objects(me, me.employments.get())
    return data


def _requirement(facility: Any, competence: Competence) -> Requirement:
    requirement = Requirement.objects.create(
        name=f"Krav for {facility.pk}", scope_level=ScopeLevel.FACILITY, facility=facility
    )
    requirement.competences.set([competence])
    return requirement
