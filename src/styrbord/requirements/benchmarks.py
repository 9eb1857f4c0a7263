"""`styrbord bench coverage`: the coverage engine against a hand-written SQL aggregate, same run.

Run it on the data of `styrbord generate --staff 100000 --seed 1`. The bench creates 30
requirements of every kind (national, regional and municipal scopes; every rule; contact
persons, all staff and new staff; one to three alternatives) inside a transaction that is
rolled back, times ``coverage_for`` for all facilities and a raw SQL query per requirement
answering the same question (in scope, compliant and not yet due per requirement x facility, by
people and FTE), checks the two give identical numbers and reports the ratio (goal: engine <= 2x SQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from styrbord.bench.registry import Benchmark
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality, Region
from styrbord.requirements.coverage import coverage_for, renewal_cutoff
from styrbord.requirements.models import Population, Requirement, Rule, ScopeLevel
from styrbord.staff.models import Employment, JobGroup, in_force_sql

GOAL_RATIO = 2.0
FTE_PLACES = Decimal("0.0001")


class _RollbackError(Exception):
    """Raised to undo the bench's requirements."""


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requirements", type=int, default=30, help="Antal krav (standard 30).")
    parser.add_argument("--repeat", type=int, default=3, help="Gentagelser af hver måling (standard 3).")
    parser.add_argument("--seed", type=int, default=1, help="Frø til kravene (standard 1).")
    parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="Dato (standard i dag).")


def make_requirements(count: int, seed: int, on: dt.date) -> list[Requirement]:
    """``count`` varied requirements over the whole country (deterministic for a seed)."""
    rng = random.Random(seed)
    competence_ids = list(Competence.objects.order_by("code").values_list("pk", flat=True))
    if not competence_ids:
        raise RuntimeError("Ingen kompetencer i databasen: kør først `styrbord generate --staff 100000 --seed 1`.")
    regions = list(Region.objects.order_by("code"))
    municipalities = list(
        Municipality.objects.filter(facilities__isnull=False).distinct().order_by("code")[: max(1, count // 6)]
    )
    rules = [Rule.EVERY_PERSON, Rule.PERCENT_PEOPLE, Rule.PERCENT_FTE, Rule.WITHIN_MONTHS_OF_HIRE, Rule.RENEW_EVERY]
    populations = [Population.ALL_STAFF, Population.CONTACT_PERSONS, Population.NEW_STAFF]
    groups = list(JobGroup.values)
    created: list[Requirement] = []
    for i in range(count):
        # Two thirds national (the heaviest: every employment), the rest regional or municipal.
        if i % 6 == 4 and regions:
            scope: dict[str, Any] = {"scope_level": ScopeLevel.REGION, "region": regions[i % len(regions)]}
        elif i % 6 == 5 and municipalities:
            scope = {"scope_level": ScopeLevel.MUNICIPALITY, "municipality": municipalities[i % len(municipalities)]}
        else:
            scope = {"scope_level": ScopeLevel.NATIONAL}
        rule = rules[i % len(rules)]
        population = populations[(i // len(rules)) % len(populations)]
        req = Requirement.objects.create(
            name=f"Bench-krav {i + 1}",
            rule=rule,
            target_percent=Decimal(rng.choice(["50", "60", "75", "80", "90"])),
            months=rng.choice([6, 12, 24]) if rule in (Rule.WITHIN_MONTHS_OF_HIRE, Rule.RENEW_EVERY) else None,
            population=population,
            effective_from=on - dt.timedelta(days=rng.randint(200, 900))
            if population == Population.NEW_STAFF
            else None,
            job_groups=rng.sample(groups, rng.randint(2, 5)) if i % 3 == 2 else [],
            deadline=on + dt.timedelta(days=rng.randint(30, 700)),
            **scope,
        )
        req.competences.set(rng.sample(competence_ids, min(len(competence_ids), rng.randint(1, 3))))
        created.append(req)
    return created


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _sql_for(req: Requirement, alternative_ids: list[int], on: dt.date) -> tuple[str, list[Any]]:
    """The hand-written aggregate for one requirement.

    An inner query marks each employment in scope as complying (``ok`` 1, evaluated once per row:
    an uncorrelated IN over the valid holders, which both databases build once) or, under a
    within-M-months rule, not yet due (``ok`` 2: lacks it and started on or after the cut-off); the
    outer query counts distinct people and sums FTE per facility. Facility and municipality are joined only
    when the scope needs them.
    """
    holder_where = [
        f"h.competence_id IN ({_placeholders(len(alternative_ids))})",
        "h.acquired_on <= %s",
        "(h.expires_on IS NULL OR h.expires_on >= %s)",
    ]
    holder_params: list[Any] = [*alternative_ids, on, on]
    if req.renew_months:
        holder_where.append("h.acquired_on >= %s")
        holder_params.append(renewal_cutoff(on, req.renew_months))
    holds = f"e.employee_id IN (SELECT h.employee_id FROM competences_competenceholding h WHERE {' AND '.join(holder_where)})"
    ok = f"CASE WHEN {holds} THEN 1 ELSE 0 END"
    ok_params = holder_params
    if req.hire_months:
        ok = f"CASE WHEN {holds} THEN 1 WHEN e.start_date >= %s THEN 2 ELSE 0 END"
        ok_params = [*holder_params, renewal_cutoff(on, req.hire_months)]
    joins = ""
    in_force_where, params = in_force_sql(on, "e")  # the engine's rule (``staff.models.in_force_q``)
    where = [in_force_where]
    if req.scope_level == ScopeLevel.REGION:
        joins = (
            " JOIN organisations_facility f ON f.id = e.facility_id"
            " JOIN organisations_municipality m ON m.id = f.municipality_id"
        )
        where.append("m.region_id = %s")
        params.append(req.region_id)
    elif req.scope_level == ScopeLevel.MUNICIPALITY:
        joins = " JOIN organisations_facility f ON f.id = e.facility_id"
        where += ["f.municipality_id = %s", "f.operator_kind <> %s"]
        params += [req.municipality_id, Facility.OperatorKind.REGION]
    elif req.scope_level in (ScopeLevel.FACILITY, ScopeLevel.UNIT):
        where.append("e.facility_id = %s")
        params.append(req.facility_id)
        if req.scope_level == ScopeLevel.UNIT:
            where.append("e.unit_id = %s")
            params.append(req.unit_id)
    if req.job_groups:
        where.append(f"e.job_group IN ({_placeholders(len(req.job_groups))})")
        params += list(req.job_groups)
    if req.population == Population.CONTACT_PERSONS:
        where.append("e.is_contact_person = %s")
        params.append(True)
    elif req.population == Population.NEW_STAFF:
        where.append("e.start_date >= %s")
        params.append(req.effective_from)
    sql = f"""
        SELECT t.facility_id,
               COUNT(DISTINCT t.employee_id),
               COUNT(DISTINCT CASE WHEN t.ok = 1 THEN t.employee_id END),
               SUM(t.fte),
               SUM(CASE WHEN t.ok = 1 THEN t.fte ELSE 0 END),
               COUNT(DISTINCT CASE WHEN t.ok = 2 THEN t.employee_id END),
               SUM(CASE WHEN t.ok = 2 THEN t.fte ELSE 0 END)
        FROM (
            SELECT e.facility_id, e.employee_id, e.fte, {ok} AS ok
            FROM staff_employment e{joins}
            WHERE {" AND ".join(where)}
        ) t
        GROUP BY t.facility_id
    """
    # Placeholders in text order: the ok expression, then the WHERE clause.
    return sql, ok_params + params


Result = dict[tuple[int, int], tuple[int, int, Decimal, Decimal, int, Decimal]]


def sql_aggregate(reqs: list[Requirement], on: dt.date) -> Result:
    """{(requirement, facility): (in scope, compliant, FTE in scope, FTE compliant, not yet due, its FTE)}
    by raw SQL."""
    result = {}
    with connection.cursor() as cursor:
        for req in reqs:
            alternative_ids = sorted(c.pk for c in req.competences.all())
            sql, params = _sql_for(req, alternative_ids, on)
            cursor.execute(sql, params)
            for facility_id, n, c, fte, cfte, p, pfte in cursor.fetchall():
                result[(req.pk, facility_id)] = (n, c, _fte(fte), _fte(cfte), p, _fte(pfte))
    return result


def engine(reqs: list[Requirement], on: dt.date) -> Result:
    return {
        (row.requirement.pk, row.facility.pk): (
            row.in_scope,
            row.compliant,
            _fte(row.in_scope_fte),
            _fte(row.compliant_fte),
            row.not_yet_due,
            _fte(row.not_yet_due_fte),
        )
        for row in coverage_for(reqs, on=on)
    }


def _fte(value: Any) -> Decimal:
    # SQLite sums decimals as floats; every FTE has four decimals, so the sum is exact at four.
    return Decimal(str(value or 0)).quantize(FTE_PLACES)


def _timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run(options: dict[str, Any]) -> dict[str, Any]:
    on: dt.date = options.get("on") or local_today()
    repeat = max(1, int(options.get("repeat") or 3))
    employments = Employment.objects.count()
    if not employments:
        raise RuntimeError("Ingen ansættelser i databasen: kør først `styrbord generate --staff 100000 --seed 1`.")
    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            reqs = make_requirements(int(options.get("requirements") or 30), int(options.get("seed") or 1), on)
            reqs = list(Requirement.objects.filter(pk__in=[r.pk for r in reqs]).prefetch_related("competences"))
            engine_times, sql_times = [], []
            engine_result: Result = {}
            sql_result: Result = {}
            for _ in range(repeat):  # alternate, so both see the same cache state
                seconds, engine_result = _timed(engine, reqs, on)
                engine_times.append(seconds)
                seconds, sql_result = _timed(sql_aggregate, reqs, on)
                sql_times.append(seconds)
            mismatches = [
                {"requirement": k[0], "facility": k[1], "engine": engine_result.get(k), "sql": sql_result.get(k)}
                for k in sorted(set(engine_result) | set(sql_result))
                if engine_result.get(k) != sql_result.get(k)
            ]
            engine_best, sql_best = min(engine_times), min(sql_times)
            out = {
                "benchmark": "coverage",
                "database": connection.vendor,
                "on": on.isoformat(),
                "employments": employments,
                "employees_in_employment_table": Employment.objects.values("employee_id").distinct().count(),
                "holdings": CompetenceHolding.objects.count(),
                "facilities": Facility.objects.count(),
                "requirements": len(reqs),
                "requirement_scopes": {
                    level: sum(1 for r in reqs if r.scope_level == level)
                    for level in sorted({r.scope_level for r in reqs})
                },
                "rows": len(engine_result),
                "people_in_scope_total": sum(v[0] for v in engine_result.values()),
                "compliant_total": sum(v[1] for v in engine_result.values()),
                "not_yet_due_total": sum(v[4] for v in engine_result.values()),
                "repeat": repeat,
                "engine_seconds": {"best": round(engine_best, 4), "median": round(statistics.median(engine_times), 4)},
                "sql_seconds": {"best": round(sql_best, 4), "median": round(statistics.median(sql_times), 4)},
                "ratio_engine_to_sql": round(engine_best / sql_best, 3) if sql_best else None,
                "goal_ratio_at_most": GOAL_RATIO,
                "meets_goal": bool(sql_best) and engine_best / sql_best <= GOAL_RATIO,
                "identical": not mismatches,
                "mismatches": mismatches[:10],
            }
            raise _RollbackError
    except _RollbackError:
        pass
    return out


BENCHMARKS = {
    "coverage": Benchmark(
        help="Kompetencedækning: motoren mod en håndskrevet SQL-aggregering (samme kørsel).",
        run=run,
        add_arguments=_add_arguments,
    )
}
