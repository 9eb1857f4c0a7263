"""Workforce orientation (like seed 001's recruitment item) from the workforce app's figures."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from styrbord.lib import charts
from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.doctypes.workforce import _headcount_chart
from styrbord.reports.documents.html import render_pdf
from styrbord.reports.documents.structure import Paragraph
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx
from styrbord.reports.tests.conftest import docx_to_pdf, pdf_text, save_page_images
from styrbord.staff.models import Employment, JobGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.workforce import services as workforce
from styrbord.workforce.models import JobPosting, WorkforceStatistic
from styrbord.workforce.tables import Cell, Row, fmt_whole
from styrbord.workforce.tables import Table as FigureTable


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
    """Without postings the applicants' part stays (the type promises it) and says there are none."""
    assert "alder, ansøgere, deltid" in _item("municipality:0707", user=world.coordinator).summary[0]
    JobPosting.objects.all().delete()
    item = _item("municipality:0707", user=world.coordinator)
    assert (
        "Antal ansøgere: Der er ikke registreret stillingsopslag i Norddjurs Kommune i 2020-2024, så antallet af "
        "ansøgere pr. opslag kan ikke opgøres."
    ) in _text(item)
    assert not [t for t in item.tables() if t.caption == "Ansøgere pr. stillingsopslag"]
    assert "ansøgere" not in item.summary[0]
    assert "data om antal ansatte, alder, deltid og uddannelsespladser." in item.summary[0]


# --- the headcount chart's lines and "Øvrige faggrupper" ------------------------------------------------------

OTHERS = "Øvrige faggrupper"


@pytest.fixture
def many_groups(world: World) -> None:
    """Norddjurs 2020-2024: six groups of 6-12 people, three small ones (1-3) and SOSU assistants growing 3 -> 10.

    An analyst (and the public paper) sees the small groups hidden in every year, and the SOSU assistants hidden
    in 2020-2022; a coordinator on the workforce page sees them all."""

    def hire(group: str, n: int, start: dt.date = dt.date(2018, 1, 1), **kw: Any) -> None:
        for i in range(n):
            person = factories.employee(birth_year=1970 + i)
            factories.employment(person, world.dolmer, job_group=group, start_date=start, **kw)

    hire(JobGroup.SOCIAL_EDUCATOR, 12)
    hire(JobGroup.CARE_ASSISTANT, 9)
    hire(JobGroup.PEDAGOGICAL_ASSISTANT, 8)
    hire(JobGroup.SOCIAL_WORKER, 7)
    hire(JobGroup.NURSE, 6)
    hire(JobGroup.SOSU_ASSISTANT, 3)
    hire(JobGroup.SOSU_ASSISTANT, 7, start=dt.date(2023, 3, 1))
    hire(JobGroup.THERAPIST, 2)
    hire(JobGroup.PSYCHOLOGIST, 3)
    hire(JobGroup.MANAGER, 1)


def _points(spec: dict[str, Any]) -> dict[str, dict[str, int]]:
    """{series: {year: value}} from a line chart's Vega-Lite spec."""
    values = spec["data"]["values"] if "values" in spec.get("data", {}) else next(iter(spec["datasets"].values()))
    found: dict[str, dict[str, int]] = {}
    for point in values:
        found.setdefault(point["series"], {})[str(point["year"])] = int(point["value"])
    return found


def _page(world: World, user: Any) -> Any:
    selection = workforce.Selection(
        municipality=world.dolmer.municipality, facility=None, years=[2020, 2021, 2022, 2023, 2024]
    )
    page = workforce.build_page(user, selection, dt.date(2025, 6, 1))
    return next(t for t in page.computed if t.key == "headcount")


def _true_counts(table: Any) -> dict[str, list[int]]:
    return {r.label: [int(c.value) for c in r.cells] for r in [*table.rows, table.total]}


def test_the_other_groups_line_is_the_total_minus_the_shown_lines(world: World, many_groups: None) -> None:
    table = _page(world, world.coordinator)  # nothing hidden
    counts = _true_counts(table)
    lines = _points(charts.spec(_headcount_chart(table, suppress=False)))
    top = set(lines) - {OTHERS}
    assert top == {"Socialpædagog/pædagog", "SOSU-assistent", "Omsorgs-/pædagogmedhjælper (ufaglært)",
                   "Pædagogisk assistent", "Socialrådgiver/-formidler"}  # fmt: skip
    for index, year in enumerate(table.columns):
        expected = counts["I alt"][index] - sum(counts[label][index] for label in top)
        assert lines[OTHERS][year] == expected
    assert lines[OTHERS]["2020"] == 6 + 2 + 3 + 1  # nurses, therapists, psychologists, the manager


def test_the_public_papers_other_groups_never_tell_a_hidden_group(world: World, many_groups: None) -> None:
    truth = _true_counts(_page(world, world.coordinator))
    analyst = _page(world, world.analyst)
    hidden = {r.label for r in analyst.rows if all(c.hidden for c in r.cells)}
    assert hidden == {"Ergo-/fysioterapeut", "Psykolog", "Leder"}
    for user in (world.analyst, world.coordinator):  # the paper is public, whoever writes it
        item = _item("municipality:0707", user=user)
        lines = _points(item.charts()[0].spec)  # type: ignore[arg-type]
        assert not hidden & set(lines)  # hidden in every year: never a line of its own
        assert "Sygeplejerske" not in lines  # six nurses are smaller than the five lines
        # SOSU assistants (a line) are hidden in 2020-2022: "Øvrige" would hold them there, so it is left out.
        assert lines["SOSU-assistent"] == {"2023": 10, "2024": 10}
        assert lines[OTHERS] == {"2023": 12, "2024": 12}
        for year, value in lines[OTHERS].items():
            index = analyst.columns.index(year)
            assert value >= 5
            assert value not in {truth[label][index] for label in hidden}
            assert (
                value - truth["Sygeplejerske"][index] >= 5
            )  # the hidden groups together, as the table's total already tells


def _figure(rows: dict[str, list[int | None]], total: list[int | None]) -> Any:
    def cells(values: list[int | None]) -> list[Any]:
        return [Cell.secret() if v is None else Cell.of(v, fmt_whole) for v in values]

    return FigureTable(
        key="headcount",
        title="Medarbejdere pr. faggruppe",
        columns=["2020", "2021"],
        rows=[Row(label, cells(values), key=label) for label, values in rows.items()],
        total=Row("I alt", cells(total)),
    )


def test_hidden_or_empty_groups_get_no_line_and_a_point_that_would_tell_is_left_out() -> None:
    figure = _figure(
        {
            "Pædagog": [20, 20],
            "Assistent": [9, 9],
            "Hjælper": [8, 8],
            "Leder": [7, 7],
            "Sygeplejerske": [0, 0],  # none
            "Psykolog": [None, None],  # hidden everywhere
            "Terapeut": [None, 6],
            "Vikar": [5, None],
        },
        total=[52, 62],
    )
    lines = _points(charts.spec(_headcount_chart(figure)))
    assert set(lines) == {"Pædagog", "Assistent", "Hjælper", "Leder", "Terapeut", OTHERS}
    # 2020: the rest is Sygeplejerske 0, Psykolog .. and Vikar 5 = 8 -> Psykolog 3 could be worked out: left out.
    # 2021: Terapeut (a line) is shown; the rest, 12, holds two hidden groups: shown.
    assert lines[OTHERS] == {"2021": 12}
    figure.total.cells[1].value = 53  # 2021: the two hidden groups together are only 3
    assert OTHERS not in _points(charts.spec(_headcount_chart(figure)))


def test_the_trainee_paragraph_uses_the_imported_statistics(world: World, many_groups: None) -> None:
    norddjurs = world.dolmer.municipality
    assert "Der er ikke registreret elever" in _text(_item("municipality:0707", user=world.coordinator))
    for year, value in ((2023, 137), (2024, 156)):
        WorkforceStatistic.objects.create(
            municipality=norddjurs,
            year=year,
            job_group=JobGroup.SOSU_ASSISTANT,
            metric=WorkforceStatistic.Metric.STUDENTS,
            value=value,
            source="Personalepolitisk redegørelse",
        )
    text = _text(_item("municipality:0707", user=world.coordinator))
    assert "Der er ikke registreret elever" not in text
    assert (
        "Styrbords personaledata har ingen elever, studerende eller praktikanter registreret i perioden, men den "
        "importerede HR-statistik viser 137 elever og studerende i 2023 og 156 i 2024." in text
    )


def test_the_postings_table_keeps_numbers_and_does_not_promise_counts_in_parentheses(world: World, staff: None) -> None:
    """Its note said "antal opslag i parentes" (the page's words) over a table without them: the
    document keeps numbers, for its appendix, and says only what the figures are."""
    from styrbord.reports.documents.workbook import render_xlsx

    item = _item("municipality:0707", user=world.coordinator)
    table = next(t for t in item.tables() if t.caption == "Ansøgere pr. stillingsopslag")
    assert "parentes" not in table.note
    rows = {cells[0]: cells[1:] for _, cells in table.formatted_rows()}
    assert rows["Sygeplejerske"][-1] == "6,0"
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(item)))
    cells = [v for row in book[table.sheet_name].iter_rows(min_row=2, values_only=True) for v in row[1:] if v]
    values = [v for v in cells if v not in ("–", "..")]  # no postings that year; hidden
    assert values
    assert all(isinstance(v, int | float) for v in values), values


# --- symbols, trainees, shares and sheet names ------------------------------------------------------------------


def test_a_job_group_with_no_one_is_a_dash_in_every_table_and_hidden_only_where_small(
    world: World, staff: None
) -> None:
    """Nurses were 0 in the headcount, "–" in the age table and ".." in the part-time table for the same
    empty years: "–" is no one (and no age or share of no one), ".." only a small number withheld."""
    for i in range(6):
        person = factories.employee(birth_year=1990 + i)
        factories.employment(person, world.dolmer, job_group=JobGroup.SUBSTITUTE, start_date=dt.date(2023, 2, 1))
    item = _item("municipality:0707", user=world.coordinator)
    tables = {t.caption: t for t in item.tables()}
    label = "Vikar"
    for caption in (
        "Medarbejdere pr. faggruppe",
        "Gennemsnitsalder pr. faggruppe (år)",
        "Andel deltidsansatte (under 37 timer)",
        "Årsværk pr. faggruppe",
    ):
        cells = {row[0]: row[1:] for _, row in tables[caption].formatted_rows()}[label]
        assert cells[:3] == ["–", "–", "–"], (caption, cells)  # 2020-2022: no substitutes yet
        assert ".." not in cells[:3]
        assert "Tegnforklaring:" in tables[caption].note
        assert "– = ingen" in tables[caption].note
    assert "»–« betyder, at der ingen er" in _text(item)
    # The appendix keeps the count a number: 0, not a dash.
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(item)))
    row = next(r for r in book["Medarbejdere"].iter_rows(values_only=True) if r[0] == label)
    assert row[1:4] == (0, 0, 0)


def test_the_trainee_sentence_says_which_years_are_hidden_and_why(world: World, staff: None) -> None:
    """ "kan ikke vises for de valgte tilbud" stood over a table of 0, 0, 0, 0 and "..": two SOSU trainees
    came in 2024, fewer than five."""
    item = _item("municipality:0707", user=world.coordinator)
    assert (
        "Uddannelses- og praktikpladser: Der var ingen elever, studerende eller praktikanter i 2020-2023. Antallet "
        "i 2024 kan ikke vises, fordi der var færre end 5 (små tal)."
    ) in _text(item)
    table = next(t for t in item.tables() if t.caption == "Elever, studerende og praktikanter")
    assert table.formatted_rows()[-1][1] == ["I alt", "–", "–", "–", "–", ".."]
    assert "kan ikke vises for de valgte tilbud" not in _text(item)


def test_the_text_writes_shares_as_the_tables_do(world: World, staff: None) -> None:
    item = _item("municipality:0707", user=world.coordinator)
    text = _text(item)
    part_time = next(t for t in item.tables() if t.caption.startswith("Andel deltidsansatte"))
    latest = part_time.formatted_rows()[-1][1][-1]
    assert latest.endswith(" %")
    assert f"{latest} af alle ansatte i Norddjurs Kommune var deltidsansatte i 2024." in text
    assert "pct." not in text


def test_every_appendix_sheet_has_a_short_whole_name(world: World, staff: None) -> None:
    """The names were the captions cut at 31 characters mid-word ("Andel deltidsansatte (under 37 ")."""
    item = _item("municipality:0707", user=world.coordinator)
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(item)))
    assert book.sheetnames == [
        "Oplysninger",
        "Medarbejdere",
        "Alder",
        "Ansøgere",
        "Deltid",
        "Elever",
        "Årsværk",
        "Uddannelse",
        "Specialisering",
    ]
    assert book["Deltid"]["A1"].value == "Faggruppe"
    assert book["Deltid"]["B1"].value == "2020 (%)"


def test_the_meeting_date_from_the_form_stands_above_the_heading(world: World, staff: None) -> None:
    """'Mødedato' was offered for every document type, and only the release paper wrote it: a
    committee item now names its meeting in the label above the heading, in Word too."""
    options = {"committee": "Socialudvalget", "meeting_date": "13-01-2027"}
    item = services.build_document(
        services.make_request("workforce", "municipality:0707", "2024", options, world.coordinator)
    )
    assert item.title_label == "Socialudvalget · møde 13-01-2027"
    document = docx.Document(io.BytesIO(render_docx(item)))
    assert "Socialudvalget · møde 13-01-2027" in "\n".join(p.text for p in document.paragraphs)
    assert _item("municipality:0707", user=world.coordinator).title_label == "Sagsfremstilling"

    with pytest.raises(ReportError, match="Ukendt mødedato 13/01"):
        services.build_document(
            services.make_request(
                "workforce", "municipality:0707", "2024", {"meeting_date": "13/01"}, world.coordinator
            )
        )
