"""The two XLSX readers: calamine for formula-free workbooks, openpyxl when there are formulas.

Both must give the same header, row numbers and cell texts for the same workbook, so which one
reads a file never changes what is imported or where an error is reported.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from styrbord.staff.importing import reading
from styrbord.staff.importing.errors import IssueList
from styrbord.staff.importing.reading import FileUnreadableError, SourceFile, Table, has_formulas, open_table
from styrbord.staff.tests.test_import_support import FILES


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, *, force_openpyxl: bool) -> tuple[Table, list, IssueList]:
    warnings = IssueList()
    with monkeypatch.context() as patch:
        if force_openpyxl:
            patch.setattr(reading, "has_formulas", lambda _path: True)
        table = open_table(SourceFile(path.name, path), warnings)
        rows = list(table.rows)
    return table, rows, warnings


def _messy_workbook(path: Path) -> None:
    """Data from B3 (two blank rows, a blank column), every cell type an HR export has."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Ansatte"
    sheet.append([])
    sheet.append([])
    sheet.append([None, "Medarbejdernr", "Navn", "Timer", "Ansat fra", "Stempel", "Kontakt", "Fødselsår", "Tom"])
    sheet.append([None, "A-1", "Åse Ærø Østergård", 37, dt.date(2020, 2, 1), dt.datetime(2024, 5, 6, 7, 30), True])
    sheet.append([])  # a blank line in the middle keeps its number
    sheet.append([None, "A-2", "  Bo  ", 29.6, dt.datetime(2019, 12, 31), None, False, 1970, None])
    cell = sheet.cell(row=7, column=3, value="=1+1 er tekst")
    cell.data_type = "s"  # text that looks like a formula, stored as a string
    sheet.cell(row=7, column=2, value="A-3")
    sheet.cell(row=7, column=4, value=312.75)
    workbook.save(path)


def test_calamine_and_openpyxl_read_a_formula_free_workbook_alike(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ansatte.xlsx"
    _messy_workbook(path)
    assert not has_formulas(path)

    fast, fast_rows, fast_warnings = _read(path, monkeypatch, force_openpyxl=False)
    slow, slow_rows, slow_warnings = _read(path, monkeypatch, force_openpyxl=True)

    assert (fast.headers, fast.header_row) == (slow.headers, slow.header_row)
    assert fast.header_row == 3
    assert fast.headers[1:3] == ["Medarbejdernr", "Navn"]
    assert [(n, [c for c in cells if c]) for n, cells in fast_rows] == [
        (n, [c for c in cells if c]) for n, cells in slow_rows
    ]
    assert [(n, [c for c in cells if c]) for n, cells in fast_rows] == [
        (4, ["A-1", "Åse Ærø Østergård", "37", "2020-02-01", "2024-05-06T07:30:00", "1"]),
        (6, ["A-2", "  Bo  ", "29,6", "2019-12-31", "0", "1970"]),
        (7, ["A-3", "=1+1 er tekst", "312,75"]),
    ]
    # Text that starts with "=" is flagged the same way by both readers.
    assert [(w.row, w.column, w.value) for w in fast_warnings] == [(7, "Navn", "=1+1 er tekst")]
    assert [(w.row, w.column, w.value) for w in slow_warnings] == [(7, "Navn", "=1+1 er tekst")]


def test_a_workbook_with_a_formula_is_read_by_openpyxl_as_formula_text(monkeypatch) -> None:
    path = FILES / "generic_formula.xlsx"
    assert has_formulas(path)
    assert not has_formulas(FILES / "generic.xlsx")
    calamine_used = []
    monkeypatch.setattr(reading, "_calamine_rows", lambda *a: calamine_used.append(a) or (iter(()), lambda: None))

    table = open_table(SourceFile(path.name, path), IssueList())

    rows = list(table.rows)

    assert not calamine_used
    assert any("=1+1" in cells for _, cells in rows)


def _zip_with_sheet(path: Path, xml: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    return path


@pytest.mark.parametrize(
    ("xml", "found"),
    [
        (b'<c r="A1"><f>1+1</f><v>2</v></c>', True),
        (b'<x:c r="A1"><x:f t="shared" ref="A1:A9" si="0">B1*2</x:f></x:c>', True),
        (b'<c r="A1"><f t="shared" si="0"/></c>', True),
        (b'<autoFilter><filterColumn colId="0"/></autoFilter><c r="A1" t="s"><v>0</v></c>', False),
        # The tag straddles the 1 MiB read boundary.
        (b" " * ((1 << 20) - 2) + b"<f>1+1</f>", True),
        # ... split between "<" and "f", and a prefixed one split between ":" and "f".
        (b" " * ((1 << 20) - 1) + b"<f>1+1</f>", True),
        (b" " * ((1 << 20) - 3) + b"<x:f>1+1</x:f>", True),
        # "<f" and ":f" occur, but not as a formula element.
        (b'<c r="A1" t="s"><v>0</v></c><formula1>1</formula1><x:fill/>', False),
    ],
)
def test_formulas_are_found_in_the_worksheet_markup(tmp_path: Path, xml: bytes, found: bool) -> None:
    assert has_formulas(_zip_with_sheet(tmp_path / "x.xlsx", xml)) is found


def test_a_broken_formula_free_workbook_is_refused_with_the_usual_message(tmp_path: Path) -> None:
    path = _zip_with_sheet(tmp_path / "broken.xlsx", b"<worksheet><sheetData><row><c")

    def read_all() -> list:
        return list(open_table(SourceFile(path.name, path), IssueList()).rows)

    with pytest.raises(FileUnreadableError) as info:
        read_all()

    assert "gyldig XLSX-fil" in info.value.msgid


@pytest.mark.parametrize("force_openpyxl", [False, True])
def test_a_number_cell_with_three_decimals_is_not_read_as_danish_thousands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force_openpyxl: bool
) -> None:
    """A typed 28.125 is twenty-eight and a bit, whatever the text heuristics say of "28.125"."""
    from decimal import Decimal

    from styrbord.lib.formatting import parse_decimal

    path = tmp_path / "timer.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Medarbejdernr", "Timer", "Timeløn"])
    workbook.active.append(["A-1", 28.125, 312.125])
    workbook.save(path)
    _table, rows, _warnings = _read(path, monkeypatch, force_openpyxl=force_openpyxl)
    assert rows == [(2, ["A-1", "28,125", "312,125"])]
    assert [parse_decimal(text) for text in rows[0][1][1:]] == [Decimal("28.125"), Decimal("312.125")]


def _cell_by_cell(rows):  # type: ignore[no-untyped-def]
    return [[reading._cell_text(value) for value in row] for row in rows]


def test_cells_converted_column_by_column_read_as_cell_by_cell() -> None:
    """A chunk of rows is converted column by column, each distinct value once: the texts must be
    those of converting every cell by itself, also where equal values of two types would read
    differently (True and 1, 1 and 1.0, a date and midnight of it) and rows differ in width."""
    import random

    rng = random.Random(7)
    values = [
        None, "", " x ", "=1+1", 0, 1, 37, True, False, 1.0, 37.5, 0.1 + 0.2, 1e-7, 12345678.9,
        dt.date(2020, 2, 1), dt.datetime(2020, 2, 1), dt.datetime(2024, 5, 6, 7, 30),
    ]  # fmt: skip
    same_type = [[rng.choice([1.5, 2.25, 37.0]) for _ in range(4)] for _ in range(50)]
    mixed = [[rng.choice(values) for _ in range(6)] for _ in range(200)]
    ragged = [[rng.choice(values) for _ in range(rng.randint(1, 6))] for _ in range(50)]
    for rows in (same_type, mixed, ragged, []):
        assert reading._texts_of_rows(rows) == _cell_by_cell(rows)


def test_a_workbook_read_in_small_chunks_reads_as_cell_by_cell(tmp_path: Path, monkeypatch) -> None:
    """The calamine reader takes the rows a chunk at a time: chunk edges, a formula-like cell and
    typed cells give the same rows and warnings as converting each cell by itself."""
    path = tmp_path / "ansatte.xlsx"
    _messy_workbook(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    for n in range(40):  # more rows than a chunk below, numbers and dates of both kinds
        sheet.append([None, f"B-{n}", f"Navn {n}", n % 3 or 37.5, dt.date(2021, 1, 1 + n % 28), None, n % 2 == 0])
    sheet.append([None, "C-1", None, 37])
    sheet.cell(sheet.max_row, 3).value = "=SUM(1)"
    sheet.cell(sheet.max_row, 3).data_type = "s"  # text that looks like a formula: flagged
    workbook.save(path)
    assert not has_formulas(path)  # read by calamine, a chunk at a time

    monkeypatch.setattr(reading, "_CONVERT_ROWS", 7)
    _table, chunked, chunked_warnings = _read(path, monkeypatch, force_openpyxl=False)
    monkeypatch.setattr(reading, "_texts_of_rows", _cell_by_cell)
    _table, reference, reference_warnings = _read(path, monkeypatch, force_openpyxl=False)

    assert chunked == reference
    assert len(chunked) > 40
    assert chunked_warnings.items == reference_warnings.items
    assert any("formel" in issue.msgid for issue in chunked_warnings.items)
