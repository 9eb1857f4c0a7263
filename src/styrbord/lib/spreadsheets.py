"""The shared spreadsheet writer: XLSX (XlsxWriter, constant memory) and CSV from row iterators.

Every cell that starts with = + - @ (or a tab/CR) is written as text, so an exported name or
comment can never run as a formula in Excel (spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

import xlsxwriter
from django.utils.translation import gettext as _

from styrbord.lib.dates import to_local
from styrbord.lib.formatting import format_number

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31  # Excel's limit


def unique_sheet_name(wanted: str, used: set[str], fallback: str = "Ark") -> str:
    r"""A worksheet name Excel accepts (at most 31 characters, none of []:*?/\), unique in the
    workbook whatever its case ("Tabel", "Tabel (2)"); ``used`` holds the names taken, lower-cased,
    and gets this one. A name too long is cut between words ("Andel deltidsansatte (under 37
    timer)" -> "Andel deltidsansatte"), never inside one unless a single word is that long."""
    base = " ".join(_BAD_SHEET_CHARS.sub(" ", wanted).split()) or fallback
    name, n = _shorten(base, SHEET_NAME_LENGTH), 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = _shorten(base, SHEET_NAME_LENGTH - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


# What a shortened name may not end with: a space, a comma, a dash, an opening bracket ...
_DANGLING = " ,;:-–—(&+"


def _shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at the last word boundary that fits, without
    a dangling comma, dash or unclosed parenthesis ("Elever, studerende og praktikanter" ->
    "Elever, studerende og"). A first word longer than ``limit`` (or one that would leave less
    than half the room used) is cut inside the word instead."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rfind(" ")  # a space right after the limit keeps the last word whole
    short = text[:cut].rstrip(_DANGLING) if cut > 0 else ""
    if short.count("(") > short.count(")"):
        # An unclosed parenthesis: drop the part it opened ("... (under 37" -> "...").
        before = short[: short.rfind("(")].rstrip(_DANGLING)
        short = before if len(before) >= limit // 2 else short
    if len(short) < limit // 2:
        short = text[:limit].rstrip(_DANGLING) or text[:limit]
    return short


def neutralise(value: Any) -> Any:
    """Return ``value`` unchanged unless it is a string a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One worksheet: a title, column headers and a row iterator (consumed once).

    Without ``column_widths`` each column is as wide as its header and values as Excel shows them
    (``fitted_widths``)."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    money_columns: set[int] = field(default_factory=set)
    column_widths: Sequence[int] | None = None


# Column widths fitted to the content, in Excel's units (the width of a digit): the header and the
# values of the first MEASURED_ROWS rows as Excel shows them, plus a margin, within MIN_WIDTH and
# MAX_WIDTH. Longer text wraps at MAX_WIDTH. The rows measured are held back while measuring (the
# rest stream as before), so a 100.000-row export costs no more than a short one to measure.
MEASURED_ROWS = 2000
MIN_WIDTH, MAX_WIDTH, WIDTH_MARGIN = 8, 60, 2
HEADER_BOLD = 1.1  # bold header text is about a tenth wider than plain


def _places(value: Decimal) -> int:
    """The decimals a number cell shows (at most 4): 75 -> 0, 66.7 -> 1, 13.6216 -> 4."""
    exponent = value.as_tuple().exponent
    return min(-exponent, 4) if isinstance(exponent, int) and exponent < 0 else 0


def _shown_length(value: Any, money: bool, numbers: dict[tuple[int, bool, int], int]) -> int:
    """How many characters Excel shows for a cell ``write_xlsx`` writes: the longest line of a text,
    a date as dd-mm-yyyy, money as 322.000,00. ``numbers`` caches a number's length by its digits
    before the comma, its sign and its decimals (formatting every number would be slow)."""
    if type(value) is str:
        return max(map(len, value.split("\n"))) if "\n" in value else len(value)
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5  # SAND / FALSK, TRUE / FALSE
    if isinstance(value, Decimal):
        places = 2 if money else _places(value)
        key = (value.adjusted(), value.is_signed(), places)
        if key not in numbers:
            numbers[key] = len(format_number(value, places))
        return numbers[key]
    if isinstance(value, int):
        return len(str(value))  # Excel's General format: no thousands separator
    if isinstance(value, dt.datetime):
        return 16  # dd-mm-yyyy hh:mm
    if isinstance(value, dt.date):
        return 10  # dd-mm-yyyy
    text = str(value)
    return max(map(len, text.split("\n"))) if "\n" in text else len(text)


def fitted_widths(headers: Sequence[str], rows: Iterable[Sequence[Any]], money_columns: set[int]) -> list[float]:
    """The width each column needs for its bold header and its values as shown, plus a margin, at
    least MIN_WIDTH; above MAX_WIDTH the caller caps it and wraps the text."""
    longest = [math.ceil(len(str(header)) * HEADER_BOLD) for header in headers]
    numbers: dict[tuple[int, bool, int], int] = {}
    for row in rows:
        if len(row) > len(longest):
            longest += [0] * (len(row) - len(longest))
        for c, value in enumerate(row):
            length = _shown_length(value, c in money_columns, numbers)
            if length > longest[c]:
                longest[c] = length
    return [max(MIN_WIDTH, length + WIDTH_MARGIN) for length in longest]


@overload
def write_xlsx(sheets: Sequence[Sheet], target: None = None) -> bytes: ...


@overload
def write_xlsx(sheets: Sequence[Sheet], target: io.BufferedIOBase | str) -> None: ...


def write_xlsx(sheets: Sequence[Sheet], target: io.BufferedIOBase | str | None = None) -> bytes | None:
    """Write sheets to XLSX, streaming rows (constant memory). Returns bytes when no target is given.

    Strings are written with ``write_string`` so nothing is ever evaluated; Decimals are written as
    numbers with a Danish money format; dates as dates. Columns fit their content unless the sheet
    gives ``column_widths``.
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
    header_style = {"bold": True, "bg_color": "#EEF2F7", "bottom": 1}
    header_fmt = workbook.add_format(header_style)
    header_wrap_fmt = workbook.add_format({**header_style, "text_wrap": True})
    # A column capped at MAX_WIDTH wraps its text (cells without a format of their own take it).
    wrap_fmt = workbook.add_format({"text_wrap": True})
    money_fmt = workbook.add_format({"num_format": "#,##0.00"})
    number_formats: dict[int, Any] = {}

    def number_fmt(value: Decimal) -> Any:
        # The decimals the value has (75 -> "75", 66.7 -> "66,7", 13.6216 -> "13,6216"): "#,##0.##"
        # showed a whole number with a dangling comma ("75,") in Excel and LibreOffice.
        places = _places(value)
        if places not in number_formats:
            pattern = "#,##0" + ("." + "0" * min(places, 2) + "#" * max(0, places - 2) if places else "")
            number_formats[places] = workbook.add_format({"num_format": pattern})
        return number_formats[places]

    date_fmt = workbook.add_format({"num_format": "dd-mm-yyyy"})
    # A moment keeps its time of day (Copenhagen time): "07-12-2026 09:15".
    datetime_fmt = workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name[:31])
        headers = [str(header) for header in sheet.headers]
        rows: Iterable[Sequence[Any]] = sheet.rows
        given = list(sheet.column_widths or [])
        widths: list[float] = list(given)
        if len(given) < len(headers):
            # Measure the first rows (held back, then written first) for the columns not given.
            rows = iter(rows)
            measured = list(itertools.islice(rows, MEASURED_ROWS))
            widths += fitted_widths(headers, measured, sheet.money_columns)[len(given) :]
            rows = itertools.chain(measured, rows)
        # Set before any row is written: constant_memory writes a row with its columns' formats.
        wrapped = {col for col, width in enumerate(widths) if col >= len(given) and width > MAX_WIDTH}
        for col, width in enumerate(widths):
            if col in wrapped:
                ws.set_column(col, col, MAX_WIDTH, wrap_fmt)
            else:
                ws.set_column(col, col, width)
        for col, header in enumerate(headers):
            ws.write_string(0, col, header, header_wrap_fmt if col in wrapped else header_fmt)
        ws.freeze_panes(1, 0)
        write_string, money_columns = ws.write_string, sheet.money_columns
        for r, row in enumerate(rows, start=1):
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
        writer.writerow([csv_value(v) for v in row])
    return out.getvalue()


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # "Ja"/"Nej" as the pages write it, not Python's True/False
        return str(_("Ja") if value else _("Nej"))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return str(neutralise(str(value)))
