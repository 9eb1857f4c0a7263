"""The funding demo step builds the seed-000 case with its figures exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

import pytest

from styrbord.demo.context import DEMO_STEPS, make_context
from styrbord.funding.models import Appropriation, Grant, LedgerEntry, Pool
from styrbord.funding.services.balances import balances_for
from styrbord.lib.formatting import format_kr, format_mio

D = Decimal


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    ctx = make_context(seed=0, today=dt.date(2026, 11, 23))
    for step in DEMO_STEPS[: DEMO_STEPS.index("styrbord.funding") + 1]:
        if find_spec(f"{step}.demo") is not None:
            import_module(f"{step}.demo").build(ctx)
    return ctx


@pytest.mark.slow
def test_the_seed_000_case_is_in_the_demo_with_its_figures(demo) -> None:  # type: ignore[no-untyped-def]
    pool = Pool.objects.get(case_number="24/9263")
    assert pool.name == "Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud"
    assert pool.grantor.name == "Social- og Boligstyrelsen"  # type: ignore[union-attr]
    assert format_kr(pool.total) == "1.022.000 kr."
    assert (pool.period_start, pool.period_end) == (dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    grants = {g.facility.name: g.amount for g in pool.grants.select_related("facility")}  # type: ignore[union-attr]
    assert grants == {"Dolmer Have": D("700000.00"), "Bofællesskaberne Glesborg": D("322000.00")}
    assert sum(grants.values()) == pool.total
    for grant in pool.grants.all():
        assert sum(line.amount for line in grant.budget_lines.all()) == grant.amount

    appropriation = Appropriation.objects.get(case_number="24/9263")
    assert appropriation.kind == Appropriation.Kind.SUPPLEMENTARY
    assert appropriation.decision_body == "Voksen- og Plejeudvalget"
    assert appropriation.decision_date == dt.date(2024, 12, 18)
    assert appropriation.budget_neutral
    assert appropriation.is_neutral()
    income, expenditure = appropriation.totals_by_year()[2025]
    assert income == expenditure == D("1022000.00")
    assert {format_mio(line.amount) for line in appropriation.lines.all()} == {"0,700 mio. kr.", "0,322 mio. kr."}

    municipal = Pool.objects.get(kind=Pool.Kind.MUNICIPAL_BUDGET)
    assert format_mio(municipal.total) == "1,000 mio. kr."
    assert municipal.period_start.year == 2024

    # Income received, bookings charged, some actuals posted, one reversal; never overdrawn.
    dolmer = Grant.objects.get(pool=pool, facility__name="Dolmer Have")
    balances = balances_for(dolmer)
    assert balances.income == D("700000.00")
    assert LedgerEntry.objects.filter(grant__pool=pool, booking__isnull=False).exists()
    assert LedgerEntry.objects.filter(grant__pool=pool, kind="actual").exists()
    assert LedgerEntry.objects.filter(grant__pool=pool, kind="reversal", text__contains="eget budget").count() == 1
    for grant in Grant.objects.all():
        assert balances_for(grant).remaining >= 0
    assert any("1.022.000 kr. = 700.000 kr. + 322.000 kr." in line for line in demo.log)


@pytest.mark.slow
def test_the_finance_officer_sees_the_seat_of_the_person_who_has_resigned(demo) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.services.warnings import WarningKind, grant_warnings

    dolmer = Grant.objects.get(pool__case_number="24/9263", facility__name="Dolmer Have")
    warnings = [w for w in grant_warnings(dolmer) if w.kind == WarningKind.AFTER_EMPLOYMENT]
    assert len(warnings) == 1
    assert "er disponeret til 1 booking på et hold, der slutter efter ansættelsens ophør" in str(warnings[0].message)


@pytest.mark.slow
def test_the_finance_officer_sees_a_plans_seat_on_a_course_that_began_without_it(db) -> None:  # type: ignore[no-untyped-def]
    """A course that ended within two weeks of the demo's day has one seat of a plan that nobody
    booked with the provider: the grant still holds its money."""
    from styrbord.funding.services.warnings import WarningKind, grant_warnings
    from styrbord.training.models import Booking
    from styrbord.training.services import planned_after_start

    today = dt.date(2026, 12, 5)
    ctx = make_context(seed=0, today=today)
    for step in DEMO_STEPS[: DEMO_STEPS.index("styrbord.funding") + 1]:
        if find_spec(f"{step}.demo") is not None:
            import_module(f"{step}.demo").build(ctx)
    (late,) = planned_after_start(Booking.objects.all(), today)
    assert late.session.last_day == dt.date(2026, 12, 2)
    grant = Grant.objects.get(pool__case_number="24/9263", facility=late.employment.facility)
    (warning,) = [w for w in grant_warnings(grant, today) if w.kind == WarningKind.UNUSED_SEATS]
    assert "er stadig disponeret til pladser, der ikke bruges: 1 planlagt booking på et hold" in warning.message
