"""One chart spec for the browser and for report images (Altair / Vega-Lite + vl-convert).

Builders take plain data (lists of dicts) and return an Altair chart. The same chart is then
shown in a page with ``chart_html`` (embedded by the vendored vega-embed, no CDN) or turned into
an image for a document with ``chart_svg`` / ``chart_png``. Numbers and dates follow Danish
conventions (decimal comma, thousands point, dd-mm-yyyy) in both.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert
from babel.dates import get_day_names, get_month_names
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from styrbord.lib.formatting import format_percent, natural_places

# The Vega-Lite version vl-convert compiles with; it matches the vendored JS and Altair's schema.
VL_VERSION = "6.4"
VENDOR_SCRIPTS = ("vega.min.js", "vega-interpreter.js", "vega-lite.min.js", "vega-embed.min.js", "charts.js")

DA_NUMBER_LOCALE: dict[str, Any] = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."]}
EN_NUMBER_LOCALE: dict[str, Any] = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["DKK ", ""]}


def _time_locale(babel_locale: str, date: str, date_time: str) -> dict[str, Any]:
    """A d3 time-format locale with Babel's (CLDR) month and day names: the charts name months as
    the rest of the page does ("maj", "okt." in Danish; "May", "Oct" in English)."""
    days = get_day_names("wide", locale=babel_locale)  # Monday first; d3 wants Sunday first
    short_days = get_day_names("abbreviated", locale=babel_locale)
    return {
        "dateTime": date_time,
        "date": date,
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [days[6], *(days[i] for i in range(6))],
        "shortDays": [short_days[6], *(short_days[i] for i in range(6))],
        "months": [get_month_names("wide", locale=babel_locale)[m] for m in range(1, 13)],
        "shortMonths": [get_month_names("abbreviated", locale=babel_locale)[m] for m in range(1, 13)],
    }


DA_TIME_LOCALE = _time_locale("da_DK", "%d-%m-%Y", "%A den %d. %B %Y %X")
EN_TIME_LOCALE = _time_locale("en_GB", "%d %b %Y", "%A %d %B %Y %X")


def chart_locale() -> tuple[dict[str, Any], dict[str, Any]]:
    """Number and time conventions of the active language: Danish ("1.234,5", "jan") by default,
    English ("1,234.5", "Jan") when the user has switched, as the rest of the page."""
    if (translation.get_language() or "da").startswith("en"):
        return EN_NUMBER_LOCALE, EN_TIME_LOCALE
    return DA_NUMBER_LOCALE, DA_TIME_LOCALE


FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
# The palette of styrbord.css, so images and pages agree.
PRIMARY = "#004993"
OK, WARN, BAD, MUTED = "#358000", "#d6a100", "#b51d09", "#5c5c5c"
SERIES_COLOURS = [PRIMARY, "#d6a100", "#358000", "#b51d09", "#6f4e9c", "#00838f", "#5c5c5c"]

_ids = itertools.count(1)


def _plain(value: Any) -> Any:
    """A JSON-ready value: Decimals as numbers (charts only display), dates as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def records(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plain rows as JSON-ready dicts for a chart's inline data."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in rows]


LEGEND_COLUMN_WIDTH = 250  # px per legend entry: symbol, the longest usual label, a gap


def _finish(chart: Any, width: int, height: int, title: str | None) -> Any:
    """Size, title, Danish locale and house style; ``autosize fit`` makes width x height the full size."""
    props: dict[str, Any] = {"width": width, "height": height}
    if title:
        props["title"] = title
    number_locale, time_locale = chart_locale()
    return (
        chart.properties(**props)
        .configure(
            locale={"number": number_locale, "time": time_locale},
            font=FONT,
            autosize={"type": "fit", "contains": "padding"},
            background="#ffffff",
        )
        .configure_axis(labelFontSize=11, titleFontSize=12, labelColor="#1a1a1a", titleColor="#1a1a1a")
        # Under the chart in as many columns as fit its width: in one row, a legend wider than the
        # chart was cut off (two of six job groups missing, "Tilbage efter forbrug og dispo...").
        .configure_legend(
            labelFontSize=11,
            titleFontSize=12,
            orient="bottom",
            columns=max(1, width // LEGEND_COLUMN_WIDTH),
            labelLimit=LEGEND_COLUMN_WIDTH - 30,
        )
        .configure_title(fontSize=14, anchor="start")
        .configure_view(strokeWidth=0)
    )


def coverage_chart(
    points: Sequence[Mapping[str, Any]],
    target: Decimal | float | None,
    *,
    title: str | None = None,
    width: int = 560,
    height: int = 260,
    history_label: str = "Historik",
    forecast_label: str = "Prognose",
    target_label: str = "Mål",
    x_title: str = "Måned",
    y_title: str = "Dækning (%)",
) -> Any:
    """Coverage in percent per month: history solid, forecast dashed, the target as a line.

    ``points``: dicts with ``month`` (date), ``share`` (percent or None) and ``series``
    (``history_label`` or ``forecast_label``).
    """
    data = records(p for p in points if p.get("share") is not None)
    x = alt.X("month:T", title=x_title, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month"))
    y = alt.Y("share:Q", title=y_title, scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(format=",.0f"))
    lines = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[history_label, forecast_label], range=[PRIMARY, "#6f4e9c"]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[history_label, forecast_label], range=[[1, 0], [6, 4]]),
            ),
            tooltip=[
                alt.Tooltip("month:T", title=x_title, format="%B %Y"),
                alt.Tooltip("share:Q", title=y_title, format=",.1f"),
            ],
        )
    )
    layers: list[Any] = [lines]
    if target is not None:
        target_value = float(target)
        text = f"{target_label} {_pct(target_value)}"
        target_data = alt.Data(values=[{"target": target_value, "label": text}])
        rule = alt.Chart(target_data).mark_rule(color=BAD, strokeDash=[3, 3], strokeWidth=1.5).encode(y="target:Q")
        end, side = target_label_place(points, target_value, text, width, height, titled=bool(title))
        # At the end of the rule and on the side of it the lines keep clear of ("Mål 75 %" sat under
        # the history at 80 %), with a white halo that keeps it legible should a line still pass.
        place: dict[str, Any] = {
            "x": "width" if end == "right" else 0,
            "align": end,
            "dx": -4 if end == "right" else 4,
            "baseline": "bottom" if side == "above" else "top",
            "dy": -3 if side == "above" else 3,
            "fontSize": TARGET_LABEL_FONT,
        }
        halo = (
            alt.Chart(target_data)
            .mark_text(**place, color="#ffffff", stroke="#ffffff", strokeWidth=4, strokeJoin="round", aria=False)
            .encode(y="target:Q", text="label:N")
        )
        label = alt.Chart(target_data).mark_text(**place, color=BAD).encode(y="target:Q", text="label:N")
        layers += [rule, halo, label]
    return _finish(alt.layer(*layers), width, height, title)


TARGET_LABEL_FONT = 11
# What the axes, their titles and the legend take of a coverage chart's size (px), to tell roughly
# where the lines are drawn; a title takes TITLE_HEIGHT more.
PLOT_MARGIN_X, PLOT_MARGIN_Y, TITLE_HEIGHT = 55, 80, 22


def target_label_place(
    points: Sequence[Mapping[str, Any]], target: float, text: str, width: int, height: int, *, titled: bool = False
) -> tuple[str, str]:
    """Where the target's label goes: the end of the rule (``"right"`` or ``"left"``) and its side
    (``"above"`` or ``"below"``), the first of right above, right below, left above, left below
    that no line or marker crosses (else the one crossed least). Worked out in pixels, roughly, from
    the points (``month``, ``share``, ``series``) as ``coverage_chart`` draws them."""
    plot_w = max(1.0, width - PLOT_MARGIN_X)
    plot_h = max(1.0, height - PLOT_MARGIN_Y - (TITLE_HEIGHT if titled else 0))
    shown = [p for p in points if p.get("share") is not None]
    days = [_day(p["month"]) for p in shown]
    first, span = (min(days), max(max(days) - min(days), 1)) if days else (0, 1)

    def y_px(share: float) -> float:
        return plot_h * (1 - min(max(share, 0.0), 100.0) / 100)

    series: dict[Any, list[tuple[float, float]]] = {}
    for point, day in zip(shown, days, strict=True):
        series.setdefault(point.get("series"), []).append(((day - first) / span * plot_w, y_px(float(point["share"]))))
    lines = [sorted(xy) for xy in series.values()]
    text_w = len(text) * TARGET_LABEL_FONT * 0.6 + 4  # Arial's average character, and the gap
    text_h, gap, clearance = TARGET_LABEL_FONT + 1, 3, 4  # clearance: a marker's radius and the stroke
    rule_y = y_px(target)

    def crossings(end: str, side: str) -> tuple[float, float]:
        """How often the lines cross the label, then how often they come close to it."""
        left = plot_w - text_w if end == "right" else 0.0
        top = rule_y - gap - text_h if side == "above" else rule_y + gap
        if top < 0 or top + text_h > plot_h:
            return float("inf"), float("inf")  # outside the plot: over the title or the axis
        cross = close = 0
        for xs in range(int(left - clearance), int(left + text_w + clearance) + 1, 2):
            for line in lines:
                y = _line_y(line, xs)
                if y is None:
                    continue
                if left <= xs <= left + text_w and top - 1 <= y <= top + text_h + 1:
                    cross += 1
                elif top - clearance <= y <= top + text_h + clearance:
                    close += 1
        return cross, close

    places = [("right", "above"), ("right", "below"), ("left", "above"), ("left", "below")]
    return min(places, key=lambda place: crossings(*place))  # min keeps the first of equals


def _day(value: Any) -> int:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.toordinal() if isinstance(value, dt.date) else 0


def _line_y(line: list[tuple[float, float]], x: float) -> float | None:
    """The height (px) of a line drawn through ``line``'s points at ``x``, None beyond its ends."""
    if not line or x < line[0][0] or x > line[-1][0]:
        return None
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return line[0][1]


def _pct(value: float) -> str:
    """75 -> '75 %', 62.5 -> '62,5 %' (English: '75%', '62.5%')."""
    rounded = round(value, 1)
    return format_percent(rounded, natural_places(rounded))


def bar_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    series: str | None = None,
    series_title: str | None = None,
    horizontal: bool = False,
    value_format: str = ",.0f",
    title: str | None = None,
    width: int = 560,
    height: int = 260,
    sort: Sequence[str] | None = None,
) -> Any:
    """Bars of ``value`` per ``category``; with ``series``, grouped bars side by side."""
    cat_axis = alt.Axis(labelLimit=220) if horizontal else alt.Axis(labelAngle=0, labelLimit=140)
    cat = alt.X if not horizontal else alt.Y
    val = alt.Y if not horizontal else alt.X
    encoding: dict[str, Any] = {
        ("y" if horizontal else "x"): cat(
            f"{category}:N", title=category_title, sort=list(sort) if sort else None, axis=cat_axis
        ),
        ("x" if horizontal else "y"): val(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
        "tooltip": [
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
        ],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=series_title, scale=alt.Scale(range=SERIES_COLOURS))
        if horizontal:
            encoding["yOffset"] = alt.YOffset(f"{series}:N")
        else:
            encoding["xOffset"] = alt.XOffset(f"{series}:N")
        encoding["tooltip"].append(alt.Tooltip(f"{series}:N", title=series_title))
    else:
        encoding["color"] = alt.value(PRIMARY)
    chart = alt.Chart(alt.Data(values=records(rows))).mark_bar().encode(**encoding)
    return _finish(chart, width, height, title)


def line_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    series: str | None = None,
    series_title: str | None = None,
    temporal: bool = False,
    y_format: str = ",.0f",
    title: str | None = None,
    width: int = 560,
    height: int = 260,
) -> Any:
    """A line per ``series`` (or one line) of ``y`` over ``x`` (ordinal, or dates with ``temporal``)."""
    x_type = "T" if temporal else "O"
    x_axis = alt.Axis(format="%b %Y", labelAngle=0) if temporal else alt.Axis(labelAngle=0)
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:{x_type}", title=x_title, axis=x_axis),
        "y": alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
        "tooltip": [alt.Tooltip(f"{x}:{x_type}", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=y_format)],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=series_title, scale=alt.Scale(range=SERIES_COLOURS))
        encoding["tooltip"].append(alt.Tooltip(f"{series}:N", title=series_title))
    else:
        encoding["color"] = alt.value(PRIMARY)
    chart = alt.Chart(alt.Data(values=records(rows))).mark_line(point=True).encode(**encoding)
    return _finish(chart, width, height, title)


def spec(chart: Any) -> dict[str, Any]:
    """The Vega-Lite JSON of a chart (what both the browser and vl-convert get)."""
    result: dict[str, Any] = chart.to_dict()
    return result


def chart_html(chart: Any, *, label: str = "", element_id: str | None = None) -> SafeString:
    """A chart for a page: a container div plus its spec as a JSON data block.

    The vendored vega-embed draws it (``chart_scripts()`` must be on the page); no inline script,
    so a strict Content-Security-Policy works.
    """
    element_id = element_id or f"chart-{next(_ids)}"
    data_block = json_script(spec(chart), f"{element_id}-spec")
    return format_html(
        '<div class="chart"><div id="{}" class="chart-canvas" data-vega-spec="{}-spec" role="img" aria-label="{}">'
        "</div>{}</div>",
        element_id,
        element_id,
        label,
        data_block,
    )


def chart_scripts() -> SafeString:
    """The script tags that draw every ``chart_html`` on a page (put once, at the end of the body)."""
    tags = "".join(f'<script src="{static("vendor/vega/" + name)}" defer></script>' for name in VENDOR_SCRIPTS)
    return mark_safe(tags)  # noqa: S308 - static URLs only, no user data


def chart_svg(chart: Any) -> str:
    """The chart as an SVG document (for HTML reports and PDFs)."""
    number_locale, time_locale = chart_locale()
    svg: str = vl_convert.vegalite_to_svg(
        spec(chart), vl_version=VL_VERSION, format_locale=number_locale, time_format_locale=time_locale
    )
    return svg


def chart_png(chart: Any, scale: float = 2.0) -> bytes:
    """The chart as a PNG image; ``scale`` 2 gives crisp images in DOCX and PDF documents."""
    number_locale, time_locale = chart_locale()
    png: bytes = vl_convert.vegalite_to_png(
        spec(chart),
        vl_version=VL_VERSION,
        scale=scale,
        format_locale=number_locale,
        time_format_locale=time_locale,
    )
    return png


def spec_json(chart: Any) -> str:
    """The spec as a JSON string (e.g. for an API or a test)."""
    return json.dumps(spec(chart), ensure_ascii=False)
