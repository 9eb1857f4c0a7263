"""Staff figures for facilities and municipalities: set-based aggregates the pages show.

Every figure counts the *current* staff on a day: the employments in force then, by the one rule
``staff.models.in_force_q`` (started, not past the end date, and from today on not marked ended;
people on leave still count as staff), the rule of the workforce figures and the coverage too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat

from styrbord.accounts.permissions import CREATE, can, is_administrator
from styrbord.competences.models import CompetenceHolding
from styrbord.lib.collation import sort_key
from styrbord.lib.dates import local_today, years_between
from styrbord.lib.prepared import PreparedQuery
from styrbord.organisations.models import Facility, LegalBasis, Method, Municipality, TargetGroup, Unit
from styrbord.staff.models import FULL_TIME_HOURS, Employee, Employment, JobGroup, in_force_q

EXPIRY_WARNING_DAYS = 90


class FacilitySummary(NamedTuple):
    """What a facility table shows of a facility itself (plain values, no model instance)."""

    pk: int
    name: str
    municipality: str
    kind: str
    operator_kind: str
    places: int


SUMMARY_FIELDS = ("pk", "name", "municipality__name", "kind", "operator_kind", "places")


def facility_summaries(facilities: QuerySet[Facility]) -> list[FacilitySummary]:
    """The facilities of a queryset (in its order) as table rows, in one query without model objects."""
    return [FacilitySummary(*row) for row in facilities.values_list(*SUMMARY_FIELDS)]


def current_q(day: dt.date, prefix: str = "", *, today: dt.date | None = None) -> Q:
    """Employments that count as staff on ``day`` (optionally through a relation prefix): those
    in force then (``staff.models.in_force_q``; ``today`` is the day the status describes)."""
    return in_force_q(day, prefix, today=today)


def current_employments(day: dt.date, today: dt.date | None = None) -> QuerySet[Employment]:
    """All employments that count as staff on ``day``."""
    return Employment.objects.filter(current_q(day, today=today))


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part`` as percent points of ``whole`` (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- the share with a relevant education: one definition for every page that shows it ----------
#
# The facility pages (list, facility, municipality overview) count it here; the workforce page and
# the landing page's key figures count it in ``workforce.figures`` with the same filter and share.
# It is the share of the staff who could hold a relevant education: trainees, students and interns
# are training for one and are left out, as from the workforce page's headcount; and each person
# counts once, by their primary employment, as there. Substitutes and hourly staff count.

LEARNER_KINDS = (Employment.Kind.TRAINEE, Employment.Kind.STUDENT, Employment.Kind.INTERN)


def education_counted_q(prefix: str = "") -> Q:
    """The employments whose person counts in the share with a relevant education (with a day's
    filter, ``current_q`` or ``workforce.figures.active_on``): primary ones, not a learner's."""
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}is_primary": True}) & ~Q(**{f"{p}kind__in": LEARNER_KINDS})


def relevant_share(relevant: int, counted: int) -> Decimal | None:
    """The share with a relevant education: ``relevant`` of the ``counted`` people (both counted
    over ``education_counted_q``), in percent points with one decimal; None without anybody."""
    return share(relevant, counted)


@dataclass
class StaffFigures:
    """Headcount and FTE of a group of employments, with the shares the seeds talk about."""

    headcount: int = 0
    fte: Decimal = Decimal("0")
    relevant: int = 0  # of ``education_counted``: those with a relevant education
    contacts: int = 0
    education_counted: int = 0  # the people the share with a relevant education is of

    @property
    def relevant_share(self) -> Decimal | None:
        return relevant_share(self.relevant, self.education_counted)

    @property
    def contact_share(self) -> Decimal | None:
        return share(self.contacts, self.headcount)

    def add(self, other: StaffFigures) -> None:
        self.headcount += other.headcount
        self.fte += other.fte
        self.relevant += other.relevant
        self.contacts += other.contacts
        self.education_counted += other.education_counted


def _person(field: str) -> Subquery:
    """A field of the employment's person as a correlated scalar subquery.

    Used instead of a join in the aggregates below: joined, PostgreSQL prefers to scan and
    hash the whole person table; as a subquery it looks each person up by primary key.
    """
    return Subquery(Employee.objects.filter(pk=OuterRef("employee_id")).order_by().values(field)[:1])


_FIGURES = {
    "headcount": Count("employee_id", distinct=True),
    "fte_sum": Sum("fte"),
    "education_counted": Count("employee_id", filter=education_counted_q(), distinct=True),
    "relevant": Count("employee_id", filter=education_counted_q() & Q(_person("education_relevant")), distinct=True),
    "contacts": Count("employee_id", filter=Q(is_contact_person=True), distinct=True),
}


def _figures(row: Mapping[str, Any]) -> StaffFigures:
    return StaffFigures(
        headcount=int(row["headcount"] or 0),
        fte=Decimal(row["fte_sum"] or 0),
        relevant=int(row["relevant"] or 0),
        contacts=int(row["contacts"] or 0),
        education_counted=int(row["education_counted"] or 0),
    )


# Run on every facility list and overview: compiled once per page size, not per view. Today is
# a value of the query like the day (``in_force_q``), so the compiled SQL holds no date.
_FIGURES_BY_FACILITY = PreparedQuery(
    lambda day, today, *facility_ids: (
        current_employments(day, today)
        .filter(facility_id__in=facility_ids)
        .order_by()
        .values("facility_id")
        .annotate(**_FIGURES)
    )
)


class StaffSnapshot:
    """The current staff of some facilities on a day, counted per facility, in all and per job group.

    Each count is one set-based query over the employments of these facilities (by the
    facility index); nothing is counted row by row in Python.
    """

    def __init__(self, facility_ids: Iterable[int], day: dt.date) -> None:
        self.facility_ids = list(facility_ids)
        self.day = day

    def _employments(self) -> QuerySet[Employment]:
        return current_employments(self.day).filter(facility_id__in=self.facility_ids).order_by()

    def by_facility(self) -> dict[int, StaffFigures]:
        """Figures per facility; facilities without staff get zeros."""
        result = {pk: StaffFigures() for pk in self.facility_ids}
        if self.facility_ids:
            for row in _FIGURES_BY_FACILITY.rows(self.day, local_today(), *self.facility_ids):
                result[row["facility_id"]] = _figures(row)
        return result

    def total(self) -> StaffFigures:
        """Figures over all the facilities, each person counted once."""
        if not self.facility_ids:
            return StaffFigures()
        return _figures(self._employments().aggregate(**_FIGURES))

    def by_job_group(self) -> tuple[list[JobGroupRow], JobGroupRow]:
        """Employments, FTE, part-time share and average age per job group, and for all."""
        rows = []
        if self.facility_ids:
            rows = list(
                self._employments()
                .annotate(birth_year=_person("birth_year"))
                .values("job_group")
                .annotate(
                    headcount=Count("id"),
                    fte_sum=Sum("fte"),
                    part_time=Count("id", filter=Q(weekly_hours__lt=FULL_TIME_HOURS)),
                    birth_sum=Sum("birth_year"),
                    birth_n=Count("birth_year"),
                )
            )
        labels = dict(JobGroup.choices)
        order = {value: i for i, value in enumerate(labels)}
        rows.sort(key=lambda r: order.get(r["job_group"], 99))
        out = [
            JobGroupRow(
                job_group=r["job_group"],
                label=str(labels.get(r["job_group"], r["job_group"])),
                headcount=r["headcount"],
                fte=Decimal(r["fte_sum"] or 0),
                part_time=r["part_time"],
                average_age=_average_age(r["birth_sum"] or 0, r["birth_n"], self.day),
            )
            for r in rows
        ]
        total = JobGroupRow(
            job_group="",
            label="",
            headcount=sum(r.headcount for r in out),
            fte=sum((r.fte for r in out), Decimal("0")),
            part_time=sum(r.part_time for r in out),
            average_age=_average_age(sum(r["birth_sum"] or 0 for r in rows), sum(r["birth_n"] for r in rows), self.day),
        )
        return out, total


def figures_by_facility(facility_ids: Iterable[int], day: dt.date) -> dict[int, StaffFigures]:
    """Staff figures per facility; facilities without staff get zeros."""
    return StaffSnapshot(facility_ids, day).by_facility()


def figures_total(facility_ids: list[int], day: dt.date) -> StaffFigures:
    """Staff figures over the given facilities, each person counted once."""
    return StaffSnapshot(facility_ids, day).total()


@dataclass
class JobGroupRow:
    job_group: str
    label: str
    headcount: int
    fte: Decimal
    part_time: int
    average_age: Decimal | None

    @property
    def part_time_share(self) -> Decimal | None:
        return share(self.part_time, self.headcount)


def _average_age(birth_sum: int, births: int, day: dt.date) -> Decimal | None:
    if not births:
        return None
    # years_between counts a person's age as of 1 July of the birth year; the same for an average.
    age_of_year_zero = Decimal(years_between(0, day))
    return (age_of_year_zero - Decimal(birth_sum) / Decimal(births)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class CompetenceInfo:
    """What a page shows of a catalogue competence."""

    pk: int
    name: str
    validity_months: int | None


@dataclass
class CompetenceCoverage:
    """How many of a facility's current staff hold a competence validly on a day."""

    competence: CompetenceInfo
    holders: int
    staff: int
    contact_holders: int
    contacts: int
    expiring: int

    @property
    def share(self) -> Decimal | None:
        return share(self.holders, self.staff)

    @property
    def contact_share(self) -> Decimal | None:
        return share(self.contact_holders, self.contacts)


@dataclass
class HeldCompetence:
    competence: CompetenceInfo
    expires_on: dt.date | None
    expiring: bool


@dataclass
class FacilityCompetences:
    coverage: list[CompetenceCoverage]
    by_employee: dict[int, list[HeldCompetence]] = field(default_factory=dict)


def _valid_holdings(people: Any, day: dt.date) -> QuerySet[CompetenceHolding, Any]:
    """(person, competence, name, validity, expiry) of the holdings of ``people`` valid on ``day``."""
    return (
        CompetenceHolding.objects.filter(employee_id__in=people, acquired_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .order_by()
        .values_list("employee_id", "competence_id", "competence__name", "competence__validity_months", "expires_on")
    )


# The facility page's two person-level queries, compiled once (see lib.prepared).
_FACILITY_HOLDINGS = PreparedQuery(
    lambda day, today, facility_id: _valid_holdings(
        current_employments(day, today).filter(facility_id=facility_id).order_by().values("employee_id"), day
    )
)


def facility_competences(staff: list[StaffMember], day: dt.date, facility_id: int | None = None) -> FacilityCompetences:
    """Valid holdings of the given staff on ``day``: per person, and coverage per competence.

    One query over the staff's holdings (with the competence's name); the coverage is
    counted from the same rows. When ``staff`` is the current staff of ``facility_id``
    (as ``facility_staff`` gives it), the query selects the people by a subquery instead of
    sending every id as a parameter.
    """
    employee_ids = {e.employee_id for e in staff}
    contact_ids = {e.employee_id for e in staff if e.is_contact_person}
    if not employee_ids:
        return FacilityCompetences(coverage=[])
    warn_until = day + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    by_facility = facility_id is not None
    rows: Any = (
        _FACILITY_HOLDINGS.rows(day, local_today(), facility_id) if by_facility else _valid_holdings(employee_ids, day)
    )
    # A person can hold the same competence twice (a renewal): keep the longest-lasting one.
    best: dict[tuple[int, int], dt.date | None] = {}
    catalogue: dict[int, CompetenceInfo] = {}
    for employee_id, competence_id, name, validity, expires_on in rows:
        if competence_id not in catalogue:
            catalogue[competence_id] = CompetenceInfo(competence_id, name, validity)
        key = (employee_id, competence_id)
        if key not in best:
            best[key] = expires_on
        else:
            current = best[key]
            if current is not None and (expires_on is None or expires_on > current):
                best[key] = expires_on
    holders: dict[int, set[int]] = defaultdict(set)
    expiring: dict[int, int] = defaultdict(int)
    by_employee: dict[int, list[HeldCompetence]] = defaultdict(list)
    for (employee_id, competence_id), expires_on in best.items():
        soon = expires_on is not None and expires_on <= warn_until
        holders[competence_id].add(employee_id)
        expiring[competence_id] += int(soon)
        by_employee[employee_id].append(HeldCompetence(catalogue[competence_id], expires_on, soon))
    for held in by_employee.values():
        held.sort(key=lambda h: sort_key(h.competence.name))
    coverage = [
        CompetenceCoverage(
            competence=catalogue[competence_id],
            holders=len(people),
            staff=len(employee_ids),
            contact_holders=len(people & contact_ids),
            contacts=len(contact_ids),
            expiring=expiring[competence_id],
        )
        for competence_id, people in holders.items()
    ]
    coverage.sort(key=lambda c: (-c.holders, sort_key(c.competence.name)))
    return FacilityCompetences(coverage=coverage, by_employee=dict(by_employee))


@dataclass(frozen=True)
class StaffMember:
    """One current employment at a facility, with what the facility page shows of the person."""

    employee_id: int
    name: str
    education: str
    education_relevant: bool
    unit: str
    job_group: str
    fte: Decimal
    is_contact_person: bool
    status: str
    education_counted: bool  # counts in the share with a relevant education (``education_counted_q``)


def facility_staff(facility_id: int, day: dt.date) -> list[StaffMember]:
    """The current staff of a facility by name, in one query (plain rows, no model objects)."""
    rows = _FACILITY_STAFF.rows(day, local_today(), facility_id)
    # In Danish order, sorted here: the rows are all read anyway, and one key per name is cheaper
    # than SQLite calling the collation for every comparison. The sort is stable: ties stay by pk.
    rows.sort(key=lambda row: sort_key(row[1]))
    return [
        StaffMember(e, n, ed, rel, unit or "", g, fte, c, st, bool(counted))
        for e, n, ed, rel, g, fte, c, st, unit, counted in rows
    ]


_FACILITY_STAFF = PreparedQuery(
    lambda day, today, facility_id: (
        current_employments(day, today)
        .filter(facility_id=facility_id)
        # The unit's name looked up per row: joined, PostgreSQL hashes every unit in the country.
        .annotate(
            unit_name=Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).order_by().values("name")[:1]),
            education_counted=ExpressionWrapper(education_counted_q(), output_field=BooleanField()),
        )
        .order_by("pk")
        .values_list(
            "employee_id",
            "employee__name",
            "employee__education",
            "employee__education_relevant",
            "job_group",
            "fte",
            "is_contact_person",
            "status",
            "unit_name",
            "education_counted",
        )
    )
)


def figures_of(staff: list[StaffMember]) -> StaffFigures:
    """Staff figures of staff already loaded, without a query."""
    people = {m.employee_id: m for m in staff}
    counted = {m.employee_id: m.education_relevant for m in staff if m.education_counted}
    return StaffFigures(
        headcount=len(people),
        fte=sum((m.fte for m in staff), Decimal("0")),
        relevant=sum(1 for relevant in counted.values() if relevant),
        contacts=len({m.employee_id for m in staff if m.is_contact_person}),
        education_counted=len(counted),
    )


@dataclass
class FacilityFacts:
    """The code lists and units that describe a facility, by name."""

    legal_bases: list[str]
    target_groups: list[str]
    methods: list[str]
    units: list[str]


def _facts_query(facility_id: int) -> QuerySet[Any, Any]:
    """(name, list number) of the facility's legal bases, target groups, methods and units; a
    unit's name with its HR department id, which an HR file's rows name it by."""
    parts = [
        model._default_manager.filter(**{lookup: facility_id})
        .order_by()
        .annotate(list_no=Value(n))
        .values_list("name", "list_no")
        for n, (model, lookup) in enumerate(((LegalBasis, "facility"), (TargetGroup, "facility"), (Method, "facility")))
    ]
    unit_label = Case(
        When(hr_department_id="", then=F("name")),
        default=Concat(F("name"), Value(" (HR-id "), F("hr_department_id"), Value(")"), output_field=CharField()),
        output_field=CharField(),
    )
    units = (
        Unit.objects.filter(facility_id=facility_id)
        .order_by()
        .annotate(label=unit_label, list_no=Value(3))
        .values_list("label", "list_no")
    )
    return parts[0].union(*parts[1:], units, all=True)


# A UNION ALL of four two-table joins, compiled once: one round trip, no rows multiplied by a
# join of all four lists, and nothing for PostgreSQL to plan but four small joins.
_FACILITY_FACTS = PreparedQuery(_facts_query)


def facility_facts(facility_id: int) -> FacilityFacts:
    """Legal bases, target groups, methods and units of a facility, by name, in one query.

    The code lists' names as a page shows them (a seeded name in the active language), sorted
    as shown; the units' as written."""
    seen: tuple[set[str], ...] = (set(), set(), set(), set())
    for name, number in _FACILITY_FACTS.rows(facility_id):
        seen[number].add(name)
    legal, groups, methods = (
        sorted({model.translate_name(name) for name in names}, key=sort_key)
        for model, names in zip((LegalBasis, TargetGroup, Method), seen[:3], strict=True)
    )
    return FacilityFacts(legal_bases=legal, target_groups=groups, methods=methods, units=sorted(seen[3]))


def lock_municipality(pk: Any) -> None:
    """Hold the municipality's row until the transaction ends, so that writes which must see each
    other's checks (two new facilities of the same name) take turns. On SQLite every write
    transaction takes turns anyway (``transaction_mode`` IMMEDIATE). A value that is no
    municipality's key locks nothing: the form says what is wrong with it."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return
    Municipality.objects.select_for_update().filter(pk=key).first()


def may_create_facility(user: Any) -> bool:
    """Whether the facility list offers *Nyt tilbud*: the policy's right, and somewhere to put it
    (``own_municipality_for_new_facility`` refuses a login without a municipality)."""
    if not can(user, CREATE, "facility"):
        return False
    return is_administrator(user) or user.municipality_id is not None


def own_municipality_for_new_facility(user: Any) -> Municipality | None:
    """Where ``user`` creates facilities: None for an administrator, who chooses the municipality;
    a coordinator's own municipality otherwise. ``PermissionDenied`` for a login without one (a
    regional coordinator: a regional facility is the administrator's to set up)."""
    if is_administrator(user):
        return None
    if user.municipality_id is None:
        raise PermissionDenied
    municipality: Municipality = user.municipality
    return municipality
