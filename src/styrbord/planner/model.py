"""The planner's inputs and outputs as plain frozen dataclasses (no Django here).

Money is always an integer number of øre. Dates are ``datetime.date``. Ids are the
database primary keys the Django side used to build the problem (any unique ints do).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum, StrEnum
from typing import Any

# Cost categories a grant may pay for (same values as styrbord.lib.costs.CostCategory).
FEE = "fee"
BACKFILL = "backfill"
SEAT_CATEGORIES = (FEE, BACKFILL)


class RuleKind(StrEnum):
    """How a requirement counts: share of heads, share of FTE, or everybody."""

    PEOPLE_SHARE = "people_share"
    FTE_SHARE = "fte_share"
    EVERY_PERSON = "every_person"


class Family(StrEnum):
    """The named hard-constraint families; tests switch one off to prove it matters."""

    CAPACITY = "capacity"
    CLASHES = "clashes"
    STAFFING = "staffing"
    BUDGETS = "budgets"
    ELIGIBILITY = "eligibility"
    PREREQUISITES = "prerequisites"
    DAYS_CAP = "days_cap"
    BOOKINGS = "bookings"


class Reason(StrEnum):
    """Why a target is not met (the binding family found by slack analysis, see explain.py)."""

    BUDGET = "budget"
    CAPACITY = "capacity"
    STAFFING = "staffing"
    NO_SESSION = "no_session"  # no session before the deadline that the people can attend
    CLASHES = "clashes"
    DAYS_CAP = "days_cap"
    TIME_LIMIT = "time_limit"  # room was left, the solver stopped before using it


@dataclass(frozen=True)
class Person:
    """One employee as the planner sees them: the main employment's facility, which pays and
    is eligible for closed sessions, plus ``also_at``: other facilities where the person is
    employed too and so also counts (and is missed) towards the minimum staffing. ``away_at``
    gives, per such facility, the days the person is not employed there (a second employment
    that starts or ends within the period)."""

    id: int
    facility_id: int
    job_group: str
    fte: float
    hourly_wage_ore: int
    holdings: dict[int, dt.date | None] = field(default_factory=dict)  # competence -> expires_on (incl.)
    unavailable: frozenset[dt.date] = frozenset()  # leave and known absence
    days_cap_per_year: int = 10
    hours_per_day: float = 24.0  # a course day takes at most this many working hours (their average day)
    veu_eligible: bool = False
    municipality_id: int = 0
    also_at: frozenset[int] = frozenset()
    away_at: dict[int, frozenset[dt.date]] = field(default_factory=dict)

    @property
    def staffed_at(self) -> tuple[int, ...]:
        """Every facility whose minimum staffing this person counts towards."""
        return (self.facility_id, *sorted(self.also_at - {self.facility_id}))

    def not_employed_at(self, facility_id: int) -> frozenset[dt.date]:
        """The days a second employment at ``facility_id`` has not started or has ended."""
        if facility_id == self.facility_id:
            return frozenset()
        return self.away_at.get(facility_id, frozenset())

    def unavailable_at(self, facility_id: int) -> frozenset[dt.date]:
        """The days this person is not at work at ``facility_id``: leave and absence, and the days
        not employed there."""
        extra = self.not_employed_at(facility_id)
        return self.unavailable | extra if extra else self.unavailable


@dataclass(frozen=True)
class Requirement:
    """A target: a share of a population must hold one of some competences on the deadline."""

    id: int
    name: str
    competence_ids: tuple[int, ...]  # alternatives: any one of them counts
    population: tuple[int, ...]  # person ids in scope
    kind: RuleKind
    target_share: float  # 0..1; ignored for EVERY_PERSON
    deadline: dt.date
    weight: float = 1.0  # priority


@dataclass(frozen=True)
class Session:
    """One dated run (cohort) of a course."""

    id: int
    course_id: int
    grants: tuple[int, ...]  # competence ids earned on completion (last day)
    days: tuple[dt.date, ...]
    hours: float  # teaching hours in total; drives backfill and VEU
    capacity: int
    fee_ore: int  # per participant
    prerequisites: tuple[int, ...] = ()  # competence ids a participant must hold on the first day
    job_groups: tuple[str, ...] = ()  # who may attend; empty = everybody
    facility_ids: tuple[int, ...] = ()  # closed sessions for some facilities; empty = open
    veu_ore_per_hour: int = 0  # VEU wage compensation per hour for eligible participants
    day_hours: tuple[float, ...] = ()  # hours of each day (empty: ``hours`` spread evenly)
    validity_months: dict[int, int | None] = field(default_factory=dict)  # per competence, overrides the problem's

    @property
    def start(self) -> dt.date:
        return self.days[0]

    @property
    def end(self) -> dt.date:
        return self.days[-1]


# A field added after fingerprints were recorded: left out of the fingerprint while it has its
# default, so problems that do not use it keep theirs (a benchmark's recorded bound stays valid).
OMIT_DEFAULT = {"fingerprint": "omit_default"}


@dataclass(frozen=True)
class Grant:
    """Money that may pay for seats: a pool's remaining balance, or the municipality's own budget.

    ``own`` marks the own budget (the facilities' own money). The ledger charges a pool its
    co-financing share of its *portion* of a cost and leaves the rest of that portion to the
    facility (``funding.rules.plan_split``): what a co-financed pool pays takes ``portion`` of the
    cost, which no other pool may pay, and what it does not pay of it is own money. So a
    co-financed pool pays only where an own budget pays the rest. The own budget has no
    co-financing share, and is charged last.
    """

    id: int
    name: str
    remaining_ore: int
    categories: frozenset[str] = frozenset(SEAT_CATEGORIES)
    facility_ids: frozenset[int] = frozenset()  # empty = any facility
    period_start: dt.date = dt.date.min
    period_end: dt.date = dt.date.max
    share_permille: int = 1000  # co-financing: the grant pays at most this share of each eligible cost
    own: bool = field(default=False, metadata=OMIT_DEFAULT)  # the own budget: pays what the pools leave

    @property
    def co_financed(self) -> bool:
        return self.share_permille < 1000 and not self.own

    def cap(self, amount_ore: int) -> int:
        """The most the grant may pay of a cost of ``amount_ore``: its co-financing share, rounded
        half up to the øre as the ledger rounds what a pool pays of its portion (``funding.rules.
        plan_split``), so a grant planned to pay its whole share of a cost is charged exactly that."""
        if not self.co_financed:
            return amount_ore
        return (amount_ore * self.share_permille + 500) // 1000

    def portion(self, amount_ore: int) -> int:
        """The least cost of which the grant pays ``amount_ore`` (the inverse of ``cap``): what a
        co-financed pool paying that takes of a cost, in the ledger's terms its portion. Its
        co-financing does not pay ``portion - amount``, which falls to the own budget."""
        if amount_ore <= 0 or not self.co_financed:
            return max(0, amount_ore)
        if self.share_permille <= 0:
            raise ValueError(f"grant {self.id} pays no share of any cost")
        return -((500 - 1000 * amount_ore) // self.share_permille)  # ceil((1000 x amount - 500) / share)

    def pays_for(self, facility_id: int, category: str, day: dt.date) -> bool:
        """Whether a seat's ``category`` cost at ``facility_id`` starting on ``day`` is eligible."""
        return (
            category in self.categories
            and (not self.facility_ids or facility_id in self.facility_ids)
            and self.period_start <= day <= self.period_end
        )


@dataclass(frozen=True)
class StaffingPeriod:
    """A span of days with its own minimum (e.g. 1:1 support for a new resident for a month)."""

    start: dt.date
    end: dt.date
    min_staff: int


@dataclass(frozen=True)
class StaffingRule:
    """How many of a facility's own staff must be at work (not on a course), day by day.

    ``min_staff`` holds on weekdays, ``weekend_min_staff`` on Saturdays, Sundays and the
    ``holidays`` (public holidays, given as data; None: as on weekdays). A period covering the
    day overrides both; where periods overlap, the highest minimum holds. The same rule as
    ``Facility.minimum_on`` on the Django side.
    """

    facility_id: int
    min_staff: int
    backfill_permille: int = 1000  # backfill cost factor x 1000 (1000 = wage x 1.0)
    weekend_min_staff: int | None = None
    periods: tuple[StaffingPeriod, ...] = ()
    holidays: frozenset[dt.date] = frozenset()

    def minimum_on(self, day: dt.date) -> int:
        """The minimum that holds on ``day``."""
        covering = [p.min_staff for p in self.periods if p.start <= day <= p.end]
        if covering:
            return max(covering)
        if (day.weekday() >= 5 or day in self.holidays) and self.weekend_min_staff is not None:
            return self.weekend_min_staff
        return self.min_staff


@dataclass(frozen=True)
class Booking:
    """An existing booking. Fixed ones stay; movable ones may move to another session of the course.

    ``paid`` means its cost is already charged to a grant (so balances already reflect it).
    """

    person_id: int
    session_id: int
    fixed: bool = True
    paid: bool = False


@dataclass(frozen=True)
class Parameters:
    """How to solve: time limit, seed, worker processes, and switches used by tests and benchmarks."""

    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 1
    strategy: str = "auto"  # auto | greedy | milp | lns
    relative_gap: float = 1e-4
    cost_phase_share: float = 0.2  # share of the time limit kept for phase 2 (minimise cost)
    disabled: frozenset[Family] = frozenset()  # for tests: families left out of the model
    move_penalty_ore: int = 10_000  # soft: cost of moving a movable booking
    # Soft, per day a person is without a valid certificate because the renewing course ends after
    # it lapses: of two seats giving the same points, the earlier renewal (1 kr. a day breaks ties
    # and small price differences; the plan's reported cost stays the seats' prices).
    lapse_penalty_ore_per_day: int = 100
    lns_threshold: int = 6_000  # candidate seats above which the planner decomposes (kernel + LNS)
    max_seats: int = 60_000  # above this, keep only some sessions per person and course (see prepare.py)
    in_process: bool = False  # solve in this process: only for callers that are worker processes themselves


@dataclass(frozen=True)
class Problem:
    """Everything the planner needs. ``start`` is the first day a new seat may start."""

    start: dt.date
    persons: tuple[Person, ...]
    requirements: tuple[Requirement, ...]
    sessions: tuple[Session, ...]
    grants: tuple[Grant, ...]
    staffing: tuple[StaffingRule, ...] = ()
    bookings: tuple[Booking, ...] = ()
    validity_months: dict[int, int | None] = field(default_factory=dict)  # competence -> months (None = forever)


def fingerprint(problem: Problem) -> str:
    """A SHA-256 of the problem's content, the same in every process and on every machine.

    Sets are sorted and dicts ordered, so neither hash seeds nor insertion order change it; a
    stored result (a benchmark's recorded bound, say) can prove it belongs to this very problem.
    """
    text = json.dumps(_canonical(problem), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in fields(value)
            if not (f.metadata.get("fingerprint") == "omit_default" and getattr(value, f.name) == f.default)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return sorted(([_canonical(k), _canonical(v)] for k, v in value.items()), key=lambda kv: json.dumps(kv[0]))
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


@dataclass(frozen=True)
class SeatCost:
    """What one person on one session costs, by component, in øre."""

    fee: int
    backfill: int
    veu_refund: int

    @property
    def backfill_net(self) -> int:
        """Backfill after the VEU refund (never below zero: the refund compensates wages only)."""
        return max(0, self.backfill - self.veu_refund)

    @property
    def total(self) -> int:
        return self.fee + self.backfill_net

    def by_category(self) -> dict[str, int]:
        return {FEE: self.fee, BACKFILL: self.backfill_net}


def hours_away_x100(person: Person, session: Session) -> int:
    """Working hours (x 100) the session takes from the person: each day's hours, capped at their day."""
    cap = round(person.hours_per_day * 100)
    if session.day_hours:
        return sum(min(round(h * 100), cap) for h in session.day_hours)
    days = max(1, len(session.days))
    return min(round(session.hours * 100), cap * days)


def seat_cost(person: Person, session: Session, backfill_permille: int = 1000) -> SeatCost:
    """The definition of a seat's cost: fee + hours away x wage x factor - VEU (integers, half up)."""
    hours_x100 = hours_away_x100(person, session)
    backfill = (hours_x100 * person.hourly_wage_ore * backfill_permille + 50_000) // 100_000
    veu = (hours_x100 * session.veu_ore_per_hour + 50) // 100 if person.veu_eligible else 0
    return SeatCost(fee=session.fee_ore, backfill=backfill, veu_refund=veu)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (as styrbord.lib.dates.add_months)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (next_month - dt.timedelta(days=1)).day))


def expiry(acquired_on: dt.date, months: int | None) -> dt.date | None:
    """Last valid day of a competence acquired on ``acquired_on`` (None = never lapses)."""
    return None if months is None else add_months(acquired_on, months)


def months_valid(problem: Problem, session: Session, competence: int) -> int | None:
    """How long a competence earned on the session stays valid (the session's own rule first)."""
    if competence in session.validity_months:
        return session.validity_months[competence]
    return problem.validity_months.get(competence)


def holds_on(expires_on: dt.date | None, day: dt.date) -> bool:
    """Whether a holding with this expiry is valid on ``day``."""
    return expires_on is None or expires_on >= day


def target_units(requirement: Requirement, units: dict[int, float]) -> float:
    """How many heads/FTE the requirement asks for, given each population member's unit."""
    total = sum(units[p] for p in requirement.population)
    if requirement.kind == RuleKind.EVERY_PERSON:
        return total
    return requirement.target_share * total


PROGRESS_SHARE = 0.5  # of a requirement's points earned in proportion to progress; the rest for meeting it
MET_TOLERANCE = 1e-9


def requirement_points(weight: float, covered: float, target: float) -> float:
    """The definition of a requirement's points on its deadline.

    ``100 x weight`` when met. Half of that is earned in proportion to progress towards the
    target (so partial progress and renewals count), half only when the target is met
    (which is what a supervisory authority checks). A requirement with no target is met.
    """
    if target <= 0:
        return weight * 100.0
    met = covered >= target - MET_TOLERANCE
    return weight * 100.0 * (PROGRESS_SHARE * min(1.0, covered / target) + (1.0 - PROGRESS_SHARE) * met)


def person_unit(requirement: Requirement, person: Person) -> float:
    """What one covered person counts for: 1 head, or their FTE."""
    return person.fte if requirement.kind == RuleKind.FTE_SHARE else 1.0


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One seat in the plan."""

    person_id: int
    session_id: int
    cost_ore: int  # net cost (0 for a paid existing booking)
    existing: bool = False  # kept from an existing booking


@dataclass(frozen=True)
class Charge:
    """Part of a seat's cost charged to a grant."""

    grant_id: int
    person_id: int
    session_id: int
    category: str
    amount_ore: int


@dataclass(frozen=True)
class Plan:
    """Seats and how they are paid."""

    assignments: tuple[Assignment, ...]
    charges: tuple[Charge, ...]


@dataclass(frozen=True)
class TargetOutcome:
    """How one requirement fares under the plan; ``reason`` is set when it is not met."""

    requirement_id: int
    target: float
    baseline: float  # covered at the deadline without any new training
    planned: float  # covered at the deadline with the plan
    attainment: float  # 0..1
    met: bool
    reason: Reason | None = None
    blockers: dict[str, int] = field(default_factory=dict)  # family -> blocked (person, session) pairs


@dataclass(frozen=True)
class Result:
    """What the planner returns."""

    status: str  # optimal | feasible | greedy | infeasible | error
    plan: Plan
    points: float
    cost_ore: int
    objective: float  # = points (phase 1 objective); cost is the second phase
    bound: float  # best proven upper bound on points
    gap: float  # (bound - points) / bound
    time_to_first_plan_s: float
    total_time_s: float
    targets: tuple[TargetOutcome, ...] = ()
    stats: dict[str, object] = field(default_factory=dict)
