"""Splitting a booking's cost lines over grants, following each pool's rules. Pure Python, no ORM.

For every cost line the amount is first allocated over the split shares (and the unfunded rest)
to the øre with ``allocate``; each grant's portion is then reduced by the pool's rules:
- a category the pool does not cover is not charged;
- the pool pays its co-financing share of the portion;
- the grant's charges for the booking stay within the pool's ceilings (per booking, per person
  per year), given what the pool has already paid.
Whatever is not charged is ``uncovered`` (the facility's own budget), so for every line
charged + uncovered == the line's amount exactly.

A share is thus of the whole booking, and the pool's rules apply to the grant's portion after it:
a grant meant to pay an amount (a plan's, say) gets the share ``split_for`` works out from what its
pool may pay of the booking, not the amount over the booking's whole cost.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from styrbord.lib.money import ZERO, allocate, round_money, to_money

HUNDRED = Decimal("100")
SHARE_PLACES = Decimal("0.01")  # a split's share is kept to the hundredth of a percent (FundingSplit.share)
OWN_SHARE = "own"  # the key of the unfunded rest when the shares sum to less than 100 %


@dataclass(frozen=True)
class PoolRules:
    """A pool's rules as plain data (built from funding.Pool by the services)."""

    eligible: frozenset[str]
    share_percent: Decimal = HUNDRED
    ceiling_per_booking: Decimal | None = None
    ceiling_per_person_year: Decimal | None = None
    refund_offsets: tuple[tuple[str, str], ...] = ()

    def covers(self, category: str) -> bool:
        offsets = dict(self.refund_offsets)
        return category in self.eligible or offsets.get(category) in self.eligible


@dataclass(frozen=True)
class CostLine:
    """One cost line of a booking; ``amount`` is signed (refunds are negative)."""

    key: Hashable
    category: str
    amount: Decimal


@dataclass(frozen=True)
class SplitPart:
    """One grant's share of a booking, with what its pool has already paid towards the ceilings."""

    grant: Hashable
    share: Decimal
    rules: PoolRules
    already_for_booking: Decimal = ZERO
    already_for_person_year: Decimal = ZERO

    def headroom(self) -> Decimal | None:
        """How much more the pool may pay for this booking under its ceilings (None: no ceiling)."""
        limits = []
        if self.rules.ceiling_per_booking is not None:
            limits.append(self.rules.ceiling_per_booking - self.already_for_booking)
        if self.rules.ceiling_per_person_year is not None:
            limits.append(self.rules.ceiling_per_person_year - self.already_for_person_year)
        return max(ZERO, min(limits)) if limits else None


@dataclass
class LineCharge:
    """What one grant is charged for one cost line (``grant`` is OWN_SHARE for the unfunded rest)."""

    line: Hashable
    grant: Hashable
    category: str
    portion: Decimal
    charged: Decimal
    reason: str = ""  # why less than the portion was charged: "ineligible", "share", "ceiling"

    @property
    def uncovered(self) -> Decimal:
        return self.portion - self.charged


class SplitError(ValueError):
    """The split itself is invalid (shares out of range, a grant twice)."""


def validate_shares(shares: Sequence[Decimal]) -> None:
    """Each share above 0 and at most 100, and at least one (``plan_split`` checks what they add up to)."""
    if not shares:
        raise SplitError("no grants to charge")
    if any(s <= 0 or s > HUNDRED for s in shares):
        raise SplitError("each share must be above 0 and at most 100")


def plan_split(lines: Sequence[CostLine], parts: Sequence[SplitPart]) -> list[LineCharge]:
    """Charges per line and grant. Shares below 100 % in total leave the rest to OWN_SHARE.

    Shares that add up to more than 100 share the categories out between pools (a pool for the
    fee and one for the wages, each at 100 %): each line is then split over the grants whose pool
    covers it, whose shares may not add up to more than 100, and the rest of the line is the
    facility's. Up to 100 in all, every line is split over all the grants, as always; the two agree
    on what every grant is charged (but for the øre a tie in the rounding gives)."""
    shares = [Decimal(p.share) for p in parts]
    validate_shares(shares)
    if len({p.grant for p in parts}) != len(parts):
        raise SplitError("a grant appears twice in the split")
    by_category = sum(shares, ZERO) > HUNDRED
    charges: list[LineCharge] = []
    for line in lines:
        amount = to_money(line.amount)
        line_shares = shares
        if by_category:
            line_shares = [s if p.rules.covers(line.category) else ZERO for s, p in zip(shares, parts, strict=True)]
            if amount and sum(line_shares, ZERO) > HUNDRED:
                raise SplitError("the shares of the grants that cover a cost add up to more than 100")
        rest = max(ZERO, HUNDRED - sum(line_shares, ZERO))
        portions = allocate(amount, line_shares + ([rest] if rest > 0 else []))
        for part, portion in zip(parts, portions, strict=False):
            if not part.rules.covers(line.category):
                charges.append(LineCharge(line.key, part.grant, line.category, portion, ZERO, "ineligible"))
                continue
            charged = round_money(portion * part.rules.share_percent / HUNDRED)
            reason = "share" if charged != portion else ""
            charges.append(LineCharge(line.key, part.grant, line.category, portion, charged, reason))
        if rest > 0:
            charges.append(LineCharge(line.key, OWN_SHARE, line.category, portions[-1], ZERO, "own"))
    for part in parts:
        _apply_ceiling(part, [c for c in charges if c.grant == part.grant])
    return charges


def _apply_ceiling(part: SplitPart, charges: list[LineCharge]) -> None:
    """Reduce positive charges, last line first, until the grant's total is within its headroom."""
    headroom = part.headroom()
    if headroom is None:
        return
    excess = sum((c.charged for c in charges), ZERO) - headroom
    for charge in reversed(charges):
        if excess <= 0:
            break
        if charge.charged <= 0:
            continue
        cut = min(charge.charged, excess)
        charge.charged -= cut
        charge.reason = "ceiling"
        excess -= cut


def payable(lines: Sequence[CostLine], rules: PoolRules) -> Decimal:
    """What a pool pays of these lines for a grant with all of them (a share of 100 %), before its
    ceilings and before rounding: the lines it covers, at its co-financing share."""
    covered = sum((to_money(line.amount) for line in lines if rules.covers(line.category)), ZERO)
    return covered * rules.share_percent / HUNDRED


def split_for(lines: Sequence[CostLine], wanted: Sequence[tuple[Hashable, PoolRules, Decimal]]) -> list[SplitPart]:
    """The split that charges each grant of ``wanted`` (grant, its pool's rules, the amount it is to
    pay) that amount of a booking with these lines, as near as a share to the hundredth of a
    percent comes and never more (``plan_split`` says exactly what each is then charged).

    A grant's share is its amount over what its pool pays of the whole booking (``payable``): a pool
    that covers the fee and not the wages gets the fee's share of the fee, not of the booking, and a
    co-financed pool's share is taken once (by ``plan_split``), not also in the amount. A share
    that would charge a few øre more than the amount (the line-by-line rounding) is taken down by
    hundredths until it does not, so a grant planned to its last krone is not charged past it; the
    øre it pays less fall to the facility. A grant with nothing to pay, or whose pool pays nothing
    of these lines, is left out. The shares of the grants that cover a category add up to at most
    100 (above 100 in all, pools share the categories out: see ``plan_split``): where the amounts
    do not fit in one booking (another grant planned to pay what a co-financed pool leaves to the
    facility), the grants that pay the most for each percent of the booking keep their shares and
    the others get what is left."""
    asked: list[tuple[Hashable, PoolRules, Decimal, Decimal, Decimal]] = []  # grant, rules, amount, share, base
    for grant, rules, amount in wanted:
        base = payable(lines, rules)
        amount = to_money(amount)
        if amount <= 0 or base <= 0:
            continue
        share = min(HUNDRED, amount * HUNDRED / base).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
        if share > 0:
            asked.append((grant, rules, amount, share, base))
    # Room for shares on each category of the booking (plan_split: per line, over the grants that cover it).
    room = {line.category: HUNDRED for line in lines if to_money(line.amount)}
    given: dict[int, Decimal] = {}
    for i in sorted(range(len(asked)), key=lambda i: (-asked[i][4], i)):
        covered = [c for c in room if asked[i][1].covers(c)]
        given[i] = min([asked[i][3], *(room[c] for c in covered)])
        for c in covered:
            room[c] -= given[i]
    while True:  # ends: every round takes at least a hundredth off a share, and a share of 0 is left out
        parts = [SplitPart(asked[i][0], given[i], asked[i][1]) for i in range(len(asked)) if given[i] > 0]
        if not parts:
            return []
        charged = charged_by_grant(plan_split(lines, parts))
        over = {i: charged.get(asked[i][0], ZERO) - asked[i][2] for i in range(len(asked)) if given[i] > 0}
        over = {i: excess for i, excess in over.items() if excess > 0}
        if not over:
            return parts
        for i, excess in over.items():
            step = max(SHARE_PLACES, (excess * HUNDRED / asked[i][4]).quantize(SHARE_PLACES, rounding=ROUND_UP))
            given[i] = max(ZERO, given[i] - step)


def charged_by_grant(charges: Sequence[LineCharge]) -> dict[Hashable, Decimal]:
    """Total charged per grant (the unfunded rest is not a grant and is left out)."""
    totals: dict[Hashable, Decimal] = {}
    for c in charges:
        if c.grant != OWN_SHARE:
            totals[c.grant] = totals.get(c.grant, ZERO) + c.charged
    return totals
