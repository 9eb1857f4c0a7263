"""A funded world: the seed-000 pool in Norddjurs (grants to Dolmer Have and Glesborg), another grantor's
pool in Syddjurs, a budget-neutral appropriation, and a booked seat charged to the Dolmer grant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from styrbord.funding.models import Appropriation, AppropriationLine, Grant, Pool, ReportingDeadline
from styrbord.funding.services.booking_charges import charge_booking
from styrbord.funding.services.ledger import record_income
from styrbord.funding.tests import helpers
from styrbord.lib.costs import CostCategory
from styrbord.organisations.models import Grantor
from styrbord.testing import factories
from styrbord.training.models import Booking

D = Decimal


@pytest.fixture(autouse=True)
def frozen_today():  # type: ignore[no-untyped-def]
    """Funding tests run on 23-11-2026 (deadlines, burn-down and projections depend on today)."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=True):
        yield


@dataclass
class Funded:
    pool: Pool
    dolmer_grant: Grant
    glesborg_grant: Grant
    other_pool: Pool
    other_grant: Grant
    appropriation: Appropriation
    booking: Booking


@pytest.fixture
def funded(world) -> Funded:  # type: ignore[no-untyped-def]
    norddjurs = factories.municipality("0707")
    pool = helpers.pool(
        world.grantor,
        name="Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud",
        case_number="24/9263",
        municipality=norddjurs,
        eligible_categories=[CostCategory.FEE, CostCategory.BACKFILL, CostCategory.TRAVEL, CostCategory.AUDIT],
    )
    ReportingDeadline.objects.create(
        pool=pool, kind=ReportingDeadline.Kind.STATUS_REPORT, due_date=dt.date(2026, 12, 15)
    )
    dolmer = helpers.grant(pool, world.dolmer, amount="700000", status=Grant.Status.APPROVED)
    helpers.budget(
        dolmer,
        {
            (CostCategory.FEE, 2025): "100000",
            (CostCategory.BACKFILL, 2025): "200000",
            (CostCategory.FEE, 2026): "150000",
            (CostCategory.BACKFILL, 2026): "250000",
        },
    )
    glesborg = helpers.grant(pool, world.glesborg, amount="322000")
    other_grantor = Grantor.objects.create(name="A.P. Møller Fonden")
    other_pool = helpers.pool(other_grantor, name="Syddjurs-puljen", municipality=factories.municipality("0706"))
    other_grant = helpers.grant(other_pool, world.syddjurs_facility, amount="50000")
    appropriation = Appropriation.objects.create(
        municipality=norddjurs,
        title=pool.name,
        kind=Appropriation.Kind.SUPPLEMENTARY,
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2024, 12, 18),
        case_number="24/9263",
        budget_neutral=True,
        pool=pool,
    )
    for grant in (dolmer, glesborg):
        for direction in AppropriationLine.Direction.values:
            AppropriationLine.objects.create(
                appropriation=appropriation, year=2025, direction=direction, amount=grant.amount, grant=grant
            )
    booking = helpers.booking(world.dolmer_staff[0], {"fee": "2400.00", "backfill": "4440.50"})
    charge_booking(booking, [(dolmer, 100)], world.finance)
    record_income(dolmer, D("700000"), dt.date(2025, 2, 14), world.finance)
    return Funded(pool, dolmer, glesborg, other_pool, other_grant, appropriation, booking)
