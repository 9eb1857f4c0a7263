"""How seats are paid: funding classes, and an exact integer charge allocation by max-flow.

Seats whose cost in a category may be paid by the same set of grants form one *class*;
within a class seats are interchangeable for the budgets, so the model only needs one flow
per (class, grant). After solving, the exact øre allocation is a max-flow from classes to
grants; it is then split over the seats of each class.
"""

from __future__ import annotations

from collections import defaultdict, deque
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


def allocate(ix: Index, seats: Iterable[int], remaining: list[int] | None = None) -> list[Charge] | None:
    """Exact charges for the seats, or None if the grants cannot pay for all of them.

    A max-flow over (class, grant) gives each grant's part of each class; a co-financed grant's
    edge is capped at the sum of its per-seat caps. Within a class, co-financed grants are split
    over the seats in proportion to their amounts (never above a seat's cap), then the other
    grants fill what is left, seat by seat.
    """
    if Family.BUDGETS in ix.disabled:
        return unchecked_charges(ix, seats)
    classes = funding_classes(ix, seats)
    keys = list(classes)
    demands = [sum(amount for _a, amount in classes[key]) for key in keys]
    supplies = remaining if remaining is not None else usable(ix)
    flows = _capped_flow(ix, keys, classes, demands, supplies)
    if any(sum(flow.values()) != demand for flow, demand in zip(flows, demands, strict=True)):
        return None
    charges: list[Charge] = []
    for key, flow in zip(keys, flows, strict=True):
        charges.extend(_split_class(ix, key[0], classes[key], flow))
    return charges


def _capped_flow(
    ix: Index,
    keys: list[ClassKey],
    classes: dict[ClassKey, list[tuple[int, int]]],
    demands: list[int],
    supplies: list[int],
) -> list[dict[int, int]]:
    """Max-flow with co-financing caps: each capped (class, grant) edge passes a node holding the cap."""
    n_grants = len(supplies)
    extra_supply: list[int] = []
    eligible: list[tuple[int, ...]] = []
    via: dict[int, tuple[int, int]] = {}
    for k, key in enumerate(keys):
        targets = []
        for g in key[1]:
            if ix.grants[g].co_financed:
                node = n_grants + len(extra_supply)
                extra_supply.append(sum(ix.grants[g].cap(amount) for _a, amount in classes[key]))
                via[node] = (k, g)
                targets.append(node)
            else:
                targets.append(g)
        eligible.append(tuple(targets))
    if not via:
        return max_flow_allocation(demands, eligible, supplies)
    return _layered_flow(demands, eligible, supplies, extra_supply, via)


def class_flows(ix: Index, seats: Iterable[int]) -> tuple[list[ClassKey], list[dict[int, int]], list[int]]:
    """Per funding class of the seats: its key, the øre each grant pays, and its demand."""
    classes = funding_classes(ix, seats)
    keys = list(classes)
    demands = [sum(amount for _a, amount in classes[key]) for key in keys]
    return keys, _capped_flow(ix, keys, classes, demands, usable(ix)), demands


def _layered_flow(
    demands: list[int],
    eligible: list[tuple[int, ...]],
    supplies: list[int],
    extra_supply: list[int],
    via: dict[int, tuple[int, int]],
) -> list[dict[int, int]]:
    """Max-flow source -> class -> (grant | cap node -> grant) -> sink, Edmonds-Karp."""
    n_d, n_g, n_x = len(demands), len(supplies), len(extra_supply)
    source, sink = n_d + n_g + n_x, n_d + n_g + n_x + 1
    graph = _FlowGraph(sink + 1)
    edge = graph.edge

    infinite = sum(demands) + 1
    for d, amount in enumerate(demands):
        edge(source, d, amount)
        for target in eligible[d]:
            edge(d, n_d + target, infinite)
    for x, amount in enumerate(extra_supply):
        _k, g = via[n_g + x]
        edge(n_d + n_g + x, n_d + g, amount)
    for g, amount in enumerate(supplies):
        edge(n_d + g, sink, max(0, amount))
    flow = graph.max_flow(source, sink)
    result: list[dict[int, int]] = []
    for d in range(n_d):
        per_grant: dict[int, int] = defaultdict(int)
        for target in eligible[d]:
            amount = flow[(d, n_d + target)]
            if amount > 0:
                grant = via[target][1] if target in via else target
                per_grant[grant] += amount
        result.append(dict(per_grant))
    return result


def _split_class(ix: Index, category: str, members: list[tuple[int, int]], flow: dict[int, int]) -> list[Charge]:
    """Spread a class's per-grant amounts over its seats (co-financed grants proportionally)."""
    need = dict(members)
    total = sum(need.values())
    parts: dict[int, dict[int, int]] = {a: {} for a, _x in members}
    for g, pot in sorted(flow.items()):
        grant = ix.grants[g]
        if not grant.co_financed or pot == 0:
            continue
        given = {a: min(grant.cap(amount), pot * amount // total) for a, amount in members}
        left = pot - sum(given.values())
        for a, amount in members:
            if left == 0:
                break
            room = min(grant.cap(amount), need[a]) - given[a]
            extra = min(room, left)
            if extra > 0:
                given[a] += extra
                left -= extra
        for a, amount in given.items():
            if amount:
                parts[a][g] = amount
                need[a] -= amount
    left_in = {g: amount for g, amount in sorted(flow.items()) if not ix.grants[g].co_financed}
    for a, _amount in members:
        for g in left_in:
            if need[a] == 0:
                break
            take = min(need[a], left_in[g])
            if take > 0:
                left_in[g] -= take
                need[a] -= take
                parts[a][g] = parts[a].get(g, 0) + take
    charges = []
    for a, by_grant in parts.items():
        seat = ix.seats[a]
        person, session = ix.persons[seat.person].id, ix.sessions[seat.session].id
        for g, amount in sorted(by_grant.items()):
            charges.append(Charge(ix.grants[g].id, person, session, category, amount))
    return charges
