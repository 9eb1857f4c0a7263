"""The coverage engine: who in a requirement's scope complies on a date, per facility.

Set-based: one aggregate query per requirement over Employment with an ``IN (subquery)`` on
CompetenceHolding, conditional aggregation when several dates (history, forecast) are asked at once.
Nothing loops over people in Python except the small per-facility gap list and planned completions.

Definitions, shared by the SQL and the Python twin used for gap lists and profiles:
- a person is in scope on ``d`` when an employment matching the requirement is in force on ``d``
  (``staff.models.in_force_q``, the facility pages' and workforce figures' rule: start_date <= d <=
  end_date, and from today on not marked ended); people who moved count where their employment is
  on that date;
- a holding is valid on ``d`` from ``acquired_on`` through ``expires_on`` inclusive; under a
  ``renew_every`` rule it also lapses ``months`` months after ``acquired_on`` (inclusive);
- a person complies on ``d`` only by holding a valid holding of one of the alternatives then;
- under ``within_months_of_hire`` a person who lacks the competence is "not yet due" through
  ``months`` months after the employment's start date, inclusive; then overdue.

What the share measures (``share_of``): the people whose compliance can be judged on the date,
``measured = in_scope - not_yet_due``, i.e. everyone in scope except those who lack the competence
and whose own deadline has not come. A person who is not yet due does not comply (they do not hold
the competence) and is not in breach either (their deadline has not come), so they are counted
apart (``not_yet_due``) and left out of both sides of the share; whoever holds the competence
complies and is measured, due or not. The share is then "how many of those who can be judged
comply", never a share raised by people who do not hold the competence, and a requirement where
everybody in scope is not yet due has no share (status ``pending``: nobody to measure yet, neither
met nor missed). Only within-M-months-of-hire rules give people a deadline of their own; under
every other rule ``not_yet_due`` is 0 and the share is over everyone in scope, as before.

Why not count them as complying (as this engine once did: three new hires without the competence
read "100 %, Opfyldt 3/3"), nor as missing (0 %, red, for a rule nobody has broken)? The issue
asks for "the people in scope and how many comply; each non-compliant person with the reason;
the share against the target": complying is holding the competence; a person not yet due is not
complying, yet their reason is no breach, so the share against the target is over those who can
be judged, and the people in scope (``in_scope``) are still all reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import BooleanField, Count, DecimalField, ExpressionWrapper, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.lib.collation import sort_key
from styrbord.lib.dates import add_months, local_today, month_ends
from styrbord.organisations.models import Facility, Region
from styrbord.requirements.models import Requirement, ScopeLevel
from styrbord.staff.models import Employee, Employment, JobGroup, in_force, in_force_q

ZERO_FTE = Decimal("0.0000")
SHARE_PLACES = Decimal("0.1")
# A sum of many FTE values needs more digits than the Employment.fte column (6,4).
FTE_SUM = DecimalField(max_digits=14, decimal_places=4)
# How far below target a share may be and still be shown as "close" (percent points).
WARN_BAND = Decimal("10")

# (employee_id, competence_id, expected date[, expires_on]): an expected course completion. Without
# the fourth item the holding expires after the competence's own validity; ``requirements.planned``
# reads them from training bookings with the course's validity, as completing the booking would.
PlannedCompletion = tuple[int, int, dt.date] | tuple[int, int, dt.date, dt.date | None]


class GapReason(models.TextChoices):
    """Why a person in scope is listed in a gap list."""

    MISSING = "missing", _("Mangler")
    EXPIRED = "expired", _("Udløbet")
    EXPIRES_BEFORE_DEADLINE = "expires_before_deadline", _("Udløber før fristen")
    NOT_YET_DUE = "not_yet_due", _("Endnu ikke forfalden")
    OVERDUE = "overdue", _("Overskredet frist efter ansættelse")


# Reasons that make a person non-compliant on the date (the others are warnings).
BREACHES = frozenset({GapReason.MISSING, GapReason.EXPIRED, GapReason.OVERDUE})


@dataclass
class Counts:
    """People and FTE in scope, complying, and not yet due (lacking it before their own deadline),
    for one facility on one date. Those not yet due are neither compliant nor measured."""

    in_scope: int = 0
    compliant: int = 0
    in_scope_fte: Decimal = ZERO_FTE
    compliant_fte: Decimal = ZERO_FTE
    not_yet_due: int = 0
    not_yet_due_fte: Decimal = ZERO_FTE

    @property
    def measured(self) -> int:
        """The people the share is over: in scope, less those not yet due."""
        return self.in_scope - self.not_yet_due

    @property
    def measured_fte(self) -> Decimal:
        return self.in_scope_fte - self.not_yet_due_fte

    def add(self, other: Counts) -> None:
        self.in_scope += other.in_scope
        self.compliant += other.compliant
        self.in_scope_fte += other.in_scope_fte
        self.compliant_fte += other.compliant_fte
        self.not_yet_due += other.not_yet_due
        self.not_yet_due_fte += other.not_yet_due_fte


def share_of(counts: Counts, fte_based: bool) -> Decimal | None:
    """Compliant share in percent (one decimal) of those measured, by FTE or by people.

    None when nobody is measured: nobody in scope, or everybody in scope not yet due.
    """
    if fte_based:
        if not counts.measured_fte:
            return None
        return (counts.compliant_fte * 100 / counts.measured_fte).quantize(SHARE_PLACES)
    if not counts.measured:
        return None
    return (Decimal(counts.compliant) * 100 / counts.measured).quantize(SHARE_PLACES)


def status_for(share: Decimal | None, target: Decimal, not_yet_due: int = 0) -> str:
    """'ok' (meets target), 'warn' (within 10 points), 'bad', 'pending' (people in scope, but every
    one of them is not yet due: nobody to measure yet), or 'none' (nobody in scope)."""
    if share is None:
        return "pending" if not_yet_due else "none"
    if share >= target:
        return "ok"
    if share >= target - WARN_BAND:
        return "warn"
    return "bad"


@dataclass(frozen=True)
class CoverageRow:
    """One requirement at one facility on one date."""

    requirement: Requirement
    facility: Facility
    on: dt.date
    in_scope: int
    compliant: int
    in_scope_fte: Decimal
    compliant_fte: Decimal
    share: Decimal | None
    target: Decimal
    meets_target: bool | None
    not_yet_due: int = 0
    not_yet_due_fte: Decimal = ZERO_FTE

    @property
    def measured(self) -> int:
        """The people the share is over (see ``Counts.measured``)."""
        return self.counts.measured

    @property
    def measured_fte(self) -> Decimal:
        return self.counts.measured_fte

    @property
    def non_compliant(self) -> int:
        """People in breach: measured and not complying (those not yet due are not in breach)."""
        return self.measured - self.compliant

    @property
    def status(self) -> str:
        return status_for(self.share, self.target, self.not_yet_due)

    @property
    def counts(self) -> Counts:
        return Counts(
            self.in_scope,
            self.compliant,
            self.in_scope_fte,
            self.compliant_fte,
            self.not_yet_due,
            self.not_yet_due_fte,
        )


@dataclass(frozen=True)
class CoveragePoint:
    """Coverage summed over the facilities asked for, on one date (a history or forecast point)."""

    on: dt.date
    in_scope: int
    compliant: int
    in_scope_fte: Decimal
    compliant_fte: Decimal
    share: Decimal | None
    kind: str  # "history" or "forecast"
    not_yet_due: int = 0


@dataclass(frozen=True)
class Gap:
    """A person in scope who lacks the competence, or whose holding lapses before the deadline."""

    requirement: Requirement
    employee: Employee
    facility_id: int
    reason: str
    expires_on: dt.date | None = None
    due_on: dt.date | None = None
    competence_id: int | None = None
    job_group: str = ""
    is_contact_person: bool = False
    fte: Decimal = ZERO_FTE

    @property
    def is_breach(self) -> bool:
        return self.reason in BREACHES

    def get_reason_display(self) -> str:
        return str(GapReason(self.reason).label)

    @property
    def job_group_label(self) -> str:
        return str(JobGroup(self.job_group).label) if self.job_group else ""


# --- date arithmetic turned into plain date cut-offs (so the SQL needs no month arithmetic) ---


def renewal_cutoff(on: dt.date, months: int) -> dt.date:
    """The earliest acquisition date still inside a ``months``-month period on ``on``.

    A holding acquired on ``a`` lasts through ``add_months(a, months)`` inclusive, so it counts on
    ``on`` exactly when ``a >= renewal_cutoff(on, months)`` (``add_months`` is monotone).
    """
    day = dt.timedelta(days=1)
    cutoff = add_months(on, -months)
    while add_months(cutoff - day, months) >= on:
        cutoff -= day
    while add_months(cutoff, months) < on:
        cutoff += day
    return cutoff


def _alternative_ids(requirement: Requirement) -> list[int]:
    return sorted(c.pk for c in requirement.competences.all())


def _active_q(on: dt.date) -> Q:
    """In force on ``on`` (``staff.models.in_force_q``)."""
    return in_force_q(on)


def _holds_q(requirement: Requirement, alternative_ids: list[int], on: dt.date, people: Any = None) -> Q:
    """The employment's person holds a valid holding of any alternative on ``on``.

    ``people`` (employee ids, or a subquery of them) may narrow the holdings looked at to the
    people counted, when they are few: then each date's set of holders is read for them through
    the (competence, employee) index instead of hashing every holder in the country.
    """
    if not alternative_ids:
        return Q(pk__isnull=True)  # never true: a requirement without competences is met by nobody
    holdings = CompetenceHolding.objects.filter(competence_id__in=alternative_ids, acquired_on__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )
    if requirement.renew_months:
        holdings = holdings.filter(acquired_on__gte=renewal_cutoff(on, requirement.renew_months))
    if people is not None:
        holdings = holdings.filter(employee_id__in=people)
    # An uncorrelated IN (subquery): both PostgreSQL (hashed subplan) and SQLite (ephemeral index)
    # build the set of holders once per date instead of probing per employment row.
    return Q(employee_id__in=holdings.values("employee_id"))


def _new_q(requirement: Requirement, on: dt.date) -> Q:
    """The employment started so recently that its own deadline (within-M-months rule) has not come."""
    assert requirement.hire_months
    return Q(start_date__gte=renewal_cutoff(on, requirement.hire_months))


def _not_yet_due_q(requirement: Requirement, alternative_ids: list[int], on: dt.date, people: Any = None) -> Q:
    """Not yet due on ``on`` (within-M-months rule): lacks the competence, own deadline still ahead.

    Neither compliant nor in breach. Only asked for rules with a deadline per person.
    """
    return _new_q(requirement, on) & ~_holds_q(requirement, alternative_ids, on, people)


def _employments(requirement: Requirement, facilities: Any = None) -> QuerySet[Employment]:
    """Employments matching the requirement's scope and population, any date."""
    qs = Employment.objects.filter(requirement.employment_q())
    if facilities is not None:
        qs = qs.filter(facility__in=facilities)
    return qs


def _spanning(qs: QuerySet[Employment], dates: Sequence[dt.date]) -> QuerySet[Employment]:
    """The employments in force on a date of ``dates``: on several, the dates' span narrows them
    and each date's aggregate applies ``_active_q`` for itself."""
    if len(dates) == 1:
        return qs.filter(_active_q(dates[0]))
    return qs.filter(start_date__lte=max(dates)).filter(Q(end_date__isnull=True) | Q(end_date__gte=min(dates)))


# Up to this share of all facilities, the holdings read are narrowed to the people of the facilities.
NARROW_SHARE = Decimal("0.25")


def _people_of_few(facilities: Any) -> QuerySet[Employment, Any] | None:
    """The people of ``facilities`` (a subquery) when they are a small part of the whole, else None.

    Narrowed, a facility's year of history at 100.000 staff takes 0,06 s instead of 0,9 s on
    PostgreSQL (each date's holders are read for its own staff); for a large scope the narrowing
    costs more than it saves (the whole country: 2,7 s instead of 1,4 s), so it is left out.
    """
    if facilities is None:
        return None
    count = facilities.count() if isinstance(facilities, QuerySet) else len(facilities)
    if count > NARROW_SHARE * Facility.objects.count():
        return None
    return Employment.objects.filter(facility__in=facilities).values("employee_id")


def _facility_arg(facilities: Any) -> Any:
    """None, a Facility queryset, or the ids as a list (an iterator is read once, here)."""
    if facilities is None or isinstance(facilities, QuerySet):
        return facilities
    return list(facilities)


def counts_by_facility(
    requirement: Requirement,
    dates: Sequence[dt.date],
    facilities: Any = None,
    planned: Iterable[PlannedCompletion] = (),
) -> dict[int, dict[dt.date, Counts]]:
    """{facility_id: {date: Counts}} for one requirement: ONE aggregate query for all dates.

    ``facilities`` (a Facility queryset or ids) narrows the facilities; ``planned`` adds expected
    course completions (employee_id, competence_id, date) as if they were holdings (forecasts).
    """
    facilities = _facility_arg(facilities)
    return _counts(requirement, dates, facilities, _people_of_few(facilities), planned)


def _counts(
    requirement: Requirement,
    dates: Sequence[dt.date],
    facilities: Any,
    people: Any,
    planned: Iterable[PlannedCompletion] = (),
) -> dict[int, dict[dt.date, Counts]]:
    """``counts_by_facility`` with the narrowing (``_people_of_few``) decided by the caller."""
    dates = sorted(set(dates))
    alternative_ids = _alternative_ids(requirement)
    qs = _spanning(_employments(requirement, facilities), dates)
    single = len(dates) == 1
    # Only a rule with a deadline per person has people not yet due: two more columns per date.
    per_person_deadline = bool(requirement.hire_months)
    aggregates: dict[str, Any] = {}
    for i, day in enumerate(dates):
        active = Q() if single else _active_q(day)
        ok = active & _holds_q(requirement, alternative_ids, day, people)
        aggregates[f"n{i}"] = Count("employee_id", distinct=True, filter=active or None)
        aggregates[f"c{i}"] = Count("employee_id", distinct=True, filter=ok)
        aggregates[f"f{i}"] = Sum("fte", filter=active or None, output_field=FTE_SUM)
        aggregates[f"g{i}"] = Sum("fte", filter=ok, output_field=FTE_SUM)
        if per_person_deadline:
            pending = active & _not_yet_due_q(requirement, alternative_ids, day, people)
            aggregates[f"p{i}"] = Count("employee_id", distinct=True, filter=pending)
            aggregates[f"q{i}"] = Sum("fte", filter=pending, output_field=FTE_SUM)
    result: dict[int, dict[dt.date, Counts]] = {}
    # Tuples, not dicts: at national scale this loop sees one row per facility and requirement.
    rows: Iterable[tuple[Any, ...]] = (
        qs.values("facility_id").annotate(**aggregates).order_by().values_list("facility_id", *aggregates)
    )
    indexed = list(enumerate(dates))
    width = 6 if per_person_deadline else 4
    for row in rows:
        per_date = {}
        for i, day in indexed:
            base = 1 + width * i
            if row[base]:
                counts = Counts(row[base], row[base + 1], row[base + 2] or ZERO_FTE, row[base + 3] or ZERO_FTE)
                if per_person_deadline:
                    counts.not_yet_due = row[base + 4]
                    counts.not_yet_due_fte = row[base + 5] or ZERO_FTE
                per_date[day] = counts
        if per_date:
            result[row[0]] = per_date
    planned = list(planned)
    if planned:
        _add_planned(requirement, alternative_ids, dates, qs, planned, result)
    return result


def _add_planned(
    requirement: Requirement,
    alternative_ids: list[int],
    dates: list[dt.date],
    qs: QuerySet[Employment],
    planned: list[PlannedCompletion],
    result: dict[int, dict[dt.date, Counts]],
) -> None:
    """Count people who do not comply yet but will once a planned completion happens.

    Such a person becomes compliant, and if they were not yet due, no longer counts as such.
    Planned completions are few (course bookings), so this reads only those people's employments.
    """
    wanted = [item for item in planned if item[1] in alternative_ids]
    if not wanted:
        return
    validity = dict(Competence.objects.filter(pk__in={item[1] for item in wanted}).values_list("pk", "validity_months"))
    by_employee: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for item in wanted:
        employee_id, competence_id, expected = item[0], item[1], item[2]
        if len(item) > 3:
            expires = item[3]  # type: ignore[misc]
        else:
            months = validity.get(competence_id)
            expires = add_months(expected, months) if months is not None else None
        by_employee[employee_id].append((expected, expires))
    annotations = {
        f"ok{i}": ExpressionWrapper(
            _holds_q(requirement, alternative_ids, day, list(by_employee)), output_field=BooleanField()
        )
        for i, day in enumerate(dates)
    }
    if requirement.hire_months:
        annotations.update(
            {
                f"new{i}": ExpressionWrapper(_new_q(requirement, day), output_field=BooleanField())
                for i, day in enumerate(dates)
            }
        )
    rows = list(
        qs.filter(employee_id__in=list(by_employee))
        .annotate(**annotations)
        .values("facility_id", "employee_id", "fte", "start_date", "end_date", "status", *annotations)
    )
    grouped: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row["facility_id"], row["employee_id"])].append(row)
    renew = requirement.renew_months
    today = local_today()  # the day the status describes, as in ``_active_q``
    for (facility_id, employee_id), employment_rows in grouped.items():
        for i, day in enumerate(dates):
            active = [r for r in employment_rows if in_force(r["start_date"], r["end_date"], r["status"], day, today)]
            if not active:
                continue
            cutoff = renewal_cutoff(day, renew) if renew else None
            completes = any(
                acquired <= day and (expires is None or expires >= day) and (cutoff is None or acquired >= cutoff)
                for acquired, expires in by_employee[employee_id]
            )
            # Holding is a person's, so every row of theirs says the same: already counted as compliant.
            if not completes or any(r[f"ok{i}"] for r in active):
                continue
            counts = result.setdefault(facility_id, {}).setdefault(day, Counts())
            counts.compliant += 1
            counts.compliant_fte += sum((r["fte"] for r in active), ZERO_FTE)
            new = [r for r in active if r.get(f"new{i}")]
            if new:  # counted as not yet due by the aggregate (any such employment): no longer
                counts.not_yet_due -= 1
                counts.not_yet_due_fte -= sum((r["fte"] for r in new), ZERO_FTE)


# --- public API -------------------------------------------------------------------------------


def _prefetched(requirements: Iterable[Requirement] | QuerySet[Requirement]) -> list[Requirement]:
    if isinstance(requirements, QuerySet):
        return list(requirements.prefetch_related("competences"))
    return list(requirements)


def coverage_for(
    requirements: Iterable[Requirement] | QuerySet[Requirement],
    on: dt.date | None = None,
    facilities: Any = None,
) -> list[CoverageRow]:
    """Coverage per requirement x facility on ``on`` (facilities with nobody in scope are left out)."""
    on = on or local_today()
    reqs = _prefetched(requirements)
    facilities = _facility_arg(facilities)
    people = _people_of_few(facilities)  # decided once for every requirement, not per requirement
    raw = [(req, _counts(req, [on], facilities, people)) for req in reqs]
    facility_ids = {fid for _, per in raw for fid in per}
    by_id = Facility.objects.in_bulk(facility_ids)
    rows: list[CoverageRow] = []
    for req, per in raw:
        for facility_id, per_date in per.items():
            counts = per_date[on]
            share = share_of(counts, req.is_fte_based)
            rows.append(
                CoverageRow(
                    requirement=req,
                    facility=by_id[facility_id],
                    on=on,
                    in_scope=counts.in_scope,
                    compliant=counts.compliant,
                    in_scope_fte=counts.in_scope_fte,
                    compliant_fte=counts.compliant_fte,
                    share=share,
                    target=req.target,
                    meets_target=None if share is None else share >= req.target,
                    not_yet_due=counts.not_yet_due,
                    not_yet_due_fte=counts.not_yet_due_fte,
                )
            )
    rows.sort(key=lambda r: (sort_key(r.facility.name), r.requirement.priority, sort_key(r.requirement.name)))
    return rows


def _points(
    requirement: Requirement,
    dates: list[dt.date],
    facilities: Any,
    kind: str,
    planned: Iterable[PlannedCompletion] = (),
) -> list[CoveragePoint]:
    per_facility = counts_by_facility(requirement, dates, facilities, planned)
    points = []
    for day in dates:
        total = Counts()
        for per_date in per_facility.values():
            if day in per_date:
                total.add(per_date[day])
        points.append(
            CoveragePoint(
                on=day,
                in_scope=total.in_scope,
                compliant=total.compliant,
                in_scope_fte=total.in_scope_fte,
                compliant_fte=total.compliant_fte,
                share=share_of(total, requirement.is_fte_based),
                kind=kind,
                not_yet_due=total.not_yet_due,
            )
        )
    return points


def history_dates(on: dt.date, months: int = 12) -> list[dt.date]:
    """Month ends of the last ``months`` months up to ``on``, and ``on`` itself."""
    ends = [d for d in month_ends(add_months(on, -months), on) if d < on]
    return [*ends[-months:], on]


def forecast_dates(on: dt.date, until: dt.date) -> list[dt.date]:
    """``on``, each month end after it up to ``until``, and ``until`` itself."""
    ends = [d for d in month_ends(on, until) if on < d < until]
    return [on, *ends, *([until] if until > on else [])]


def history(
    requirement: Requirement, facilities: Any = None, on: dt.date | None = None, months: int = 12
) -> list[CoveragePoint]:
    """Coverage at each month end of the last ``months`` months and on ``on`` (one query)."""
    on = on or local_today()
    return _points(requirement, history_dates(on, months), facilities, "history")


def forecast(
    requirement: Requirement,
    facilities: Any = None,
    on: dt.date | None = None,
    until: dt.date | None = None,
    planned: Iterable[PlannedCompletion] = (),
) -> list[CoveragePoint]:
    """Expected coverage at month ends from ``on`` to the deadline (or 12 months ahead).

    Uses today's employments and holdings (their expiry and renewal dates, people becoming due
    under a within-M-months rule, known end dates), plus ``planned`` completions if given.
    """
    on = on or local_today()
    until = until or (requirement.deadline if requirement.deadline and requirement.deadline > on else None)
    until = until or add_months(on, 12)
    return _points(requirement, forecast_dates(on, until), facilities, "forecast", planned)


def requirements_for(facilities: QuerySet[Facility], active_only: bool = True) -> QuerySet[Requirement]:
    """Requirements that may apply to any of ``facilities`` (national, regional, municipal, own)."""
    region_ids = Region.objects.filter(municipalities__facilities__in=facilities).values("pk")
    q = (
        Q(scope_level=ScopeLevel.NATIONAL)
        | Q(scope_level=ScopeLevel.REGION, region__in=region_ids)
        | Q(scope_level=ScopeLevel.MUNICIPALITY, municipality__in=facilities.values("municipality"))
        | Q(facility__in=facilities)
    )
    qs = Requirement.objects.filter(q)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.prefetch_related("competences").distinct()


# --- people: gap lists and profiles (a small, per-facility or per-person Python twin) ------------


@dataclass
class _Person:
    employee_id: int
    facility_id: int
    start_date: dt.date
    job_group: str
    is_contact_person: bool
    fte: Decimal
    holdings: list[tuple[int, dt.date, dt.date | None]] = field(default_factory=list)


def _effective_expiry(requirement: Requirement, acquired: dt.date, expires: dt.date | None) -> dt.date | None:
    """Last valid day of a holding under the requirement (renewal period included); None = never."""
    if requirement.renew_months:
        renewal = add_months(acquired, requirement.renew_months)
        return renewal if expires is None else min(expires, renewal)
    return expires


def classify(
    requirement: Requirement,
    on: dt.date,
    start_date: dt.date,
    holdings: Iterable[tuple[int, dt.date, dt.date | None]],
) -> tuple[str | None, dt.date | None, dt.date | None, int | None]:
    """(reason or None when fully fine, expires_on, due_on, competence_id) for one person on ``on``.

    ``holdings``: (competence_id, acquired_on, expires_on) of the requirement's alternatives.
    """
    past = [(c, a, _effective_expiry(requirement, a, e)) for c, a, e in holdings if a <= on]
    valid = [(c, a, e) for c, a, e in past if e is None or e >= on]
    if valid:
        best = max(valid, key=lambda h: dt.date.max if h[2] is None else h[2])
        deadline = requirement.deadline
        if deadline and deadline > on and best[2] is not None and best[2] < deadline:
            return GapReason.EXPIRES_BEFORE_DEADLINE, best[2], None, best[0]
        return None, best[2], None, best[0]
    due_on = add_months(start_date, requirement.hire_months) if requirement.hire_months else None
    if due_on is not None and due_on >= on:
        return GapReason.NOT_YET_DUE, None, due_on, None
    if past:
        latest = max(past, key=lambda h: h[2] or dt.date.max)
        return GapReason.EXPIRED, latest[2], due_on, latest[0]
    if due_on is not None:
        return GapReason.OVERDUE, None, due_on, None
    return GapReason.MISSING, None, None, None


def _people(requirement: Requirement, employments: QuerySet[Employment], on: dt.date) -> list[_Person]:
    """People of the given employments in scope on ``on`` with their relevant holdings (two queries)."""
    rows = (
        employments.filter(requirement.employment_q())
        .filter(_active_q(on))
        .values("employee_id", "facility_id", "start_date", "job_group", "is_contact_person", "fte")
        .order_by("employee_id", "facility_id", "-start_date")
    )
    people: dict[tuple[int, int], _Person] = {}
    for row in rows:
        key = (row["employee_id"], row["facility_id"])
        if key in people:
            # Several employments at one facility: one person, FTE summed, latest start counts.
            people[key].fte += row["fte"]
            continue
        people[key] = _Person(
            employee_id=row["employee_id"],
            facility_id=row["facility_id"],
            start_date=row["start_date"],
            job_group=row["job_group"],
            is_contact_person=row["is_contact_person"],
            fte=row["fte"],
        )
    if not people:
        return []
    alternative_ids = _alternative_ids(requirement)
    holdings = CompetenceHolding.objects.filter(
        employee_id__in={p.employee_id for p in people.values()}, competence_id__in=alternative_ids
    ).values_list("employee_id", "competence_id", "acquired_on", "expires_on")
    by_employee: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for employee_id, competence_id, acquired, expires in holdings:
        by_employee[employee_id].append((competence_id, acquired, expires))
    for person in people.values():
        person.holdings = by_employee.get(person.employee_id, [])
    return list(people.values())


def gaps_for(
    requirements: Requirement | Iterable[Requirement],
    facility: Facility | int | None = None,
    on: dt.date | None = None,
    *,
    employments: QuerySet[Employment] | None = None,
    include_warnings: bool = True,
) -> list[Gap]:
    """Each person in scope at ``facility`` on ``on`` who lacks a requirement, with the reason.

    With ``include_warnings`` also people who comply now but whose holding lapses before the
    deadline, and (within-M-months rules) people not yet due.
    """
    on = on or local_today()
    reqs = [requirements] if isinstance(requirements, Requirement) else _prefetched(requirements)
    base = employments if employments is not None else Employment.objects.all()
    if facility is not None:
        base = base.filter(facility_id=facility.pk if isinstance(facility, Facility) else facility)
    found: list[tuple[Requirement, _Person, str, dt.date | None, dt.date | None, int | None]] = []
    for req in reqs:
        for person in _people(req, base, on):
            reason, expires_on, due_on, competence_id = classify(req, on, person.start_date, person.holdings)
            if reason is None or (not include_warnings and reason not in BREACHES):
                continue
            found.append((req, person, reason, expires_on, due_on, competence_id))
    employees = Employee.objects.in_bulk({p.employee_id for _, p, *_ in found})
    gaps = [
        Gap(
            requirement=req,
            employee=employees[person.employee_id],
            facility_id=person.facility_id,
            reason=reason,
            expires_on=expires_on,
            due_on=due_on,
            competence_id=competence_id,
            job_group=person.job_group,
            is_contact_person=person.is_contact_person,
            fte=person.fte,
        )
        for req, person, reason, expires_on, due_on, competence_id in found
    ]
    gaps.sort(key=lambda g: (sort_key(g.employee.name), g.requirement.priority, sort_key(g.requirement.name)))
    return gaps


@dataclass(frozen=True)
class PersonRequirement:
    """Whether one person meets one requirement that applies to them (profile page).

    ``met`` is "not in breach": a person not yet due has ``met`` True with the reason
    ``not_yet_due``, which the profile shows as a warning, not as "Opfyldt"."""

    requirement: Requirement
    facility: Facility
    met: bool
    reason: str | None
    expires_on: dt.date | None
    due_on: dt.date | None

    def get_reason_display(self) -> str:
        return str(GapReason(self.reason).label) if self.reason else ""


def person_requirements(employee: Employee, on: dt.date | None = None) -> list[PersonRequirement]:
    """The requirements that apply to a person through their employments on ``on``, met or not."""
    on = on or local_today()
    employments = list(
        Employment.objects.filter(employee=employee)
        .filter(_active_q(on))
        .select_related("facility", "facility__municipality")
    )
    if not employments:
        return []
    facility_ids = {e.facility_id for e in employments}
    reqs = list(requirements_for(Facility.objects.filter(pk__in=facility_ids)))
    holdings = list(
        CompetenceHolding.objects.filter(employee=employee).values_list("competence_id", "acquired_on", "expires_on")
    )
    result: list[PersonRequirement] = []
    for req in reqs:
        alternative_ids = set(_alternative_ids(req))
        relevant = [h for h in holdings if h[0] in alternative_ids]
        seen: set[int] = set()
        for employment in sorted(employments, key=lambda e: e.start_date, reverse=True):
            if employment.facility_id in seen or not req.applies_to_employment(employment, on):
                continue
            seen.add(employment.facility_id)
            reason, expires_on, due_on, _competence = classify(req, on, employment.start_date, relevant)
            result.append(
                PersonRequirement(
                    requirement=req,
                    facility=employment.facility,
                    met=reason not in BREACHES,
                    reason=reason,
                    expires_on=expires_on,
                    due_on=due_on,
                )
            )
    result.sort(key=lambda r: (r.met, r.requirement.priority, sort_key(r.requirement.name)))
    return result
