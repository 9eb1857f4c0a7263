"""Seed 002: the consequence table to the krone, and one course day at 40-50.000 kr. in wages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from styrbord.organisations.models import Region
from styrbord.testing import factories
from styrbord.training.models import BackfillFactor, Initiative, InitiativeYear
from styrbord.training.services.initiatives import consequence_table, team_day_cost, team_day_estimate

pytestmark = pytest.mark.django_db


def _seed_002() -> Initiative:
    initiative = Initiative.objects.create(
        name="Uddannelse af sikkerhedsassistenter og forebyggelsesinstruktører",
        region=Region.objects.get(code="1084"),
    )
    for year in range(2025, 2029):
        InitiativeYear.objects.create(
            initiative=initiative,
            year=year,
            fte=Decimal("5.0"),
            annual_wage_per_fte=Decimal("600000.00"),
            other_operating=Decimal("1000000.00"),
        )
    return initiative


def test_the_seed_002_table_is_reproduced_to_the_krone() -> None:
    table = consequence_table(_seed_002())
    assert table.years == [2025, 2026, 2027, 2028]
    rows = {row.key: row for row in table.rows}
    assert list(rows) == ["wages", "other_operating"]  # no establishment costs in the seed
    assert rows["wages"].values == [Decimal("3000000.00")] * 4
    assert rows["other_operating"].values == [Decimal("1000000.00")] * 4
    assert table.totals == [Decimal("4000000.00")] * 4
    assert table.fte == [Decimal("5.0")] * 4
    # As printed in the seed: "Løn 3,0 / Øvrig drift 1,0 / Udgifter i alt 4,0 / Årsværk 5,0".
    assert rows["wages"].formatted() == ["3,0"] * 4
    assert rows["other_operating"].formatted() == ["1,0"] * 4
    assert table.formatted_totals() == ["4,0"] * 4
    assert table.formatted_fte() == ["5,0"] * 4
    assert table.as_dict()["totals"] == ["4000000.00"] * 4


def test_establishment_costs_appear_as_their_own_row_and_in_the_total() -> None:
    initiative = _seed_002()
    InitiativeYear.objects.filter(initiative=initiative, year=2025).update(establishment=Decimal("250000.00"))
    table = consequence_table(initiative)
    assert table.rows[0].key == "establishment"
    assert table.rows[0].values == [Decimal("250000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]
    assert table.totals[0] == Decimal("4250000.00")


def test_one_course_day_for_twenty_contact_staff_costs_40_to_50_000_kr_in_wages() -> None:
    facility = factories.facility("Dolmer Have")
    BackfillFactor.objects.create(facility=facility, valid_from=dt.date(2025, 1, 1), factor=Decimal("1.20"))
    employments = [factories.employment(facility_obj=facility, hourly_wage="300.00") for _ in range(20)]
    result = team_day_cost(employments, dt.date(2026, 3, 2))
    # 20 x 7,4 t x 300,00 kr. = 44.400,00 kr. in wages; x 1,20 = 53.280,00 kr. with shift cover.
    assert result.headcount == 20
    assert result.hours == Decimal("148.00")
    assert result.wages == Decimal("44400.00")
    assert Decimal("40000") <= result.wages <= Decimal("50000")
    assert result.with_backfill == Decimal("53280.00")
    assert team_day_estimate(20, Decimal("7.4"), Decimal("300.00"), Decimal("1")) == Decimal("44400.00")


def test_a_part_timer_counts_their_average_day_in_the_team_day() -> None:
    facility = factories.facility()
    full = factories.employment(facility_obj=facility, hourly_wage="300.00", weekly_hours="37")
    part = factories.employment(facility_obj=facility, hourly_wage="300.00", weekly_hours="25")
    result = team_day_cost([full, part], dt.date(2026, 3, 2))
    # 7,4 t + 5 t = 12,4 t x 300 = 3.720,00 kr.; factor falls back to the facility's 1,00.
    assert result.wages == Decimal("3720.00")
    assert result.with_backfill == Decimal("3720.00")
