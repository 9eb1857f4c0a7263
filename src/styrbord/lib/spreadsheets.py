"""The shared spreadsheet writer: XLSX (XlsxWriter, constant memory) and CSV from row iterators.

Every cell that starts with = + - @ (or a tab/CR) is written as text, so an exported name or
comment can never run as a formula in Excel (spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

import xlsxwriter
from django.utils.translation import gettext as _

from styrbord.lib.dates import to_local

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31  # Excel's limit


def unique_sheet_name(wanted: str, used: set[str], fallback: str = "Ark") -> str:
    r"""A worksheet name Excel accepts (at most 31 characters, none of []:*?/\), unique in the
    workbook whatever its case ("Tabel", "Tabel (2)"); ``used`` holds the names taken, lower-cased,
    and gets this one."""
    base = _BAD_SHEET_CHARS.sub(" ", wanted).strip()[:SHEET_NAME_LENGTH] or fallback
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def neutralise(value: Any) -> Any:
    """Return ``value`` unchanged unless it is a string a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One worksheet: a title, column headers and a row iterator (consumed once)."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    money_columns: set[int] = field(default_factory=set)
    column_widths: Sequence[int] | None = None


@overload
def write_xlsx(sheets: Sequence[Sheet], target: None = None) -> bytes: ...


@overload
def write_xlsx(sheets: Sequence[Sheet], target: io.BufferedIOBase | str) -> None: ...


def write_xlsx(sheets: Sequence[Sheet], target: io.BufferedIOBase | str | None = None) -> bytes | None:
    """Write sheets to XLSX, streaming rows (constant memory). Returns bytes when no target is given.

    Strings are written with ``write_string`` so nothing is ever evaluated; Decimals are written as
    numbers with a Danish money format; dates as dates.
    """
    buffer = io.BytesIO() if target is None else None
    # constant_memory writes each row to a temp file as soon as the next starts.
    workbook = xlsxwriter.Workbook(
        buffer if buffer is not None else target,
        {
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    header_fmt = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "bottom": 1})
    money_fmt = workbook.add_format({"num_format": "#,##0.00"})
    number_formats: dict[int, Any] = {}

    def number_fmt(value: Decimal) -> Any:
        # The decimals the value has (75 -> "75", 66.7 -> "66,7", 13.6216 -> "13,6216"): "#,##0.##"
        # showed a whole number with a dangling comma ("75,") in Excel and LibreOffice.
        exponent = value.as_tuple().exponent
        places = min(-exponent, 4) if isinstance(exponent, int) and exponent < 0 else 0
        if places not in number_formats:
            pattern = "#,##0" + ("." + "0" * min(places, 2) + "#" * max(0, places - 2) if places else "")
            number_formats[places] = workbook.add_format({"num_format": pattern})
        return number_formats[places]

    date_fmt = workbook.add_format({"num_format": "dd-mm-yyyy"})
    # A moment keeps its time of day (Copenhagen time): "07-12-2026 09:15".
    datetime_fmt = workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name[:31])
        for col, header in enumerate(sheet.headers):
            ws.write_string(0, col, str(header), header_fmt)
            width = sheet.column_widths[col] if sheet.column_widths else max(10, min(40, len(str(header)) + 2))
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        write_string, money_columns = ws.write_string, sheet.money_columns
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row):
                # Plain text is most cells: written here, without the type dispatch (export speed).
                if type(value) is str:
                    if value:
                        write_string(r, c, "'" + value if value.startswith(FORMULA_PREFIXES) else value)
                    continue
                _write_cell(ws, r, c, value, c in money_columns, money_fmt, number_fmt, (date_fmt, datetime_fmt))
    workbook.close()
    return buffer.getvalue() if buffer is not None else None


def _write_cell(
    ws: Any,
    r: int,
    c: int,
    value: Any,
    money: bool,
    money_fmt: Any,
    number_fmt: Callable[[Decimal], Any],
    date_formats: tuple[Any, Any],
) -> None:
    if value is None or (isinstance(value, str) and not value):
        ws.write_blank(r, c, None)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, Decimal):
        # XlsxWriter stores numbers as IEEE doubles, as Excel itself does; 2-place amounts round-trip.
        ws.write_number(r, c, value, money_fmt if money else number_fmt(value))
    elif isinstance(value, int):
        ws.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        local = to_local(value) if value.tzinfo is not None else value  # stored in UTC, read in Copenhagen
        ws.write_datetime(r, c, local.replace(tzinfo=None), date_formats[1])
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_formats[0])
    else:
        ws.write_string(r, c, str(neutralise(str(value))))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV the way Danish Excel opens it: semicolons, decimal comma, BOM added by the caller if needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # "Ja"/"Nej" as the pages write it, not Python's True/False
        return str(_("Ja") if value else _("Nej"))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return str(neutralise(str(value)))
