"""The confirmation page says what each grant will be charged, to the øre, as the ledger charges it.

A walk saw a plan's confirmation page predict 168.765 kr. for a grant while the ledger charged
168.764 kr. The plan says each seat's charges in whole øre by category; accepting charges a seat
to a grant as a *share* of its booking's cost, kept to the hundredth of a percent, and the ledger
splits every cost line by that share and rounds each line to the øre. A seat the grant pays only
part of (its fee, not its backfill wages) lands a few øre off the plan's figure, and over several
seats the plan's whole kroner and the ledger's differ.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from styrbord.funding.models import Grant, LedgerEntry
from styrbord.lib.costs import CostCategory
from styrbord.lib.formatting import format_kr
from styrbord.lib.money import ZERO
from styrbord.planning import services
from styrbord.planning.inputs import OWN_BUDGET_ID
from styrbord.planning.models import PlanAssignment, PlanRun
from styrbord.planning.tests.data import planning_setup
from styrbord.staff.models import Employment
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.training.models import Booking, BookingCost, BookingStatus
from styrbord.training.services.costing import booking_costs

pytestmark = pytest.mark.django_db

# Hourly wages with øre, so every seat's backfill (hours x wage x factor) has øre fractions.
WAGES = ("213.47", "198.13", "251.09", "207.71", "233.33", "219.99", "187.65")
# What of each seat's backfill the plan puts on the grant (the rest on the facilities' own money):
# none, or a part, as the planner's allocation leaves the last seat of a class.
GRANT_BACKFILL = (ZERO, ZERO, Decimal("500.55"), ZERO, ZERO, ZERO, ZERO)


def _plan_of_partly_funded_seats(world: World) -> tuple[PlanRun, Grant]:
    """A finished run whose seven new seats the grant pays the fee of (and one seat some backfill),
    the rest from the facilities' own money, with costs as the bookings will have them."""
    setup = planning_setup(world, grant_kr="100000.00", own_budget="100000.00", capacity=8)
    employments = list(Employment.objects.filter(facility=world.dolmer).order_by("pk"))
    employments += [factories.employment(factories.employee(), world.dolmer) for _ in range(4)]
    run = PlanRun.objects.create(
        scenario=setup.scenario, parameters=services.parameters_of(setup.scenario), status=PlanRun.Status.DONE
    )
    for n, (employment, wage, extra) in enumerate(zip(employments, WAGES, GRANT_BACKFILL, strict=True)):
        Employment.objects.filter(pk=employment.pk).update(hourly_wage=Decimal(wage))
        employment.refresh_from_db()
        session = setup.sessions[n % 2]
        seat = Booking(
            employee=employment.employee, employment=employment, session=session, status=BookingStatus.PLANNED
        )
        lines = booking_costs(seat)  # what the booking will cost: training's own lines
        fee = sum((line.amount for line in lines if line.category == CostCategory.FEE), ZERO)
        backfill = sum((line.amount for line in lines if line.category != CostCategory.FEE), ZERO)
        assert backfill % 1 != 0  # kroner and øre
        charges = [
            {"grant": setup.grant.pk, "category": "fee", "amount": str(fee)},
            {"grant": OWN_BUDGET_ID, "category": "backfill", "amount": str(backfill - extra)},
        ]
        if extra:
            charges.append({"grant": setup.grant.pk, "category": "backfill", "amount": str(extra)})
        PlanAssignment.objects.create(
            run=run,
            employee=employment.employee,
            employment=employment,
            session=session,
            cost=fee + backfill,
            charges=charges,
        )
    return run, setup.grant


def test_the_confirmation_page_predicts_the_ledger_s_charge_to_the_ore(world: World) -> None:
    run, grant = _plan_of_partly_funded_seats(world)
    seats = list(run.assignments.all())
    plans = services._charged_per_grant(seats)[grant.pk]
    summary = services.acceptance_summary(run)
    (predicted,) = summary["grants"]
    client = client_for(world.coordinator)
    page = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()

    client.post(reverse("planning:run_accept", args=[run.pk]), {"bekraeft": "1"})

    bookings = Booking.objects.filter(plan_assignments__run=run)
    assert bookings.count() == len(seats) == 7
    costs = BookingCost.objects.filter(booking__in=bookings).aggregate(s=Sum("amount"))["s"]
    assert costs == sum((s.cost for s in seats), ZERO) == summary["cost"]  # the seats cost what the plan said
    ledger = LedgerEntry.objects.filter(grant=grant, booking__in=bookings).aggregate(s=Sum("amount"))["s"]
    # The walk's finding: the plan's own figure is not what the ledger charges, not even in kroner.
    assert plans != ledger
    assert format_kr(plans) != format_kr(ledger)
    # The confirmation page says what the ledger charges, and the rest is the facilities' own money.
    assert predicted["amount"] == ledger
    assert summary["grants_total"] == ledger
    assert summary["own"] == summary["cost"] - ledger
    assert f'<td>{grant}</td><td class="num">{format_kr(ledger)}</td>' in page
    assert f'<td>Tilbuddenes egne midler</td><td class="num">{format_kr(summary["cost"] - ledger)}</td>' in page


def test_a_grant_that_pays_whole_seats_is_predicted_as_planned(world: World) -> None:
    """Where the grant pays a seat in full its share is 100 %, and the plan's figure is the ledger's."""
    run, grant = _plan_of_partly_funded_seats(world)
    for seat in run.assignments.all():
        seat.charges = [{**c, "grant": grant.pk} for c in seat.charges]
        seat.save(update_fields=["charges"])
    seats = list(run.assignments.all())
    planned = services._charged_per_grant(seats)[grant.pk]
    assert planned == sum((s.cost for s in seats), ZERO)
    assert services.acceptance_summary(run)["grants_total"] == planned
    services.accept_run(run, world.coordinator)
    ledger = LedgerEntry.objects.filter(grant=grant).aggregate(s=Sum("amount"))["s"]
    assert ledger == planned
