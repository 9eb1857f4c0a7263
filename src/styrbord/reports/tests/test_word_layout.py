"""Tables in the Word file stay whole with their caption and source note: a note was separated from
its table by a page break, and a header row could stand alone at the foot of a page. Read back from
the DOCX (its paragraph and row properties) and from LibreOffice's PDF of it, page by page."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
from docx.oxml.ns import qn

from styrbord.reports.documents.structure import (
    CellKind,
    Column,
    CommitteeItem,
    Paragraph,
    Row,
    RowKind,
    Section,
    Table,
)
from styrbord.reports.documents.word import render_docx
from styrbord.reports.tests.conftest import docx_to_pdf, require_tool, save_page_images

TABLES = 12
ROWS = 8


def _item() -> CommitteeItem:
    """Tables of eight rows between paragraphs of varying length, so they fall at every height of a page."""
    section = Section("Tabeller")
    for k in range(1, TABLES + 1):
        lines = 2 + (k * 7) % 9  # 2-10 lines of text before each table
        section.add(Paragraph(" ".join(["Tekst før tabellen, som fylder en del af siden."] * lines * 2)))
        rows = [Row([f"Række {k:02d}-{j}", 1000 * j + k]) for j in range(1, ROWS + 1)]
        rows.append(Row([f"I alt {k:02d}", sum(1000 * j + k for j in range(1, ROWS + 1))], RowKind.TOTAL))
        section.add(
            Table(
                columns=[Column("Modtager"), Column("Beløb (kr.)", CellKind.AMOUNT)],
                rows=rows,
                caption=f"Tabel nummer {k:02d}",
                note=f"Kildenote {k:02d}.",
            )
        )
    return CommitteeItem(heading="Sidebrud omkring tabeller", municipality="Norddjurs Kommune", sections=[section])


def _pages(pdf: Path) -> list[str]:
    tool = require_tool("pdftotext")
    text = subprocess.run([tool, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
    return text.decode().split("\f")


def test_caption_rows_and_source_note_keep_together_on_one_page(tmp_path: Path, soffice_profile: Path) -> None:
    content = render_docx(_item())
    pdf = docx_to_pdf(content, tmp_path, soffice_profile, "sidebrud")
    pages = _pages(pdf)
    assert len(pages) > 3  # the tables do cross page ends
    for k in range(1, TABLES + 1):
        parts = (f"Tabel nummer {k:02d}", f"Række {k:02d}-1", f"I alt {k:02d}", f"Kildenote {k:02d}.")
        where = {part: [n for n, page in enumerate(pages) if part in page] for part in parts}
        on = {n for part in parts for n in where[part]}
        assert len(on) == 1, (k, where)  # caption, first and last row and the note on one page
    save_page_images(pdf, "word-keep-together")


def test_the_word_properties_that_keep_a_table_together(tmp_path: Path) -> None:
    document = docx.Document(io.BytesIO(render_docx(_item())))
    captions = [p for p in document.paragraphs if p.text.startswith("Tabel ")]
    assert len(captions) == TABLES
    assert all(p.paragraph_format.keep_with_next for p in captions)
    for table in document.tables:
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None  # the header row repeats on a new page
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None  # no row split over two pages
            # Every row keeps with the next, the last with the source note under it.
            assert all(p.paragraph_format.keep_with_next for cell in row.cells for p in cell.paragraphs)
    notes = [p for p in document.paragraphs if p.text.startswith("Kildenote ")]
    assert len(notes) == TABLES


def test_a_table_longer_than_a_page_starts_under_its_caption(tmp_path: Path, soffice_profile: Path) -> None:
    """Kept together row by row, a 90-row table cannot fit a page: LibreOffice then left its caption alone
    on a page of its own. A long table keeps only its head (caption, header, first rows) and its tail."""
    section = Section("Lang").add(" ".join(["Indledning til en lang tabel."] * 60))
    rows = [Row([f"Linje {i:03d}", i]) for i in range(1, 91)]
    section.add(Table(columns=[Column("Navn"), Column("Antal", CellKind.NUMBER)], rows=rows, caption="Lang tabel"))
    content = render_docx(CommitteeItem(heading="Lang tabel", municipality="Norddjurs Kommune", sections=[section]))
    pages = _pages(docx_to_pdf(content, tmp_path, soffice_profile, "lang"))
    caption = next(n for n, page in enumerate(pages) if "Tabel 1: Lang tabel" in page)
    assert caption == 0  # under the introduction, not pushed to a page of its own
    assert "Linje 001" in pages[caption]
    assert "Linje 002" in pages[caption]
    document = docx.Document(io.BytesIO(content))
    keeps = [all(p.paragraph_format.keep_with_next for p in row.cells[0].paragraphs) for row in document.tables[0].rows]
    assert keeps[:4] == [True, True, True, False]  # header and first two rows with the next
    assert keeps[-3:] == [True, True, False]  # the last rows together; no note to keep with
