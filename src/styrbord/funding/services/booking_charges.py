"""Charging a booking's cost lines to one or more grants, following each pool's rules.

A charge replaces the booking's open commitments: they are reversed and the current cost lines
are charged again, so a booking whose costs changed is simply charged once more (``recharge_booking``
does that with the split chosen last time). Posting the actuals does the same with actual entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Min, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from styrbord.audit.services import log_action
from styrbord.funding.models import FundingSplit, Grant, LedgerEntry, Pool
from styrbord.funding.models.pools import REFUND_OFFSETS
from styrbord.funding.rules import (
    OWN_SHARE,
    CostLine,
    LineCharge,
    PoolRules,
    SplitError,
    SplitPart,
    charged_by_grant,
    plan_split,
)
from styrbord.funding.services.errors import FundingError, shown_in_reader_language
from styrbord.funding.services.ledger import (
    _create,
    _reverse,
    category_label,
    ensure_headroom,
    ensure_in_period,
    ensure_open,
    lock_grants,
)
from styrbord.lib.dates import to_local
from styrbord.lib.formatting import RecordMessage, format_kr, natural_places
from styrbord.lib.money import ZERO, to_money
from styrbord.training.models import Booking, BookingCost, BookingStatus, CostStage, SessionDay

if TYPE_CHECKING:
    from styrbord.funding.services.ledger import AnyUser

Kind = LedgerEntry.Kind
Balance = LedgerEntry.Balance

# Bookings whose costs are incurred: only these can be posted as actuals.
POSTABLE_STATUSES = frozenset(
    {
        BookingStatus.ATTENDED,
        BookingStatus.COMPLETED,
        BookingStatus.INCOMPLETE,
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
    }
)


@dataclass
class ChargeResult:
    """What a charge did: entries posted, open entries reversed, and the plan per line and grant."""

    entries: list[LedgerEntry] = field(default_factory=list)
    reversed: list[LedgerEntry] = field(default_factory=list)
    charges: list[LineCharge] = field(default_factory=list)

    @property
    def charged(self) -> Decimal:
        return sum((e.amount for e in self.entries), ZERO)

    @property
    def uncovered(self) -> Decimal:
        return sum((c.uncovered for c in self.charges), ZERO)


# Why a charge reverses a booking's open entries (kept in Danish, shown in the reader's language).
RELEASED_WITHOUT_COST = RecordMessage(gettext_noop("Frigivet: pladsen blev afbestilt uden udgift"))
REPLACED_BY_ACTUALS = RecordMessage(gettext_noop("Afløst af de faktiske udgifter"))
CHARGED_AGAIN = RecordMessage(gettext_noop("Bookingen er fordelt igen"))


def rules_for(pool: Pool) -> PoolRules:
    return PoolRules(
        eligible=frozenset(pool.eligible_categories or []),
        share_percent=pool.co_financing_share,
        ceiling_per_booking=pool.ceiling_per_booking,
        ceiling_per_person_year=pool.ceiling_per_person_year,
        refund_offsets=tuple((str(k), str(v)) for k, v in REFUND_OFFSETS.items()),
    )


def session_cost_dates(session_ids: Iterable[int]) -> dict[int, dict[int, dt.date]]:
    """The date a seat's cost line of a year is posted on, per session: the session's first day in
    that year (one query for all the sessions). Also what a plan's seats will be charged on."""
    dates: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for row in (
        SessionDay.objects.filter(session_id__in=list(session_ids))
        .annotate(year=ExtractYear("date"))
        .values("session_id", "year")
        .annotate(first=Min("date"))
        .order_by()
    ):
        dates[row["session_id"]][row["year"]] = row["first"]
    return dates


def _cost_dates(booking: Booking) -> dict[int, dt.date]:
    """The date a cost line of a year belongs to: the session's first day in that year."""
    return session_cost_dates([booking.session_id]).get(booking.session_id, {})


def _cost_date(dates: dict[int, dt.date], year: int, booking: Booking) -> dt.date:
    if year in dates:
        return dates[year]
    if booking.status_changed_at is not None and to_local(booking.status_changed_at).year == year:
        return to_local(booking.status_changed_at).date()  # a cancellation fee charged in another year
    return dt.date(year, 1, 1)


def _check_recipient(grant: Grant, booking: Booking) -> None:
    facility = booking.employment.facility
    if (grant.facility_id is not None and grant.facility_id != facility.pk) or (
        grant.municipality_id is not None and grant.municipality_id != facility.municipality_id
    ):
        ok = False
    else:
        ok = True
    if not ok:
        raise FundingError.of(
            gettext_noop(
                "Tilsagnet til %(recipient)s kan ikke betale for en plads for en medarbejder på %(facility)s."
            ),
            recipient=grant.recipient_name,
            facility=facility.name,
        )


def _paid_by_pool_for_person(pool_id: int, booking: Booking) -> dict[int, Decimal]:
    """What the pool has paid (net, all balances that use the grant) for the person per year, other bookings."""
    rows = (
        LedgerEntry.objects.filter(
            grant__pool_id=pool_id, employee_id=booking.employee_id, balance__in=LedgerEntry.SPENDING
        )
        .exclude(booking=booking)
        .annotate(year=ExtractYear("posted_on"))
        .values("year")
        .annotate(total=Sum("amount"))
    )
    return {row["year"]: to_money(row["total"]) for row in rows}


def _normalise_splits(splits: Sequence[tuple[Grant, Decimal | int | str]]) -> list[tuple[Grant, Decimal]]:
    result = [(grant, Decimal(str(share))) for grant, share in splits]
    pools = [g.pool_id for g, _share in result]
    if len(set(pools)) != len(pools):
        raise FundingError(_("En plads kan kun fordeles på ét tilsagn pr. pulje."))
    return result


def _plan(
    booking: Booking, costs: list[BookingCost], splits: list[tuple[Grant, Decimal]], grants: dict[int, Grant]
) -> list[LineCharge]:
    """Plan the charges year by year, so the ceiling per person per year sees that year's earlier payments."""
    paid_person = {g.pool_id: _paid_by_pool_for_person(g.pool_id, booking) for g, _s in splits}
    paid_booking: dict[int, Decimal] = defaultdict(lambda: ZERO)
    charges: list[LineCharge] = []
    by_year: dict[int, list[BookingCost]] = defaultdict(list)
    for cost in costs:
        by_year[cost.year].append(cost)
    for year in sorted(by_year):
        parts = [
            SplitPart(
                grant=grant.pk,
                share=share,
                rules=rules_for(grants[grant.pk].pool),
                already_for_booking=paid_booking[grant.pk],
                already_for_person_year=paid_person[grant.pool_id].get(year, ZERO),
            )
            for grant, share in splits
        ]
        lines = [CostLine(c.pk, c.category, c.amount) for c in by_year[year]]
        try:
            year_charges = plan_split(lines, parts)
        except SplitError:
            raise FundingError(_("Andelene skal være over 0 og højst 100 % tilsammen.")) from None
        for grant_pk, total in charged_by_grant(year_charges).items():
            paid_booking[grant_pk] += total  # type: ignore[index]
        charges += year_charges
    return charges


def charge_booking(
    booking: Booking,
    splits: Sequence[tuple[Grant, Decimal | int | str]],
    user: AnyUser,
    *,
    skip_ineligible: bool = False,
    as_actual: bool = False,
    posted_on: dt.date | None = None,
) -> ChargeResult:
    """Charge the booking's current cost lines to the grants by share (e.g. [(grant_a, 60), (grant_b, 40)]).

    Shares summing to less than 100 % leave the rest to the facility's own budget. A cost in a category
    a pool does not cover is refused, unless ``skip_ineligible`` leaves it uncovered instead.
    ``as_actual`` posts actual entries instead of commitments (see ``post_booking_actuals``).
    """
    normalised = _normalise_splits(splits)
    result = ChargeResult()
    with transaction.atomic():
        # Lock the booking first: two people charging the same seat at once would otherwise both
        # find no open entries and charge it twice (to grants whose locks do not collide).
        Booking.objects.select_for_update().filter(pk=booking.pk).first()
        open_entries = list(
            LedgerEntry.objects.filter(booking=booking, reversals__isnull=True).exclude(kind=Kind.REVERSAL)
        )
        if any(e.balance == Balance.ACTUAL for e in open_entries):
            raise FundingError(
                _("Bookingens udgifter er allerede bogført. Tilbagefør de bogførte posteringer før en ny fordeling.")
            )
        grants = lock_grants({g.pk for g, _s in normalised} | {e.grant_id for e in open_entries})
        for grant, _share in normalised:
            ensure_open(grants[grant.pk])
            _check_recipient(grants[grant.pk], booking)
        costs = list(BookingCost.objects.filter(booking=booking).order_by("year", "category", "pk"))
        # A seat cancelled without a fee cost nothing: posting it releases what was committed.
        free = as_actual and not costs
        if not costs and not (free and open_entries):
            if free:
                raise FundingError(_("Bookingen har hverken udgifter eller disponeringer at bogføre."))
            raise FundingError(_("Bookingen har ingen udgifter at fordele. Beregn bookingens udgifter først."))
        charges = _plan(booking, costs, normalised, grants) if costs else []
        ineligible = [c for c in charges if c.reason == "ineligible" and c.portion]
        if ineligible and not skip_ineligible:
            first = ineligible[0]
            raise FundingError(
                _("Puljen %(pool)s dækker ikke udgiftsarten %(category)s (%(amount)s).")
                % {
                    "pool": grants[first.grant].pool.name,  # type: ignore[index]
                    "category": category_label(first.category),
                    "amount": format_kr(first.portion, 2),
                }
            )
        result.charges = charges
        # Why the open entries go: the actual costs replace them, or the seat is charged anew.
        if free:
            why = RELEASED_WITHOUT_COST()
        elif as_actual:
            why = REPLACED_BY_ACTUALS()
        else:
            why = CHARGED_AGAIN()
        costs_by_pk = {c.pk: c for c in costs}
        dates = _cost_dates(booking)
        new_by_grant: dict[int, Decimal] = defaultdict(lambda: ZERO)
        to_create: list[tuple[Grant, BookingCost, dt.date, Decimal]] = []
        for charge in charges:
            if charge.grant == OWN_SHARE or charge.charged == 0:
                continue
            grant = grants[charge.grant]  # type: ignore[index]
            cost = costs_by_pk[charge.line]  # type: ignore[index]
            day = posted_on if as_actual and posted_on else _cost_date(dates, cost.year, booking)
            ensure_in_period(grant, day)
            new_by_grant[grant.pk] += charge.charged
            to_create.append((grant, cost, day, charge.charged))
        if not as_actual and open_entries and _same_entries(open_entries, to_create):
            # The grants already hold exactly this (e.g. attendance moved the costs from committed
            # to the actual stage, which only finance's posting books): no reversal and no copy.
            result.entries, to_create, open_entries = open_entries, [], []
            new_by_grant.clear()  # nothing new to make room for
        for entry in open_entries:
            result.reversed.append(_reverse(entry, grants[entry.grant_id], user, why))
        # The reversals above are already in the ledger and the new entries not yet: the headroom is
        # checked on the net change, each amount counted once (checking after creating them counted
        # the new entries twice and refused any charge above half of what was left).
        for grant_pk, total in new_by_grant.items():
            ensure_headroom(grants[grant_pk], total)
        for grant, cost, day, amount in to_create:
            if as_actual:
                kind, balance = Kind.ACTUAL, Balance.ACTUAL
            else:
                kind, balance = Kind.COMMITMENT, _balance_of(cost)
            result.entries.append(
                _create(
                    grant,
                    user,
                    kind=kind,
                    balance=balance,
                    category=cost.category,
                    amount=amount,
                    posted_on=day,
                    text=str(booking.session)[:300],
                    booking=booking,
                    booking_cost=cost,
                    employee_id=booking.employee_id,
                )
            )
        # Written anew: a refused re-charge kept on the old split (``follow_cost_change``) is
        # cleared, since the grants now hold what the booking costs.
        FundingSplit.objects.filter(booking=booking).delete()
        FundingSplit.objects.bulk_create(
            [FundingSplit(booking=booking, grant_id=grant.pk, share=share) for grant, share in normalised]
        )
        log_action(
            booking,
            "funding.booking.posted" if as_actual else "funding.booking.charged",
            user,
            {
                "splits": [[grant.pk, share] for grant, share in normalised],
                "charged": result.charged,
                "uncovered": result.uncovered,
                "reversed": [e.pk for e in result.reversed],
            },
        )
    return result


def _balance_of(cost: BookingCost) -> Balance:
    return Balance.FORECAST if cost.stage == CostStage.FORECAST else Balance.COMMITTED


def _same_entries(
    open_entries: list[LedgerEntry], to_create: list[tuple[Grant, BookingCost, dt.date, Decimal]]
) -> bool:
    """Whether the open commitments are the ones a new charge would write (grant, balance,
    category, day and amount alike, as many of each)."""
    held = sorted((e.grant_id, e.balance, e.category, e.posted_on, e.amount) for e in open_entries)
    new = sorted((g.pk, _balance_of(c), c.category, day, amount) for g, c, day, amount in to_create)
    return held == new


@dataclass(frozen=True)
class PaidBy:
    """One grant that pays for a seat: its share, and what the ledger holds on it for the seat
    (planned, committed and posted together)."""

    grant: Grant
    share: Decimal
    amount: Decimal


def paid_by(booking: Booking) -> list[PaidBy]:
    """Which pools pay for a seat, largest share first (empty: not charged to any grant, so the
    facility's own budget pays). Two queries."""
    held = dict(
        LedgerEntry.objects.filter(booking=booking, balance__in=LedgerEntry.SPENDING)
        .values_list("grant_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    splits = FundingSplit.objects.filter(booking=booking).select_related(
        "grant__pool", "grant__facility", "grant__municipality"
    )
    return [PaidBy(s.grant, s.share, to_money(held.get(s.grant_id) or ZERO)) for s in splits]


def saved_splits(booking: Booking) -> list[tuple[Grant, Decimal]]:
    """The split chosen the last time the booking was charged."""
    return [(s.grant, s.share) for s in FundingSplit.objects.filter(booking=booking).select_related("grant__pool")]


def recharge_booking(booking: Booking, user: AnyUser) -> ChargeResult | None:
    """Charge a booking again with its saved split, after its costs changed. None if it was never charged."""
    splits = saved_splits(booking)
    if not splits:
        return None
    return charge_booking(booking, splits, user, skip_ineligible=True)


def follow_cost_change(booking: Booking, user: AnyUser) -> None:
    """Charge a booking again after training rewrote its costs, so its grants hold what it costs now.

    Confirmed with the provider: the forecast becomes a commitment. A team day with another
    participant: each seat's share falls. Cancelled without a fee: what was reserved is released
    (posted as nothing spent); with a fee, only the fee stays committed until it is posted. A
    booking never charged, or whose actual costs are posted, is left alone (posting is finance's).
    A grant that cannot take the new amount (closed, full, a date outside the period) keeps the old
    charge; the booking's own change still stands. The refusal is in the audit trail, and kept on
    the booking's splits, so the grant's page lists the seat until a later charge or posting of the
    booking succeeds (finance splits it again, or its costs change back)."""
    if not FundingSplit.objects.filter(booking=booking).exists():
        return
    if LedgerEntry.objects.filter(booking=booking, balance=Balance.ACTUAL).exists():
        return
    try:
        if BookingCost.objects.filter(booking=booking).exists():
            recharge_booking(booking, user)
        elif booking.status == BookingStatus.CANCELLED:
            post_booking_actuals(booking, user)
        # Waitlisted (no seat, no cost yet): the forecast stays until it gets a seat or is cancelled.
    except FundingError as error:
        log_action(booking, "funding.booking.recharge_refused", user, {"error": str(error.message)})
        FundingSplit.objects.filter(booking=booking).update(
            recharge_refused_at=timezone.now(), recharge_refusal=error.in_languages()
        )


@dataclass(frozen=True)
class RefusedRecharge:
    """A seat whose costs changed while its grants could not take the new amount, as one grant
    sees it: what the grant still holds for it, what the booking costs now, and what the saved
    split would charge the grant for that (the pool's rules applied; None if it cannot be planned)."""

    split: FundingSplit
    held: Decimal
    costs_now: Decimal
    due_now: Decimal | None

    @property
    def booking(self) -> Booking:
        return self.split.booking

    @property
    def refused_at(self) -> dt.datetime | None:
        return self.split.recharge_refused_at

    @property
    def reason(self) -> str:
        """Why the grant refused, in the reader's language."""
        return shown_in_reader_language(self.split.recharge_refusal or {})

    @property
    def share_places(self) -> int:
        return natural_places(self.split.share)


def refused_recharges(grant: Grant, bookings: QuerySet[Booking]) -> list[RefusedRecharge]:
    """The seats among ``bookings`` (the reader's scope) whose re-charge was refused and whose
    split still has ``grant``, oldest refusal first. The seats' costs and splits are read once for
    all of them (there are a few; the pool rules' per-person ceiling is still asked per seat)."""
    splits = list(
        FundingSplit.objects.filter(grant=grant, recharge_refused_at__isnull=False, booking__in=bookings)
        .select_related("booking__session__course", "booking__employee", "booking__employment__facility")
        .order_by("recharge_refused_at", "pk")
    )
    if not splits:
        return []
    ids = [s.booking_id for s in splits]
    held = dict(
        LedgerEntry.objects.filter(grant=grant, booking_id__in=ids, balance__in=LedgerEntry.SPENDING)
        .values_list("booking_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    costs: dict[int, list[BookingCost]] = defaultdict(list)
    for cost in BookingCost.objects.filter(booking_id__in=ids).order_by("booking_id", "year", "category", "pk"):
        costs[cost.booking_id].append(cost)
    saved: dict[int, list[tuple[Grant, Decimal]]] = defaultdict(list)
    for split in FundingSplit.objects.filter(booking_id__in=ids).select_related("grant__pool"):
        saved[split.booking_id].append((split.grant, split.share))
    return [
        RefusedRecharge(
            split,
            to_money(held.get(split.booking_id) or ZERO),
            to_money(sum((c.amount for c in costs[split.booking_id]), ZERO)),
            _due_now(split.booking, grant, costs[split.booking_id], saved[split.booking_id]),
        )
        for split in splits
    ]


def _due_now(
    booking: Booking, grant: Grant, costs: list[BookingCost], splits: list[tuple[Grant, Decimal]]
) -> Decimal | None:
    """What charging the booking's ``costs`` again with its saved ``splits`` would put on ``grant``
    (the plan of ``charge_booking``, without its checks of the grant: those are what refused it)."""
    if not costs:
        return ZERO  # cancelled without a fee: posting it releases what the grant holds
    try:
        charges = _plan(booking, costs, splits, {g.pk: g for g, _share in splits})
    except FundingError:
        return None
    return to_money(charged_by_grant(charges).get(grant.pk, ZERO))


def post_booking_actuals(booking: Booking, user: AnyUser, posted_on: dt.date | None = None) -> ChargeResult:
    """Post the actual costs of an attended (or cancelled) booking, replacing its commitments."""
    if booking.status not in POSTABLE_STATUSES:
        raise FundingError(
            _("Kun afholdte, afbestilte eller udeblevne pladser kan bogføres (status: %(status)s).")
            % {"status": booking.get_status_display()}
        )
    splits = saved_splits(booking)
    if not splits:
        raise FundingError(_("Bookingen er ikke fordelt på et tilsagn endnu."))
    return charge_booking(booking, splits, user, skip_ineligible=True, as_actual=True, posted_on=posted_on)
