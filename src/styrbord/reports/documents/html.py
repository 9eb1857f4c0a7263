"""Render a CommitteeItem to HTML (the browser preview) and to PDF (the same HTML through WeasyPrint).

Both use ``reports/document/_body.html``; the PDF wraps it in ``reports/document/print.html``
with the print CSS (A4, running letterhead, page numbers).
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from styrbord.reports.documents.structure import (
    BulletList,
    Chart,
    CommitteeItem,
    Paragraph,
    Section,
    SubHeading,
    Table,
    in_document_language,
)
from styrbord.reports.documents.word import column_layout, text_context, typeset

STYLESHEET = "reports/document.css"

# WeasyPrint logs every layout step at INFO; a report job's log needs none of them.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _percentages(widths: list[float]) -> list[str]:
    total = sum(widths)
    return [f"{100 * w / total:.2f}" for w in widths]


def _block(block: Any, layout: dict[int, list[float]]) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": typeset(block.text), "lead": block.lead}
    if isinstance(block, BulletList):
        return {"type": "bullets", "items": [typeset(i) for i in block.items]}
    if isinstance(block, SubHeading):
        return {"type": "subheading", "text": block.text}
    if isinstance(block, Table):
        return {
            "type": "table",
            "caption": block.display_caption,
            "note": block.note,
            # Word's column widths (``column_layout``), so the PDF lays tables out as Word does and
            # tables read together (an initiative's Økonomi and Personale) line up.
            "columns": [
                {"label": c.label, "numeric": c.numeric, "width": w}
                for c, w in zip(block.columns, _percentages(layout[id(block)]), strict=True)
            ],
            "rows": [
                {
                    "kind": str(kind),
                    "cells": [
                        {"text": typeset(t), "numeric": c.numeric} for t, c in zip(cells, block.columns, strict=True)
                    ],
                }
                for kind, cells in block.formatted_rows()
            ],
        }
    if isinstance(block, Chart):
        return {
            "type": "chart",
            "caption": block.display_caption,
            "alt": block.alt,
            "src": "data:image/png;base64," + base64.b64encode(block.png).decode("ascii"),
            "width_cm": block.width_cm,
        }
    raise TypeError(f"unknown block {block!r}")


def _section(section: Section, layout: dict[int, list[float]]) -> dict[str, Any]:
    return {"heading": section.heading, "blocks": [_block(b, layout) for b in section.blocks]}


def html_context(item: CommitteeItem) -> dict[str, Any]:
    """The document as template data (all text already formatted)."""
    item.number_blocks()
    context = text_context(item)
    layout = column_layout(item)
    context["sections"] = [_section(s, layout) for s in item.sections]
    context["economy"] = _section(item.economy, layout) if item.economy else None
    return context


def render_html_fragment(item: CommitteeItem) -> SafeString:
    """The document body as an HTML fragment, for the preview inside a page."""
    with in_document_language():
        return SafeString(render_to_string("reports/document/_body.html", {"doc": html_context(item)}))


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(STYLESHEET)
    with open(str(path), encoding="utf-8") as handle:
        return handle.read()


def render_html_document(item: CommitteeItem) -> str:
    """A standalone HTML document with the print CSS inlined (what WeasyPrint renders)."""
    with in_document_language():
        return render_to_string("reports/document/print.html", {"doc": html_context(item), "stylesheet": _stylesheet()})


def render_pdf(item: CommitteeItem) -> bytes:
    """The document as PDF (A4) through WeasyPrint."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango, which pages never need

    pdf: bytes = HTML(string=render_html_document(item)).write_pdf()
    return pdf
