"""How seats are paid: funding classes, and an exact integer charge allocation by a min-cost flow.

Seats whose cost in a category may be paid by the same set of grants form one *class*;
within a class seats are interchangeable for the budgets, so the model only needs one flow
per (class, grant). After solving, the exact øre allocation is a min-cost max-flow from classes
to grants, split over the seats of each class.

It pays as the ledger charges (``funding.rules.plan_split``): a co-financed pool pays its share of
a *portion* of a cost, no other pool pays any of that portion, and the rest of it is the own
budget's (``Grant.own``). So a co-financed pool pays only where an own budget may pay, and in
each class ``other pools + co-financed pool / share <= the class's cost``. Among the ways to pay,
the pools go before the own budget (they expire; the own money is what is left): the flow
minimises the own money, then follows the charge order (the most earmarked grant first).
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable

from styrbord.planner.model import Charge, Family
from styrbord.planner.prepare import Index

ClassKey = tuple[str, tuple[int, ...]]  # (category, eligible grant indices)

SAFETY_ORE = 100  # kept back on every grant by the planner so float tolerances never overspend


class _FlowGraph:
    """A small integral flow network; ``max_flow`` is Edmonds-Karp (BFS augmenting paths)."""

    def __init__(self, size: int) -> None:
        self.capacity: dict[tuple[int, int], int] = defaultdict(int)
        self.neighbours: list[set[int]] = [set() for _ in range(size)]

    def edge(self, u: int, v: int, cap: int) -> None:
        self.capacity[(u, v)] += cap
        self.neighbours[u].add(v)
        self.neighbours[v].add(u)

    def max_flow(self, source: int, sink: int) -> dict[tuple[int, int], int]:
        capacity, neighbours = self.capacity, self.neighbours
        flow: dict[tuple[int, int], int] = defaultdict(int)
        while True:
            parent = {source: source}
            queue = deque([source])
            while queue and sink not in parent:
                u = queue.popleft()
                for v in neighbours[u]:
                    if v not in parent and capacity[(u, v)] - flow[(u, v)] > 0:
                        parent[v] = u
                        queue.append(v)
            if sink not in parent:
                return flow
            path = []
            v = sink
            while v != source:
                path.append((parent[v], v))
                v = parent[v]
            push = min(capacity[edge] - flow[edge] for edge in path)
            for u, v in path:
                flow[(u, v)] += push
                flow[(v, u)] -= push


def usable(ix: Index) -> list[int]:
    """What the planner lets itself spend of each grant (the balance less the safety margin)."""
    return [max(0, grant.remaining_ore - SAFETY_ORE) for grant in ix.grants]


def funding_classes(ix: Index, seats: Iterable[int] | None = None) -> dict[ClassKey, list[tuple[int, int]]]:
    """Class -> [(seat, amount in øre)] for the given seats (default: all), skipping zero amounts."""
    classes: dict[ClassKey, list[tuple[int, int]]] = defaultdict(list)
    for a in range(len(ix.seats)) if seats is None else seats:
        seat = ix.seats[a]
        for category, amount in seat.amounts.items():
            if amount > 0:
                classes[(category, seat.funding.get(category, ()))].append((a, amount))
    return classes


def max_flow_allocation(
    demands: list[int], eligible: list[tuple[int, ...]], supplies: list[int]
) -> list[dict[int, int]]:
    """Integral flow from demands to eligible suppliers; returns per demand {supplier: amount}.

    Edmonds-Karp on a tiny bipartite graph (classes x grants), so it is fast enough.
    """
    n_d, n_s = len(demands), len(supplies)
    source, sink = n_d + n_s, n_d + n_s + 1
    graph = _FlowGraph(n_d + n_s + 2)
    edge = graph.edge

    infinite = sum(demands) + 1
    for d, amount in enumerate(demands):
        edge(source, d, amount)
        for g in eligible[d]:
            edge(d, n_d + g, infinite)
    for g, amount in enumerate(supplies):
        edge(n_d + g, sink, max(0, amount))
    flow = graph.max_flow(source, sink)
    return [{g: flow[(d, n_d + g)] for g in eligible[d] if flow[(d, n_d + g)] > 0} for d in range(n_d)]


def unchecked_charges(ix: Index, seats: Iterable[int]) -> list[Charge]:
    """Charges with the budgets family switched off: each cost to its first eligible grant, balance or not."""
    charges = []
    for a in seats:
        seat = ix.seats[a]
        for category, amount in seat.amounts.items():
            payers = seat.funding.get(category, ())
            if amount > 0 and payers:
                person, session = ix.persons[seat.person].id, ix.sessions[seat.session].id
                charges.append(Charge(ix.grants[payers[0]].id, person, session, category, amount))
    return charges


class _CostFlow:
    """A small integral min-cost flow network: successive shortest paths (Bellman-Ford queue).

    Costs are non-negative integers (any size), so there is no negative cycle to begin with and
    every augmentation keeps the flow of least cost for its value."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.head: list[int] = []
        self.capacity: list[int] = []
        self.cost: list[int] = []
        self.out: list[list[int]] = [[] for _ in range(size)]

    def edge(self, u: int, v: int, capacity: int, cost: int) -> int:
        """Add u -> v; returns the edge's number (its reverse is the number ^ 1)."""
        e = len(self.head)
        self.head += [v, u]
        self.capacity += [max(0, capacity), 0]
        self.cost += [cost, -cost]
        self.out[u].append(e)
        self.out[v].append(e + 1)
        return e

    def flow(self, e: int) -> int:
        return self.capacity[e ^ 1]

    def run(self, source: int, sink: int) -> None:
        head, capacity, cost, out = self.head, self.capacity, self.cost, self.out
        while True:
            dist: list[int | None] = [None] * self.size
            via = [-1] * self.size
            queued = [False] * self.size
            dist[source] = 0
            queue = deque([source])
            while queue:
                u = queue.popleft()
                queued[u] = False
                base = dist[u]
                assert base is not None
                for e in out[u]:
                    if capacity[e] > 0:
                        v = head[e]
                        d = base + cost[e]
                        known = dist[v]
                        if known is None or d < known:
                            dist[v], via[v] = d, e
                            if not queued[v]:
                                queued[v] = True
                                queue.append(v)
            if dist[sink] is None:
                return
            push, v = -1, sink
            while v != source:
                e = via[v]
                push = capacity[e] if push < 0 else min(push, capacity[e])
                v = head[e ^ 1]
            v = sink
            while v != source:
                e = via[v]
                capacity[e] -= push
                capacity[e ^ 1] += push
                v = head[e ^ 1]


SeatParts = dict[int, dict[int, int]]  # seat -> {grant index: øre}


def _pays_rest(ix: Index, payers: tuple[int, ...]) -> bool:
    return any(ix.grants[g].own for g in payers)


def _may_pay(ix: Index, g: int, payers: tuple[int, ...]) -> bool:
    """Whether grant ``g`` may pay in a class with these payers: a co-financed pool only where an
    own budget pays the rest of its portion (and only with a share above 0)."""
    grant = ix.grants[g]
    if not grant.co_financed:
        return True
    return grant.share_permille > 0 and _pays_rest(ix, payers)


def _decode(ix: Index, classes: dict[ClassKey, list[tuple[int, int]]], supplies: list[int]) -> list[SeatParts] | None:
    """Per class (in ``classes`` order), what each grant pays of each seat; None if the grants
    cannot pay for all of them.

    A min-cost max-flow from the classes to the grants: a full pool's edge carries what it pays,
    a co-financed pool's the portion it takes (its share of it rounded half up is what it pays,
    the rest is own money), the own budget's what it pays outright. Costs, lexicographic: own
    money per øre (1.000 on the own budget's edge, 1.000 - share on a co-financed pool's, 0 on a
    full pool's), then the charge order. Then each class is split over its seats, seat by seat:
    the co-financed pools first (so each takes whole seats, the ledger's share of 100 % exactly,
    but for one seat), then the full pools, and the own budgets have the rest of every seat."""
    keys = list(classes)
    demands = [sum(amount for _a, amount in classes[key]) for key in keys]
    n_d, n_g = len(keys), len(ix.grants)
    total = sum(demands)
    big = total * (n_g + 1) + 1  # above any sum of charge-order ranks: own money decides first
    source, sink = n_d + n_g, n_d + n_g + 1
    graph = _CostFlow(sink + 1)
    supply_edges = []
    for d in range(n_d):
        supply_edges.append(graph.edge(source, d, demands[d], 0))
    edges: list[dict[int, int]] = []
    for d, key in enumerate(keys):
        payers = key[1]
        per_grant = {}
        for g in payers:
            grant = ix.grants[g]
            if not _may_pay(ix, g, payers):
                continue
            if grant.own:
                cost = 1000 * big + g
            elif grant.co_financed:
                cost = (1000 - grant.share_permille) * big + g
            else:
                cost = g
            per_grant[g] = graph.edge(d, n_d + g, demands[d], cost)
        edges.append(per_grant)
    for g, grant in enumerate(ix.grants):
        if grant.own:
            limit = total  # checked below, with what the co-financed pools leave
        elif grant.co_financed:
            limit = max(0, supplies[g]) * 1000 // grant.share_permille if grant.share_permille > 0 else 0
        else:
            limit = max(0, supplies[g])
        graph.edge(n_d + g, sink, limit, 0)
    graph.run(source, sink)
    if any(graph.flow(e) != demand for e, demand in zip(supply_edges, demands, strict=True)):
        return None

    parts: list[SeatParts] = []
    for d, key in enumerate(keys):
        members = classes[key]
        room = dict(members)
        paid: SeatParts = {a: {} for a, _x in members}
        flows = {g: graph.flow(e) for g, e in edges[d].items()}
        order = sorted(g for g in flows if ix.grants[g].co_financed)
        order += [g for g in sorted(flows) if not ix.grants[g].co_financed and not ix.grants[g].own]
        for g in order:
            left = flows[g]
            grant = ix.grants[g]
            for a, _amount in members:
                if left == 0:
                    break
                take = min(room[a], left)
                if take <= 0:
                    continue
                room[a] -= take
                left -= take
                pays = grant.cap(take)  # a full pool's is the take; a co-financed one's share of its portion
                if pays > 0:
                    paid[a][g] = pays
        parts.append(paid)
    # A co-financed pool's shares, rounded half up seat by seat, may pass its balance by an øre or
    # two: what it cannot pay of its portions is own money too.
    spent: Counter[int] = Counter()
    for paid in parts:
        for by_grant in paid.values():
            spent.update(by_grant)
    for g, amount in spent.items():
        excess = amount - supplies[g]
        for paid in reversed(parts):
            for by_grant in reversed(list(paid.values())):
                if excess <= 0:
                    break
                cut = min(excess, by_grant.get(g, 0))
                if cut > 0:
                    by_grant[g] -= cut
                    excess -= cut
                    if by_grant[g] == 0:
                        del by_grant[g]
    # The own budgets: the rest of every seat, within their balances.
    rest = [
        {a: amount - sum(paid[a].values()) for a, amount in classes[key]} for key, paid in zip(keys, parts, strict=True)
    ]
    own_payers = [tuple(g for g in key[1] if ix.grants[g].own) for key in keys]
    owed = [sum(seat_rest.values()) for seat_rest in rest]
    if any(amount > 0 and not payers for amount, payers in zip(owed, own_payers, strict=True)):
        return None
    if any(owed):
        own_flows = max_flow_allocation(owed, own_payers, supplies)
        if any(sum(flow.values()) != amount for flow, amount in zip(own_flows, owed, strict=True)):
            return None
        for paid, seat_rest, flow in zip(parts, rest, own_flows, strict=True):
            pots = dict(flow)
            for a, need in seat_rest.items():
                for g in sorted(pots):
                    if need == 0:
                        break
                    take = min(need, pots[g])
                    if take > 0:
                        pots[g] -= take
                        need -= take
                        paid[a][g] = paid[a].get(g, 0) + take
    return parts


def allocate(ix: Index, seats: Iterable[int], remaining: list[int] | None = None) -> list[Charge] | None:
    """Exact charges for the seats, or None if the grants cannot pay for all of them (see ``_decode``)."""
    if Family.BUDGETS in ix.disabled:
        return unchecked_charges(ix, seats)
    classes = funding_classes(ix, seats)
    parts = _decode(ix, classes, remaining if remaining is not None else usable(ix))
    if parts is None:
        return None
    charges: list[Charge] = []
    for (category, _payers), paid in zip(classes, parts, strict=True):
        for a, by_grant in paid.items():
            seat = ix.seats[a]
            person, session = ix.persons[seat.person].id, ix.sessions[seat.session].id
            for g, amount in sorted(by_grant.items()):
                if amount:
                    charges.append(Charge(ix.grants[g].id, person, session, category, amount))
    return charges


def class_flows(ix: Index, seats: Iterable[int]) -> tuple[list[ClassKey], list[dict[int, int]], list[int]]:
    """Per funding class of the seats: its key, the øre each grant pays, and its demand (each grant's
    part empty if the grants cannot pay for all of them)."""
    classes = funding_classes(ix, seats)
    keys = list(classes)
    demands = [sum(amount for _a, amount in classes[key]) for key in keys]
    parts = _decode(ix, classes, usable(ix))
    flows: list[dict[int, int]] = []
    for paid in parts if parts is not None else [{} for _key in keys]:
        per_grant: Counter[int] = Counter()
        for by_grant in paid.values():
            per_grant.update(by_grant)
        flows.append({g: amount for g, amount in per_grant.items() if amount})
    return keys, flows, demands
