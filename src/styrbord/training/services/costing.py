"""The full cost of a booking: fee, backfill wages, travel and materials, less VEU and other refunds.

Rules (all rates are versioned data, looked up on each course day):
- Fee: the participant fee ex VAT (municipalities and regions recover VAT), or for an in-house
  team day the day price split equally over the participants. A privately operated facility
  cannot recover VAT, so a VAT-liable fee costs it 25 % more.
- Backfill: for each course day, hours away x the employment's hourly wage x the facility's
  backfill factor valid that day. Hours away = the day's course hours, but at most the
  person's average working day (weekly hours / 5): a part-timer's cover ends with their shift.
- VEU: for each course day, the same hours away x the VEU hourly rate valid that day (negative).
- Travel, materials and other refunds are amounts on the booking.
- Stage: planned → forecast, booked → committed, attended/completed/cancelled/no-show → actual.
  A waitlisted booking costs nothing yet. A cancelled booking costs its cancellation fee; a
  no-show costs the fee (the provider charges it; nobody was released from the floor).
- Each line is per calendar year (a session over New Year splits), rounded to the øre once per line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from styrbord.lib.costs import CostCategory
from styrbord.lib.money import ZERO, allocate, round_money
from styrbord.organisations.models import Facility
from styrbord.staff.models import Employment
from styrbord.training import costbasis
from styrbord.training.models import (
    AWAY_STATUSES,
    VAT_RATE,
    Booking,
    BookingCost,
    BookingStatus,
    CostStage,
    Session,
)
from styrbord.training.signals import booking_costs_changed

from .rates import BackfillFactors, veu_rates
from .veu import veu_eligibility

WORKDAYS_PER_WEEK = Decimal("5")
HOURS = Decimal("0.01")

STAGE_BY_STATUS = {
    BookingStatus.PLANNED: CostStage.FORECAST,
    BookingStatus.BOOKED: CostStage.COMMITTED,
    BookingStatus.ATTENDED: CostStage.ACTUAL,
    BookingStatus.COMPLETED: CostStage.ACTUAL,
    BookingStatus.INCOMPLETE: CostStage.ACTUAL,
    BookingStatus.CANCELLED: CostStage.ACTUAL,
    BookingStatus.NO_SHOW: CostStage.ACTUAL,
}


@dataclass(frozen=True)
class CostLine:
    """One cost of a booking. ``amount`` is signed: refunds are negative. ``terms`` say how it was
    worked out (see ``training.costbasis``); ``basis`` is that in the records' language."""

    category: str
    amount: Decimal
    terms: costbasis.Terms
    stage: str
    year: int = 0

    @property
    def basis(self) -> str:
        return costbasis.record(self.terms)


def hours_away(day_hours: Decimal, employment: Employment) -> Decimal:
    """Working hours a course day takes from the person: the day's hours, capped at their average day."""
    average_day = (Decimal(employment.weekly_hours) / WORKDAYS_PER_WEEK).quantize(HOURS, rounding=ROUND_HALF_UP)
    return min(Decimal(day_hours), average_day)


def _by_year(days: list[tuple[dt.date, Decimal]]) -> dict[int, list[tuple[dt.date, Decimal]]]:
    years: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for day, hours in days:
        years[day.year].append((day, hours))
    return dict(sorted(years.items()))


# Who shares an in-house day's price: everyone who held a seat on it, a no-show too. Every share has
# the same divisor, so the shares add up to the day's price exactly (a no-show left out of the
# divisor but still given a share made a 6.000 kr. day cost the grant 6.461,54 kr.), and a no-show
# does not change what the others pay.
SHARING_STATUSES = AWAY_STATUSES | {BookingStatus.NO_SHOW}


def _participant_share(session: Session, booking: Booking, total: Decimal) -> Decimal:
    """This booking's equal share of a session-level amount (largest remainder, by booking id)."""
    ids = list(session.bookings.filter(status__in=SHARING_STATUSES).order_by("pk").values_list("pk", flat=True))
    if booking.pk not in ids:
        ids.append(booking.pk if booking.pk is not None else -1)
        ids.sort()
    parts = allocate(total, [1] * len(ids))
    return parts[ids.index(booking.pk if booking.pk is not None else -1)]


def _fee_lines(booking: Booking, days: list[tuple[dt.date, Decimal]], stage: str, facility: Facility) -> list[CostLine]:
    session, course = booking.session, booking.session.course
    private_vat = course.vat_liable and facility.operator_kind == Facility.OperatorKind.PRIVATE
    lines = []
    if course.is_in_house:
        n = max(1, session.bookings.filter(status__in=SHARING_STATUSES).exclude(pk=booking.pk).count() + 1)
        for year, year_days in _by_year(days).items():
            day_fee = session.inhouse_day_fee()
            total = day_fee * len(year_days) * (1 + VAT_RATE if private_vat else 1)
            share = _participant_share(session, booking, round_money(total))
            if share:
                terms = {
                    "kind": "inhouse",
                    "days": len(year_days),
                    "day_fee": str(day_fee),
                    "vat": private_vat,
                    "participants": n,
                }
                lines.append(CostLine(CostCategory.FEE, share, terms, stage, year))
        return lines
    fee = session.participant_fee()
    if fee:
        amount = round_money(fee * (1 + VAT_RATE) if private_vat else fee)
        terms = {"kind": "fee", "fee": str(fee), "vat": private_vat}
        lines.append(CostLine(CostCategory.FEE, amount, terms, stage, days[0][0].year))
    return lines


def _backfill_lines(booking: Booking, days: list[tuple[dt.date, Decimal]], stage: str) -> list[CostLine]:
    employment = booking.employment
    wage = employment.hourly_wage
    factors = BackfillFactors(employment.facility)
    lines = []
    for year, year_days in _by_year(days).items():
        terms = [(hours_away(h, employment), wage, factors.on(d)) for d, h in year_days]
        total = sum((h * w * f for h, w, f in terms), ZERO)
        basis = {"kind": "backfill", "terms": costbasis.grouped_terms(terms)}
        lines.append(CostLine(CostCategory.BACKFILL, round_money(total), basis, stage, year))
    return [line for line in lines if line.amount]


def _veu_lines(booking: Booking, days: list[tuple[dt.date, Decimal]], stage: str) -> list[CostLine]:
    eligible, _reason = veu_eligibility(booking.session.course, booking.employee, booking.employment)
    if not eligible:
        return []
    rates = veu_rates()
    lines = []
    for year, year_days in _by_year(days).items():
        terms = []
        for d, h in year_days:
            rate = rates.on(d)
            if rate is not None:
                terms.append((hours_away(h, booking.employment), rate))
        if not terms:
            continue
        total = sum((h * r for h, r in terms), ZERO)
        basis = {"kind": "veu", "terms": costbasis.grouped_terms(terms)}
        lines.append(CostLine(CostCategory.VEU_REFUND, -round_money(total), basis, stage, year))
    return [line for line in lines if line.amount]


def _named(category: str) -> costbasis.Terms:
    """A line that is an amount on the booking: its basis is the category's name."""
    return {"kind": "category", "category": str(category)}


def booking_costs(booking: Booking) -> list[CostLine]:
    """The cost lines of a booking in its current status (not saved; see ``refresh_booking_costs``)."""
    stage = STAGE_BY_STATUS.get(BookingStatus(booking.status))
    if stage is None:  # waitlisted: no seat, no cost yet
        return []
    days = list(booking.session.days.order_by("date").values_list("date", "hours"))
    if not days:
        return []
    first_year = days[0][0].year
    facility = booking.employment.facility
    if booking.status == BookingStatus.CANCELLED:
        if not booking.cancellation_fee:
            return []
        year = booking.status_changed_at.year if booking.status_changed_at else first_year
        return [
            CostLine(
                CostCategory.CANCELLATION, booking.cancellation_fee, _named(CostCategory.CANCELLATION), stage, year
            )
        ]
    lines = _fee_lines(booking, days, stage, facility)
    if booking.status == BookingStatus.NO_SHOW:
        return lines
    lines += _backfill_lines(booking, days, stage)
    if booking.travel_amount:
        lines.append(
            CostLine(CostCategory.TRAVEL, booking.travel_amount, _named(CostCategory.TRAVEL), stage, first_year)
        )
    if booking.materials_amount:
        lines.append(
            CostLine(
                CostCategory.MATERIALS, booking.materials_amount, _named(CostCategory.MATERIALS), stage, first_year
            )
        )
    lines += _veu_lines(booking, days, stage)
    if booking.other_refund_amount:
        last_year = days[-1][0].year
        lines.append(
            CostLine(
                CostCategory.OTHER_REFUND,
                -booking.other_refund_amount,
                _named(CostCategory.OTHER_REFUND),
                stage,
                last_year,
            )
        )
    return lines


def total(lines: list[CostLine]) -> Decimal:
    return round_money(sum((line.amount for line in lines), ZERO))


@transaction.atomic
def refresh_booking_costs(booking: Booking, user: Any = None) -> list[BookingCost]:
    """Rewrite the booking's BookingCost rows from ``booking_costs`` (derived data: delete + insert).

    Lines that did not change are left as they are. When they did, ``booking_costs_changed`` tells
    funding, which charges the booking again to its grants (``user`` made the change)."""
    lines = booking_costs(booking)
    stored = list(BookingCost.objects.filter(booking=booking).order_by("pk"))
    if [_key(line) for line in lines] == [
        (c.category, c.stage, c.year, c.amount, c.basis, c.basis_terms) for c in stored
    ]:
        return stored
    BookingCost.objects.filter(booking=booking).delete()
    written = BookingCost.objects.bulk_create(
        [
            BookingCost(
                booking=booking,
                category=line.category,
                stage=line.stage,
                year=line.year,
                amount=line.amount,
                basis=line.basis[:500],
                basis_terms=line.terms,
            )
            for line in lines
        ]
    )
    booking_costs_changed.send(sender=Booking, booking=booking, user=user)
    return written


def _key(line: CostLine) -> tuple[object, ...]:
    """A line as its stored row reads (to tell whether anything changed): the terms as JSON gives them back."""
    return (line.category, line.stage, line.year, line.amount, line.basis[:500], json.loads(json.dumps(line.terms)))


def refresh_session_costs(session: Session, user: Any = None) -> None:
    """Refresh every booking of a session (an in-house day price is shared, so one change moves all).

    Inside ``session_costs_deferred`` the session is only noted, and refreshed once when the block ends."""
    pending = _deferred_sessions.get()
    if pending is not None:
        pending.setdefault(session.pk, (session, user))
        return
    for booking in session.bookings.select_related("employee", "employment__facility", "session__course"):
        refresh_booking_costs(booking, user)


# The sessions whose costs wait for the end of the outermost ``session_costs_deferred`` (None: none waits).
_deferred_sessions: ContextVar[dict[int, tuple[Session, Any]] | None] = ContextVar(
    "deferred_session_costs", default=None
)


@contextmanager
def session_costs_deferred() -> Iterator[None]:
    """Refresh each in-house session's costs once, when the block ends, instead of at every booking.

    Booking 40 people one by one on a team day would otherwise rewrite the costs of everyone
    already on it each time (40 × 40 rewrites), and a share charged in between would be of a
    price that is not the final one. Nested blocks refresh at the end of the outermost; a block
    left by an exception refreshes nothing (its transaction is rolled back anyway)."""
    if _deferred_sessions.get() is not None:
        yield
        return
    pending: dict[int, tuple[Session, Any]] = {}
    token = _deferred_sessions.set(pending)
    try:
        yield
    finally:
        _deferred_sessions.reset(token)
    for _pk, (session, user) in sorted(pending.items()):
        refresh_session_costs(session, user)
