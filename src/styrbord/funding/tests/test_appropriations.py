"""Appropriations: a budget-neutral one must balance income and expenditure in every year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from styrbord.audit.models import AuditEntry
from styrbord.funding.models import Appropriation, AppropriationLine
from styrbord.funding.services import FundingError
from styrbord.funding.services.setup import check_neutrality, create_appropriation
from styrbord.testing import factories

D = Decimal
INCOME, EXPENDITURE = AppropriationLine.Direction.INCOME, AppropriationLine.Direction.EXPENDITURE


def tillaeg(neutral: bool = True) -> Appropriation:
    return Appropriation(
        municipality=factories.municipality("0707"),
        title="Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud",
        kind=Appropriation.Kind.SUPPLEMENTARY,
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2024, 12, 18),
        case_number="24/9263",
        budget_neutral=neutral,
    )


def lines(*rows: tuple[int, str, str]) -> list[AppropriationLine]:
    return [AppropriationLine(year=y, direction=d, amount=D(a)) for y, d, a in rows]


def test_the_seed_case_is_budget_neutral_and_is_saved_with_its_lines(world) -> None:  # type: ignore[no-untyped-def]
    appropriation = create_appropriation(
        tillaeg(),
        lines(
            (2025, INCOME, "700000"),
            (2025, EXPENDITURE, "700000"),
            (2025, INCOME, "322000"),
            (2025, EXPENDITURE, "322000"),
        ),
        world.finance,
    )
    assert appropriation.totals_by_year() == {2025: (D("1022000.00"), D("1022000.00"))}
    assert appropriation.is_neutral()
    appropriation.full_clean()
    assert AuditEntry.objects.filter(action="funding.appropriation.created", object_id=str(appropriation.pk)).exists()


def test_an_unbalanced_budget_neutral_appropriation_is_refused_naming_the_year_and_difference(world) -> None:  # type: ignore[no-untyped-def]
    unbalanced = lines(
        (2025, INCOME, "700000"), (2025, EXPENDITURE, "700000"), (2026, INCOME, "322000"), (2026, EXPENDITURE, "300000")
    )
    with pytest.raises(FundingError) as error:
        create_appropriation(tillaeg(), unbalanced, world.finance)
    message = error.value.message
    assert "2026" in message
    assert "22.000,00 kr." in message
    assert "2025" not in message
    assert not Appropriation.objects.exists()


def test_the_model_check_runs_on_saved_lines_too(world) -> None:  # type: ignore[no-untyped-def]
    appropriation = create_appropriation(
        tillaeg(neutral=False), lines((2025, INCOME, "100"), (2025, EXPENDITURE, "90")), None
    )
    assert not appropriation.is_neutral()
    appropriation.full_clean()  # not marked budget-neutral: no error
    appropriation.budget_neutral = True
    with pytest.raises(ValidationError) as error:
        appropriation.full_clean()
    assert "i 2025 er indtægterne 100,00 kr. og udgifterne 90,00 kr." in str(error.value)
    with pytest.raises(FundingError):
        check_neutrality(appropriation)


def test_an_appropriation_needs_lines(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FundingError):
        create_appropriation(tillaeg(), [], world.finance)
