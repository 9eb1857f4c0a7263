"""The workforce figures as tables (and charts) the way a user may see them.

For analysts, cells describing fewer than 5 people are hidden (".."), and in every year column
enough further cells are hidden that no hidden cell can be worked out from the total
(``accounts.suppression``). Tables computed over the same people (FTE, age, part-time, education)
hide the cells the headcount table hides; a share (part-time, relevant education, specialised
contact staff) also hides where its own counts, with and without, are small or would give a small
one away (``share_mask``). Chart data only ever holds shown values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from styrbord.accounts.suppression import HIDDEN, suppress, suppress_counts
from styrbord.lib import charts
from styrbord.lib.collation import sort_key
from styrbord.lib.formatting import format_number, format_percent
from styrbord.staff.models import Employment, JobGroup
from styrbord.workforce.figures import ContactFigures, PostingFigure, StaffCell, StaffFigures


@dataclass
class Cell:
    """A shown value with its text, or a hidden one (``value`` None, text "..")."""

    value: Decimal | int | None
    text: str
    hidden: bool = False

    @classmethod
    def of(cls, value: Decimal | int | None, fmt: Callable[[Any], str]) -> Cell:
        return cls(value, "–" if value is None else fmt(value))

    @classmethod
    def secret(cls) -> Cell:
        return cls(None, HIDDEN, hidden=True)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    key: str = ""


@dataclass
class Table:
    """One figure: rows by columns, an optional total row, a chart and a note on how it is made."""

    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    total: Row | None = None
    note: str = ""
    unit: str = ""
    chart: Any = None
    chart_label: str = ""
    chart_note: str = ""  # what the chart leaves out that the table has
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def chart_html(self) -> Any:
        return charts.chart_html(self.chart, label=self.chart_label or self.title) if self.chart is not None else ""

    def sheet_rows(self) -> list[list[Any]]:
        """Rows for the XLSX export: numbers where shown, ".." where hidden."""
        out = []
        for row in [*self.rows, *([self.total] if self.total else [])]:
            out.append([row.label, *(c.value if c.value is not None else c.text for c in row.cells)])
        return out


def fmt_whole(value: Any) -> str:
    return format_number(int(value))


def fmt_tenth(value: Any) -> str:
    return format_number(Decimal(value), 1)


def fmt_percent(value: Any) -> str:
    return format_percent(Decimal(value), 0)


def group_label(code: str) -> str:
    return str(dict(JobGroup.choices).get(code, code)) if code else _("Alle faggrupper")


# --- masks -----------------------------------------------------------------------------------------


@dataclass
class Mask:
    """Which (row, year) cells and which year totals are hidden."""

    cells: set[tuple[str, int]] = field(default_factory=set)
    totals: set[int] = field(default_factory=set)

    def hides(self, key: str, year: int) -> bool:
        return (key, year) in self.cells


def mask_for(counts: dict[str, dict[int, int]], years: Sequence[int], enabled: bool) -> Mask:
    """Primary and complementary suppression, column by column (each year sums to its total)."""
    mask = Mask()
    if not enabled:
        return mask
    for year in years:
        shown, total = suppress_counts({key: counts[key].get(year, 0) for key in counts})
        mask.cells.update((key, year) for key, value in shown.items() if value is None)
        if total is None:
            mask.totals.add(year)
    return mask


def share_mask(
    part: dict[str, dict[int, int]], whole: dict[str, dict[int, int]], years: Sequence[int], enabled: bool
) -> Mask:
    """For a share (part of whole per row): a share is a count in disguise (33,3 % of 6 people is 2),
    so per year the table suppressed is those with and those without, with ``whole`` as row totals.
    A row's share is hidden when either of its two counts is (or its whole), the total's when
    either column total is."""
    mask = Mask()
    if not enabled:
        return mask
    for year in years:
        table = suppress(
            {
                key: {"with": part[key].get(year, 0), "without": whole[key].get(year, 0) - part[key].get(year, 0)}
                for key in whole
            },
            columns=["with", "without"],
            # 0 % of 14 with a relevant education tells it of each of the 14: none is fewer than five too.
            suppress_zero=True,
        )
        for key in whole:
            if table.row_totals[key] is None or None in table.cells[key].values():
                mask.cells.add((key, year))
        if table.total is None or None in table.column_totals.values():
            mask.totals.add(year)
    return mask


def _union(*masks: Mask) -> Mask:
    return Mask(cells=set().union(*(m.cells for m in masks)), totals=set().union(*(m.totals for m in masks)))


# --- staff tables ------------------------------------------------------------------------------------


def staff_tables(figures: StaffFigures, suppress: bool) -> list[Table]:
    """Headcount, FTE, average age, part-time share and relevant education by job group and year."""
    years = figures.years
    columns = [str(y) for y in years]
    headcounts = {g: {y: figures.cells[g][y].headcount for y in years} for g in figures.groups}
    mask = mask_for(headcounts, years, suppress)

    def table(
        key: str,
        title: str,
        value: Callable[[StaffCell], Any],
        fmt: Callable[[Any], str],
        note: str = "",
        unit: str = "",
        extra_hide: Callable[[StaffCell], bool] | None = None,
        part: Callable[[StaffCell], int] | None = None,
    ) -> Table:
        # A share also hides where its own counts (with and without) are small or would tell.
        hides = (
            mask
            if part is None
            else _union(
                mask,
                share_mask(
                    {g: {y: part(figures.cells[g][y]) for y in years} for g in figures.groups},
                    headcounts,
                    years,
                    suppress,
                ),
            )
        )

        def cell(group: str | None, year: int, staff: StaffCell) -> Cell:
            hidden = (year in hides.totals) if group is None else hides.hides(group, year)
            if suppress and extra_hide is not None and extra_hide(staff):
                hidden = True
            return Cell.secret() if hidden else Cell.of(value(staff), fmt)

        rows = [Row(group_label(g), [cell(g, y, figures.cells[g][y]) for y in years], key=g) for g in figures.groups]
        total = Row(_("I alt"), [cell(None, y, figures.totals[y]) for y in years])
        return Table(key=key, title=title, columns=columns, rows=rows, total=total, note=note, unit=unit)

    def few_aged(staff: StaffCell) -> bool:
        return 0 < staff.aged < 5

    tables = [
        table("headcount", _("Medarbejdere pr. faggruppe"), lambda c: c.headcount, fmt_whole, unit=_("personer")),
        table("fte", _("Årsværk pr. faggruppe"), lambda c: c.fte, fmt_tenth, unit=_("årsværk")),
        table(
            "average_age",
            _("Gennemsnitsalder pr. faggruppe"),
            lambda c: c.average_age,
            fmt_tenth,
            note=_("Rækken I alt er gennemsnittet for alle medarbejdere."),
            unit=_("år"),
            extra_hide=few_aged,
        ),
        table(
            "part_time",
            _("Andel deltidsansatte (under 37 timer)"),
            lambda c: c.part_time_share,
            fmt_percent,
            unit="%",
            part=lambda c: c.part_time,
        ),
        table(
            "relevant_education",
            _("Andel med relevant uddannelse"),
            lambda c: c.education_share,
            fmt_percent,
            unit="%",
            part=lambda c: c.relevant_education,
        ),
    ]
    _chart_lines(tables[0], _("Medarbejdere"))
    _chart_lines(tables[1], _("Årsværk"), y_format=",.1f")
    _chart_latest_bars(tables[2], _("Gennemsnitsalder (år)"), include_total=True)
    _chart_lines(tables[3], _("Andel deltid (%)"), include_total=True, only_total=True)
    _chart_latest_bars(tables[4], _("Andel med relevant uddannelse (%)"), include_total=True)
    return tables


def contact_table(figures: ContactFigures, suppress: bool) -> Table:
    """Share of contact staff holding a valid method, clinical or role competence."""
    years = figures.years
    mask = _union(
        mask_for(figures.contacts, years, suppress),
        share_mask(figures.specialised, figures.contacts, years, suppress),
    )
    totals_c = {y: sum(figures.contacts[g][y] for g in figures.groups) for y in years}
    totals_s = {y: sum(figures.specialised[g][y] for g in figures.groups) for y in years}

    def cell(share_of: tuple[int, int], hidden: bool) -> Cell:
        specialised, contacts = share_of
        if hidden:
            return Cell.secret()
        if not contacts:
            return Cell(None, "–")
        share = (Decimal(100) * specialised / contacts).quantize(Decimal("0.1"))
        text = fmt_percent(share) if suppress else f"{fmt_percent(share)} ({specialised}/{contacts})"
        return Cell(share, text)

    rows = [
        Row(
            group_label(g),
            [cell((figures.specialised[g][y], figures.contacts[g][y]), mask.hides(g, y)) for y in years],
            key=g,
        )
        for g in figures.groups
    ]
    total = Row(_("I alt"), [cell((totals_s[y], totals_c[y]), y in mask.totals) for y in years])
    table = Table(
        key="specialised_contacts",
        title=_("Andel kontaktpersoner med specialisering"),
        columns=[str(y) for y in years],
        rows=rows,
        total=total,
        unit="%",
        note=_(
            "Kontaktpersoner med mindst én gyldig kompetence i kategorien pædagogisk metode, psykiatri og sundhed "
            "eller funktion og certificering."
        ),
    )
    _chart_lines(table, _("Andel specialiserede (%)"), include_total=True, only_total=True)
    return table


def learner_table(counts: dict[tuple[str, str], dict[int, int]], years: list[int], suppress: bool) -> Table:
    """Trainees, students and interns by type (kind and job group) and year."""
    kinds = dict(Employment.Kind.choices)
    keys = sorted(counts, key=lambda k: (str(k[0]), sort_key(group_label(k[1]))))
    by_key = {f"{k}|{g}": counts[(k, g)] for k, g in keys}
    mask = mask_for(by_key, years, suppress)
    rows = []
    for kind, group in keys:
        key = f"{kind}|{group}"
        label = f"{kinds.get(kind, kind)} – {group_label(group)}"
        rows.append(
            Row(
                label,
                [Cell.secret() if mask.hides(key, y) else Cell.of(by_key[key][y], fmt_whole) for y in years],
                key=key,
            )
        )
    total = Row(
        _("I alt"),
        [Cell.secret() if y in mask.totals else Cell.of(sum(c[y] for c in by_key.values()), fmt_whole) for y in years],
    )
    table = Table(
        key="learners",
        title=_("Elever, studerende og praktikanter"),
        columns=[str(y) for y in years],
        rows=rows,
        total=total,
        unit=_("personer"),
    )
    _chart_grouped_by_year(table, _("Antal"))
    return table


def posting_table(figures: dict[tuple[str, str], dict[int, PostingFigure]], years: list[int]) -> Table:
    """Average applicants per posting by job type and year (postings are not about staff: no suppression)."""
    labels: dict[str, dict[int, PostingFigure]] = {}
    for (group, job_type), by_year in figures.items():
        label = job_type or group_label(group)
        merged = labels.setdefault(label, {})
        for year, fig in by_year.items():
            old = merged.get(year)
            merged[year] = (
                fig if old is None else PostingFigure(old.postings + fig.postings, old.applicants + fig.applicants)
            )
    rows = []
    for label in sorted(labels, key=sort_key):
        cells = []
        for year in years:
            found = labels[label].get(year)
            cells.append(
                Cell(None, "–")
                if found is None
                else Cell(
                    found.per_posting,
                    _("%(per)s (%(count)s opslag)") % {"per": fmt_tenth(found.per_posting), "count": found.postings},
                )
            )
        rows.append(Row(label, cells, key=label))
    table = Table(
        key="postings",
        title=_("Ansøgere pr. stillingsopslag"),
        columns=[str(y) for y in years],
        rows=rows,
        unit=_("ansøgere pr. opslag"),
        note=_("Gennemsnitligt antal ansøgere pr. opslag; antal opslag i parentes."),
    )
    _chart_grouped_by_year(table, _("Ansøgere pr. opslag"), value_format=",.1f")
    return table


def statistic_table(
    key: str,
    title: str,
    values: dict[str, dict[int, Decimal]],
    years: list[int],
    *,
    people: bool,
    suppress: bool,
    fmt: Callable[[Any], str],
    unit: str = "",
    chart: str = "lines",
) -> Table:
    """Imported statistics of one metric: job groups (blank = everyone) by year (years with a value)."""
    years = [y for y in years if any(y in by_year for by_year in values.values())]
    groups = sorted((g for g in values if g), key=lambda g: sort_key(group_label(g)))
    mask = Mask()
    if people and suppress:
        counts = {g: {y: int(values[g][y]) for y in values[g]} for g in groups}
        mask = mask_for(counts, years, True)
    rows = []
    for group in [*groups, *([""] if "" in values else [])]:
        cells = []
        for year in years:
            value = values[group].get(year)
            small = people and suppress and value is not None and 0 < value < 5
            if small or (group and mask.hides(group, year)):
                cells.append(Cell.secret())
            else:
                cells.append(Cell.of(value, fmt))
        rows.append(Row(group_label(group), cells, key=group))
    table = Table(key=key, title=title, columns=[str(y) for y in years], rows=rows, unit=unit)
    if chart == "bars":
        _chart_latest_bars(table, title)
    elif chart == "grouped":
        _chart_grouped_by_year(table, title)
    else:
        _chart_lines(table, title, y_format=",.0f" if people else ",.1f")
    return table


# --- charts --------------------------------------------------------------------------------------------


# More lines than this and a chart's legend cannot be read; the table has them all.
MAX_SERIES = 6


def _largest_rows(table: Table) -> list[Row]:
    """The ``MAX_SERIES`` rows with the most in the latest year (ties: the year before; a hidden
    value counts as none), in the table's order. It showed the first six, which could leave the
    largest groups out without a word; now the chart says that the table has them all."""
    rows = list(table.rows)
    if len(rows) <= MAX_SERIES:
        return rows

    def size(row: Row) -> tuple[float, ...]:
        return tuple(float(c.value) if c.value is not None and not c.hidden else -1.0 for c in reversed(row.cells))

    kept = {id(r) for r in sorted(rows, key=size, reverse=True)[:MAX_SERIES]}
    table.chart_note = _(
        "Diagrammet viser de %(shown)s største af tabellens %(all)s rækker; tabellen har dem alle."
    ) % {
        "shown": MAX_SERIES,
        "all": len(rows),
    }
    return [r for r in rows if id(r) in kept]


def _series_rows(table: Table, include_total: bool = False, only_total: bool = False) -> list[dict[str, Any]]:
    rows = [] if only_total else _largest_rows(table)
    if (include_total or only_total) and table.total is not None:
        rows.append(table.total)
    data = []
    for row in rows:
        for column, cell in zip(table.columns, row.cells, strict=True):
            if cell.value is not None and not cell.hidden:
                data.append({"year": column, "value": cell.value, "series": row.label})
    return data


def _chart_lines(
    table: Table, y_title: str, *, include_total: bool = False, only_total: bool = False, y_format: str = ",.0f"
) -> None:
    data = _series_rows(table, include_total, only_total)
    if not data:
        return
    table.chart = charts.line_chart(
        data,
        x="year",
        y="value",
        x_title=_("År"),
        y_title=y_title,
        series="series",
        series_title=_("Faggruppe"),
        y_format=y_format,
    )


def _chart_latest_bars(table: Table, value_title: str, include_total: bool = False) -> None:
    """Bars per row for the latest year with any shown value (e.g. each group's age against the whole)."""
    rows = list(table.rows) + ([table.total] if include_total and table.total else [])
    for index in range(len(table.columns) - 1, -1, -1):
        data = [
            {"category": r.label, "value": r.cells[index].value}
            for r in rows
            if r.cells[index].value is not None and not r.cells[index].hidden
        ]
        if data:
            table.chart = charts.bar_chart(
                data,
                category="category",
                value="value",
                category_title="",
                value_title=f"{value_title}, {table.columns[index]}",
                horizontal=True,
                value_format=",.1f",
                height=max(120, 26 * len(data)),
            )
            table.chart_label = f"{table.title} {table.columns[index]}"
            return


def _chart_grouped_by_year(table: Table, value_title: str, value_format: str = ",.0f") -> None:
    data = [
        {"category": row.label, "value": cell.value, "series": column}
        for row in table.rows
        for column, cell in zip(table.columns, row.cells, strict=True)
        if cell.value is not None and not cell.hidden
    ]
    if not data:
        return
    table.chart = charts.bar_chart(
        data,
        category="category",
        value="value",
        category_title="",
        value_title=value_title,
        series="series",
        series_title=_("År"),
        horizontal=True,
        value_format=value_format,
        height=max(160, 22 * len(data)),
    )
