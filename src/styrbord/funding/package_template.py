"""Builds the Word template of the grantor package (templates/funding/docx/grantor_package.docx).

The committed .docx is the source a municipality may restyle in Word; this script recreates the
plain version: ``python -m styrbord.funding.package_template``. Placeholders are docxtpl (Jinja)
tags; table rows repeat with ``{%tr for ... %}``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Pt

from styrbord.funding.package import DOCX_TEMPLATE

STATUS_COLUMNS = [
    ("Modtager", "recipient"),
    ("Tilsagn", "amount"),
    ("Forbrug", "actual"),
    ("Disponeret", "committed"),
    ("Tilbage", "remaining"),
    ("Revisionskrav", "audit"),
]
ACCOUNT_COLUMNS = [
    ("Modtager", "recipient"),
    ("Budgetlinje", "line"),
    ("År", "year"),
    ("Budget", "budget"),
    ("Forbrug", "actual"),
    ("Difference", "difference"),
    ("Afvigelse", "deviation"),
]
PARTICIPANT_COLUMNS = [
    ("Navn", "name"),
    ("Faggruppe", "job_group"),
    ("Tilbud", "facility"),
    ("Kursus", "course"),
    ("Datoer", "dates"),
    ("Timer", "hours"),
    ("Status", "status"),
]


def _loop_table(document: Document, columns: list[tuple[str, str]], items: str, var: str) -> None:  # type: ignore[valid-type]
    table = document.add_table(rows=4, cols=len(columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, (title, _key) in zip(table.rows[0].cells, columns, strict=True):
        cell.text = title
        for run in cell.paragraphs[0].runs:
            run.bold = True
    table.rows[1].cells[0].text = f"{{%tr for {var} in {items} %}}"
    for cell, (_title, key) in zip(table.rows[2].cells, columns, strict=True):
        cell.text = f"{{{{ {var}.{key} }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"


def build_template(path: Path = DOCX_TEMPLATE) -> Path:
    document = Document()
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
        "Der er givet tilsagn om {{ granted }}. Heraf er {{ actual }} bogført, og {{ committed }} er disponeret. "
        "Der er modtaget {{ income }} fra tilskudsgiver, og der er {{ remaining }} tilbage. "
        "{{ participant_count }} medarbejdere har deltaget i {{ hours }} kursustimer i projektperioden."
    )
    _loop_table(document, STATUS_COLUMNS, "status_rows", "s")

    document.add_heading("Tilskudsregnskab", level=1)
    document.add_paragraph(
        "Regnskabet er opstillet efter de godkendte budgetlinjer. Kun udgifter i projektperioden {{ period }} er medtaget."
    )
    _loop_table(document, ACCOUNT_COLUMNS, "account_rows", "a")

    document.add_heading("Deltagerliste", level=1)
    _loop_table(document, PARTICIPANT_COLUMNS, "participants", "p")

    document.add_paragraph("Dannet {{ generated_on }} i Styrbord.")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build_template())
