"""Assembles the MILP from the constraint families and the target objective.

Variables: x (seat used, binary), y (person covered for a set of seats, in [0, 1]),
v (units gained towards a requirement, capped at its gap), met (binary: the gap is closed), f (money from a grant to a
funding class, in 1.000 kr.). Phase 1 maximises points = sum(coef_r * v_r + bonus_r * met_r) (+ the constant baseline);
phase 2 keeps points and minimises cost (seat prices plus soft penalties).
y and v need not be integer: once x is integral, the optimum sets them to integral values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from styrbord.planner.constraints import FAMILIES
from styrbord.planner.funding import class_flows, funding_classes
from styrbord.planner.linear import INF, MONEY_UNIT, LinearModel, Penalty
from styrbord.planner.model import MET_TOLERANCE
from styrbord.planner.prepare import Index


@dataclass
class Built:
    """The model and how to map a set of chosen seats to a full column vector."""

    model: LinearModel
    baseline_points: float
    y_cols: list[tuple[int, list[int]]] = field(default_factory=list)  # (col, seats)
    v_cols: list[tuple[int, float, list[tuple[int, float]]]] = field(default_factory=list)  # (col, gap, [(z, unit)])
    met_cols: list[tuple[int, int, float]] = field(default_factory=list)  # (met col, v col, gap)
    flow_cols: dict[tuple[tuple[str, tuple[int, ...]], int], int] = field(default_factory=dict)
    penalties: list[Penalty] = field(default_factory=list)


def targets(m: LinearModel, ix: Index, built: Built) -> None:
    """The objective: for each requirement, units gained up to its gap, worth ``coef`` points each."""
    seats_for: dict[tuple[int, int], list[int]] = defaultdict(list)
    for seat in ix.seats:
        for r, _unit in seat.covers:
            seats_for[(r, seat.person)].append(seat.index)
    shared_y: dict[tuple[int, ...], int] = {}
    terms_for: dict[int, list[tuple[int, float]]] = defaultdict(list)
    z_of: dict[tuple[int, int], int] = {}
    for (r, p), seats in seats_for.items():
        key = tuple(sorted(seats))
        if len(key) == 1:
            z = key[0]
        elif key in shared_y:
            z = shared_y[key]
        else:
            z = m.add_col(0.0, 1.0)
            m.add_row("targets", [z, *key], [1.0] + [-1.0] * len(key), -INF, 0.0)
            shared_y[key] = z
            built.y_cols.append((z, list(key)))
        terms_for[r].append((z, ix.units[r][p]))
        z_of[(r, p)] = z
    point_cols: list[int] = []
    point_coefs: list[float] = []
    for r, terms in sorted(terms_for.items()):
        gap = ix.gap(r)
        if gap <= 0 or ix.coef[r] <= 0:
            continue
        v = m.add_col(0.0, gap, points=ix.coef[r])
        m.add_row("targets", [v] + [z for z, _u in terms], [1.0] + [-u for _z, u in terms], -INF, 0.0)
        # met (binary): only when the whole gap is covered
        met = m.add_col(0.0, 1.0, integer=True, points=ix.bonus[r])
        m.add_row("targets", [met, v], [gap, -1.0], -INF, MET_TOLERANCE)
        _strengthen(m, ix, r, met, gap, terms, z_of)
        built.v_cols.append((v, gap, terms))
        built.met_cols.append((met, v, gap))
        m.target_met.append(met)
        m.target_v.append(v)
        m.target_gap.append(gap)
        m.target_seats.append(sorted({a for p in ix.units[r] for a in seats_for.get((r, p), ())}))
        point_cols.extend((v, met))
        point_coefs.extend((ix.coef[r], ix.bonus[r]))
    m.points_row = m.add_row("points", point_cols, point_coefs, -INF, INF)


def _strengthen(
    m: LinearModel,
    ix: Index,
    r: int,
    met: int,
    gap: float,
    terms: list[tuple[int, float]],
    z_of: dict[tuple[int, int], int],
) -> None:
    """Valid cuts that tighten the LP: a target out of reach is never met, and when every
    uncovered person is needed to meet it, it is met only if each of them is covered."""
    if sum(unit for _z, unit in terms) < gap - MET_TOLERANCE:
        m.col_ub[met] = 0.0
        return
    uncovered = [p for p in ix.units[r] if p not in ix.base_covered[r]]
    units = [ix.units[r][p] for p in uncovered]
    if not units or gap <= sum(units) - min(units) + MET_TOLERANCE:
        return
    for p in uncovered:
        z = z_of.get((r, p))
        if z is None:
            m.col_ub[met] = 0.0
            return
        m.add_row("targets", [met, z], [1.0, -1.0], -INF, 0.0)


def build(ix: Index) -> Built:
    """The full model for the index, leaving out families named in ``params.disabled``."""
    m = LinearModel(n_seats=len(ix.seats))
    for seat in ix.seats:
        m.add_col(0.0, 1.0, integer=True, cost=seat.price / MONEY_UNIT)
        m.seat_facility.append(ix.persons[seat.person].facility_id)
        m.seat_course.append(ix.sessions[seat.session].course_id)
        m.seat_session.append(seat.session)
        m.seat_person.append(seat.person)
        m.seat_value.append(sum(ix.coef[r] * unit for r, unit in seat.covers))
    built = Built(model=m, baseline_points=ix.baseline_points())
    targets(m, ix, built)
    for family, add in FAMILIES.items():
        if family in ix.disabled:
            continue
        first_col = m.n_cols
        penalties = add(m, ix)
        built.penalties.extend(penalties)
        if family == "budgets":
            _record_flows(ix, built, first_col)
    built.penalties.extend(late_renewals(ix))
    for penalty in built.penalties:
        m.cost[penalty.col] += penalty.weight
    return built


def late_renewals(ix: Index) -> list[Penalty]:
    """Soft: a seat that renews a certificate only after it lapses costs ``lapse_penalty_ore_per_day``
    for each day the person is without it, so the cost phase renews in time where it can."""
    per_day = ix.params.lapse_penalty_ore_per_day / MONEY_UNIT
    if per_day <= 0:
        return []
    penalties = []
    for seat in ix.seats:
        if lapsed := ix.days_lapsed(seat.index):
            penalties.append(Penalty(seat.index, lapsed * per_day, "late_renewal"))
    return penalties


def _record_flows(ix: Index, built: Built, first_col: int) -> None:
    col = first_col
    for key in funding_classes(ix):
        for g in key[1]:
            built.flow_cols[(key, g)] = col
            col += 1


def points_of(built: Built, values: list[float]) -> float:
    """Total points (baseline + gains) of a column vector."""
    m = built.model
    return built.baseline_points + sum(m.points[c] * values[c] for c in range(m.n_cols) if m.points[c])


def complete(built: Built, ix: Index, chosen: list[int]) -> list[float]:
    """A full, feasible column vector for a feasible set of seats (used as a warm start)."""
    m = built.model
    values = [0.0] * m.n_cols
    for a in chosen:
        values[a] = 1.0
    for col, seats in built.y_cols:
        values[col] = min(1.0, sum(values[a] for a in seats))
    for col, gap, terms in built.v_cols:
        values[col] = min(gap, sum(unit * values[z] for z, unit in terms))
    for met, v, gap in built.met_cols:
        values[met] = 1.0 if values[v] >= gap - MET_TOLERANCE else 0.0
    if built.flow_cols:
        keys, flows, _demands = class_flows(ix, chosen)
        for key, flow in zip(keys, flows, strict=True):
            for g, amount in flow.items():
                values[built.flow_cols[(key, g)]] = amount / MONEY_UNIT
    return values
