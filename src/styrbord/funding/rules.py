"""Splitting a booking's cost lines over grants, following each pool's rules. Pure Python, no ORM.

For every cost line the amount is first allocated over the split shares (and the unfunded rest)
to the øre with ``allocate``; each grant's portion is then reduced by the pool's rules:
- a category the pool does not cover is not charged;
- the pool pays its co-financing share of the portion;
- the grant's charges for the booking stay within the pool's ceilings (per booking, per person
  per year), given what the pool has already paid.
Whatever is not charged is ``uncovered`` (the facility's own budget), so for every line
charged + uncovered == the line's amount exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from styrbord.lib.money import ZERO, allocate, round_money, to_money

HUNDRED = Decimal("100")
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
    if not shares:
        raise SplitError("no grants to charge")
    if any(s <= 0 or s > HUNDRED for s in shares):
        raise SplitError("each share must be above 0 and at most 100")
    if sum(shares, ZERO) > HUNDRED:
        raise SplitError("the shares add up to more than 100")


def plan_split(lines: Sequence[CostLine], parts: Sequence[SplitPart]) -> list[LineCharge]:
    """Charges per line and grant. Shares below 100 % in total leave the rest to OWN_SHARE."""
    shares = [Decimal(p.share) for p in parts]
    validate_shares(shares)
    if len({p.grant for p in parts}) != len(parts):
        raise SplitError("a grant appears twice in the split")
    rest = HUNDRED - sum(shares, ZERO)
    weights = shares + ([rest] if rest > 0 else [])
    charges: list[LineCharge] = []
    for line in lines:
        amount = to_money(line.amount)
        portions = allocate(amount, weights)
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


def charged_by_grant(charges: Sequence[LineCharge]) -> dict[Hashable, Decimal]:
    """Total charged per grant (the unfunded rest is not a grant and is left out)."""
    totals: dict[Hashable, Decimal] = {}
    for c in charges:
        if c.grant != OWN_SHARE:
            totals[c.grant] = totals.get(c.grant, ZERO) + c.charged
    return totals
