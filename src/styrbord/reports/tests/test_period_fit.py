"""A document whose object fixes its years (an initiative's own years, an appropriation's) never
claims another period: the initiative's paper shows its years inside the period asked for, the
release paper always the whole appropriation; the job and the appendix's "Periode" state exactly
what the document covers; a period that does not fit is refused at the form's period field."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import docx
import openpyxl
import pytest
from django.utils import translation

from styrbord.organisations.models import Region
from styrbord.reports import services
from styrbord.reports.doctypes.base import PeriodError
from styrbord.reports.documents.word import render_docx
from styrbord.reports.forms import ReportForm
from styrbord.reports.models import OutputFormat
from styrbord.reports.tests.conftest import SeedCase
from styrbord.testing.fixtures import World
from styrbord.training.models import Initiative, InitiativeYear


@pytest.fixture
def initiative(world: World) -> Initiative:
    """A region's initiative for 2025-2028 (4,0 mio. kr. and 5,0 FTE a year), shared with every coordinator."""
    initiative = Initiative.objects.create(
        name="Uddannelse af sikkerhedsassistenter",
        region=Region.objects.get(code="1084"),
        source="Region Hovedstaden, initiativ 2.6",
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


def _appendix_period(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return dict(book["Oplysninger"].iter_rows(min_row=2, values_only=True))["Periode"]  # type: ignore[arg-type,no-any-return]


def _form(user: Any, **data: str) -> ReportForm:
    return ReportForm(data, user=user)


# --- the initiative: its years inside the period asked for ---------------------------------------------------


def test_the_initiative_paper_shows_its_years_inside_the_period_and_says_so_everywhere(
    world: World, initiative: Initiative
) -> None:
    request = services.make_request(
        "initiative_economy", f"initiative:{initiative.pk}", "2026-2028", {}, world.coordinator
    )
    assert request.period.text == "2026-2028"
    item = services.build_document(request)
    assert item.title_label == "Forslag til budgetinitiativ i budget 2026-2028"
    assert "Initiativet koster 4,0 mio. kr. om året i 2026-2028" in item.summary[0]
    assert "12,000 mio. kr. i 2026-2028" in item.recommendations[0]  # three years, not four

    document = docx.Document(io.BytesIO(render_docx(item)))
    headers = [[c.text.replace("\xa0", " ") for c in t.rows[0].cells] for t in document.tables]
    assert headers == [
        ["Økonomi (mio. kr.)", "2026", "2027", "2028"],
        ["Personale (antal)", "2026", "2027", "2028"],
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2025-2028" not in text.replace("budgetinitiativ 2025-2028", "")  # only in the initiative's source
    assert _appendix_period(services.render(item, OutputFormat.XLSX, request)) == "2026-2028"


def test_a_period_wider_than_the_initiative_states_the_initiatives_own_years(
    world: World, initiative: Initiative
) -> None:
    for asked in ("2024-2030", ""):
        request = services.make_request("initiative_economy", f"initiative:{initiative.pk}", asked, {})
        assert request.period.text == "2025-2028", asked
        item = services.build_document(request)
        assert item.title_label == "Forslag til budgetinitiativ i budget 2025-2028"
        assert _appendix_period(services.render(item, OutputFormat.XLSX, request)) == "2025-2028"


def test_a_period_without_any_of_the_initiatives_years_is_refused_at_the_period_field(
    world: World, initiative: Initiative
) -> None:
    with pytest.raises(PeriodError):
        services.make_request("initiative_economy", f"initiative:{initiative.pk}", "2030", {})
    form = _form(
        world.coordinator, document_type="initiative_economy", scope=f"initiative:{initiative.pk}", period="2030"
    )
    assert not form.is_valid()
    assert form.errors["period"] == [
        "Initiativet Uddannelse af sikkerhedsassistenter har tal for 2025-2028, og ingen af dem ligger i perioden "
        "2030. Vælg en periode inden for 2025-2028, eller lad feltet stå tomt for alle initiativets år."
    ]
    with translation.override("en"):
        form = _form(
            world.coordinator, document_type="initiative_economy", scope=f"initiative:{initiative.pk}", period="2030"
        )
        assert not form.is_valid()
        assert "has figures for 2025-2028" in form.errors["period"][0]
    # Empty: the initiative's own years, and that is what the form passes on.
    form = _form(world.coordinator, document_type="initiative_economy", scope=f"initiative:{initiative.pk}", period="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period"] == "2025-2028"


# --- the release: the whole appropriation, whatever the period asked for ---------------------------------------


def test_the_release_states_its_appropriations_year_in_the_job_and_the_appendix(
    world: World, seed_case: SeedCase
) -> None:
    scope = f"pool:{seed_case.pool.pk}"
    request = services.make_request("pool_release", scope, "2025-2027", {}, world.coordinator)
    assert request.period.text == "2025"
    item = services.build_document(request)
    assert _appendix_period(services.render(item, OutputFormat.XLSX, request)) == "2025"
    job = services.create_job(world.coordinator, "pool_release", "xlsx", scope, "2025-2027")
    assert job.period == "2025"
    assert services.make_request("pool_release", scope, "", {}).period.text == "2025"


def test_a_release_period_that_leaves_out_the_appropriations_year_is_refused_at_the_field(
    world: World, seed_case: SeedCase
) -> None:
    scope = f"pool:{seed_case.pool.pk}"
    with pytest.raises(PeriodError):
        services.create_job(world.coordinator, "pool_release", "docx", scope, "2026")
    form = _form(world.coordinator, document_type="pool_release", scope=scope, period="2026")
    assert not form.is_valid()
    assert form.errors["period"] == [
        "Tillægsbevillingen Frigivelse af puljer til kompetenceudvikling i socialpsykiatriske botilbud gælder "
        "2025. En bevilling frigives under ét, så perioden skal omfatte 2025. Skriv 2025, eller lad feltet stå tomt."
    ]
    with translation.override("en"):
        form = _form(world.coordinator, document_type="pool_release", scope=scope, period="2026")
        assert not form.is_valid()
        assert "applies to 2025" in form.errors["period"][0]
    form = _form(world.coordinator, document_type="pool_release", scope=scope, period="2025-2027")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period"] == "2025"


def test_a_release_before_any_appropriation_covers_the_pools_first_year(world: World, seed_case: SeedCase) -> None:
    seed_case.appropriation.delete()
    scope = f"pool:{seed_case.pool.pk}"
    assert services.make_request("pool_release", scope, "", {}).period.text == "2025"
    with pytest.raises(PeriodError, match="første år, 2025"):
        services.make_request("pool_release", scope, "2027", {})


def test_a_type_without_years_of_its_own_still_needs_a_period(world: World) -> None:
    scope = f"municipality:{world.coordinator.municipality_id}"
    form = _form(world.coordinator, document_type="competence_status", scope=scope, period="")
    assert not form.is_valid()
    assert "Skriv en periode" in form.errors["period"][0]
