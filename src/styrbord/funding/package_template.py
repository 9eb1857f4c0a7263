"""Builds the Word template of the grantor package (templates/funding/docx/grantor_package.docx).

The committed .docx is the source a municipality may restyle in Word; this script recreates the
plain version: ``python -m styrbord.funding.package_template``. Placeholders are docxtpl (Jinja)
tags; table rows repeat with ``{%tr for ... %}``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

# (heading, field, width in cm, right-aligned): the widths fill an A4 page in landscape (25,7 cm
# between the margins), so that names and budget lines do not break inside a word.
STATUS_COLUMNS = [
    ("Modtager", "recipient", 6.7, False),
    ("Tilsagn", "amount", 3.4, True),
    ("Forbrug", "actual", 3.4, True),
    ("Disponeret og planlagt", "committed", 3.4, True),
    ("Tilbage", "remaining", 3.4, True),
    ("Revisionskrav", "audit", 5.4, False),
]
# Budget, spent, committed and the deviation as on the grant's page: the deviation is what is
# expected to be spent (spent and committed) minus the budget, in kroner and as a share of it.
ACCOUNT_COLUMNS = [
    ("Modtager", "recipient", 5.3, False),
    ("Budgetlinje", "line", 4.2, False),
    ("År", "year", 1.4, True),
    ("Budget", "budget", 3.1, True),
    ("Forbrug", "actual", 3.1, True),
    ("Disponeret og planlagt", "committed", 3.1, True),
    ("Afvigelse", "deviation", 3.1, True),
    ("Afvigelse %", "deviation_percent", 2.4, True),
]
PARTICIPANT_COLUMNS = [
    ("Navn", "name", 4.2, False),
    ("Faggruppe", "job_group", 3.8, False),
    ("Tilbud", "facility", 4.0, False),
    ("Kursus", "course", 4.7, False),
    ("Datoer", "dates", 4.6, False),
    ("Timer", "hours", 1.6, True),
    ("Status", "status", 2.6, False),
]


def _loop_table(document: Document, columns: list[tuple[str, str, float, bool]], items: str, var: str) -> None:  # type: ignore[valid-type]
    table = document.add_table(rows=4, cols=len(columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.autofit = False
    for column, (_title, _key, width, _right) in zip(table.columns, columns, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice follows; Word follows the cells below
    for row in table.rows:
        for cell, (_title, _key, width, right) in zip(row.cells, columns, strict=True):
            cell.width = Cm(width)
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell, (title, _key, _width, _right) in zip(table.rows[0].cells, columns, strict=True):
        cell.paragraphs[0].add_run(title).bold = True
        # The heading row stays with the first row below it (it was left alone at a page's foot).
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    for number, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))  # a row is never split over two pages
        if number == 0:
            properties.append(OxmlElement("w:tblHeader"))  # the heading row repeats on each page
    table.rows[1].cells[0].text = f"{{%tr for {var} in {items} %}}"
    for cell, (_title, key, _width, _right) in zip(table.rows[2].cells, columns, strict=True):
        cell.paragraphs[0].add_run(f"{{{{ {var}.{key} }}}}")
    table.rows[3].cells[0].text = "{%tr endfor %}"


def build_template(path: Path | None = None) -> Path:
    if path is None:
        from styrbord.funding.package import DOCX_TEMPLATE

        path = DOCX_TEMPLATE
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    style = document.styles["Normal"]
    style.font.name = "Arial"  # type: ignore[attr-defined]
    style.font.size = Pt(10)  # type: ignore[attr-defined]
    document.add_heading("Statusrapport og tilskudsregnskab", level=0)
    for label, tag in [
        ("Pulje", "pool_name"),
        ("Sagsnummer", "case_number"),
        ("Tilskudsgiver", "grantor"),
        ("Projektperiode", "period"),
    ]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(f"{{{{ {tag} }}}}")
    document.add_paragraph("{{ purpose }}")

    document.add_heading("Status", level=1)
    document.add_paragraph(
        # No amount ends a sentence: "kr." and a full stop would read "kr..".
        "Der er givet tilsagn om {{ granted }}, hvoraf {{ actual }} er bogført og {{ committed }} disponeret "
        "eller planlagt. Fra tilskudsgiver er modtaget {{ income }}, og {{ remaining }} er tilbage. "
        "{{ participants_text }} har gennemført eller deltaget i {{ hours }} kursustimer i "
        "projektperioden (tilmeldte og planlagte pladser og udeblivelser tæller ikke med)."
    )
    # Only once the period is over: what goes back to the grantor (paragraph tags: docxtpl's {%p %}).
    document.add_paragraph("{%p if period_ended %}")
    # What goes back, or why nothing does (the pool's waiver limit, the municipality's own money).
    document.add_paragraph("{{ repayment_text }}")
    document.add_paragraph("{%p endif %}")
    _loop_table(document, STATUS_COLUMNS, "status_rows", "s")

    document.add_heading("Tilskudsregnskab", level=1)
    introduction = document.add_paragraph(
        "Regnskabet er opstillet efter de godkendte budgetlinjer. Kun udgifter i projektperioden {{ period }} er medtaget. "
        "Afvigelsen er forbrug og disponeret minus budget: et positivt tal er et forventet merforbrug, "
        "et negativt et forventet mindreforbrug."
    )
    introduction.paragraph_format.keep_with_next = True  # the explanation stays with its table
    _loop_table(document, ACCOUNT_COLUMNS, "account_rows", "a")

    document.add_heading("Deltagerliste", level=1)
    _loop_table(document, PARTICIPANT_COLUMNS, "participants", "p")

    document.add_paragraph("Dannet {{ generated_on }} i Styrbord.")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrbord.settings")
    django.setup()
    print(build_template())
