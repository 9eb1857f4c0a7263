"""Danish figures exactly as the committee documents write them, in every renderer."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import openpyxl
from django.utils import translation

from styrbord.reports.documents.html import render_html_fragment
from styrbord.reports.documents.structure import CellKind, Column, CommitteeItem, Section, Table
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx

EXPECTED = ["Dolmer Have", "572.449 kr.", "1,022 mio. kr.", "0,700 mio. kr.", "18-12-2024"]


def _item() -> CommitteeItem:
    table = Table.of(
        [
            Column("Tilbud"),
            Column("Forbrug", CellKind.KR),
            Column("Tilsagn", CellKind.MIO, 3),
            Column("Frigivet", CellKind.MIO, 3),
            Column("Besluttet", CellKind.DATE),
        ],
        [["Dolmer Have", Decimal("572449.00"), Decimal("1022000.00"), Decimal("700000.00"), dt.date(2024, 12, 18)]],
        caption="Tal",
        sheet_name="Tal",
    )
    return CommitteeItem(heading="Tal", municipality="Norddjurs Kommune", sections=[Section("Tal").add(table)])


def test_table_cells_are_formatted_as_the_documents_write_them() -> None:
    table = _item().tables()[0]
    assert table.formatted_rows()[0][1] == EXPECTED


def test_the_word_file_holds_the_same_figures_in_any_site_language() -> None:
    with translation.override("en"):
        document = docx.Document(io.BytesIO(render_docx(_item())))
    cells = [c.text.replace("\xa0", " ") for t in document.tables for c in t.rows[1].cells]
    assert cells == EXPECTED


def test_the_preview_holds_the_same_figures() -> None:
    html = str(render_html_fragment(_item())).replace("\xa0", " ")
    for expected in EXPECTED:
        assert expected in html, expected


def test_the_appendix_holds_numbers_and_a_date_not_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(_item())))
    header, row = list(book["Tal"].iter_rows(values_only=True))
    assert header == ("Tilbud", "Forbrug (kr.)", "Tilsagn (kr.)", "Frigivet (kr.)", "Besluttet")
    assert row == ("Dolmer Have", 572449, 1022000, 700000, dt.datetime(2024, 12, 18))
    assert book["Tal"]["B2"].number_format == "#,##0.00"


def test_the_appendix_writes_shares_to_one_decimal_under_a_per_cent_heading() -> None:
    table = Table.of(
        [Column("Tilbud"), Column("Andel", CellKind.PERCENT, 1), Column("Deltid (%)", CellKind.PERCENT, 1)],
        [["Dolmer Have", Decimal("68.49315068493150684931506849"), 75.0]],
        caption="Andele",
        sheet_name="Andele",
    )
    item = CommitteeItem(heading="Andele", municipality="Norddjurs Kommune", sections=[Section("Andele").add(table)])
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(item)))
    header, row = list(book["Andele"].iter_rows(values_only=True))
    assert header == ("Tilbud", "Andel (%)", "Deltid (%)")
    assert row == ("Dolmer Have", 68.5, 75)
    assert book["Andele"]["B2"].number_format == "#,##0.0"
    assert book["Andele"]["C2"].number_format == "#,##0.0"


def test_short_text_cells_keep_to_one_line_and_long_ones_wrap() -> None:
    """Table 1 of the status item wrapped "38 af 129" and "Under målet" onto two lines each."""
    table = Table.of(
        [Column("Kompetencekrav"), Column("Opfylder"), Column("Status")],
        [["Vedligeholdelsestræning i konflikthåndtering hver 12. måned", "38 af 129", "Under målet"]],
        caption="Dækning",
        sheet_name="Dækning",
    )
    item = CommitteeItem(heading="Dækning", municipality="Norddjurs Kommune", sections=[Section("Dækning").add(table)])
    html = str(render_html_fragment(item))
    assert '<td class="short">38 af 129</td>' in html
    assert '<td class="short">Under målet</td>' in html
    assert '<th scope="row">Vedligeholdelsestræning' in html  # the first column wraps
