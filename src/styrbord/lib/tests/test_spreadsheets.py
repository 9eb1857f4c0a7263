"""Exports are read back with openpyxl: values survive and formulas never run."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from styrbord.lib.spreadsheets import Sheet, write_csv, write_xlsx


def test_formula_like_cells_are_written_as_text_and_values_survive() -> None:
    rows = [
        ['=HYPERLINK("http://x")', Decimal("1234.50"), dt.date(2024, 12, 18), 3],
        ["+45 12 34", Decimal("0.01"), None, 0],
        ["@SUM(A1)", Decimal("-5.00"), dt.date(2025, 1, 1), 7],
        ["Dolmer Have", Decimal("700000.00"), dt.date(2027, 12, 31), 1],
    ]
    data = write_xlsx([Sheet("Test", ["Navn", "Beløb", "Dato", "Antal"], iter(rows), money_columns={1})])
    assert data is not None
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0][0] == '\'=HYPERLINK("http://x")'
    assert ws.cell(row=2, column=1).data_type == "s"
    assert values[1][0] == "'+45 12 34"
    assert values[2][0] == "'@SUM(A1)"
    assert values[3] == ["Dolmer Have", 700000, dt.datetime(2027, 12, 31), 1]
    assert values[0][1] == 1234.5


def test_csv_uses_semicolons_and_decimal_commas() -> None:
    text = write_csv(["Navn", "Beløb"], [["-1+1", Decimal("127.03")]])
    assert text == "Navn;Beløb\r\n'-1+1;127,03\r\n"


def test_a_number_shows_the_decimals_it_has_and_no_dangling_comma() -> None:
    """75 as "75" (not "75,"), a share as "66,7", an FTE to four places; money always with øre."""
    values = [Decimal("75"), Decimal("66.7"), Decimal("13.6216"), Decimal("0.25"), Decimal("1.5")]
    sheet = Sheet("Tal", ["Tal", "Beløb"], [[v, Decimal("75")] for v in values], money_columns={1})
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])))
    formats = [(row[0].number_format, row[1].number_format) for row in book["Tal"].iter_rows(min_row=2)]
    assert formats == [
        ("#,##0", "#,##0.00"),
        ("#,##0.0", "#,##0.00"),
        ("#,##0.00##", "#,##0.00"),
        ("#,##0.00", "#,##0.00"),
        ("#,##0.0", "#,##0.00"),
    ]
    assert [row[0].value for row in book["Tal"].iter_rows(min_row=2)] == [75, 66.7, 13.6216, 0.25, 1.5]


def test_csv_writes_yes_and_no_as_the_pages_do() -> None:
    """A coordinator's Excel shows "Ja"/"Nej" (English: "Yes"/"No"), not Python's True/False."""
    from django.utils import translation

    assert write_csv(["Kontaktperson"], [[True], [False]]) == "Kontaktperson\r\nJa\r\nNej\r\n"
    with translation.override("en"):
        assert write_csv(["Contact"], [[True]]) == "Contact\r\nYes\r\n"


def test_a_sheet_name_is_one_excel_takes_and_unique_in_its_workbook() -> None:
    """One helper for every workbook (committee appendix, workforce, personal data): 31 characters,
    none of []:*?/\\, and a second "Tabel" (in any case) is "Tabel (2)"."""
    from styrbord.lib.spreadsheets import unique_sheet_name

    used: set[str] = set()
    assert unique_sheet_name("Ansøgere pr. stillingsopslag [2026]: Holbæk/Norddjurs", used) == (
        "Ansøgere pr. stillingsopslag"
    )
    assert unique_sheet_name("Tabel", used) == "Tabel"
    assert unique_sheet_name("tabel", used) == "tabel (2)"
    assert unique_sheet_name("***", used, fallback="Tabel") == "Tabel (3)"
    long = "Specialiserede kontaktpersoner i alt"
    assert unique_sheet_name(long, used) == "Specialiserede kontaktpersoner"
    assert unique_sheet_name(long, used) == "Specialiserede (2)"
    assert all(len(name) <= 31 for name in used)


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        # The workforce tables' titles: cut between words, not "Andel deltidsansatte (under 37 ".
        ("Andel deltidsansatte (under 37 timer)", "Andel deltidsansatte"),
        ("Elever, studerende og praktikanter", "Elever, studerende og"),
        ("Relevant uddannelse, pædagogisk - faglært", "Relevant uddannelse, pædagogisk"),
        ("Medarbejdere med relevant uddannelse i alt", "Medarbejdere med relevant"),
        # A space right after the 31st character: the last word is whole.
        ("Specialiserede kontaktpersoner: i alt", "Specialiserede kontaktpersoner"),
        ("Kort navn", "Kort navn"),
        ("  Tabel   [2026]  ", "Tabel 2026"),
        # One word longer than the limit is cut inside it.
        ("Kontaktpersonsordningsevalueringsrapporten", "Kontaktpersonsordningsevaluerin"),
        ("Om Kontaktpersonsordningsevalueringsrapporten", "Om Kontaktpersonsordningsevalue"),
    ],
)
def test_a_long_sheet_name_is_cut_between_words(wanted: str, expected: str) -> None:
    from styrbord.lib.spreadsheets import unique_sheet_name

    name = unique_sheet_name(wanted, set())
    assert name == expected
    assert len(name) <= 31
    assert name == name.strip()
    assert not name.endswith((",", "-", "(", ":"))


def test_a_second_long_sheet_name_is_cut_between_words_before_its_number() -> None:
    from styrbord.lib.spreadsheets import unique_sheet_name

    used: set[str] = set()
    names = [unique_sheet_name("Andel deltidsansatte (under 37 timer) pr. faggruppe", used) for _ in range(3)]
    assert names == ["Andel deltidsansatte", "Andel deltidsansatte (2)", "Andel deltidsansatte (3)"]
    word = "Kontaktpersonsordningsevalueringsrapporten"
    assert unique_sheet_name(word, used) == word[:31]
    assert unique_sheet_name(word, used) == word[:27] + " (2)"


def _widths(ws: Any) -> dict[str, float]:
    """Column letter -> width as stored (XlsxWriter writes neighbours of one width as one range)."""
    from openpyxl.utils import get_column_letter

    widths = {}
    for dim in ws.column_dimensions.values():
        for col in range(dim.min, dim.max + 1):
            widths[get_column_letter(col)] = dim.width
    return widths


COURSE = "Vedligeholdelsestræning i konflikthåndtering (temadag) – Glesborg januar 2027"
JOB = "Omsorgs-/pædagogmedhjælper (ufaglært)"


def test_columns_fit_their_values_as_shown_not_only_their_header() -> None:
    """A "Kursus" column was 10,7 wide for a 77-character title, "Beløb" just fitted "322.000,00"."""
    rows = [
        ["Dolmer Have", JOB, Decimal("322000.00"), dt.date(2026, 1, 2), Decimal("66.7"), 7, "Ja"],
        ["Glesborg", "Pædagog", Decimal("1234567.5"), dt.date(2027, 1, 2), Decimal("13.6216"), 123456, "Nej"],
    ]
    headers = ["Tilbud", "Stilling", "Beløb", "Dato", "Andel", "Antal", "Kontaktperson"]
    sheet = Sheet("Test", headers, iter(rows), money_columns={2})
    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])))["Test"]
    widths = _widths(ws)
    assert len(JOB) + 1 < widths["B"] <= len(JOB) + 4  # the job title, not the header "Stilling"
    assert len("Dolmer Have") + 1 < widths["A"] <= len("Dolmer Have") + 4
    assert len("1.234.567,50") + 1 < widths["C"] <= len("1.234.567,50") + 4  # money as shown
    assert len("02-01-2026") + 1 < widths["D"] <= len("02-01-2026") + 4
    assert 8 <= widths["E"] <= 11  # "13,6216" and the header "Andel": the minimum width
    assert len("Kontaktperson") + 1 < widths["G"] <= len("Kontaktperson") + 5  # the (bold) header
    assert ws["A2"].value == "Dolmer Have"  # the measured rows are still written, in order
    assert [ws["A3"].value, ws["B3"].value] == ["Glesborg", "Pædagog"]


def test_long_text_wraps_at_the_widest_column() -> None:
    text = "Meget lang bemærkning " * 10
    sheet = Sheet("Kurser", ["Kursus", "Note", "Navn"], [[COURSE, text, "Anne"]])
    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])))["Kurser"]
    widths = _widths(ws)
    assert 60 <= widths["A"] <= 61  # the 77-character course title: capped, and wrapped
    assert 60 <= widths["B"] <= 61
    assert ws["A2"].alignment.wrap_text
    assert ws["B2"].alignment.wrap_text
    assert ws["A2"].value == COURSE
    assert not ws["C2"].alignment.wrap_text
    assert 8 <= widths["C"] < 9


def test_widths_the_caller_gives_are_kept() -> None:
    sheet = Sheet("Om", ["Felt", "Værdi"], [["Krav", COURSE * 2]], column_widths=[14, 80])
    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])))["Om"]
    widths = _widths(ws)
    assert 14 <= widths["A"] < 15
    assert 80 <= widths["B"] < 81
    assert not ws["B2"].alignment.wrap_text


def test_a_long_export_is_measured_on_its_first_rows_and_written_whole() -> None:
    """100.000-row exports stay cheap: the first MEASURED_ROWS rows set the widths, all are written."""
    from styrbord.lib.spreadsheets import MEASURED_ROWS

    count = MEASURED_ROWS + 500
    rows = ([f"Medarbejder {i}", Decimal(i)] for i in range(count - 1))
    late = ["Et meget langt navn, der først kommer efter de målte rækker", Decimal("1")]
    sheet = Sheet("Mange", ["Navn", "Beløb"], itertools.chain(rows, [late]), money_columns={1})
    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])), read_only=True)["Mange"]
    values = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(values) == count
    assert values[0] == ("Medarbejder 0", 0)
    assert values[MEASURED_ROWS] == (f"Medarbejder {MEASURED_ROWS}", MEASURED_ROWS)
    assert values[-1][0] == late[0]
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx([Sheet("Mange", ["Navn"], [[late[0]]])])))
    assert _widths(book["Mange"])["A"] > len(late[0])  # measured when among the first rows


def test_the_personnel_export_first_column_fits_the_longest_job_group() -> None:
    """/personale/eksport.xlsx: its first column was 11,7 wide for "Omsorgs-/pædagogmedhjælper (ufaglært)"."""
    sheet = Sheet("Medarbejdere", ["Faggruppe", "Dolmer Have"], [[JOB, 12], ["Pædagog", ".."]])
    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet])))["Medarbejdere"]
    assert _widths(ws)["A"] > len(JOB) + 1
