"""Large synthetic data for benchmarks: facilities in all 98 municipalities, staff and holdings.

Everything is created with ``bulk_create`` in batches inside one transaction, and marked so
it can be cleared again: facilities have a Tilbudsportalen id and people a person key that
start with ``gen-``. The same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from styrbord.competences.demo import ensure_catalogue
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.lib.dates import add_months
from styrbord.organisations.models import Facility, LegalBasis, Method, Municipality, TargetGroup, Unit
from styrbord.staff.demo import FIRST_NAMES, LAST_NAMES, TRAITS
from styrbord.staff.education import record_education
from styrbord.staff.models import Absence, EducationPeriod, Employee, Employment, JobGroup

GEN_PREFIX = "gen-"
BATCH = 2000
STAFF_PER_FACILITY = 50
G = JobGroup

# Bigger municipalities get more facilities (a rough picture of population, not exact).
MUNICIPALITY_WEIGHT = {
    "0101": 14.0,  # København
    "0751": 8.0,  # Aarhus
    "0461": 5.0,  # Odense
    "0851": 5.0,  # Aalborg
    "0147": 2.5,  # Frederiksberg
    "0561": 2.5,  # Esbjerg
    "0791": 2.2,  # Viborg
    "0630": 2.2,  # Vejle
    "0615": 2.0,  # Horsens
    "0657": 2.0,  # Herning
    "0621": 2.0,  # Kolding
    "0730": 2.0,  # Randers
    "0316": 1.8,  # Holbæk
}
JOB_MIX = {
    G.SOCIAL_EDUCATOR: 30,
    G.CARE_ASSISTANT: 25,
    G.SOSU_ASSISTANT: 10,
    G.SOSU_HELPER: 6,
    G.PEDAGOGICAL_ASSISTANT: 5,
    G.SUBSTITUTE: 12,
    G.NURSE: 4,
    G.PEER_WORKER: 2,
    G.SOCIAL_WORKER: 3,
    G.THERAPIST: 2,
    G.PSYCHOLOGIST: 1,
}
# Share of staff holding each competence (conflict management is widespread, roles are rare).
HOLDING_ODDS = {
    "konflikthaandtering": 0.6,
    "vedligeholdelsestraening-konflikt": 0.25,
    "low-arousal": 0.2,
    "forebyggelsesinstruktoer": 0.02,
    "sikkerhedsassistent": 0.02,
    "krap": 0.25,
    "recovery": 0.35,
    "housing-first": 0.1,
    "autismeforstaaelse": 0.15,
    "psykopatologi": 0.15,
    "somatisk-sygdom": 0.06,
    "empatitraethed": 0.1,
    "dobbeltdiagnose": 0.1,
}
FACILITY_WORDS = [
    "Egely",
    "Birkely",
    "Solbakken",
    "Lindehuset",
    "Granly",
    "Skovbrynet",
    "Engvang",
    "Åbo",
    "Fjordglimt",
    "Bakkehuset",
    "Møllegården",
    "Kastanjehuset",
    "Havbrisen",
    "Ellehuset",
    "Rosenly",
    "Kildebakken",
    "Bøgely",
    "Lærkereden",
    "Stjernen",
    "Tranehaven",
    "Søglimt",
    "Vestervang",
    "Østerled",
    "Nørrehus",
    "Sønderbo",
    "Markhuset",
    "Hybenhuset",
    "Pilehuset",
    "Ahornhuset",
    "Enghaven",
]
KIND_PREFIX = {
    Facility.Kind.RESIDENTIAL: "Botilbuddet",
    Facility.Kind.SHARED_LIVING: "Bofællesskabet",
    Facility.Kind.SUPPORT: "Bostøtten",
    Facility.Kind.DAY: "Værestedet",
    Facility.Kind.HOSPITAL_UNIT: "Psykiatrisk afsnit",
}
KIND_WEIGHTS = {
    Facility.Kind.RESIDENTIAL: 45,
    Facility.Kind.SHARED_LIVING: 30,
    Facility.Kind.SUPPORT: 15,
    Facility.Kind.DAY: 7,
    Facility.Kind.HOSPITAL_UNIT: 3,
}


class GenerateError(Exception):
    """The data cannot be generated; the message says why, in Danish."""


@dataclass
class GenerateResult:
    facilities: int = 0
    units: int = 0
    employees: int = 0
    employments: int = 0
    holdings: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def generated_exists() -> bool:
    """Whether generated data is present."""
    return Facility.objects.filter(tilbudsportalen_id__startswith=GEN_PREFIX).exists()


def clear_generated() -> None:
    """Delete all generated facilities, people and holdings (not the demo or imported data)."""
    with transaction.atomic():
        people = Employee.objects.filter(person_key__startswith=GEN_PREFIX)
        facilities = Facility.objects.filter(tilbudsportalen_id__startswith=GEN_PREFIX)
        CompetenceHolding.objects.filter(employee__in=people).delete()
        Absence.objects.filter(employee__in=people).delete()
        Employment.objects.filter(employee__in=people).delete()
        Employment.objects.filter(facility__in=facilities).delete()
        people.delete()
        Unit.objects.filter(facility__in=facilities).delete()
        for through in (Facility.legal_bases.through, Facility.target_groups.through, Facility.methods.through):
            through.objects.filter(facility__in=facilities).delete()
        facilities.delete()


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split ``total`` over ``weights`` (largest remainder), each at least ``minimum``."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise GenerateError("For få enheder til at give hver mindst én.")
    whole = sum(weights)
    exact = [spare * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


class _Generator:
    def __init__(self, staff: int, facilities: int, seed: int, today: dt.date) -> None:
        self.staff = staff
        self.facility_count = facilities
        self.rng = random.Random(seed)
        self.today = today
        self.fte_cache: dict[Decimal, Decimal] = {}

    def fte(self, hours: Decimal) -> Decimal:
        if hours not in self.fte_cache:
            self.fte_cache[hours] = Employment.fte_for(hours)
        return self.fte_cache[hours]

    def facilities(self) -> tuple[list[Facility], list[int]]:
        rng = self.rng
        municipalities = list(Municipality.objects.select_related("region").order_by("code"))
        if len(municipalities) < 98:
            raise GenerateError("Kommunerne mangler: kør `styrbord migrate` først.")
        weights = [MUNICIPALITY_WEIGHT.get(m.code, 0.6 + rng.random()) for m in municipalities]
        per_municipality = _allocate(self.facility_count, weights, 1)
        kinds = list(KIND_WEIGHTS)
        kind_weights = list(KIND_WEIGHTS.values())
        facilities: list[Facility] = []
        for municipality, count in zip(municipalities, per_municipality, strict=True):
            for _ in range(count):
                n = len(facilities) + 1
                kind = rng.choices(kinds, kind_weights)[0]
                operator = Facility.OperatorKind.MUNICIPALITY
                if kind == Facility.Kind.HOSPITAL_UNIT:
                    operator = Facility.OperatorKind.REGION
                elif rng.random() < 0.1:
                    operator = Facility.OperatorKind.PRIVATE
                facilities.append(
                    Facility(
                        name=f"{KIND_PREFIX[kind]} {rng.choice(FACILITY_WORDS)} {n}",
                        kind=kind,
                        municipality=municipality,
                        operator_kind=operator,
                        operator_region=municipality.region if operator == Facility.OperatorKind.REGION else None,
                        operator_name=f"Socialområdet, {municipality}"
                        if operator == Facility.OperatorKind.MUNICIPALITY
                        else "",
                        tilbudsportalen_id=f"{GEN_PREFIX}{n:06d}",
                    )
                )
        # Sizes vary a lot: a few large facilities, many small ones.
        size_weights = [rng.lognormvariate(0, 0.6) for _ in facilities]
        sizes = _allocate(self.staff, size_weights, 1)
        for facility, size in zip(facilities, sizes, strict=True):
            facility.places = max(1, round(size * rng.uniform(0.35, 0.7)))
            facility.minimum_staff = max(1, size // 8)
        Facility.objects.bulk_create(facilities, batch_size=BATCH)
        return facilities, sizes

    def code_lists(self, facilities: list[Facility]) -> None:
        rng = self.rng
        legal = list(LegalBasis.objects.order_by("code"))
        groups = list(TargetGroup.objects.order_by("code"))
        methods = list(Method.objects.order_by("code"))
        for relation, options, field_name in (
            (Facility.legal_bases.through, legal, "legalbasis"),
            (Facility.target_groups.through, groups, "targetgroup"),
            (Facility.methods.through, methods, "method"),
        ):
            rows: list[Any] = []
            for facility in facilities:
                for item in rng.sample(options, rng.randint(1, 2)):
                    rows.append(relation(facility_id=facility.pk, **{f"{field_name}_id": item.pk}))
            relation.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]

    def units(self, facilities: list[Facility]) -> dict[int, list[Unit]]:
        rows = []
        for facility in facilities:
            for i in range(self.rng.randint(1, 3)):
                rows.append(
                    Unit(
                        facility=facility,
                        name=f"Afdeling {'ABC'[i]}",
                        hr_department_id=f"{facility.tilbudsportalen_id}-{i + 1}",
                    )
                )
        Unit.objects.bulk_create(rows, batch_size=BATCH)
        out: dict[int, list[Unit]] = {}
        for unit in rows:
            out.setdefault(unit.facility_id, []).append(unit)
        return out

    def people(self, facilities: list[Facility], sizes: list[int], units: dict[int, list[Unit]]) -> tuple[int, int]:
        rng, today = self.rng, self.today
        groups = list(JOB_MIX)
        group_weights = list(JOB_MIX.values())
        by_municipality: dict[int, list[Facility]] = {}
        for facility in facilities:
            by_municipality.setdefault(facility.municipality_id, []).append(facility)
        employee_count = employment_count = 0
        n = 0
        pending: list[tuple[Employee, list[Employment]]] = []
        for facility, size in zip(facilities, sizes, strict=True):
            for i in range(size):
                n += 1
                group = G.MANAGER if i == 0 else rng.choices(groups, group_weights)[0]
                traits = TRAITS[group]
                age = int(max(19, min(66, round(rng.gauss(traits.mean_age, 9)))))
                education = rng.choice(traits.educations)
                employee = Employee(
                    municipality_id=facility.municipality_id,  # the employer of all its employments
                    person_key=f"{GEN_PREFIX}{n:07d}",
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    birth_year=today.year - age,
                    education=education,
                    education_relevant=traits.relevant and bool(education),
                )
                jobs = [self.employment(facility, group, units, f"GEN-{n:07d}")]
                if rng.random() < 0.03:
                    other = rng.choice(by_municipality[facility.municipality_id])
                    if other.pk != facility.pk:
                        second = self.employment(other, group, units, f"GEN-{n:07d}-2")
                        second.is_primary = False
                        jobs.append(second)
                pending.append((employee, jobs))
                if len(pending) >= BATCH:
                    e, j = self.flush(pending)
                    employee_count += e
                    employment_count += j
                    pending = []
        if pending:
            e, j = self.flush(pending)
            employee_count += e
            employment_count += j
        return employee_count, employment_count

    def employment(self, facility: Facility, group: str, units: dict[int, list[Unit]], number: str) -> Employment:
        rng, today = self.rng, self.today
        traits = TRAITS[group]
        if group == G.SUBSTITUTE:
            hours = Decimal(rng.choice((6, 8, 10, 12, 15)))
            kind = Employment.Kind.HOURLY
        else:
            hours = Decimal(37) if rng.random() < traits.full_time else Decimal(rng.choice((20, 24, 28, 30, 32, 34)))
            kind = Employment.Kind.PERMANENT
        start = today - dt.timedelta(days=min(rng.randint(1, 15 * 365), rng.randint(1, 15 * 365)))
        end = None
        status = Employment.Status.ACTIVE
        roll = rng.random()
        if roll < 0.05:
            end = start + dt.timedelta(days=rng.randint(0, (today - start).days))
            status = Employment.Status.ENDED
        elif roll < 0.07:
            status = Employment.Status.LEAVE
        return Employment(
            employment_number=number,
            facility=facility,
            municipality_id=facility.municipality_id,
            unit=rng.choice(units[facility.pk]),
            job_group=group,
            kind=kind,
            title=traits.titles[0],
            weekly_hours=hours,
            fte=self.fte(hours),
            is_contact_person=rng.random() < traits.contact,
            start_date=start,
            end_date=end,
            status=status,
            hourly_wage=Decimal(rng.randint(traits.wage[0] * 100, traits.wage[1] * 100)) / 100,
        )

    def flush(self, pending: list[tuple[Employee, list[Employment]]]) -> tuple[int, int]:
        employees = Employee.objects.bulk_create([e for e, _ in pending], batch_size=BATCH)
        record_education({e.pk for e in employees}, on=self.today)  # a first period each, since always
        jobs = []
        for employee, employments in zip(employees, (j for _, j in pending), strict=True):
            for job in employments:
                job.employee = employee
                jobs.append(job)
        Employment.objects.bulk_create(jobs, batch_size=BATCH)
        self.holdings(jobs)
        return len(employees), len(jobs)

    def holdings(self, jobs: list[Employment]) -> None:
        rng, today = self.rng, self.today
        catalogue: list[Competence] = self.catalogue
        rows = []
        for job in jobs:
            if not job.is_primary:
                continue
            for competence in catalogue:
                odds = HOLDING_ODDS.get(competence.code, 0.1)
                if job.is_contact_person:
                    odds *= 1.3
                if rng.random() >= odds:
                    continue
                earliest = max(job.start_date - dt.timedelta(days=365), today - dt.timedelta(days=6 * 365))
                span = (today - earliest).days
                if span <= 0:
                    continue
                acquired = earliest + dt.timedelta(days=rng.randint(0, span))
                expires = add_months(acquired, competence.validity_months) if competence.validity_months else None
                rows.append(
                    CompetenceHolding(
                        employee_id=job.employee_id,
                        competence=competence,
                        acquired_on=acquired,
                        expires_on=expires,
                        source=CompetenceHolding.Source.IMPORT,
                    )
                )
        CompetenceHolding.objects.bulk_create(rows, batch_size=BATCH)
        self.holding_count += len(rows)

    catalogue: list[Competence]
    holding_count: int = 0


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load (else PostgreSQL plans as if empty).

    On PostgreSQL also VACUUM, as autovacuum would soon after such a load: it sets the
    visibility map, without which no index-only scan is possible (the landing page's count of
    lapsing certificates took 30-58 ms instead of 7 on 100.000 generated people). VACUUM cannot
    run inside a transaction (tests), so there it is ANALYZE only.
    """
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table)
        for model in (
            Facility,
            Unit,
            Employee,
            EducationPeriod,
            Employment,
            CompetenceHolding,
            Facility.legal_bases.through,
        )
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {tables}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def generate(
    staff: int,
    seed: int = 1,
    today: dt.date | None = None,
    facilities: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Generate ``staff`` people on about ``staff / 50`` facilities (at least one per municipality)."""
    from styrbord.lib.dates import local_today

    if staff < 98:
        raise GenerateError("Angiv mindst 98 medarbejdere (én pr. kommune).")
    if generated_exists():
        raise GenerateError("Der findes allerede genererede data. Brug --reset for at erstatte dem.")
    facility_count = facilities or max(98, round(staff / STAFF_PER_FACILITY))
    if facility_count > staff:
        raise GenerateError("Der kan ikke være flere tilbud end medarbejdere.")
    say = progress or (lambda message: None)
    gen = _Generator(staff, facility_count, seed, today or local_today())
    result = GenerateResult()
    started = time.perf_counter()
    with transaction.atomic():
        gen.catalogue = list(ensure_catalogue().values())
        gen.catalogue.sort(key=lambda c: c.code)
        step = time.perf_counter()
        created, sizes = gen.facilities()
        gen.code_lists(created)
        units = gen.units(created)
        result.timings["facilities"] = time.perf_counter() - step
        say(f"{len(created)} tilbud i 98 kommuner")
        step = time.perf_counter()
        result.employees, result.employments = gen.people(created, sizes, units)
        result.timings["people"] = time.perf_counter() - step
    _analyze()
    result.facilities = len(created)
    result.units = sum(len(u) for u in units.values())
    result.holdings = gen.holding_count
    result.seconds = time.perf_counter() - started
    say(
        f"{result.employees} medarbejdere, {result.employments} ansættelser, "
        f"{result.holdings} kompetencebeviser på {result.seconds:.1f} s"
    )
    return result
