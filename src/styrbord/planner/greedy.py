"""The greedy baseline: what a careful person with a spreadsheet would do.

Existing bookings are kept where they are. Then, over and over, take the seat that buys
the most points per krone (cheapest seat per point gained), if it breaks no hard rule:
the course has room, the person is free that day and under the yearly cap, the facility
keeps its minimum staff, the grants can pay (pools before the own budget, the most earmarked
first; see ``GreedyState.charge``), and missing
prerequisites come along as a bundle with their cheapest earlier session. Gains only
shrink as targets fill, so a lazy priority queue gives the same answer as a full rescan.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from styrbord.planner.constraints import capacity, clashes, days_cap, eligibility, staffing
from styrbord.planner.funding import usable
from styrbord.planner.linear import LinearModel
from styrbord.planner.model import MET_TOLERANCE, Family
from styrbord.planner.prepare import Index

PACKING = {
    Family.CAPACITY: capacity,
    Family.CLASHES: clashes,
    Family.STAFFING: staffing,
    Family.DAYS_CAP: days_cap,
}


class GreedyState:
    """The plan under construction and what it has used of every limited resource."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        n = len(ix.seats)
        m = LinearModel(
            n_seats=n, col_lb=[0.0] * n, col_ub=[1.0] * n, col_int=[True] * n, points=[0.0] * n, cost=[0.0] * n
        )
        for family, add in PACKING.items():
            if family not in ix.disabled:
                add(m, ix)
        if Family.ELIGIBILITY not in ix.disabled:
            eligibility(m, ix)
        self.allowed = [ub > 0.5 for ub in m.col_ub]
        self.row_ub = m.row_ub
        self.row_family = m.row_family
        self.usage = [0.0] * m.n_rows
        self.seat_rows: list[list[tuple[int, float]]] = [[] for _ in ix.seats]
        starts, index, value = m.row_start, m.row_index, m.row_value
        for r in range(m.n_rows):
            for k in range(starts[r], starts[r + 1]):
                self.seat_rows[index[k]].append((r, value[k]))
        self.budget = usable(ix)
        self.check_budget = Family.BUDGETS not in ix.disabled
        self.check_prereqs = Family.PREREQUISITES not in ix.disabled
        self.chosen: list[int] = []
        self.is_chosen = [False] * len(ix.seats)
        self.covered: list[set[int]] = [set() for _ in ix.requirements]
        self.remaining = [ix.gap(r) for r in range(len(ix.requirements))]
        self.points = ix.baseline_points()
        self._taken: dict[int, list[tuple[int, int]]] = {}

    # --- value -------------------------------------------------------------------------

    def gain(self, a: int) -> float:
        """Points the seat would add now: progress, plus the bonus if it completes a target."""
        seat = self.ix.seats[a]
        total = 0.0
        for r, unit in seat.covers:
            left = self.remaining[r]
            if left > 0 and seat.person not in self.covered[r]:
                total += self.ix.coef[r] * min(unit, left)
                if unit >= left - MET_TOLERANCE:
                    total += self.ix.bonus[r]
        return total

    # --- feasibility --------------------------------------------------------------------

    def fits(self, a: int) -> bool:
        if not self.allowed[a] or self.is_chosen[a]:
            return False
        return all(self.usage[r] + coef <= self.row_ub[r] + 1e-9 for r, coef in self.seat_rows[a])

    def charge(self, a: int) -> list[tuple[int, int]] | None:
        """Take the seat's cost from its grants, the least own money first; None if they cannot pay.

        Each category as the ledger charges it (see ``funding``): the full pools, most earmarked
        first; then the co-financed pools, each its share of a portion of what is left, if an own
        budget may pay the rest of that portion; the own budgets pay whatever the pools do not."""
        if not self.check_budget:
            return []
        grants = self.ix.grants
        taken: list[tuple[int, int]] = []
        for category, amount in self.ix.seats[a].amounts.items():
            if amount <= 0:
                continue
            payers = self.ix.seats[a].funding.get(category, ())
            own = [g for g in payers if grants[g].own]
            full = [g for g in payers if not grants[g].own and not grants[g].co_financed]
            shared = [g for g in payers if grants[g].co_financed and grants[g].share_permille > 0] if own else []
            free = amount  # what no pool's portion has taken yet
            paid = 0
            for g in full:
                take = min(free, self.budget[g])
                if take > 0:
                    self.budget[g] -= take
                    taken.append((g, take))
                    free -= take
                    paid += take
            for g in shared:
                take = min(grants[g].cap(free), self.budget[g])
                if take > 0:
                    self.budget[g] -= take
                    taken.append((g, take))
                    free -= grants[g].portion(take)
                    paid += take
            need = amount - paid
            for g in own:
                take = min(need, self.budget[g])
                if take > 0:
                    self.budget[g] -= take
                    taken.append((g, take))
                    need -= take
            if need > 0:
                self.refund(taken)
                return None
        return taken

    def refund(self, taken: list[tuple[int, int]]) -> None:
        for g, amount in taken:
            self.budget[g] += amount

    def missing_prereqs(self, a: int) -> list[list[int]]:
        """Provider seat lists for each prerequisite not yet earned in the plan."""
        if not self.check_prereqs:
            return []
        return [
            providers for _c, providers in self.ix.seats[a].prereqs if not any(self.is_chosen[b] for b in providers)
        ]

    # --- changes ------------------------------------------------------------------------

    def add(self, a: int, force: bool = False) -> bool:
        """Add a seat if it fits (``force`` for existing bookings, which are facts)."""
        if not force and not self.fits(a):
            return False
        taken = self.charge(a)
        if taken is None:
            if not force:
                return False
            taken = []
        for r, coef in self.seat_rows[a]:
            self.usage[r] += coef
        self.is_chosen[a] = True
        self.chosen.append(a)
        seat = self.ix.seats[a]
        for r, unit in seat.covers:
            if seat.person not in self.covered[r]:
                self.covered[r].add(seat.person)
                before = self.remaining[r]
                self.remaining[r] = 0.0 if unit >= before - MET_TOLERANCE else before - unit
                self.points += self.ix.coef[r] * (before - self.remaining[r])
                if before > 0 and self.remaining[r] == 0.0:
                    self.points += self.ix.bonus[r]
        self._taken[a] = taken
        return True

    def remove(self, a: int) -> None:
        """Undo the last addition of ``a`` (used to roll back a bundle)."""
        seat = self.ix.seats[a]
        self.refund(self._taken.pop(a))
        for r, coef in self.seat_rows[a]:
            self.usage[r] -= coef
        self.is_chosen[a] = False
        self.chosen.remove(a)
        for r, unit in seat.covers:
            if seat.person in self.covered[r]:
                self.covered[r].discard(seat.person)
                restored = min(self.ix.gap(r), self.remaining[r] + unit)
                self.points -= self.ix.coef[r] * (restored - self.remaining[r])
                if self.remaining[r] == 0.0 and restored > 0:
                    self.points -= self.ix.bonus[r]
                self.remaining[r] = restored

    def try_bundle(self, a: int) -> bool:
        """Add ``a`` with the cheapest providers of its missing prerequisites, all or nothing."""
        added: list[int] = []
        for providers in self.missing_prereqs(a):
            options = sorted((b for b in providers if self.fits(b)), key=lambda b: self.ix.seats[b].price)
            for b in options:
                if not self.missing_prereqs(b) and self.add(b):
                    added.append(b)
                    break
            else:
                for b in reversed(added):
                    self.remove(b)
                return False
        if self.add(a):
            return True
        for b in reversed(added):
            self.remove(b)
        return False


def greedy(ix: Index) -> list[int]:
    """The greedy plan as a list of seat indices."""
    state = GreedyState(ix)
    for a in ix.fixed:
        state.add(a, force=True)
    for group in ix.movable:
        # A spreadsheet keeps a booking where it is, and moves it only if it no longer fits.
        if not any(state.add(a) for a in group):
            state.add(group[0], force=True)
    locked = {a for group in ix.movable for a in group}

    def bundle_price(a: int) -> int:
        price = ix.seats[a].price
        for providers in state.missing_prereqs(a):
            price += min((ix.seats[b].price for b in providers), default=0)
        return price

    # A renewal after the certificate lapses weighs as its days without it would cost (as in the
    # MILP's cost phase): of two equal seats, the one in time goes first.
    per_day = ix.params.lapse_penalty_ore_per_day
    lapse = [ix.days_lapsed(a) * per_day if per_day > 0 else 0 for a in range(len(ix.seats))]

    def ratio(a: int) -> float:
        return state.gain(a) / (bundle_price(a) + lapse[a] + 100)  # +1 kr keeps free seats finite and ordered

    heap = [(-ratio(a), a) for a in range(len(ix.seats)) if ix.seats[a].covers and a not in locked]
    heapq.heapify(heap)
    while heap:
        _key, a = heapq.heappop(heap)
        if state.is_chosen[a] or not state.fits(a):
            continue
        current = ratio(a)
        if current <= 0:
            continue
        if heap and current < -heap[0][0] - 1e-15:
            heapq.heappush(heap, (-current, a))
            continue
        state.try_bundle(a)
    return list(state.chosen)


def seats_by_facility(ix: Index, chosen: list[int]) -> dict[int, list[int]]:
    """Chosen seats grouped by facility (for reports and neighbourhoods)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for a in chosen:
        groups[ix.persons[ix.seats[a].person].facility_id].append(a)
    return groups
