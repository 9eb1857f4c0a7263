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
from styrbord.lib.formatting import format_datetime
from styrbord.lib.spreadsheets import Sheet, unique_sheet_name, write_xlsx
from styrbord.reports.documents.structure import CellKind, CommitteeItem, RowKind, Table, in_document_language

_MILLIONS = re.compile(r"mio\. kr\.", re.IGNORECASE)
_MONEY_KINDS = (CellKind.KR, CellKind.AMOUNT, CellKind.MIO, CellKind.MIO_NUMBER)


def _raw(value: Any, kind: CellKind) -> Any:
    if kind in _MONEY_KINDS and isinstance(value, (int, Decimal)):
        return Decimal(value)
    if kind == CellKind.PERCENT and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        # A share in per cent to one decimal (68.5), as the document shows it; the heading says "(%)".
        return Decimal(str(value)).quantize(Decimal("0.1"))
    return value


def _rows(table: Table) -> Iterator[Sequence[Any]]:
    for row in table.rows:
        if row.kind == RowKind.GROUP:
            yield [row.cells[0]]
            continue
        yield [_raw(v, c.kind) for v, c in zip(row.cells, table.columns, strict=False)]


def _header(label: str, kind: CellKind, in_millions: bool) -> str:
    """Money columns say "(kr.)"; a label column's "(mio. kr.)" becomes "(kr.)", as the sheet holds kroner;
    per-cent columns say "(%)"."""
    if in_millions:
        label = _MILLIONS.sub(lambda m: "Kr." if m.group(0)[0].isupper() else "kr.", label)
    if kind in _MONEY_KINDS and label and "kr." not in label:
        return f"{label} (kr.)"
    if kind == CellKind.PERCENT and label and "%" not in label:
        return f"{label} (%)"
    return label


def table_sheet(table: Table, used: set[str]) -> Sheet:
    """One table as a worksheet; money columns say "(kr.)" and hold exact kroner, per-cent columns "(%)"."""
    in_millions = any(c.kind in (CellKind.MIO, CellKind.MIO_NUMBER) for c in table.columns)
    headers = [_header(c.label, c.kind, in_millions) for c in table.columns]
    money = {i for i, c in enumerate(table.columns) if c.kind in _MONEY_KINDS}
    widths = [max(14, min(48, len(str(h)) + 4)) for h in headers]
    if widths:
        widths[0] = max(widths[0], 32)
    return Sheet(
        name=unique_sheet_name(table.sheet_name or table.caption or "Tabel", used, fallback="Tabel"),
        headers=headers,
        rows=_rows(table),
        money_columns=money,
        column_widths=widths,
    )


def render_xlsx(item: CommitteeItem, parameters: dict[str, str] | None = None) -> bytes:
    """The appendix workbook: an "Oplysninger" sheet about the document, then one sheet per table."""
    with in_document_language():
        return _render_xlsx(item, parameters)


def _render_xlsx(item: CommitteeItem, parameters: dict[str, str] | None) -> bytes:
    item.number_blocks()
    used: set[str] = set()
    about: list[list[Any]] = [
        ["Dokument", item.heading],
        ["Kommune", item.municipality],
        ["Sagsnummer", item.case_number],
        ["Dannet", format_datetime(local_now())],
    ]
    about += [[label, value] for label, value in (parameters or {}).items()]
    sheets = [
        Sheet(
            name=unique_sheet_name("Oplysninger", used), headers=["Felt", "Værdi"], rows=about, column_widths=[22, 80]
        )
    ]
    sheets += [table_sheet(t, used) for t in item.tables()]
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()
