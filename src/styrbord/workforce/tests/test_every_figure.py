"""Each of the eight figure kinds is a table and a chart, and follows the municipality, facility and
year filter."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from styrbord.competences.models import Competence
from styrbord.staff.models import Employee, Employment, JobGroup
from styrbord.testing import factories
from styrbord.workforce.models import JobPosting, WorkforceStatistic

URL = "/personale/"
pytestmark = pytest.mark.django_db

# Figure kind of the issue -> the table keys on the page that show it.
KINDS = {
    "headcount and FTE by job group per year": ["headcount", "fte"],
    "average age per job group against the whole": ["average_age"],
    "part-time share": ["part_time"],
    "share with a relevant education": ["relevant_education"],
    "share of contact staff specialised": ["specialised_contacts"],
    "trainees and students by type": ["learners"],
    "turnover and sickness absence when imported": ["imported_turnover", "imported_sickness_absence"],
    "job postings, applicants per posting by job type": ["postings"],
}


@pytest.fixture
def figures(world: Any) -> Any:
    """The world's Norddjurs staff with ages, education, a specialised contact person, a trainee,
    imported turnover and sickness absence (municipality and Dolmer Have), and job postings."""
    for n, person in enumerate(Employee.objects.all()):
        person.birth_year = 1970 + 3 * n
        person.education_relevant = n % 2 == 0
        person.save()
    method = factories.competence(category=Competence.Category.METHOD)
    factories.holding(world.dolmer_staff[0], method, dt.date(2023, 5, 1))
    factories.employment(
        factories.employee("Elev Ea", birth_year=2004),
        world.dolmer,
        kind=Employment.Kind.TRAINEE,
        job_group=JobGroup.SOSU_ASSISTANT,
        start_date=dt.date(2024, 8, 1),
    )
    norddjurs = world.dolmer.municipality
    for year, turnover, sickness in [(2024, "14.2", "6.1"), (2025, "12.8", "5.4")]:
        WorkforceStatistic.objects.create(
            municipality=norddjurs, year=year, metric="turnover", value=Decimal(turnover), source="Redegørelse"
        )
        WorkforceStatistic.objects.create(
            municipality=norddjurs, year=year, metric="sickness_absence", value=Decimal(sickness), source="Redegørelse"
        )
        WorkforceStatistic.objects.create(
            municipality=norddjurs,
            facility=world.dolmer,
            year=year,
            metric="turnover",
            value=Decimal("21.5"),
            source="Dolmer Have",
        )
    JobPosting.objects.create(
        municipality=norddjurs,
        facility=world.dolmer,
        job_group=JobGroup.NURSE,
        posted_on=dt.date(2025, 3, 1),
        applicants=6,
    )
    JobPosting.objects.create(
        municipality=norddjurs,
        facility=world.glesborg,
        job_type="Administrativ",
        posted_on=dt.date(2024, 2, 1),
        applicants=40,
    )
    return norddjurs


def sections(html: str) -> dict[str, str]:
    found = re.findall(r'<section class="card figure" id="figur-([^"]+)".*?</section>', html, re.S)
    bodies = re.findall(r'(<section class="card figure" id="figur-[^"]+".*?</section>)', html, re.S)
    return dict(zip(found, bodies, strict=True))


def test_each_figure_kind_is_a_table_and_a_chart(client: Any, world: Any, figures: Any) -> None:
    client.force_login(world.admin)

    response = client.get(URL, {"kommune": figures.pk, "fra": 2024, "til": 2025})

    assert response.status_code == 200
    shown = sections(response.content.decode())
    for kind, keys in KINDS.items():
        for key in keys:
            assert key in shown, f"{kind}: no figure {key}"
            assert f'data-figure="{key}"' in shown[key], f"{kind}: {key} has no table"
            assert "data-vega-spec" in shown[key], f"{kind}: {key} has no chart"


def test_the_facility_filter_narrows_computed_imported_and_postings(client: Any, world: Any, figures: Any) -> None:
    client.force_login(world.admin)

    whole = client.get(URL, {"kommune": figures.pk, "fra": 2024, "til": 2025}).context["page"]
    dolmer = client.get(URL, {"kommune": figures.pk, "tilbud": world.dolmer.pk, "fra": 2024, "til": 2025}).context[
        "page"
    ]

    def by_key(page: Any) -> dict[str, Any]:
        return {t.key: t for t in [*page.computed, *page.imported]}

    assert by_key(whole)["headcount"].total.cells[-1].text == "5"
    assert by_key(dolmer)["headcount"].total.cells[-1].text == "3"
    assert [c.text for c in by_key(whole)["imported_turnover"].rows[0].cells] == ["14,2 %", "12,8 %"]
    assert [c.text for c in by_key(dolmer)["imported_turnover"].rows[0].cells] == ["21,5 %", "21,5 %"]
    assert "imported_sickness_absence" not in by_key(dolmer)  # imported for the municipality only
    assert {r.label for r in whole.postings.rows} == {"Sygeplejerske", "Administrativ"}
    assert {r.label for r in dolmer.postings.rows} == {"Sygeplejerske"}


def test_the_year_filter_sets_every_figures_columns(client: Any, world: Any, figures: Any) -> None:
    client.force_login(world.admin)

    page = client.get(URL, {"kommune": figures.pk, "fra": 2025, "til": 2025}).context["page"]

    for table in [*page.computed, *page.imported, page.postings]:
        assert table.columns[-1] == "2025", table.key
        assert "2024" not in table.columns, table.key
