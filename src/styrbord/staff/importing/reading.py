"""Reading uploaded HR files safely: size and zip-bomb limits, encoding and delimiter sniffing.

A file becomes a ``Table``: its header row and an iterator of (row number, cells as text).
XLSX is read with calamine when the workbook holds no formulas (the usual HR export), otherwise
with openpyxl in read-only mode and ``data_only=False``: a formula cell comes back as its formula
text (e.g. "=1+1") and is flagged, it is never evaluated and its cached result is not trusted.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop
from openpyxl.utils.exceptions import InvalidFileException

from styrbord.staff.importing.errors import IssueList
from styrbord.staff.importing.values import normalise_header

# A legitimate XLSX sheet compresses well, but not this well; a zip bomb does.
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 2000
CSV_DELIMITERS = ";,\t|"
_SNIFF_LINES = 20


class FileUnreadableError(Exception):
    """The file cannot be read at all; ``msgid`` says why (in Danish, translated when shown)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        self.file = ""
        super().__init__(msgid)

    def at(self, file: str) -> FileUnreadableError:
        """Say which file (for errors found while its rows are being read)."""
        self.file = file
        return self


@dataclass
class SourceFile:
    """An uploaded or given file: the name the user knows it by, and where it is on disk."""

    name: str
    path: Path
    sheet: str = ""  # XLSX: the worksheet to read, by name; empty for the first
    # Column names (normalised) this kind of file is known by: among the title rows, a row with
    # two of them is the header, whatever the rule for unknown headers would pick (a two-cell
    # title "Kompetenceoversigt | Udtrukket 01-11-2026" over a three-column list).
    header_names: frozenset[str] = frozenset()


@dataclass
class Table:
    """The header and rows of one file. ``rows`` is consumed once."""

    file: str
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    formula_cells: list[tuple[int, str, str]] = field(default_factory=list)
    sheet: str = ""  # XLSX: the worksheet read
    sheets: list[str] = field(default_factory=list)  # XLSX: every worksheet, in the workbook's order
    close: Callable[[], None] = lambda: None  # for a reader that stops before the last row

    def column(self, index: int) -> str:
        return self.headers[index] if index < len(self.headers) else ""


def check_size(source: SourceFile) -> None:
    """Refuse a file larger than ``settings.UPLOAD_MAX_BYTES``."""
    size = source.path.stat().st_size
    limit = int(settings.UPLOAD_MAX_BYTES)
    if size > limit:
        raise FileUnreadableError(
            gettext_noop("Filen er for stor (%(size)s MB); den største tilladte størrelse er %(limit)s MB."),
            size=_mb(size),
            limit=_mb(limit),
        )
    if size == 0:
        raise FileUnreadableError(gettext_noop("Filen er tom."))


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def open_table(source: SourceFile, warnings: IssueList) -> Table:
    """Check limits and sniff the format; raises ``FileUnreadableError`` when the file cannot be used."""
    check_size(source)
    with source.path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(source, warnings)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadableError(
            gettext_noop("Det gamle Excel-format (.xls) kan ikke læses. Gem filen som .xlsx eller CSV.")
        )
    if source.name.lower().endswith((".xlsx", ".xlsm")):
        raise FileUnreadableError(gettext_noop("Filen er ikke en gyldig XLSX-fil (den er beskadiget eller afkortet)."))
    if head.startswith(b"%PDF"):
        raise FileUnreadableError(NOT_A_TABLE)
    return _open_csv(source, warnings)


# --- CSV ---------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Decode with the sniffed encoding: BOM, then strict UTF-8, then Windows-1252 vs ISO-8859-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _guess_single_byte(data)
    return data.decode(encoding), encoding


def _guess_single_byte(data: bytes) -> str:
    """Windows-1252 unless the bytes only make sense as ISO-8859-1 (C1 controls, undefined cp1252 bytes)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["cp1252", "latin_1"]).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in ("cp1252", "windows_1252"):
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return "latin-1" if guess in ("latin_1", "iso8859_1") else "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first lines: of ; , tab and |, the one that splits the most lines
    into the same number of fields (two or more), quotes honoured. So a title line above the
    header ("Medarbejdere pr. 01-11-2026"), a comma in a name ("Hansen, Ib") or Danish decimals
    ("37,0") do not decide it. Ties go to csv.Sniffer's choice, then to the order above."""
    lines = [line for line in text.splitlines()[: _SNIFF_LINES * 3] if line.strip()][:_SNIFF_LINES]
    if not lines:
        return ";"
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""

    def agreeing_lines(delimiter: str) -> int:
        widths = Counter(len(record) for record in csv.reader(lines, delimiter=delimiter))
        return max((n for width, n in widths.items() if width >= 2), default=0)

    scores = {d: agreeing_lines(d) for d in CSV_DELIMITERS}
    best = max(scores.values())
    if not best:
        return ";"
    tied = [d for d in CSV_DELIMITERS if scores[d] == best]
    return sniffed if sniffed in tied else tied[0]


NUL_IN_ROW = gettext_noop(
    "Række %(row)s indeholder et NUL-tegn (binære data). Filen er beskadiget; ret rækken, eller hent filen igen."
)


CSV_FORMULA = gettext_noop("Cellen begynder med »=« og er en formel i Excel; den er læst som tekst.")

# What a text file must be to be read at all: columns. Payroll systems write .csv and .txt with
# semicolons, commas or tabs; what is decided is the content, never the file name. A file none
# of whose first lines splits into two filled fields is prose (or a one-column list), not an
# export: refused here, before any upload of it is kept.
NOT_A_TABLE = gettext_noop(
    "Filen er hverken en XLSX-fil eller en CSV-/tekstfil med kolonner: ingen af de første linjer har to eller flere "
    "udfyldte felter adskilt af semikolon, komma, tabulator eller lodret streg."
)


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


def _open_csv(source: SourceFile, warnings: IssueList) -> Table:
    data = source.path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileUnreadableError(gettext_noop("Filen er hverken CSV eller XLSX (den indeholder binære data)."))
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise FileUnreadableError(gettext_noop("Filens tegnsæt kunne ikke genkendes.")) from None
    del data
    nul = text.find("\x00")
    if nul >= 0:  # past the first 4 KB: a damaged file (and PostgreSQL text cannot hold the character)
        raise FileUnreadableError(NUL_IN_ROW, row=text.count("\n", 0, nul) + 1)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        before = 0
        try:
            for record in reader:
                row_no = before + 1
                before = reader.line_num
                yield row_no, record
        except csv.Error as exc:
            raise FileUnreadableError(
                gettext_noop("CSV-filen kan ikke læses efter række %(row)s: %(reason)s"), row=before, reason=str(exc)
            ).at(source.name) from None

    records = numbered()
    found = _header_among(records, source.header_names)
    if found is None:
        raise FileUnreadableError(gettext_noop("Filen har ingen kolonneoverskrifter."))
    header_row, header_cells, replay = found
    if _filled(header_cells) < 2 and not any(_filled(cells) >= 2 for _, cells in replay):
        # The header is the first row when no row of the first HEADER_WINDOW has two filled
        # cells; then none has, and the text has no columns.
        raise FileUnreadableError(NOT_A_TABLE)
    headers = _clean_headers(header_cells)

    table = Table(file=source.name, headers=headers, header_row=header_row, rows=iter(()), kind="csv")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for row_no, record in itertools.chain(replay, records):
            joined = "\n".join(record)
            if not joined.strip():
                continue  # blank lines (and rows of empty cells) are skipped
            if joined.startswith("=") or "\n=" in joined:  # checked at C speed; the usual row has none
                for index, text in enumerate(record):
                    if text.startswith("="):
                        # Excel would run it as a formula when the file is opened: read as text, said.
                        warnings.add(source.name, row_no, table.column(index), text, CSV_FORMULA)
            yield row_no, record

    return Table(
        file=source.name,
        headers=headers,
        header_row=header_row,
        rows=rows(),
        kind="csv",
        encoding=encoding,
        delimiter=delimiter,
    )


# A report title ("Medarbejdere pr. 01-11-2026"), a date line or a label and its value
# ("Udtrukket:", "01-11-2026") often stand above the header of an HR export. The header is the
# first row filled more than half as wide as the widest of the first HEADER_WINDOW rows (and two
# cells or more), among the first TITLE_ROWS_MAX + 1 rows; the rows above it are titles.
# Otherwise (one column, or no such row) the first non-blank row is the header.
TITLE_ROWS_MAX = 5
HEADER_WINDOW = 10


def _header_among(
    rows: Iterator[tuple[int, list[str]]], known: frozenset[str] = frozenset()
) -> tuple[int, list[str], list[tuple[int, list[str]]]] | None:
    """(header's row number, header cells, rows read past the header to give back as data),
    from the first HEADER_WINDOW non-blank rows; the caller goes on with the same iterator.
    The first of the title rows naming two ``known`` columns is the header; otherwise the first
    row filled at least half as wide as the widest."""
    window: list[tuple[int, list[str], int]] = []
    for row_no, cells in rows:
        filled = sum(1 for cell in cells if cell.strip())
        if filled:
            window.append((row_no, cells, filled))
            if len(window) == HEADER_WINDOW:
                break
    if not window:
        return None
    widest = max(filled for _, _, filled in window)
    named = (
        i
        for i, (_, cells, _) in enumerate(window[: TITLE_ROWS_MAX + 1])
        if sum(1 for cell in cells if normalise_header(cell) in known) >= 2
    )
    at = next(named, None) if known else None
    if at is None:
        at = next(
            (i for i, (_, _, filled) in enumerate(window[: TITLE_ROWS_MAX + 1]) if filled >= 2 and 2 * filled > widest),
            0,
        )
    row_no, cells, _ = window[at]
    return row_no, cells, [(n, c) for n, c, _ in window[at + 1 :]]


def _clean_headers(record: list[str]) -> list[str]:
    headers = [cell.strip().lstrip("\ufeff") for cell in record]
    while headers and not headers[-1]:
        headers.pop()
    return headers


# --- XLSX --------------------------------------------------------------------------------------


def check_zip(path: Path) -> None:
    """Refuse an archive that is broken, has too many members or unpacks too far (zip bomb)."""
    limit = int(settings.UPLOAD_MAX_UNPACKED_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise FileUnreadableError(
            gettext_noop("Filen er ikke en gyldig XLSX-fil (den er beskadiget eller afkortet).")
        ) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileUnreadableError(gettext_noop("XLSX-filen indeholder for mange dele (%(count)s)."), count=len(members))
    total = sum(member.file_size for member in members)
    if total > limit:
        raise FileUnreadableError(
            gettext_noop("XLSX-filen fylder %(size)s MB udpakket; grænsen er %(limit)s MB."),
            size=_mb(total),
            limit=_mb(limit),
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise FileUnreadableError(
                gettext_noop(
                    "XLSX-filen er mistænkeligt stærkt komprimeret (%(name)s pakker %(ratio)s gange ud) og afvises."
                ),
                name=member.filename,
                ratio=member.file_size // max(member.compress_size, 1),
            )


@lru_cache(maxsize=8192)  # a sheet repeats the same hours, wages and years thousands of times
def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    # A typed number, written with a decimal comma: "28.125" would read as the Danish
    # 28.125 (twenty-eight thousand), "28,125" reads as what the cell holds.
    text = repr(value)
    if "e" in text:  # positional, not "1e-05": the import reads numbers as typed, never in exponent form
        text = format(Decimal(text), "f")
    return text.replace(".", ",")


def _datetime_text(value: dt.datetime) -> str:
    if value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat()


# Cell values by exact type (the types calamine and openpyxl give); _cell_text handles subclasses.
_CELL_TEXT: dict[type, Callable[[Any], str]] = {
    str: str,
    type(None): lambda value: "",
    bool: lambda value: "1" if value else "0",
    int: str,
    float: _float_text,
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
}


# Rows converted to text at a time (``_texts_of_rows``).
_CONVERT_ROWS = 2000


def _texts_of_rows(rows: Sequence[Sequence[Any]]) -> list[list[str]]:
    """Each row's cells as text (``_cell_text``), column by column: a column's distinct values are
    converted once each (a sheet repeats the same hours, wages and dates thousands of times). A
    column mixing two kinds of number or date (whose equal values could read differently, 1 and
    1.0 for one), rows of different widths or a value that cannot be a dict key are converted
    cell by cell."""
    if not rows:
        return []
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        return [[_cell_text(value) for value in row] for row in rows]
    columns: list[Sequence[str]] = []
    for column in zip(*rows, strict=True):
        kinds = set(map(type, column))
        kinds.discard(str)
        if not kinds:
            columns.append(column)
            continue
        try:
            texts = {value: _cell_text(value) for value in set(column)} if len(kinds) == 1 else None
        except TypeError:  # unhashable
            texts = None
        columns.append(list(map(texts.__getitem__, column)) if texts is not None else list(map(_cell_text, column)))
    return list(map(list, zip(*columns, strict=True)))


def _cell_text(value: object) -> str:
    """A cell's value as the text a user would type: numbers with a decimal comma, dates in ISO."""
    convert = _CELL_TEXT.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


_BROKEN_XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    EOFError,
    OSError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
)
_XLSX_OPEN_ERRORS: tuple[type[BaseException], ...] = (*_BROKEN_XLSX_ERRORS, InvalidFileException)


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the (already size-checked) archive holds a formula element.

    Streams each worksheet part through the decompressor and looks for ``<f>`` (or a prefixed
    ``<x:f>``); cell text cannot contain ``<``, so a match is always markup.
    """
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
                continue
            tail = b""
            with archive.open(member) as part:
                while chunk := part.read(1 << 20):
                    window = tail + chunk
                    # The regex only where a formula tag could start ("<f" or a prefixed ":f"):
                    # the substring tests run at memchr speed, the regex stops at every "<".
                    if (b"<f" in window or b":f" in window) and _FORMULA_TAG.search(window):
                        return True
                    tail = chunk[-64:]
    return False


def _open_xlsx(source: SourceFile, warnings: IssueList) -> Table:
    """The worksheet ``source.sheet`` names, or the first. Formula-free workbooks (the usual HR export) are read with calamine,
    which is many times faster; a workbook with formulas goes through openpyxl, which gives each
    formula's text so it can be flagged instead of trusting a cached result."""
    check_zip(source.path)
    broken = gettext_noop("Filen er ikke en gyldig XLSX-fil (den er beskadiget eller afkortet).")
    try:
        formulas = has_formulas(source.path)
    except _BROKEN_XLSX_ERRORS:
        raise FileUnreadableError(broken) from None
    table = Table(file=source.name, headers=[], header_row=0, rows=iter(()), kind="xlsx")
    if formulas:
        raw_rows, close_workbook, table.sheet, table.sheets = _openpyxl_rows(source, broken)
    else:
        raw_rows, close_workbook, table.sheet, table.sheets = _calamine_rows(source, broken)
    closed = False

    def close() -> None:
        """Close the workbook once: the rows close it when they end, a caller that reads only the
        header closes it itself (calamine refuses a second close)."""
        nonlocal closed
        if not closed:
            closed = True
            close_workbook()

    table.close = close

    def texts_of(raw: Sequence[Any]) -> list[str]:
        return [value if type(value) is str else (_CELL_TEXT.get(type(value)) or _cell_text)(value) for value in raw]

    def flagged(out: list[str], row_no: int) -> list[str]:
        joined = "\n" + "\n".join(out)
        if "\x00" in joined:  # a cell written as _x0000_, which calamine decodes
            raise FileUnreadableError(NUL_IN_ROW, row=row_no).at(source.name)
        if "\n=" not in joined:
            return out  # no cell starts with "=" (checked at C speed; the usual case)
        for index, text in enumerate(out):
            if text.startswith("="):
                # A formula (or text that would become one in Excel): read as text, never
                # evaluated, and flagged so the user sees it.
                column = table.column(index) if table.headers else ""
                warnings.add(
                    source.name,
                    row_no,
                    column,
                    text,
                    gettext_noop("Cellen indeholder en formel; den er læst som tekst og ikke beregnet."),
                )
                table.formula_cells.append((row_no, column, text))
        return out

    try:
        # Rows read while looking for the header are flagged once the columns have names.
        found = _header_among(((row_no, texts_of(raw)) for row_no, raw in raw_rows), source.header_names)
    except _BROKEN_XLSX_ERRORS:
        close()
        raise FileUnreadableError(broken) from None
    if found is None:
        close()
        raise FileUnreadableError(gettext_noop("Filen har ingen kolonneoverskrifter."))
    table.header_row, header_cells, replay = found
    table.headers = _clean_headers(header_cells)
    flagged(header_cells, table.header_row)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in replay:
            yield number, flagged(cells, number)
        try:
            # A chunk of rows at a time, converted column by column (``_texts_of_rows``); then row
            # by row as before: a row after an unreadable one is never reached, and ``flagged``
            # goes over the rows only when the chunk holds a cell it would act on.
            while True:
                chunk: list[tuple[int, Sequence[Any]]] = []
                failure: BaseException | None = None
                try:
                    chunk.extend(itertools.islice(raw_rows, _CONVERT_ROWS))
                except _BROKEN_XLSX_ERRORS as exc:  # raised below, after the rows read before it
                    failure = exc
                texts = _texts_of_rows([raw for _, raw in chunk])
                joined = "\n" + "\n".join(itertools.chain.from_iterable(texts))
                plain = "\x00" not in joined and "\n=" not in joined
                for (number, _), cells in zip(chunk, texts, strict=True):
                    if not plain:
                        cells = flagged(cells, number)
                    if "".join(cells).strip():  # rows of empty cells are skipped
                        yield number, cells
                if failure is not None:
                    raise failure
                if len(chunk) < _CONVERT_ROWS:
                    break
        except _BROKEN_XLSX_ERRORS:
            raise FileUnreadableError(broken).at(source.name) from None
        finally:
            close()

    table.rows = rows()
    return table


# How far down a sheet sheet_headers looks for the header (blank rows included).
_PROBE_ROWS = 50


def sheet_headers(source: SourceFile) -> dict[str, list[str]]:
    """Each worksheet's header by sheet name, in the workbook's order, found as ``open_table``
    finds it but from only the first rows of each sheet (openpyxl streams them; calamine would
    load every sheet whole). Empty for a CSV, a one-sheet workbook or a file that cannot be read
    (``open_table`` then says why)."""
    import openpyxl
    import python_calamine

    unreadable: tuple[type[BaseException], ...] = (
        FileUnreadableError,
        python_calamine.CalamineError,
        *_XLSX_OPEN_ERRORS,
    )
    try:
        check_size(source)
        with source.path.open("rb") as handle:
            if not handle.read(4).startswith(b"PK\x03\x04"):
                return {}
        check_zip(source.path)
        names = python_calamine.CalamineWorkbook.from_path(str(source.path)).sheet_names
        if len(names) < 2:
            return {}
        workbook = openpyxl.load_workbook(source.path, read_only=True, data_only=False, keep_links=False)
    except unreadable:
        return {}
    headers: dict[str, list[str]] = {}
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(max_row=_PROBE_ROWS, values_only=True)
            found = _header_among(
                ((n, [_cell_text(v) for v in row]) for n, row in enumerate(rows, start=1)), source.header_names
            )
            headers[sheet.title] = _clean_headers(found[1]) if found else []
    except _BROKEN_XLSX_ERRORS:
        return {}
    finally:
        workbook.close()
    return headers


def sheet_where(source: SourceFile, accepts: Callable[[list[str]], bool]) -> SourceFile:
    """The source, set to the first worksheet whose header ``accepts``, when it is a workbook of
    several sheets with none chosen and the first is not accepted (a payroll or HR workbook often
    opens with a cover or summary sheet). Unchanged otherwise: when no sheet is accepted the
    first is read, and its errors say what it lacks."""
    if source.sheet:
        return source
    headers = sheet_headers(source)
    names = list(headers)
    if not names or accepts(headers[names[0]]):
        return source
    return next((replace(source, sheet=name) for name in names[1:] if accepts(headers[name])), source)


RawRows = Iterator[tuple[int, Sequence[Any]]]
OpenedSheet = tuple[RawRows, Callable[[], None], str, list[str]]


def _sheet_named(wanted: str, names: list[str]) -> str:
    """The worksheet to read: ``wanted`` (its name, case and surrounding spaces aside), or the first."""
    if not names:
        raise ValueError("no worksheet")
    if not wanted:
        return names[0]
    for name in names:
        if name.strip().casefold() == wanted.strip().casefold():
            return name
    raise FileUnreadableError(
        gettext_noop("Arket %(sheet)s findes ikke i filen. Filens ark: %(sheets)s."),
        sheet=wanted,
        sheets=", ".join(names),
    )


def _openpyxl_rows(source: SourceFile, broken: str) -> OpenedSheet:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(source.path, read_only=True, data_only=False, keep_links=False)
    except _XLSX_OPEN_ERRORS:
        raise FileUnreadableError(broken) from None
    try:
        names = [sheet.title for sheet in workbook.worksheets]
        name = _sheet_named(source.sheet, names)
        # values_only: with data_only=False a formula cell's value is its formula text ("=1+1").
        row_iter = workbook[name].iter_rows(values_only=True)
    except FileUnreadableError:
        workbook.close()
        raise
    except _XLSX_OPEN_ERRORS:
        workbook.close()
        raise FileUnreadableError(broken) from None
    return enumerate(row_iter, start=1), workbook.close, name, names


def _calamine_rows(source: SourceFile, broken: str) -> OpenedSheet:
    import python_calamine

    errors: tuple[type[BaseException], ...] = (python_calamine.CalamineError, *_BROKEN_XLSX_ERRORS)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(source.path))
        names = [m.name for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        name = _sheet_named(source.sheet, names)
        sheet = workbook.get_sheet_by_name(name)
    except FileUnreadableError:
        raise
    except errors:
        raise FileUnreadableError(broken) from None

    def rows() -> RawRows:
        # iter_rows converts one row at a time (the header is found without converting the
        # rest). Its rows start at the sheet's first row, its columns at the first used column:
        # the columns left of that are put back, so list positions are the sheet's row and
        # column numbers.
        left = [""] * (sheet.start[1] if sheet.start else 0)
        try:
            if left:
                yield from enumerate((left + row for row in sheet.iter_rows()), start=1)
            else:
                yield from enumerate(sheet.iter_rows(), start=1)
        except python_calamine.CalamineError:
            raise ValueError("unreadable worksheet") from None

    return rows(), workbook.close, name, names
