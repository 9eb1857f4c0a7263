"""One chart spec for pages and report images: PNG size, SVG text, Danish numbers, embed markup."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
from decimal import Decimal

import pytest
from django.utils import translation

from styrbord.lib import charts


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def coverage_points() -> list[dict[str, object]]:
    history = [{"month": dt.date(2026, m, 28), "share": Decimal(50 + m), "series": "Historik"} for m in range(1, 12)]
    ahead = [{"month": dt.date(2027, m, 28), "share": Decimal(61 - m), "series": "Prognose"} for m in range(1, 4)]
    return history + ahead


def test_the_png_is_a_real_png_of_the_chart_size_times_the_scale() -> None:
    chart = charts.coverage_chart(coverage_points(), Decimal("75"), title="Dækning", width=500, height=250)

    assert png_size(charts.chart_png(chart, scale=1)) == (500, 250)
    assert png_size(charts.chart_png(chart, scale=2)) == (1000, 500)


def test_the_svg_contains_the_axis_titles_and_the_target_label() -> None:
    chart = charts.coverage_chart(coverage_points(), Decimal("62.5"))

    svg = charts.chart_svg(chart)

    assert svg.lstrip().startswith("<svg")
    assert "Dækning (%)" in svg
    assert "Måned" in svg
    assert "Mål 62,5 %" in svg
    with translation.override("en"):
        english = charts.chart_svg(charts.coverage_chart(coverage_points(), Decimal("75"), target_label="Target"))
    assert "Target 75%" in english


@pytest.mark.parametrize(
    ("language", "thousands", "not_thousands", "month", "decimal"),
    [("da", "10.000", "10,000", "maj 2026", ","), ("en", "10,000", "10.000", "May 2026", ".")],
)
def test_axes_follow_the_page_language_in_thousands_and_month_names(
    language: str, thousands: str, not_thousands: str, month: str, decimal: str
) -> None:
    """Danish by default ("10.000", "maj 2026"); after the switch to English "10,000", "May 2026"."""
    with translation.override(language):
        bars = charts.bar_chart(
            [{"group": "Sygeplejerske", "count": 12500}, {"group": "SOSU-assistent", "count": 4000}],
            category="group",
            value="count",
            category_title="Faggruppe",
            value_title="Antal",
        )
        labels = re.findall(r">([0-9.,]+)<", charts.chart_svg(bars))
        months = charts.line_chart(
            [{"month": dt.date(2026, m, 1), "value": m} for m in (5, 10)],
            x="month",
            y="value",
            x_title="Måned",
            y_title="Antal",
            temporal=True,
        )
        svg = charts.chart_svg(months)
        assert charts.spec(bars)["config"]["locale"]["number"]["decimal"] == decimal
    assert thousands in labels
    assert not_thousands not in labels
    assert month in svg


def test_chart_html_embeds_the_same_spec_as_json_without_inline_script() -> None:
    chart = charts.coverage_chart(coverage_points(), Decimal("75"))

    html = charts.chart_html(chart, label="Dækning over tid", element_id="chart-test")

    assert 'data-vega-spec="chart-test-spec"' in html
    assert 'aria-label="Dækning over tid"' in html
    block = re.search(r'<script id="chart-test-spec" type="application/json">(.*?)</script>', html, re.S)
    assert block is not None
    assert json.loads(block.group(1)) == charts.spec(chart)
    assert "<script>" not in html
    assert charts.spec(chart)["config"]["locale"]["number"]["decimal"] == ","


def test_chart_scripts_load_the_vendored_files_only() -> None:
    tags = charts.chart_scripts()

    sources = re.findall(r'src="([^"]+)"', tags)
    assert sources == [f"/static/vendor/vega/{name}" for name in charts.VENDOR_SCRIPTS]
    assert all("http" not in s for s in sources)


def test_grouped_bars_and_plain_values_serialise() -> None:
    chart = charts.bar_chart(
        [
            {"year": 2023, "group": "Sygeplejerske", "fte": Decimal("12.5")},
            {"year": 2024, "group": "Sygeplejerske", "fte": Decimal("13.25")},
        ],
        category="group",
        value="fte",
        series="year",
        category_title="Faggruppe",
        value_title="Årsværk",
        series_title="År",
        horizontal=True,
        value_format=",.1f",
    )

    spec = charts.spec(chart)
    assert spec["data"]["values"][1]["fte"] == 13.25
    assert spec["encoding"]["yOffset"]["field"] == "year"
    assert "Årsværk" in charts.chart_svg(chart)


def test_a_legend_with_many_long_series_names_shows_them_all_in_full() -> None:
    """In one row under a 560 px chart, the legend was cut: two of six job groups were missing and
    'Omsorgs-/pædagogmedhjælper (ufaglært)' ended in '...'."""
    groups = [
        "Omsorgs-/pædagogmedhjælper (ufaglært)",
        "Pædagogisk assistent",
        "SOSU-assistent",
        "SOSU-hjælper",
        "Socialpædagog/pædagog",
        "Vikar",
    ]
    rows = [
        {"year": year, "people": n + year - 2020, "group": g} for n, g in enumerate(groups) for year in (2024, 2025)
    ]
    chart = charts.line_chart(
        rows, x="year", y="people", x_title="År", y_title="Medarbejdere", series="group", series_title="Faggruppe"
    )
    svg = charts.chart_svg(chart)
    for group in groups:
        assert f">{group}<" in svg.replace("&amp;", "&"), group
