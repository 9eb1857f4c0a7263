"""One chart spec for pages and report images: PNG size, SVG text, Danish numbers, embed markup."""

from __future__ import annotations

import datetime as dt
import itertools
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


def _label_box(svg: str, text: str) -> tuple[float, float, float, float]:
    """The drawn target label's box (left, right, top, bottom) in the plot's pixels, from its SVG
    text: anchored at ``translate(x, y)`` on its baseline, 11 px Arial."""
    found = re.search(
        r'<text aria-label="[^"]*" role="graphics-symbol" aria-roledescription="text mark" '
        r'text-anchor="(start|end)" transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>' + re.escape(text) + "<",
        svg,
    )
    assert found is not None, "no target label in the SVG"
    anchor, x, y = found.group(1), float(found.group(2)), float(found.group(3))
    width = len(text) * 11 * 0.55
    left = x - width if anchor == "end" else x
    return left, left + width, y - 8, y + 1  # cap height and the descent of digits and letters


def _lines(svg: str) -> list[list[tuple[float, float]]]:
    """The history and forecast lines' points (px) from their SVG paths (M x,y L x,y ...)."""
    paths = re.findall(r'aria-roledescription="line mark" d="M([^"]+)"', svg)
    return [[tuple(map(float, p.split(","))) for p in path.split("L")] for path in paths]  # type: ignore[misc]


def _crosses(line: list[tuple[float, float]], box: tuple[float, float, float, float], margin: float) -> bool:
    """Whether a line (2 px) or one of its markers (radius 3 px) comes within ``margin`` of the box."""
    left, right, top, bottom = box
    for x, y in line:  # markers
        if left - margin - 3 <= x <= right + margin + 3 and top - margin - 3 <= y <= bottom + margin + 3:
            return True
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        steps = max(2, int(abs(x1 - x0)))
        for i in range(steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            if left - margin <= x <= right + margin and top - margin - 1 <= y <= bottom + margin + 1:
                return True
    return False


def _months(shares: list[int], start: dt.date, series: str) -> list[dict[str, object]]:
    return [
        {
            "month": dt.date(start.year + (start.month + i - 1) // 12, (start.month + i - 1) % 12 + 1, 28),
            "share": Decimal(v),
            "series": series,
        }
        for i, v in enumerate(shares)
    ]


DOLMER_HAVE_2026 = _months([78, 80, 81, 79, 80, 82, 80, 81, 80, 79, 81, 80], dt.date(2026, 1, 1), "Historik") + _months(
    [79, 77, 76], dt.date(2027, 1, 1), "Prognose"
)


@pytest.mark.parametrize(
    ("points", "target", "title"),
    [
        # The competence status report, Dolmer Have 2026: history about 80 %, the target 75 %.
        (DOLMER_HAVE_2026, Decimal("75"), None),
        (_months(list(range(62, 86, 2)), dt.date(2026, 1, 1), "Historik"), Decimal("75"), None),
        (
            _months([95, 96, 97, 98, 100, 100, 99, 100, 100, 100, 100, 100], dt.date(2026, 1, 1), "Historik"),
            Decimal("100"),
            None,
        ),
        (
            _months([81, 69] * 6, dt.date(2026, 1, 1), "Historik")
            + _months([69, 68, 67], dt.date(2027, 1, 1), "Prognose"),
            Decimal("75"),
            "Alle med KRAP",
        ),
        (_months([0, 0, 5, 10, 20, 40], dt.date(2026, 1, 1), "Historik"), Decimal("0"), None),
    ],
)
def test_the_target_label_is_where_no_line_covers_it(
    points: list[dict[str, object]], target: Decimal, title: str | None
) -> None:
    """ "Mål 75 %" sat at the left end just above the rule, under the history line at about 80 %."""
    chart = charts.coverage_chart(points, target, title=title, width=560, height=230)
    svg = charts.chart_svg(chart)
    text = f"Mål {charts._pct(float(target))}"
    box = _label_box(svg, text)
    lines = _lines(svg)
    assert lines
    assert not any(_crosses(line, box, margin=0) for line in lines), box
    assert png_size(charts.chart_png(chart, scale=1)) == (560, 230)


def test_the_target_label_has_a_white_halo_hidden_from_screen_readers() -> None:
    svg = charts.chart_svg(charts.coverage_chart(DOLMER_HAVE_2026, Decimal("75")))
    halo = re.search(r'<text [^>]*fill="#ffffff" stroke="#ffffff"[^>]*>Mål 75 %</text>', svg)
    assert halo is not None
    assert svg.index(halo.group(0)) < svg.index('aria-roledescription="text mark"')  # drawn under the label
    assert svg.count('aria-roledescription="text mark"') == 1
