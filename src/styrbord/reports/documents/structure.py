"""A committee document as plain data: what a municipality's case item (sagsfremstilling) is made of.

The same structure is rendered to Word (docxtpl), to HTML (browser preview and PDF through
WeasyPrint) and to an XLSX appendix with the figures behind the tables. Values in tables stay
raw (Decimal, int, date) until a renderer formats them with ``lib.formatting``, so the XLSX
appendix holds numbers, not text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import translation

from styrbord.lib import formatting

# Committee documents are Danish whatever language the person ordering them reads the site in:
# a document filled with "DKK 1.022 million" or "18 Dec 2024" could not go to a Danish committee.
DOCUMENT_LANGUAGE = formatting.RECORD_LANGUAGE


def in_document_language() -> translation.override:
    """Build or render a document in Danish (numbers, dates and labels alike)."""
    return formatting.in_record_language()


class CaseType(StrEnum):
    """Sagstype, as the committee's agenda names it."""

    INFORMATION = "Orienteringssag"
    DECISION = "Beslutningssag"
    DISCUSSION = "Drøftelsessag"


class Access(StrEnum):
    """Whether the item is on the open or the closed part of the agenda."""

    OPEN = "Åben sag"
    CLOSED = "Lukket sag"


class DocumentKind(StrEnum):
    """A committee item (sagsfremstilling) or a note (notat) to the committee."""

    ITEM = "item"
    NOTE = "note"


class CellKind(StrEnum):
    """How a column's raw values are written in the document."""

    TEXT = "text"
    KR = "kr"  # 572.449 kr.
    AMOUNT = "amount"  # 572.449 (kroner; the column label says "(kr.)")
    MIO = "mio"  # 1,022 mio. kr.
    MIO_NUMBER = "mio_number"  # 3,0 (the table's caption says "mio. kr.")
    NUMBER = "number"  # 1.234 or 50,6 with places
    PERCENT = "percent"  # 44 %
    DATE = "date"  # 18-12-2024


@dataclass(frozen=True)
class Column:
    """A table column: its label, how its values are formatted and how many decimals."""

    label: str
    kind: CellKind = CellKind.TEXT
    places: int = 0
    # How a 0 reads in the document, when not as a number: "–" for "no one" in a count of people (as
    # Danmarks Statistik writes it); the XLSX appendix keeps the 0.
    zero: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind not in (CellKind.TEXT, CellKind.DATE)

    def format(self, value: Any) -> str:
        """The value as the document shows it (Danish numbers and dates)."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            return value
        if self.zero and self.numeric and not isinstance(value, bool) and value == 0:
            return self.zero
        if self.kind == CellKind.KR:
            return formatting.format_kr(value, self.places)
        if self.kind == CellKind.AMOUNT:
            return formatting.format_number(Decimal(value), self.places)
        if self.kind == CellKind.MIO:
            return formatting.format_mio(value, self.places or 3)
        if self.kind == CellKind.MIO_NUMBER:
            return formatting.format_number(Decimal(value) / Decimal(1_000_000), self.places)
        if self.kind == CellKind.NUMBER:
            return formatting.format_number(Decimal(str(value)), self.places)
        if self.kind == CellKind.PERCENT:
            return formatting.format_percent(Decimal(str(value)), self.places)
        if self.kind == CellKind.DATE:
            return formatting.format_date(value)
        return str(value)


class RowKind(StrEnum):
    """Normal rows, group headings inside a table ("Etableringsudgifter") and totals ("I alt")."""

    NORMAL = "normal"
    GROUP = "group"
    TOTAL = "total"


@dataclass
class Row:
    """One table row; a group row has only its first cell."""

    cells: list[Any]
    kind: RowKind = RowKind.NORMAL


@dataclass
class Table:
    """A table with a caption ("Økonomi (mio. kr.)") and an optional source note."""

    columns: list[Column]
    rows: list[Row]
    caption: str = ""
    note: str = ""
    sheet_name: str = ""
    number: int = 0  # set by CommitteeItem.number_blocks(): "Tabel 1"
    # Tables read together (an initiative's Økonomi and Personale) share a key: they get the same
    # column widths, so their year columns line up.
    align: str = ""

    @property
    def display_caption(self) -> str:
        if not self.caption:
            return ""
        return f"Tabel {self.number}: {self.caption}" if self.number else self.caption

    @classmethod
    def of(cls, columns: list[Column], rows: list[list[Any]], **kwargs: Any) -> Table:
        return cls(columns=columns, rows=[Row(list(r)) for r in rows], **kwargs)

    def formatted_rows(self) -> list[tuple[RowKind, list[str]]]:
        """Every row's cells as display text, padded to the number of columns."""
        result: list[tuple[RowKind, list[str]]] = []
        for row in self.rows:
            if row.kind == RowKind.GROUP:
                result.append((row.kind, [str(row.cells[0])] + [""] * (len(self.columns) - 1)))
                continue
            cells = [col.format(row.cells[i]) if i < len(row.cells) else "" for i, col in enumerate(self.columns)]
            result.append((row.kind, cells))
        return result


@dataclass
class Chart:
    """A chart embedded as a PNG image (rendered once from its Vega-Lite spec)."""

    title: str
    png: bytes
    alt: str = ""
    width_cm: float = 15.0
    spec: dict[str, Any] | None = None
    number: int = 0  # set by CommitteeItem.number_blocks(): "Figur 1"

    @property
    def display_caption(self) -> str:
        if not self.title:
            return ""
        return f"Figur {self.number}: {self.title}" if self.number else self.title


@dataclass
class Paragraph:
    """A paragraph of case text; ``lead`` is an italic lead-in ("Antallet af ansatte:")."""

    text: str
    lead: str = ""


@dataclass
class BulletList:
    """A list of short points, as the documents use for topics and initiatives."""

    items: list[str]


@dataclass
class SubHeading:
    """An italic sub-heading inside a section ("Socialområdet")."""

    text: str


Block = Paragraph | BulletList | Table | Chart | SubHeading


@dataclass
class Section:
    """A heading and its blocks, in order."""

    heading: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block | str) -> Section:
        for block in blocks:
            self.blocks.append(Paragraph(block) if isinstance(block, str) else block)
        return self

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]


@dataclass
class Decision:
    """The decision block, left for the secretary: "Beslutning i <udvalg> den <dato>"."""

    body: str
    date: dt.date | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        when = formatting.format_date(self.date) if self.date else "__-__-____"
        return f"Beslutning i {self.body} den {when}"


@dataclass
class CommitteeItem:
    """A committee item (sagsfremstilling) or note, as the seed documents are built.

    Order in the rendered document: heading, case number and access, route, case type,
    summary, case sections, economic consequences, legal basis, recommendations, decision,
    appendices.
    """

    heading: str
    municipality: str
    department: str = ""
    kind: DocumentKind = DocumentKind.ITEM
    label: str = ""  # the small line above the heading; default: the committee, or "Notat"
    case_number: str = ""
    access: Access = Access.OPEN
    case_type: CaseType = CaseType.DECISION
    route: str = ""
    committee: str = ""
    meeting_date: dt.date | None = None  # the committee's meeting, in the label above the heading
    document_date: dt.date | None = None
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    economy: Section | None = None
    legal_basis: str = ""
    recommender: str = "Administrationen"
    recommendations: list[str] = field(default_factory=list)
    decision: Decision | None = None
    appendices: list[str] = field(default_factory=list)
    # Figures behind the document that are not in its tables (for the XLSX appendix).
    extra_sheets: list[Table] = field(default_factory=list)
    document_type: str = ""
    file_stem: str = "dokument"

    @property
    def title_label(self) -> str:
        """The small label above the heading: the committee for an item, "Notat" for a note."""
        if self.label:
            return self.label
        if self.kind == DocumentKind.NOTE:
            return "Notat"
        label = self.committee or "Sagsfremstilling"
        if self.meeting_date is not None:
            label += f" · møde {formatting.format_date(self.meeting_date, DOCUMENT_LANGUAGE)}"
        return label

    def all_sections(self) -> list[Section]:
        return [*self.sections, *([self.economy] if self.economy else [])]

    def tables(self) -> list[Table]:
        """Every table in the document, in reading order, then the extra sheets."""
        found = [t for s in self.all_sections() for t in s.tables]
        return [*found, *self.extra_sheets]

    def charts(self) -> list[Chart]:
        return [c for s in self.all_sections() for c in s.charts]

    def number_blocks(self) -> None:
        """Number captioned tables and figures in reading order (Tabel 1, Figur 1, ...)."""
        tables = [t for s in self.all_sections() for t in s.tables if t.caption]
        for n, table in enumerate(tables, start=1):
            table.number = n
        for n, chart in enumerate((c for c in self.charts() if c.title), start=1):
            chart.number = n
