"""The XLSX appendix: the figures behind a document's tables, as numbers (not formatted text).

Written through ``lib.spreadsheets.write_xlsx`` (streaming, formula injection neutralised).
Amounts shown in millions in the document are written in whole kroner here, so a reader can
add them up exactly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from styrbord.lib.dates import local_now
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.reports.documents.structure import CellKind, CommitteeItem, RowKind, Table

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MONEY_KINDS = (CellKind.KR, CellKind.AMOUNT, CellKind.MIO, CellKind.MIO_NUMBER)


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", wanted).strip()[:31] or "Tabel"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _raw(value: Any, kind: CellKind) -> Any:
    if kind in _MONEY_KINDS and isinstance(value, (int, Decimal)):
        return Decimal(value)
    return value


def _rows(table: Table) -> Iterator[Sequence[Any]]:
    for row in table.rows:
        if row.kind == RowKind.GROUP:
            yield [row.cells[0]]
            continue
        yield [_raw(v, c.kind) for v, c in zip(row.cells, table.columns, strict=False)]


def table_sheet(table: Table, used: set[str]) -> Sheet:
    """One table as a worksheet; money columns say "(kr.)" and hold exact kroner."""
    headers = [
        f"{c.label} (kr.)" if c.kind in _MONEY_KINDS and c.label and "kr." not in c.label else c.label
        for c in table.columns
    ]
    money = {i for i, c in enumerate(table.columns) if c.kind in _MONEY_KINDS}
    widths = [max(14, min(48, len(str(h)) + 4)) for h in headers]
    if widths:
        widths[0] = max(widths[0], 32)
    return Sheet(
        name=_sheet_name(table.sheet_name or table.caption or "Tabel", used),
        headers=headers,
        rows=_rows(table),
        money_columns=money,
        column_widths=widths,
    )


def render_xlsx(item: CommitteeItem, parameters: dict[str, str] | None = None) -> bytes:
    """The appendix workbook: an "Oplysninger" sheet about the document, then one sheet per table."""
    item.number_blocks()
    used: set[str] = set()
    about: list[list[Any]] = [
        ["Dokument", item.heading],
        ["Kommune", item.municipality],
        ["Sagsnummer", item.case_number],
        ["Dannet", local_now().strftime("%d-%m-%Y %H:%M")],
    ]
    about += [[label, value] for label, value in (parameters or {}).items()]
    sheets = [
        Sheet(name=_sheet_name("Oplysninger", used), headers=["Felt", "Værdi"], rows=about, column_widths=[22, 80])
    ]
    sheets += [table_sheet(t, used) for t in item.tables()]
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()
