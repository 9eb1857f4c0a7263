"""`styrbord bench staffing`: the minimum-staffing check of a booking on a 45-day programme.

Builds (inside a transaction that is rolled back afterwards) a facility with ``--staff``
employments, ``--booked`` of them booked on a 45-day session, and some leave; then times
``staffing_warnings`` for one more candidate (three set-based queries for the whole span)
against a baseline that asks the database day by day (three counting queries per day, the
obvious way to write it). Reports both times, query counts and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from styrbord.bench.registry import Benchmark
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import Absence, Employee, Employment, JobGroup
from styrbord.training.models import AWAY_STATUSES, Booking, BookingStatus, Course, Provider, Session, SessionDay
from styrbord.training.services.staffing import BookingCandidate, staffing_warnings


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--staff", type=int, default=300, help="Employments at the facility (default 300).")
    parser.add_argument("--booked", type=int, default=150, help="How many are booked on the session (default 150).")
    parser.add_argument("--repeat", type=int, default=20, help="Timed repetitions of each variant (default 20).")


def _baseline(facility: Facility, employment: Employment, session: Session) -> int:
    """Per day: staff in force, distinct people on training, distinct people on leave."""
    below = 0
    for day in session.days.values_list("date", flat=True):
        staff = (
            Employment.objects.filter(facility=facility, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .exclude(status=Employment.Status.ENDED)
            .values("employee_id")
        )
        training = set(
            Booking.objects.filter(
                employee_id__in=staff, status__in=AWAY_STATUSES, session__days__date=day
            ).values_list("employee_id", flat=True)
        )
        leave = set(
            Absence.objects.filter(employee_id__in=staff, start_date__lte=day, end_date__gte=day).values_list(
                "employee_id", flat=True
            )
        )
        remaining = staff.count() - len(training | leave | {employment.employee_id})
        below += remaining < facility.minimum_staff
    return below


def _build(staff: int, booked: int) -> tuple[Facility, Employment, Session]:
    facility = Facility.objects.create(
        name="Bench Botilbud", municipality=Municipality.objects.get(code="0707"), minimum_staff=staff - booked
    )
    people = Employee.objects.bulk_create(
        [
            Employee(municipality_id=facility.municipality_id, person_key=f"bench-staffing-{n}", name=f"Bench {n}")
            for n in range(staff)
        ]
    )
    employments = Employment.objects.bulk_create(
        [
            Employment(
                employee=p,
                employment_number=f"BENCH-ST-{n}",
                facility=facility,
                job_group=JobGroup.SOCIAL_EDUCATOR,
                start_date=dt.date(2020, 1, 1),
                fte=Decimal("1"),
                hourly_wage=Decimal("300.00"),
            )
            for n, p in enumerate(people)
        ]
    )
    provider = Provider.objects.create(name="Bench udbyder", kind=Provider.Kind.PUBLIC_AGENCY)
    course = Course.objects.create(
        code="bench-45", name="Bench 45 dage", provider=provider, kind=Course.Kind.SPECIALIST_EDUCATION
    )
    session = Session.objects.create(course=course, capacity=staff)
    day, days = dt.date(2026, 9, 1), list[dt.date]()
    while len(days) < 45:
        if day.weekday() in (1, 2):
            days.append(day)
        day += dt.timedelta(days=1)
    SessionDay.objects.bulk_create([SessionDay(session=session, date=d, hours=Decimal("7.40")) for d in days])
    session.refresh_span()
    Booking.objects.bulk_create(
        [
            Booking(session=session, employee=e.employee, employment=e, status=BookingStatus.BOOKED)
            for e in employments[:booked]
        ]
    )
    Absence.objects.bulk_create(
        [
            Absence(employee=e.employee, start_date=days[i % 45], end_date=days[i % 45] + dt.timedelta(days=6))
            for i, e in enumerate(employments[booked : booked + staff // 10])
        ]
    )
    return facility, employments[-1], session


def _time(fn: Any, repeat: int) -> tuple[float, int, Any]:
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat, len(queries), result


def _run(options: dict[str, Any]) -> dict[str, Any]:
    # Everything the bench builds is rolled back at the end.
    with transaction.atomic():
        facility, employment, session = _build(options["staff"], options["booked"])
        candidate = BookingCandidate(employment, session)
        feature_s, feature_q, warnings = _time(lambda: staffing_warnings(candidate), options["repeat"])
        base_s, base_q, below = _time(lambda: _baseline(facility, employment, session), options["repeat"])
        if len(warnings) != below:
            raise RuntimeError(f"feature and baseline disagree: {len(warnings)} vs {below} days below minimum")
        report = {
            "database": connection.vendor,
            "staff": options["staff"],
            "booked": options["booked"],
            "session_days": 45,
            "days_below_minimum": below,
            "feature_ms": round(feature_s * 1000, 2),
            "feature_queries": feature_q,
            "baseline_ms": round(base_s * 1000, 2),
            "baseline_queries": base_q,
            "speedup": round(base_s / feature_s, 1) if feature_s else None,
        }
        transaction.set_rollback(True)
    return report


BENCHMARKS = {
    "staffing": Benchmark(
        help="Minimum-staffing check of a booking on a 45-day session: set-based vs day by day.",
        run=_run,
        add_arguments=_add_arguments,
    )
}
