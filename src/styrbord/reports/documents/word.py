"""Render a CommitteeItem to Word through a docxtpl template (the default or a municipality's own).

The template holds the fixed outline and the letterhead; the body of each section (paragraphs,
tables, charts) is built as a sub-document with the template's own styles, so a municipality's
fonts and headings apply to everything. Templates are rendered in a sandboxed Jinja environment:
an uploaded template can use the placeholders, never reach Python objects.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from styrbord.lib import formatting
from styrbord.reports.documents.default_template import DEFAULT_TEMPLATE_PATH
from styrbord.reports.documents.structure import (
    BulletList,
    Chart,
    CommitteeItem,
    DocumentKind,
    Paragraph,
    RowKind,
    Section,
    SubHeading,
    Table,
    in_document_language,
)

# The placeholders a template may use (top-level names); loop variables come on top.
KNOWN_PLACEHOLDERS = frozenset(
    {
        "municipality",
        "department",
        "document_date",
        "title_label",
        "heading",
        "case_number",
        "access",
        "case_type",
        "case_line",
        "case_reference",
        "route",
        "committee",
        "is_note",
        "summary",
        "sections",
        "economy",
        "legal_basis",
        "recommender",
        "recommendations",
        "decision_heading",
        "decision_lines",
        "appendices",
    }
)

HEADER_FILL = "E8EDF3"
NBSP = "\u00a0"
# Units that must stay on the line of their number ("66,7 %", "0,700 mio. kr.", "572.449 kr.").
_KEEP_TOGETHER = re.compile(r"(?<=\d) (?=%|kr\.|mio\.|pct\.|årsværk)|(?<=mio\.) (?=kr\.)")


def typeset(text: str) -> str:
    """Non-breaking spaces between a figure and its unit, so a line never breaks inside an amount."""
    return _KEEP_TOGETHER.sub(NBSP, text)


RULE_COLOR = "1F3A5F"
GRID_COLOR = "BFC5CC"


class Fragment:
    """A piece of document body built with python-docx, inserted by a ``{{p name }}`` placeholder.

    Like docxtpl's Subdoc without a source file (so without docxcompose): the fragment shares
    the template's package part, so styles are the template's and images land in the output.
    """

    def __init__(self, tpl: DocxTemplate) -> None:
        self.doc = Document()
        self.doc._part = tpl.get_docx()._part  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.doc, name)

    def __html__(self) -> str:
        body = self.doc.element.body
        if body.sectPr is not None:
            body.remove(body.sectPr)
        return re.sub(r"</?w:body[^>]*>", "", etree.tostring(body, encoding="unicode", pretty_print=False))

    __str__ = __html__


def jinja_environment() -> SandboxedEnvironment:
    """The sandboxed, autoescaping environment every Word template is rendered in."""
    return SandboxedEnvironment(autoescape=True)


def _has_style(doc: Any, name: str) -> bool:
    try:
        doc.styles[name]
    except KeyError:
        return False
    return True


def _style(doc: Any, name: str) -> str:
    return name if _has_style(doc, name) else "Normal"


def _paragraph(sd: Fragment, block: Paragraph) -> None:
    p = sd.add_paragraph(style=_style(sd, "Normal"))
    if block.lead:
        lead = p.add_run(block.lead + " ")
        lead.italic = True
    p.add_run(typeset(block.text))


def _bullets(sd: Fragment, block: BulletList) -> None:
    has_bullet = _has_style(sd, "List Bullet")
    for item in block.items:
        text = typeset(item)
        sd.add_paragraph(text if has_bullet else f"• {text}", style="List Bullet" if has_bullet else "Normal")


def _cell_borders(cell: Any, **edges: tuple[str, int, str]) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for edge, (val, size, color) in edges.items():
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), val)
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), color)
        borders.append(element)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


SHORT_PHRASE = 14  # characters: a text column whose cells are all this short is never wrapped


def _cm(chars: int) -> float:
    """Roughly how wide a run of characters is at 9,5 pt, with the cell's padding."""
    return 0.2 * chars + 0.6


TEXT_WIDTH_CM = 16.3  # the body width of the default template's A4 page


def _column_widths(table: Table, total_cm: float = TEXT_WIDTH_CM, companions: Sequence[Table] = ()) -> list[float]:
    """Numeric columns as wide as their longest figure; text columns get the rest, never narrower than
    their longest word (so a header like "Opfylder" is not split in two). ``companions``: tables laid
    out with this one (the same ``align`` key and number of columns), measured together so every one
    gets the same widths."""
    tables = [table, *(t for t in companions if t is not table and len(t.columns) == len(table.columns))]
    rows = [cells for t in tables for kind, cells in t.formatted_rows() if kind != RowKind.GROUP]
    labels = [[t.columns[i].label for t in tables] for i in range(len(table.columns))]
    natural: list[float] = []
    minimum: list[float] = []
    numeric = [i > 0 and all(t.columns[i].numeric for t in tables) for i in range(len(table.columns))]
    for i in range(len(table.columns)):
        texts = labels[i] + [r[i] for r in rows]
        longest = max(len(t) for t in texts)
        if numeric[i]:
            width = min(3.4, max(1.6, _cm(longest)))
            natural.append(width)
            minimum.append(width)
        else:
            # Short phrases ("Under målet") stay on one line; long texts may wrap between words.
            longest_word = max((len(w) for t in texts for w in t.split()), default=4)
            keep = longest if longest <= SHORT_PHRASE else longest_word
            minimum.append(max(2.0, _cm(keep)))
            natural.append(max(minimum[-1], _cm(min(longest, 60))))
    text_cols = [i for i in range(len(natural)) if not numeric[i]]
    spare = total_cm - sum(natural)
    widths = list(natural)
    if spare >= 0:
        weight = sum(natural[i] for i in text_cols)
        for i in text_cols:
            widths[i] += spare * natural[i] / weight
    else:
        room = total_cm - sum(natural[i] for i in range(len(natural)) if numeric[i])
        wanted = sum(natural[i] for i in text_cols)
        for i in text_cols:
            widths[i] = max(minimum[i], natural[i] * room / wanted) if room > 0 else minimum[i]
        total = sum(widths)
        if total > total_cm:
            widths = [w * total_cm / total for w in widths]
    return widths


def column_layout(item: CommitteeItem, total_cm: float = TEXT_WIDTH_CM) -> dict[int, list[float]]:
    """Every table's column widths in cm (keyed by ``id(table)``), the tables of one ``align`` key
    measured together: the layout both Word and the PDF use."""
    groups: dict[str, list[Table]] = {}
    tables = [t for s in item.all_sections() for t in s.tables]
    for table in tables:
        if table.align:
            groups.setdefault(table.align, []).append(table)
    return {id(t): _column_widths(t, total_cm, groups.get(t.align, []) if t.align else []) for t in tables}


def _keep_with_next(paragraph: Any) -> None:
    """The paragraph stays on the page of the next one (set on the paragraph itself, so it holds in a
    municipality's own template whose styles lack it too)."""
    paragraph.paragraph_format.keep_with_next = True


def _cant_split(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


# A table estimated taller than this is not kept on one page as a whole (a chain of "keep with next"
# longer than a page makes LibreOffice leave the caption alone on a page): only its head and its tail.
KEEP_WHOLE_CM = 16.0
LINE_CM = 0.5  # a line of 9,5 pt table text with the cell's padding
KEPT_ROWS = 2  # rows kept with the header below it, and with the source note above it


def _height_cm(rows: list[tuple[RowKind, list[str]]], widths: list[float]) -> float:
    """Roughly how tall the table's body is: each row as many lines as its most wrapped cell."""
    total = 0.0
    for _kind, cells in rows:
        lines = max(
            (max(1, math.ceil(_cm(len(text)) / width)) for text, width in zip(cells, widths, strict=False)), default=1
        )
        total += lines * LINE_CM
    return total


def _kept_rows(rows: list[tuple[RowKind, list[str]]], widths: list[float], has_note: bool) -> set[int]:
    """The body rows (0-based) whose paragraphs keep with the next: every one of a table that fits on
    a page, else the first rows (with the header and caption above them) and those before the last
    (with the last row and the note). The last row keeps with the note only when there is one."""
    last = len(rows) - 1
    if _height_cm(rows, widths) <= KEEP_WHOLE_CM:
        kept = set(range(len(rows)))
    else:
        kept = set(range(min(KEPT_ROWS, len(rows)))) | set(range(max(0, last - KEPT_ROWS), last + 1))
    if not has_note:
        kept.discard(last)
    return kept


def _table(sd: Fragment, table: Table, widths: list[float] | None = None) -> None:
    """A captioned table and its source note, kept together: the caption with the table, the rows
    with each other (``_kept_rows``) and the last with the note, no row split over two pages, and the
    header row repeated on every page."""
    if table.caption:
        _keep_with_next(sd.add_paragraph(table.display_caption, style=_style(sd, "Tabeltitel")))
    rows = table.formatted_rows()
    word_table = sd.add_table(rows=len(rows) + 1, cols=len(table.columns))
    word_table.alignment = WD_TABLE_ALIGNMENT.LEFT
    word_table.autofit = False
    cell_style = _style(sd, "Tabeltekst")
    widths = widths or _column_widths(table)
    for col, width in zip(word_table.columns, widths, strict=True):
        col.width = Cm(width)  # the grid: LibreOffice lays out by it, Word by the cell widths
    rule = ("single", 8, RULE_COLOR)
    thin = ("single", 4, GRID_COLOR)
    kept = _kept_rows(rows, widths, bool(table.note))

    def fill(cell: Any, text: str, col: int, *, bold: bool = False, italic: bool = False, keep: bool = True) -> None:
        cell.width = Cm(widths[col])
        paragraph = cell.paragraphs[0]
        paragraph.style = cell_style
        if keep:
            _keep_with_next(paragraph)
        if table.columns[col].numeric and col > 0:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(typeset(text))
        run.bold = bold
        run.italic = italic
        if cell_style == "Normal":
            run.font.size = Pt(9.5)

    header = word_table.rows[0]
    _repeat_header(header)
    _cant_split(header)
    for col, column in enumerate(table.columns):
        cell = header.cells[col]
        fill(cell, column.label, col, bold=True)
        _shade(cell, HEADER_FILL)
        _cell_borders(cell, top=rule, bottom=rule)
    for r, (kind, cells) in enumerate(rows, start=1):
        row = word_table.rows[r]
        _cant_split(row)
        last = r == len(rows)
        keep = r - 1 in kept
        if kind == RowKind.GROUP and len(cells) > 1:
            merged = row.cells[0].merge(row.cells[-1])
            fill(merged, cells[0], 0, italic=True, keep=keep)
            _cell_borders(merged, bottom=rule if last else thin)
            continue
        for col, text in enumerate(cells):
            cell = row.cells[col]
            fill(cell, text, col, bold=kind == RowKind.TOTAL, italic=kind == RowKind.GROUP, keep=keep)
            edges: dict[str, tuple[str, int, str]] = {"bottom": rule if last else thin}
            if kind == RowKind.TOTAL:
                edges["top"] = rule
            _cell_borders(cell, **edges)
    if table.note:
        sd.add_paragraph(table.note, style=_style(sd, "Kildenote"))
    else:
        sd.add_paragraph("", style=_style(sd, "Kildenote"))


def _chart(sd: Fragment, chart: Chart) -> None:
    if chart.title:
        _keep_with_next(sd.add_paragraph(chart.display_caption, style=_style(sd, "Tabeltitel")))
    sd.add_picture(io.BytesIO(chart.png), width=Cm(chart.width_cm))
    sd.add_paragraph("", style=_style(sd, "Kildenote"))


def section_body(tpl: DocxTemplate, section: Section, layout: dict[int, list[float]] | None = None) -> Fragment:
    """The blocks of one section as a sub-document in the template's styles (``layout``: the tables'
    column widths, ``column_layout``)."""
    sd = Fragment(tpl)
    layout = layout or {}
    for block in section.blocks:
        if isinstance(block, Paragraph):
            _paragraph(sd, block)
        elif isinstance(block, BulletList):
            _bullets(sd, block)
        elif isinstance(block, SubHeading):
            sd.add_paragraph(block.text, style=_style(sd, "Heading 3"))
        elif isinstance(block, Table):
            _table(sd, block, layout.get(id(block)))
        elif isinstance(block, Chart):
            _chart(sd, block)
    return sd


def case_line(item: CommitteeItem) -> str:
    """The line under the heading: "24/9263 · Åben sag · Beslutningssag" (a note: its case number only)."""
    if item.kind == DocumentKind.NOTE:
        return item.case_number  # the date is already in the letterhead
    parts = [item.case_number, str(item.access), str(item.case_type)]
    return " · ".join(p for p in parts if p)


def text_context(item: CommitteeItem) -> dict[str, Any]:
    """The plain-text placeholders, shared by the Word and the HTML renderers."""
    decision = item.decision
    return {
        "municipality": item.municipality,
        "department": item.department,
        "document_date": formatting.format_date(item.document_date) if item.document_date else "",
        "title_label": item.title_label,
        "heading": item.heading,
        "case_number": item.case_number,
        "access": str(item.access),
        "case_type": str(item.case_type),
        "case_line": case_line(item),
        "case_reference": f"Sag {item.case_number}" if item.case_number else item.heading,
        "route": item.route,
        "committee": item.committee,
        "is_note": item.kind == DocumentKind.NOTE,
        "summary": [typeset(p) for p in item.summary],
        "legal_basis": item.legal_basis,
        "recommender": item.recommender,
        "recommendations": [typeset(r) for r in item.recommendations],
        "decision_heading": decision.heading if decision else "",
        "decision_lines": list(decision.lines) if decision else [],
        "appendices": list(item.appendices),
    }


def render_docx(item: CommitteeItem, template: Path | str | io.BytesIO | None = None) -> bytes:
    """The item as a .docx file (bytes), through ``template`` or the default template."""
    with in_document_language():
        return _render_docx(item, template)


def _render_docx(item: CommitteeItem, template: Path | str | io.BytesIO | None) -> bytes:
    source: Any = template if template is not None else DEFAULT_TEMPLATE_PATH
    if isinstance(source, Path):
        source = str(source)
    item.number_blocks()
    tpl = DocxTemplate(source)
    tpl.init_docx()
    context = text_context(item)
    layout = column_layout(item)
    context["sections"] = [{"heading": s.heading, "body": section_body(tpl, s, layout)} for s in item.sections]
    context["economy"] = (
        {"heading": item.economy.heading, "body": section_body(tpl, item.economy, layout)} if item.economy else None
    )
    tpl.render(context, jinja_env=jinja_environment(), autoescape=True)
    tpl.docx.core_properties.title = item.heading
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
