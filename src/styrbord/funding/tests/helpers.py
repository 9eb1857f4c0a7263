"""Builders for funding tests: pools, grants, and bookings with hand-set cost lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from styrbord.funding.models import Grant, GrantBudgetLine, Pool
from styrbord.lib.costs import CostCategory
from styrbord.organisations.models import Facility, Grantor
from styrbord.staff.models import Employee
from styrbord.training.models import Booking, BookingCost, BookingStatus, CostStage, Course, Provider, Session

_seq = itertools.count(1)

D = Decimal


def pool(grantor: Grantor | None = None, **kwargs: Any) -> Pool:
    n = next(_seq)
    if grantor is None and kwargs.get("kind") != Pool.Kind.MUNICIPAL_BUDGET:
        grantor = Grantor.objects.get_or_create(name="Social- og Boligstyrelsen")[0]
    kwargs.setdefault("name", f"Pulje {n}")
    kwargs.setdefault("total", D("1022000.00"))
    kwargs.setdefault("period_start", dt.date(2025, 1, 1))
    kwargs.setdefault("period_end", dt.date(2027, 12, 31))
    kwargs.setdefault("eligible_categories", [CostCategory.FEE, CostCategory.BACKFILL, CostCategory.TRAVEL])
    return Pool.objects.create(grantor=grantor, **kwargs)


def grant(
    pool_obj: Pool | None = None, facility: Facility | None = None, amount: str = "700000", **kwargs: Any
) -> Grant:
    pool_obj = pool_obj or pool()
    if facility is None and "municipality" not in kwargs:
        raise ValueError("a grant needs a facility or a municipality")
    return Grant.objects.create(pool=pool_obj, facility=facility, amount=D(amount), **kwargs)


def budget(grant_obj: Grant, lines: dict[tuple[str, int], str]) -> None:
    GrantBudgetLine.objects.bulk_create(
        [GrantBudgetLine(grant=grant_obj, category=c, year=y, amount=D(a)) for (c, y), a in lines.items()]
    )


def session(days: list[dt.date] | None = None, hours: str = "7.40", course_name: str | None = None) -> Session:
    n = next(_seq)
    provider = Provider.objects.create(name=f"Udbyder {n}", kind=Provider.Kind.UNIVERSITY_COLLEGE)
    course = Course.objects.create(
        code=f"kursus-{n}",
        name=course_name or f"Konflikthåndtering {n}",
        provider=provider,
        kind=Course.Kind.CERTIFICATION,
        fee_per_participant=D("2400.00"),
    )
    s = Session.objects.create(course=course, name=f"Hold {n}")
    s.set_days([(d, D(hours)) for d in (days or [dt.date(2025, 3, 3), dt.date(2025, 3, 4)])])
    return s


def booking(
    employee: Employee,
    costs: dict[str, str],
    *,
    session_obj: Session | None = None,
    status: str = BookingStatus.BOOKED,
    stage: str = CostStage.COMMITTED,
) -> Booking:
    """A booking of the employee's first employment with the given cost lines (category -> amount)."""
    session_obj = session_obj or session()
    employment = employee.employments.first()
    assert employment is not None
    b = Booking.objects.create(session=session_obj, employee=employee, employment=employment, status=status)
    year = session_obj.first_day.year if session_obj.first_day else 2025
    BookingCost.objects.bulk_create(
        [BookingCost(booking=b, category=c, stage=stage, year=year, amount=D(a)) for c, a in costs.items()]
    )
    return b
