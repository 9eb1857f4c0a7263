"""Small factories for tests: each makes one valid object with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from styrbord.accounts.models import Role, User
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.organisations.models import Facility, Municipality, Unit
from styrbord.staff.models import Employee, Employment, JobGroup

_seq = itertools.count(1)


def load_reference_data() -> None:
    """Load again what the data migrations load (idempotent).

    A transactional test (browser, live server, concurrency) empties every table when it ends,
    so a later test on the same worker would find no regions, municipalities or VEU rates.
    """
    from importlib import import_module

    from django.apps import apps

    if Municipality.objects.exists():
        return
    for module in (
        "styrbord.organisations.migrations.0002_load_reference_data",
        "styrbord.training.migrations.0002_load_veu_rates",
    ):
        import_module(module).load(apps, None)


def municipality(code: str = "0707") -> Municipality:
    """A municipality from the reference data (0707 = Norddjurs, in Region Midtjylland)."""
    load_reference_data()
    return Municipality.objects.get(code=code)


def facility(name: str | None = None, municipality_code: str = "0707", **kwargs: Any) -> Facility:
    n = next(_seq)
    return Facility.objects.create(name=name or f"Tilbud {n}", municipality=municipality(municipality_code), **kwargs)


def unit(facility_obj: Facility, name: str = "Afdeling A", **kwargs: Any) -> Unit:
    return Unit.objects.create(facility=facility_obj, name=name, **kwargs)


def employee(name: str | None = None, **kwargs: Any) -> Employee:
    """A person of ``municipality`` (default 0707; ``employment`` moves a person without
    employments to the municipality of their first facility)."""
    n = next(_seq)
    kwargs.setdefault("person_key", f"test-person-{n}")
    if "municipality" not in kwargs and "municipality_id" not in kwargs:
        kwargs["municipality"] = municipality()
    # Not "Medarbejder N": ?medarbejder=<id> in a URL would then read as a person's name to the log scan.
    return Employee.objects.create(name=name or f"Testperson {n}", **kwargs)


def employment(
    employee_obj: Employee | None = None,
    facility_obj: Facility | None = None,
    *,
    job_group: str = JobGroup.SOCIAL_EDUCATOR,
    weekly_hours: Decimal | str = "37",
    start_date: dt.date = dt.date(2020, 1, 1),
    hourly_wage: Decimal | str = "300.00",
    **kwargs: Any,
) -> Employment:
    n = next(_seq)
    facility_obj = facility_obj or facility()
    if employee_obj is None:
        employee_obj = employee(municipality=facility_obj.municipality)
    elif employee_obj.municipality_id != facility_obj.municipality_id and not employee_obj.employments.exists():
        # The person's first employment says whose they are (a test's ``employee()`` then ``employment()``).
        employee_obj.municipality = facility_obj.municipality
        Employee.objects.filter(pk=employee_obj.pk).update(municipality=facility_obj.municipality)
    return Employment.objects.create(
        employee=employee_obj,
        facility=facility_obj,
        employment_number=kwargs.pop("employment_number", f"E{n:06d}"),
        job_group=job_group,
        weekly_hours=Decimal(weekly_hours),
        start_date=start_date,
        hourly_wage=Decimal(hourly_wage),
        **kwargs,
    )


def competence(code: str | None = None, validity_months: int | None = None, **kwargs: Any) -> Competence:
    n = next(_seq)
    kwargs.setdefault("category", Competence.Category.CONFLICT)
    return Competence.objects.create(
        code=code or f"competence-{n}",
        name=kwargs.pop("name", f"Kompetence {n}"),
        validity_months=validity_months,
        **kwargs,
    )


def holding(
    employee_obj: Employee,
    competence_obj: Competence,
    acquired_on: dt.date,
    expires_on: dt.date | None = None,
    **kwargs: Any,
) -> CompetenceHolding:
    return CompetenceHolding.objects.create(
        employee=employee_obj, competence=competence_obj, acquired_on=acquired_on, expires_on=expires_on, **kwargs
    )


def user(
    role: str = Role.COORDINATOR, username: str | None = None, facilities: list[Facility] | None = None, **kwargs: Any
) -> User:
    n = next(_seq)
    u = User.objects.create_user(username=username or f"user{n}", password="test-password-123", role=role, **kwargs)
    if facilities:
        u.facilities.set(facilities)
    return u
