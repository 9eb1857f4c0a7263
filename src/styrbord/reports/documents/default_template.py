"""Builds Styrbord's default Word template for committee items (committee_item.docx).

The template is an ordinary .docx with docxtpl (Jinja) placeholders, so a municipality can
open it in Word, change the letterhead, fonts and styles, and upload it again (see
``reports.templating``). Regenerate the committed file with::

    styrbord report build-template

The styles it defines (Heading 1-3, Normal, List Bullet, "Sagsoplysninger", "Indstilling",
"Tabeltitel", "Kildenote", "Tabeltekst") are the ones the renderer asks for; a custom
template that lacks one of them falls back to Normal.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

DEFAULT_TEMPLATE_PATH = (
    Path(__file__).resolve().parent.parent / "templates" / "reports" / "docx" / "committee_item.docx"
)

FONT = "Arial"
INK = RGBColor(0x1A, 0x1A, 0x1A)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)  # dark municipal blue for headings and the letterhead
MUTED = RGBColor(0x59, 0x59, 0x59)
PAGE_WIDTH, LEFT_MARGIN, RIGHT_MARGIN = Cm(21.0), Cm(2.5), Cm(2.2)
TEXT_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN


def _set_font(
    style: BaseStyle, size: float, *, bold: bool = False, italic: bool = False, color: RGBColor = INK
) -> None:
    """Set an explicit font, removing theme fonts so Word and LibreOffice agree."""
    font = style.font  # type: ignore[attr-defined]
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = color
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _paragraph_style(doc: Document, name: str, base: str = "Normal") -> BaseStyle:  # type: ignore[valid-type]
    styles = doc.styles  # type: ignore[attr-defined]
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


def _spacing(style: BaseStyle, before: float, after: float, line: float | None = None, keep_next: bool = False) -> None:
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    fmt.keep_with_next = keep_next


def _define_styles(doc: Document) -> None:  # type: ignore[valid-type]
    styles = doc.styles  # type: ignore[attr-defined]
    normal = styles["Normal"]
    _set_font(normal, 10.5)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "da-DK")
    normal.element.get_or_add_rPr().append(lang)
    _spacing(normal, 0, 8, line=1.2)
    for name, size, before, after in (("Heading 1", 17, 0, 4), ("Heading 2", 12, 14, 4), ("Heading 3", 10.5, 10, 2)):
        style = styles[name]
        _set_font(style, size, bold=True, color=ACCENT if name != "Heading 3" else INK, italic=name == "Heading 3")
        _spacing(style, before, after, keep_next=True)
    bullet = styles["List Bullet"]
    _set_font(bullet, 10.5)
    _spacing(bullet, 0, 3, line=1.2)
    for name in ("Header", "Footer"):
        _set_font(styles[name], 8.5, color=MUTED)
        tabs = styles[name].paragraph_format.tab_stops
        tabs.clear_all()
        tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)

    case_info = _paragraph_style(doc, "Sagsoplysninger")
    _set_font(case_info, 10, color=MUTED)
    _spacing(case_info, 0, 14)

    doc_label = _paragraph_style(doc, "Dokumenttype")
    _set_font(doc_label, 9, bold=True, color=MUTED)
    _spacing(doc_label, 0, 2)

    recommendation = _paragraph_style(doc, "Indstilling")
    _set_font(recommendation, 10.5)
    _spacing(recommendation, 0, 6, line=1.2)
    recommendation.paragraph_format.left_indent = Cm(0.75)  # type: ignore[attr-defined]
    recommendation.paragraph_format.first_line_indent = Cm(-0.75)  # type: ignore[attr-defined]
    recommendation.paragraph_format.tab_stops.add_tab_stop(Cm(0.75))  # type: ignore[attr-defined]

    caption = _paragraph_style(doc, "Tabeltitel")
    _set_font(caption, 9.5, bold=True)
    _spacing(caption, 6, 3, keep_next=True)

    note = _paragraph_style(doc, "Kildenote")
    _set_font(note, 8.5, italic=True, color=MUTED)
    _spacing(note, 2, 10)

    cell = _paragraph_style(doc, "Tabeltekst")
    _set_font(cell, 9.5)
    _spacing(cell, 1, 1, line=1.0)

    letterhead = _paragraph_style(doc, "Brevhoved", base="Header")
    _set_font(letterhead, 14, bold=True, color=ACCENT)
    _spacing(letterhead, 0, 0)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """Append a simple field (PAGE, NUMPAGES) that Word and LibreOffice update when shown."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _bottom_border(paragraph: Paragraph, color: str = "1F3A5F", size: int = 8) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    ppr.append(borders)


def _letterhead(doc: Document) -> None:  # type: ignore[valid-type]
    section = doc.sections[0]  # type: ignore[attr-defined]
    header = section.header
    first = header.paragraphs[0]
    first.style = doc.styles["Brevhoved"]  # type: ignore[attr-defined]
    first.add_run("{{ municipality }}")
    second = header.add_paragraph(style="Header")
    second.add_run("{{ department }}\t{{ document_date }}")
    _bottom_border(second)
    header.add_paragraph(style="Header")

    footer = section.footer
    line = footer.paragraphs[0]
    line.style = doc.styles["Footer"]  # type: ignore[attr-defined]
    line.add_run("{{ case_reference }}\tSide ")
    _field(line, "PAGE")
    line.add_run(" af ")
    _field(line, "NUMPAGES")


def _p(doc: Document, text: str, style: str = "Normal") -> Paragraph:  # type: ignore[valid-type]
    return doc.add_paragraph(text, style=style)  # type: ignore[attr-defined,no-any-return]


def build_default_template(path: Path = DEFAULT_TEMPLATE_PATH) -> Path:
    """Write the default committee-item template to ``path`` and return it."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_height, section.page_width = Cm(29.7), PAGE_WIDTH
    section.left_margin, section.right_margin = LEFT_MARGIN, RIGHT_MARGIN
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _define_styles(doc)
    _letterhead(doc)

    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:
        body._p.getparent().remove(body._p)

    _p(doc, "{{ title_label }}", "Dokumenttype")
    _p(doc, "{{ heading }}", "Heading 1")
    _p(doc, "{%p if case_line %}")
    _p(doc, "{{ case_line }}", "Sagsoplysninger")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if route %}")
    _p(doc, "Sagsgang", "Heading 2")
    _p(doc, "{{ route }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if summary %}")
    _p(doc, "Resume", "Heading 2")
    _p(doc, "{%p for paragraph in summary %}")
    _p(doc, "{{ paragraph }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for section in sections %}")
    _p(doc, "{{ section.heading }}", "Heading 2")
    _p(doc, "{{p section.body }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if economy %}")
    _p(doc, "{{ economy.heading }}", "Heading 2")
    _p(doc, "{{p economy.body }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if legal_basis %}")
    _p(doc, "Lovgrundlag", "Heading 2")
    _p(doc, "{{ legal_basis }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if recommendations %}")
    _p(doc, "Indstilling", "Heading 2")
    _p(doc, "{{ recommender }} indstiller, at:")
    _p(doc, "{%p for recommendation in recommendations %}")
    _p(doc, "{{ loop.index }}.\t{{ recommendation }}", "Indstilling")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if decision_heading %}")
    _p(doc, "{{ decision_heading }}", "Heading 2")
    _p(doc, "{%p for line in decision_lines %}")
    _p(doc, "{{ line }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if appendices %}")
    _p(doc, "Bilag", "Heading 2")
    _p(doc, "{%p for appendix in appendices %}")
    _p(doc, "Bilag {{ loop.index }}: {{ appendix }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    for paragraph in doc.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Heading 1":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT

    core = doc.core_properties
    core.title = "Styrbord – sagsfremstilling"
    core.author = "Styrbord"
    core.language = "da-DK"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
