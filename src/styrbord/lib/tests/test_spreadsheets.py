"""Exports are read back with openpyxl: values survive and formulas never run."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

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
        "Ansøgere pr. stillingsopslag  2"
    )
    assert unique_sheet_name("Tabel", used) == "Tabel"
    assert unique_sheet_name("tabel", used) == "tabel (2)"
    assert unique_sheet_name("***", used, fallback="Tabel") == "Tabel (3)"
    long = "Specialiserede kontaktpersoner i alt"
    assert unique_sheet_name(long, used) == long[:31]
    assert unique_sheet_name(long, used) == long[:27] + " (2)"
    assert all(len(name) <= 31 for name in used)
