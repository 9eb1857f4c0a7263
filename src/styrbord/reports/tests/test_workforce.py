"""Workforce orientation (like seed 001's recruitment item) from the workforce app's figures."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.html import render_pdf
from styrbord.reports.documents.structure import Paragraph
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx
from styrbord.reports.tests.conftest import docx_to_pdf, pdf_text, save_page_images
from styrbord.staff.models import Employment, JobGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.workforce.models import JobPosting


@pytest.fixture
def staff(world: World) -> None:
    """Norddjurs staff 2020-2024: educators falling, SOSU assistants rising, nurses, trainees, postings."""
    norddjurs = factories.municipality("0707")

    def hire(facility: Any, group: str, n: int, start: dt.date, born: int, hours: str = "37", **kw: Any) -> None:
        for i in range(n):
            person = factories.employee(birth_year=born + i % 10)
            factories.employment(person, facility, job_group=group, start_date=start, weekly_hours=hours, **kw)

    hire(world.dolmer, JobGroup.SOCIAL_EDUCATOR, 8, dt.date(2018, 1, 1), 1972)
    hire(world.dolmer, JobGroup.SOCIAL_EDUCATOR, 4, dt.date(2018, 1, 1), 1965, end_date=dt.date(2022, 6, 30))
    hire(world.glesborg, JobGroup.SOSU_ASSISTANT, 3, dt.date(2019, 1, 1), 1985, hours="30")
    hire(world.glesborg, JobGroup.SOSU_ASSISTANT, 5, dt.date(2023, 3, 1), 1990, hours="32")
    hire(world.dolmer, JobGroup.NURSE, 5, dt.date(2019, 8, 1), 1980)
    hire(world.glesborg, JobGroup.SOSU_ASSISTANT, 2, dt.date(2024, 8, 1), 2004, kind=Employment.Kind.TRAINEE)
    for applicants in (5, 7):
        JobPosting.objects.create(
            municipality=norddjurs,
            job_group=JobGroup.NURSE,
            job_type="Sygeplejerske",
            posted_on=dt.date(2024, 3, 1),
            applicants=applicants,
        )
    JobPosting.objects.create(
        municipality=norddjurs, job_type="Administrative stillinger", posted_on=dt.date(2024, 5, 1), applicants=44
    )


def _item(scope: str, period: str = "2024", user: Any = None):  # type: ignore[no-untyped-def]
    return services.build_document(services.make_request("workforce", scope, period, {}, user))


def _text(item) -> str:  # type: ignore[no-untyped-def]
    return " ".join(f"{b.lead} {b.text}" for s in item.all_sections() for b in s.blocks if isinstance(b, Paragraph))


def test_it_describes_headcounts_age_postings_part_time_and_trainees(world: World, staff: None) -> None:
    item = _item("municipality:0707", user=world.coordinator)
    text = _text(item)
    headcount = next(t for t in item.tables() if t.caption == "Medarbejdere pr. faggruppe")
    assert [c.label for c in headcount.columns] == ["Faggruppe", "2020", "2021", "2022", "2023", "2024"]
    rows = {cells[0]: cells[1:] for _, cells in headcount.formatted_rows()}
    assert rows["Socialpædagog/pædagog"] == ["17", "17", "13", "13", "13"]
    assert rows["SOSU-assistent"] == ["..", "..", "..", "8", "8"]  # a public paper: small numbers hidden
    assert "blandt socialpædagog/pædagog ses et fald fra 17 i 2020 til 13 i 2024" in text.lower()
    assert "Aldersgennemsnittet er i 2024 højest hos" in text
    assert "kun 6 ansøgere pr. stillingsopslag i 2024" in text
    assert "til sammenligning var 44 i gennemsnit til administrative stillinger" in text
    assert "var deltidsansatte i 2024" in text
    assert "Uddannelses- og praktikpladser:" in text
    assert len(item.charts()) == 2


def test_an_analyst_gets_small_groups_hidden(world: World, staff: None) -> None:
    item = _item("municipality:0707", user=world.analyst)
    headcount = next(t for t in item.tables() if t.caption == "Medarbejdere pr. faggruppe")
    cells = [c for _, row in headcount.formatted_rows() for c in row[1:]]
    assert ".." in cells
    assert "færre end 5 personer" in _text(item)


def test_roles_and_scopes(world: World, staff: None) -> None:
    assert _item(f"facility:{world.dolmer.pk}", user=world.manager).heading.endswith("Dolmer Have")
    with pytest.raises(ReportError):
        _item("municipality:0707", user=world.manager)
    with pytest.raises(ReportError):
        _item(f"facility:{world.dolmer.pk}", user=world.analyst)
    with pytest.raises(ReportError):
        _item("municipality:0707", user=world.finance)
    with pytest.raises(ReportError):
        _item("municipality:0707", user=world.grantor_user)


def test_a_regional_analyst_writes_it_for_the_region(world: World, staff: None) -> None:
    """Norddjurs and Syddjurs lie in Region Midtjylland; København's staff are not counted."""
    region = world.dolmer.municipality.region
    item = _item(f"region:{region.code}", period="2024", user=world.analyst)

    assert item.heading == f"Orientering om rekruttering og fastholdelse af medarbejdere i {region}"
    assert item.municipality == str(region)  # the letterhead
    headcount = next(t for t in item.tables() if t.caption == "Medarbejdere pr. faggruppe")
    total = next(cells for _, cells in headcount.formatted_rows() if cells[0] == "I alt")
    municipal = _item("municipality:0707", period="2024", user=world.analyst)
    norddjurs = next(t for t in municipal.tables() if t.caption == "Medarbejdere pr. faggruppe")
    norddjurs_total = next(cells for _, cells in norddjurs.formatted_rows() if cells[0] == "I alt")
    # The region adds Syddjurs' two people to Norddjurs' staff.
    assert int(total[-1]) == int(norddjurs_total[-1]) + len(world.syddjurs_staff)


def test_only_analysts_and_administrators_may_choose_a_region(world: World, staff: None) -> None:
    own = world.dolmer.municipality.region
    other = world.kbh_facility.municipality.region
    with pytest.raises(ReportError):
        _item(f"region:{other.code}", user=world.analyst)  # another region: as if it did not exist
    with pytest.raises(ReportError):
        _item(f"region:{own.code}", user=world.coordinator)
    assert _item(f"region:{other.code}", user=world.national_analyst).municipality == str(other)
    assert _item(f"region:{own.code}", user=world.admin).municipality == str(own)


def test_the_workforce_document_opens_in_libreoffice_with_its_charts(
    world: World, staff: None, tmp_path: Path, soffice_profile: Path
) -> None:
    item = _item("municipality:0707", user=world.coordinator)
    pdf = docx_to_pdf(render_docx(item), tmp_path, soffice_profile, "personale")
    text = pdf_text(pdf, layout=True)
    assert "Faggruppe 2020 2021 2022 2023 2024" in text
    assert "Socialpædagog/pædagog 17 17 13 13 13" in text
    assert "Figur 1: Medarbejdere pr. faggruppe over tid" in text
    assert save_page_images(pdf, "workforce-docx")
    html_pdf = tmp_path / "personale-html.pdf"
    html_pdf.write_bytes(render_pdf(_item("municipality:0707", user=world.coordinator)))
    assert "Antallet af ansatte:" in pdf_text(html_pdf)
    save_page_images(html_pdf, "workforce-pdf")


def test_a_coordinators_public_paper_hides_small_groups_everywhere(world: World, staff: None) -> None:
    """The paper is "Åben sag": one therapist's and two psychologists' ages must not be in it, written by anyone."""
    for born in (1977, 1969, 1969):
        group = JobGroup.THERAPIST if born == 1977 else JobGroup.PSYCHOLOGIST
        person = factories.employee(birth_year=born)
        factories.employment(person, world.dolmer, job_group=group, start_date=dt.date(2019, 1, 1))
    item = _item("municipality:0707", user=world.coordinator)
    tables = {t.caption: {cells[0]: cells[1:] for _, cells in t.formatted_rows()} for t in item.tables()}
    assert tables["Medarbejdere pr. faggruppe"]["Ergo-/fysioterapeut"] == [".."] * 5
    assert tables["Gennemsnitsalder pr. faggruppe (år)"]["Ergo-/fysioterapeut"] == [".."] * 5
    assert tables["Gennemsnitsalder pr. faggruppe (år)"]["Psykolog"] == [".."] * 5
    # Eight SOSU assistants, all part-time: 100 % says it of each of them (none without is fewer than five).
    assert tables["Andel deltidsansatte (under 37 timer)"]["SOSU-assistent"][-1] == ".."
    assert "Små tal: Sagen er offentlig" in _text(item)

    document = docx.Document(io.BytesIO(render_docx(item)))
    text = "\n".join(p.text for p in document.paragraphs).replace("\xa0", " ")
    cells = {row.cells[0].text: [c.text for c in row.cells[1:]] for table in document.tables for row in table.rows}
    assert "er skjult og vist som »..«" in text
    for age in ("45,0", "47,0", "54,0", "55,0"):  # the therapist's and the psychologists' ages
        assert age not in text, age
    assert cells["Ergo-/fysioterapeut"] == [".."] * 5
    assert cells["Psykolog"] == [".."] * 5
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(item)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if row[0] in ("Ergo-/fysioterapeut", "Psykolog"):
                assert set(row[1:]) <= {"..", None, "–"}, (sheet.title, row)


def test_the_summary_mentions_applicants_only_when_the_paper_has_them(world: World, staff: None) -> None:
    assert "alder, ansøgere, deltid" in _item("municipality:0707", user=world.coordinator).summary[0]
    JobPosting.objects.all().delete()
    item = _item("municipality:0707", user=world.coordinator)
    assert "Antal ansøgere:" not in _text(item)
    assert "ansøgere" not in item.summary[0]
    assert "data om antal ansatte, alder, deltid og uddannelsespladser." in item.summary[0]
