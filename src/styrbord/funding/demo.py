"""Demo step: the seed-000 case (1.022.000 kr. from Social- og Boligstyrelsen = 700.000 kr. to Dolmer
Have + 322.000 kr. to Bofællesskaberne Glesborg, 2025-01-01 to 2027-12-31, released by a budget-neutral
supplementary appropriation), Norddjurs' own 1,000 mio. kr. competence pool of 2024 (seed 003), and the
demo bookings charged to the grants, with actuals posted for the courses already held and one reversal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from styrbord.demo.context import DemoContext
from styrbord.funding.models import (
    Appropriation,
    AppropriationLine,
    Grant,
    GrantBudgetLine,
    LedgerEntry,
    Pool,
    ReportingDeadline,
)
from styrbord.funding.services import FundingError
from styrbord.funding.services.balances import balances_for
from styrbord.funding.services.booking_charges import charge_booking, post_booking_actuals
from styrbord.funding.services.ledger import post_actual, record_income, reverse_entry
from styrbord.funding.services.setup import create_appropriation, create_grant, create_pool
from styrbord.lib.costs import CostCategory
from styrbord.lib.formatting import format_kr
from styrbord.organisations.models import Facility, Grantor, Municipality

D = Decimal
FEE, BACKFILL, TRAVEL, MATERIALS, AUDIT = (
    CostCategory.FEE,
    CostCategory.BACKFILL,
    CostCategory.TRAVEL,
    CostCategory.MATERIALS,
    CostCategory.AUDIT,
)

POOL_NAME = "Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud"
CASE_NUMBER = "24/9263"
PURPOSE = (
    "Puljemidlerne skal anvendes på kompetenceudvikling og efteruddannelse af medarbejdere på socialpsykiatriske "
    "botilbud. Målet er at forbedre sikkerheden og trygheden ved at klæde personalet bedre på til at forebygge og "
    "håndtere konfliktsituationer, som kan risikere at munde ud i voldsomme episoder."
)
CONDITIONS = (
    "Midlerne kan anvendes til støtte til kompetenceløft af enkelte medarbejdere, der kan deltage i fagligt relevante "
    "kurser, eller til kompetenceudvikling af botilbuddet som helhed eller begge dele."
)
# Approved budgets by line and year; each sums to the grant (700.000 and 322.000 kr.).
BUDGETS: dict[str, dict[tuple[str, int], str]] = {
    "Dolmer Have": {
        (FEE, 2025): "100000", (BACKFILL, 2025): "120000", (TRAVEL, 2025): "10000",
        (FEE, 2026): "100000", (BACKFILL, 2026): "120000", (TRAVEL, 2026): "10000",
        (FEE, 2027): "90000", (BACKFILL, 2027): "115000", (TRAVEL, 2027): "10000", (AUDIT, 2027): "25000",
    },
    "Bofællesskaberne Glesborg": {
        (FEE, 2025): "45000", (BACKFILL, 2025): "55000", (TRAVEL, 2025): "5000",
        (FEE, 2026): "45000", (BACKFILL, 2026): "55000", (TRAVEL, 2026): "5000",
        (FEE, 2027): "45000", (BACKFILL, 2027): "52000", (TRAVEL, 2027): "5000", (AUDIT, 2027): "10000",
    },
}  # fmt: skip
# The year the demo's plan is for: its budget lines are left for the planner.
PLAN_YEAR = 2027
AMOUNTS = {"Dolmer Have": D("700000.00"), "Bofællesskaberne Glesborg": D("322000.00")}

# Seed 003: how Norddjurs spent its own 1,000 mio. kr. competence pool in 2024.
MUNICIPAL_ACTUALS = [
    (dt.date(2024, 3, 15), FEE, "180000", "Konflikthåndtering og udadreagerende adfærd, Skovstjernen"),
    (dt.date(2024, 5, 31), FEE, "240000", "KRAP-forløb på Socialområdets tilbud"),
    (dt.date(2024, 8, 30), FEE, "120000", "Housing First"),
    (dt.date(2024, 10, 15), FEE, "95000", "Autismeforståelse"),
    (dt.date(2024, 12, 13), BACKFILL, "364680", "Recoveryorienteret rehabilitering (45 dage): vikardækning"),
]


def _state_pool(ctx: DemoContext, grantor: Grantor, norddjurs: Municipality, user: Any) -> Pool:
    pool = Pool(
        grantor=grantor,
        municipality=norddjurs,
        name=POOL_NAME,
        case_number=CASE_NUMBER,
        kind=Pool.Kind.STATE_GRANT,
        total=D("1022000.00"),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2027, 12, 31),
        purpose=PURPOSE,
        eligible_categories=[FEE, BACKFILL, TRAVEL, MATERIALS, AUDIT],
        conditions=CONDITIONS,
    )
    deadlines = [
        ReportingDeadline(kind=ReportingDeadline.Kind.STATUS_REPORT, due_date=dt.date(2026, 3, 31)),
        ReportingDeadline(kind=ReportingDeadline.Kind.STATUS_REPORT, due_date=dt.date(2026, 12, 15)),
        ReportingDeadline(kind=ReportingDeadline.Kind.STATUS_REPORT, due_date=dt.date(2027, 12, 15)),
        ReportingDeadline(kind=ReportingDeadline.Kind.GRANT_ACCOUNTS, due_date=dt.date(2028, 6, 30)),
    ]
    create_pool(pool, user, deadlines)
    ReportingDeadline.objects.filter(pool=pool, due_date=dt.date(2026, 3, 31)).update(done_on=dt.date(2026, 3, 24))
    return pool


def _grants(pool: Pool, facilities: dict[str, Facility], user: Any) -> dict[str, Grant]:
    grants = {}
    for name, amount in AMOUNTS.items():
        grant = Grant(
            pool=pool,
            facility=facilities[name],
            amount=amount,
            status=Grant.Status.APPROVED,
            case_number=CASE_NUMBER,
            approved_on=dt.date(2024, 11, 1),
        )
        lines = [GrantBudgetLine(category=c, year=y, amount=D(a)) for (c, y), a in BUDGETS[name].items()]
        grants[name] = create_grant(grant, user, lines)
    return grants


def _appropriation(pool: Pool, norddjurs: Municipality, grants: dict[str, Grant], user: Any) -> Appropriation:
    lines = []
    for item, (name, grant) in enumerate(grants.items(), start=1):
        for direction in (AppropriationLine.Direction.INCOME, AppropriationLine.Direction.EXPENDITURE):
            lines.append(
                AppropriationLine(
                    year=2025,
                    direction=direction,
                    amount=grant.amount,
                    grant=grant,
                    text=f"Ad {item}. {name}: eksternt finansieret projekt, Socialområdet",
                )
            )
    appropriation = Appropriation(
        municipality=norddjurs,
        title=POOL_NAME,
        kind=Appropriation.Kind.SUPPLEMENTARY,
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2024, 12, 18),
        case_number=CASE_NUMBER,
        decision="Tiltrådt",
        budget_neutral=True,
        pool=pool,
    )
    return create_appropriation(appropriation, lines, user)


def _municipal_pool(norddjurs: Municipality, user: Any) -> tuple[Pool, Grant]:
    pool = create_pool(
        Pool(
            municipality=norddjurs,
            name="Pulje til kompetenceudvikling på Voksen- og Plejeudvalgets område 2024",
            case_number="Budgetaftale 2024-2027",
            kind=Pool.Kind.MUNICIPAL_BUDGET,
            total=D("1000000.00"),
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 12, 31),
            purpose=(
                "Med budgetaftalen 2024-2027 afsættes en pulje på 1,000 mio. kr. til kompetenceudvikling i 2024: "
                "konflikthåndtering, KRAP, Housing First, autismeforståelse og recoveryorienteret rehabilitering."
            ),
            eligible_categories=[FEE, BACKFILL, TRAVEL, MATERIALS],
        ),
        user,
    )
    grant = create_grant(
        Grant(
            pool=pool,
            municipality=norddjurs,
            title="Socialområdet",
            amount=D("1000000.00"),
            status=Grant.Status.APPROVED,
        ),
        user,
    )
    for quarter in range(4):  # paid quarterly in advance
        record_income(grant, D("250000.00"), dt.date(2024, 1 + 3 * quarter, 2), user, text=f"{quarter + 1}. kvartal")
    for day, category, amount, text in MUNICIPAL_ACTUALS:
        post_actual(grant, category, D(amount), day, user, text=text)
    Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.CLOSED)
    return pool, grant


def _charge_bookings(ctx: DemoContext, grants: dict[str, Grant], user: Any) -> dict[str, int]:
    from styrbord.training.models import Booking, BookingStatus
    from styrbord.training.services import after_employment_ends, planned_after_start

    counts = {"charged": 0, "posted": 0, "refused": 0}
    bookings = (
        Booking.objects.filter(
            employment__facility__in=[g.facility_id for g in grants.values()],
            session__first_day__gte=dt.date(2025, 1, 1),
            session__last_day__lte=dt.date(2027, 12, 31),
            costs__isnull=False,
        )
        .exclude(status=BookingStatus.WAITLISTED)
        .select_related("employment__facility", "session")
        .distinct()
        .order_by("session__first_day", "pk")
    )
    by_facility = {g.facility_id: g for g in grants.values()}
    # The 2027 budget lines are kept for the planner (the demo's plan for Norddjurs uses them, and
    # shows the coverage forecast with and without them): a booking is charged only while the
    # grant keeps that much; the rest falls on the facility's own budget.
    reserve = {
        g.pk: sum((line.amount for line in g.budget_lines.filter(year=PLAN_YEAR)), Decimal("0"))
        for g in grants.values()
    }
    # The seat of someone who has resigned since (training's demo) was charged when it was booked,
    # before the grant ran out: the finance officer's funding warning then shows the money to free.
    beyond = set(after_employment_ends(bookings).values_list("pk", flat=True))
    # So was a plan's seat on a course that has begun without it being booked: the grant still
    # holds its money, and the finance officer's warnings say so.
    beyond |= set(planned_after_start(bookings, ctx.today).values_list("pk", flat=True))
    ordered = sorted(bookings, key=lambda b: b.pk not in beyond)
    for booking in ordered:
        grant = by_facility[booking.employment.facility_id]
        if booking.pk not in beyond and _would_touch_reserve(grant, booking, reserve[grant.pk]):
            counts["refused"] += 1
            continue
        try:
            charge_booking(booking, [(grant, 100)], user, skip_ineligible=True)
        except FundingError:
            counts["refused"] += 1  # the grant is used up: the rest falls on the facility's budget
            continue
        counts["charged"] += 1
        held = booking.session.last_day is not None and booking.session.last_day < ctx.today
        if held and booking.status not in (BookingStatus.PLANNED, BookingStatus.BOOKED):
            post_booking_actuals(booking, user)
            counts["posted"] += 1
    return counts


def _would_touch_reserve(grant: Grant, booking: Any, reserve: Decimal) -> bool:
    """Whether charging the booking's eligible costs would leave the grant less than ``reserve``."""
    cost = sum(
        (c.amount for c in booking.costs.all() if grant.pool.covers(c.category)),
        Decimal("0"),
    )
    return balances_for(grant).remaining - cost < reserve


def _one_reversal(grants: dict[str, Grant], user: Any) -> LedgerEntry | None:
    """A travel cost posted on the grant that the facility's own budget paid after all."""
    entry = (
        LedgerEntry.objects.filter(
            grant=grants["Dolmer Have"], kind=LedgerEntry.Kind.ACTUAL, category=TRAVEL, reversals__isnull=True
        )
        .order_by("posted_on", "pk")
        .first()
    )
    if entry is None:
        return None
    return reverse_entry(entry, user, "Kørslen er betalt af tilbuddets eget budget")


def build(ctx: DemoContext) -> None:
    """Pools, grants, the appropriation, income, and the demo bookings charged to the grants."""
    user = ctx.users.get("oekonomi")
    grantor = ctx.extra.get("grantor") or Grantor.objects.get_or_create(name="Social- og Boligstyrelsen")[0]
    norddjurs = ctx.municipalities.get("0707") or Municipality.objects.get(code="0707")
    facilities = {name: ctx.facilities.get(name) or Facility.objects.get(name=name) for name in AMOUNTS}

    pool = _state_pool(ctx, grantor, norddjurs, user)
    grants = _grants(pool, facilities, user)
    appropriation = _appropriation(pool, norddjurs, grants, user)
    for grant in grants.values():  # the grantor pays the grant in advance
        record_income(grant, grant.amount, dt.date(2025, 2, 14), user, text="Udbetaling af tilskud")
    municipal_pool, _municipal_grant = _municipal_pool(norddjurs, user)
    counts = _charge_bookings(ctx, grants, user)
    reversal = _one_reversal(grants, user)

    ctx.extra["funding_pool"] = pool
    ctx.extra["funding_grants"] = grants
    ctx.extra["funding_appropriation"] = appropriation
    ctx.extra["municipal_pool"] = municipal_pool
    ctx.note(
        f"Puljer: {POOL_NAME} ({CASE_NUMBER}) {format_kr(pool.total)} = "
        f"{format_kr(grants['Dolmer Have'].amount)} + {format_kr(grants['Bofællesskaberne Glesborg'].amount)}, "
        f"{pool.period_start:%d-%m-%Y} til {pool.period_end:%d-%m-%Y}, budgetneutral tillægsbevilling "
        f"({appropriation.decision_body} {appropriation.decision_date:%d-%m-%Y}); "
        f"{counts['charged']} pladser fordelt, {counts['posted']} bogført, "
        f"{1 if reversal else 0} tilbageførsel; kommunal pulje 2024 {format_kr(municipal_pool.total)}"
    )
