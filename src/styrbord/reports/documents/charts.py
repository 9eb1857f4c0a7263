"""Charts for documents: the project's chart builders (lib.charts), rendered once to PNG.

The PNG is what Word, the PDF and the browser preview all show, so the three look the same,
and the same Altair chart could be shown interactively on a page with ``chart_html``.
"""

from __future__ import annotations

from typing import Any

from styrbord.lib import charts as lib_charts
from styrbord.reports.documents.structure import Chart

# Documents are printed on A4 with 16 cm of text width; charts are drawn for that.
DOCUMENT_WIDTH_PX = 600
DOCUMENT_HEIGHT_PX = 260


def document_chart(chart: Any, title: str, *, alt: str = "", width_cm: float = 15.5) -> Chart:
    """A document chart block from an Altair chart: its PNG (scale 2) and its Vega-Lite spec."""
    return Chart(
        title=title,
        png=lib_charts.chart_png(chart, scale=2.0),
        alt=alt or title,
        width_cm=width_cm,
        spec=lib_charts.spec(chart),
    )
