"""The workforce page per role, its filters, its export, and the Holbæk demo figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from styrbord.demo.context import make_context
from styrbord.organisations.models import Municipality
from styrbord.staff.models import JobGroup
from styrbord.testing import factories
from styrbord.workforce import demo
from styrbord.workforce.models import JobPosting, WorkforceStatistic

URL = "/personale/"
pytestmark = pytest.mark.django_db


def headcount_total(response, column: int = -1) -> str:  # type: ignore[no-untyped-def]
    return response.context["page"].computed[0].total.cells[column].text


def test_the_overview_is_the_workforce_root() -> None:
    assert reverse("workforce:overview") == URL


def test_anonymous_users_are_sent_to_the_login(client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert "/konto/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["employee_user", "grantor_user", "finance"])
def test_roles_without_workforce_figures_are_refused(client, world, persona) -> None:
    client.force_login(getattr(world, persona))

    assert client.get(URL).status_code == 403
    assert client.get(reverse("workforce:export")).status_code == 403


def test_a_coordinator_sees_their_own_municipality(client, world) -> None:
    client.force_login(world.coordinator)

    response = client.get(URL, {"fra": 2024, "til": 2025})

    assert response.status_code == 200
    assert response.context["page"].selection.municipality.code == "0707"
    assert headcount_total(response) == "5"  # Dolmer 3 + Glesborg 2; Syddjurs and København not counted
    assert response.context["page"].suppress is False


def test_a_coordinator_cannot_pick_another_municipality(client, world) -> None:
    client.force_login(world.coordinator)

    response = client.get(URL, {"kommune": world.syddjurs_facility.municipality.pk})

    assert response.status_code == 400
    assert "page" not in response.context


def test_a_facility_manager_sees_only_their_facility(client, world) -> None:
    client.force_login(world.manager)

    response = client.get(URL, {"fra": 2025, "til": 2025})

    assert response.status_code == 200
    assert headcount_total(response) == "3"


def test_the_facility_filter_narrows_the_figures(client, world) -> None:
    client.force_login(world.admin)

    everyone = client.get(URL, {"fra": 2025, "til": 2025})
    glesborg = client.get(URL, {"tilbud": world.glesborg.pk, "fra": 2025, "til": 2025})

    assert headcount_total(everyone) == "9"
    assert headcount_total(glesborg) == "2"
    assert glesborg.context["page"].selection.municipality.code == "0707"


def test_the_year_filter_sets_the_columns(client, world) -> None:
    client.force_login(world.admin)

    response = client.get(URL, {"fra": 2019, "til": 2021})

    table = response.context["page"].computed[0]
    assert table.columns == ["2019", "2020", "2021"]
    assert [c.text for c in table.total.cells] == ["0", "9", "9"]  # the world's staff start in 2020


def test_more_than_ten_years_is_refused(client, world) -> None:
    client.force_login(world.admin)

    assert client.get(URL, {"fra": 2000, "til": 2025}).status_code == 400


def test_a_regional_analyst_counts_only_their_region_and_gets_suppression(client, world) -> None:
    client.force_login(world.analyst)

    response = client.get(URL, {"fra": 2025, "til": 2025})

    page = response.context["page"]
    assert page.suppress is True
    # Norddjurs 5 + Syddjurs 2 (same region); København (another region) is left out.
    assert headcount_total(response) == "7"


def test_an_analyst_gets_no_table_per_facility(client, world) -> None:
    """A municipality's figures less its other facilities' gave a hidden facility's small numbers
    exactly; an analyst picks municipalities (one table, suppressed as a whole), not facilities."""
    client.force_login(world.analyst)
    municipality = {"kommune": world.dolmer.municipality.pk, "fra": 2025, "til": 2025}

    whole = client.get(URL, municipality)
    asked_for_one = client.get(URL, {**municipality, "tilbud": world.dolmer.pk})
    export = client.get(reverse("workforce:export"), {**municipality, "tilbud": world.dolmer.pk})

    assert "tilbud" not in whole.context["form"].fields
    assert 'name="tilbud"' not in whole.content.decode()
    assert asked_for_one.context["page"].selection.facility is None
    assert headcount_total(asked_for_one) == headcount_total(whole)
    assert export.status_code == 200
    client.force_login(world.coordinator)  # the municipality's own coordinator still has the filter
    assert (
        client.get(URL, {**municipality, "tilbud": world.dolmer.pk}).context["page"].selection.facility == world.dolmer
    )


def test_the_export_has_the_same_cells(client, world) -> None:
    client.force_login(world.analyst)
    factories.employment(factories.employee(), world.dolmer, job_group=JobGroup.NURSE)

    response = client.get(
        reverse("workforce:export"), {"kommune": world.dolmer.municipality.pk, "fra": 2025, "til": 2025}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("Faggruppe", "2025")
    assert ("Sygeplejerske", "..") in rows
    # Sheet names whole within Excel's 31 characters (they were cut: "Beregnet Medarbejdere pr. faggr").
    assert workbook.sheetnames[:7] == [
        "Medarbejdere",
        "Årsværk",
        "Gennemsnitsalder",
        "Deltidsansatte",
        "Relevant uddannelse",
        "Specialiserede kontaktpersoner",
        "Elever og studerende",
    ]
    learners = list(workbook["Elever og studerende"].iter_rows(values_only=True))
    assert learners[0][0] == "Type og faggruppe"


def test_imported_statistics_and_postings_are_shown_for_a_municipality(client, world) -> None:
    holbaek = Municipality.objects.get(code="0316")
    context = make_context(seed=1, today=dt.date(2026, 11, 23))
    context.municipalities["0316"] = holbaek
    demo.build(context)
    client.force_login(world.admin)

    response = client.get(URL, {"kommune": holbaek.pk, "fra": 2020, "til": 2024})

    page = response.context["page"]
    imported = {t.key: t for t in page.imported}
    headcount = {row.key: [c.text for c in row.cells] for row in imported["imported_headcount"].rows}
    assert headcount[JobGroup.SOCIAL_WORKER][0] == "136"
    assert headcount[JobGroup.SOCIAL_WORKER][-1] == "160"
    assert headcount[JobGroup.SOCIAL_EDUCATOR][0] == "266"
    assert headcount[JobGroup.SOCIAL_EDUCATOR][-1] == "226"
    assert headcount[JobGroup.CARE_ASSISTANT][-1] == "76"
    assert all(84 <= int(v) <= 93 for v in headcount[JobGroup.CARE_ASSISTANT][:4])
    ages = {row.key: row.cells[-1].text for row in imported["imported_average_age"].rows}
    assert (ages[JobGroup.SOCIAL_EDUCATOR], ages[JobGroup.SOCIAL_WORKER], ages[""]) == ("50,6", "43,1", "45,64")
    assert imported["imported_part_time_share"].rows[0].cells[-1].text == "44 %"
    students = {row.key: [c.text for c in row.cells[-2:]] for row in imported["imported_students"].rows}
    assert students[JobGroup.SOSU_ASSISTANT] == ["137", "156"]
    assert students[JobGroup.SOSU_HELPER] == ["77", "50"]
    postings = {row.label: row.cells[-1].value for row in page.postings.rows}
    assert postings["Sygeplejerske"] == Decimal("6.0")
    assert postings["Administrativ"] == Decimal("44.0")
    text = response.content.decode()
    assert "Importeret HR-statistik for Holbæk Kommune" in text
    assert "Personalepolitisk redegørelse 2024" in text


def test_imported_statistics_are_scoped_like_everything_else(client, world) -> None:
    WorkforceStatistic.objects.create(
        municipality=world.syddjurs_facility.municipality, year=2024, metric="headcount", value=40, source="x"
    )
    JobPosting.objects.create(
        municipality=world.syddjurs_facility.municipality,
        job_type="Administrativ",
        posted_on=dt.date(2024, 1, 1),
        applicants=9,
    )
    client.force_login(world.coordinator)

    response = client.get(URL, {"fra": 2020, "til": 2025})

    assert response.context["page"].imported == []
    assert response.context["page"].postings is None
