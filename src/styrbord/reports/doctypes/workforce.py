"""Workforce orientation (rekruttering og fastholdelse), like the recruitment item in seed 001.

Built from the workforce app's figures and tables, for the asking user's scope: headcounts by
job group over the years, average age, applicants per posting, part-time share and trainees,
each with a short text in the seed's style, a table and a chart.

The document is a public committee paper ("Åben sag"), so small numbers are always suppressed,
whoever writes it: the analysts' suppression of the workforce page (``workforce.tables``) —
counts under 5, averages of fewer than 5 people, shares resting on fewer than 5 with or without
(0 included) — and every sentence quotes only shown figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.accounts.suppression import THRESHOLD
from styrbord.lib import charts as lib_charts
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_number, format_percent
from styrbord.reports.doctypes.base import DocumentType, Progress, ReportError, ReportRequest, ScopeKind, register
from styrbord.reports.doctypes.text import join_da, year_span
from styrbord.reports.documents.charts import document_chart
from styrbord.reports.documents.structure import (
    CaseType,
    CellKind,
    Column,
    CommitteeItem,
    Paragraph,
    Row,
    RowKind,
    Section,
    Table,
)
from styrbord.workforce import figures as workforce_figures
from styrbord.workforce import services as workforce
from styrbord.workforce.models import JobPosting
from styrbord.workforce.tables import Table as FigureTable
from styrbord.workforce.tables import contact_table, learner_table, posting_table, staff_tables

YEARS_SHOWN = 5
CHART_SERIES = 5  # job groups drawn one by one; the rest as "Øvrige faggrupper"
OTHER_GROUPS = "Øvrige faggrupper"


def _years(request: ReportRequest) -> list[int]:
    years = request.period.years
    if len(years) == 1:  # one year asked: show it with the years before, as the seed does
        years = list(range(years[0] - YEARS_SHOWN + 1, years[0] + 1))
    return years[-10:]


HIDDEN_MARK = ".."  # a figure withheld (small numbers), as ``accounts.suppression`` shows it
NOBODY = "–"  # no one (or nothing to measure, as the age or part-time share of nobody)
TOTAL_KEY = "\0total"  # the total row in a ``nobody`` set


def _value(cell: Any, nobody: bool = False) -> Any:
    """A raw value for the document table: the number, or the text ("..", "–") when not shown. A cell of
    a job group with no one in it that year (``nobody``: its headcount shows 0) is "–", not "..": there
    is nothing hidden, and the headcount already tells it."""
    if nobody:
        return NOBODY
    return cell.text if cell.hidden or cell.value is None else cell.value


def _nobody(headcount: FigureTable) -> set[tuple[str, int]]:
    """(row key, column index) of every job group, and of the total, that shows 0 people in a year."""
    found = set()
    for row, key in [
        *((r, r.key) for r in headcount.rows),
        *([(headcount.total, TOTAL_KEY)] if headcount.total else []),
    ]:
        for index, cell in enumerate(row.cells):
            if not cell.hidden and cell.value is not None and cell.value == 0:
                found.add((key, index))
    return found


def _legend(rows: list[Row], count: bool) -> str:
    """The symbols a table uses, explained under it (``count``: its 0s are written "–")."""
    cells = {c for r in rows for c in r.cells[1:] if isinstance(c, str)}
    counts_zero = count and any(not isinstance(c, str) and c == 0 for r in rows for c in r.cells[1:])
    parts = []
    if HIDDEN_MARK in cells:
        parts.append(f"{HIDDEN_MARK} = skjult (små tal, se nedenfor)")
    if NOBODY in cells or counts_zero:
        parts.append(f"{NOBODY} = ingen")
    return ("Tegnforklaring: " + "; ".join(parts) + ".") if parts else ""


def _table(
    figure: FigureTable,
    kind: CellKind,
    places: int,
    caption: str,
    first: str,
    sheet_name: str,
    *,
    nobody: set[tuple[str, int]] | None = None,
    count: bool = False,
    note: str | None = None,
) -> Table:
    """A document table from a workforce figure, with a short sheet name for the appendix. ``nobody``:
    the cells of job groups with no one that year ("–"); ``count``: a 0 is no one, written "–" too."""
    nobody = nobody or set()

    def cells(row: Any, key: str) -> list[Any]:
        return [_value(c, (key, i) in nobody) for i, c in enumerate(row.cells)]

    rows = [Row([r.label, *cells(r, r.key)]) for r in figure.rows]
    if figure.total is not None:
        rows.append(Row([figure.total.label, *cells(figure.total, TOTAL_KEY)], RowKind.TOTAL))
    legend = _legend(rows, count)
    return Table(
        columns=[Column(first)] + [Column(y, kind, places, zero=NOBODY if count else "") for y in figure.columns],
        rows=rows,
        caption=caption,
        note=" ".join(part for part in (figure.note if note is None else note, legend) if part),
        sheet_name=sheet_name,
    )


def _shown(cell: Any) -> Decimal | None:
    return None if cell.hidden or cell.value is None else Decimal(cell.value)


def _lower(label: str) -> str:
    return label[0].lower() + label[1:] if label and not label[:2].isupper() else label


def _headcount_text(figure: FigureTable) -> str:
    """ "Blandt socialpædagoger ses et fald fra 266 i 2020 til 226 i 2024, ..." for the biggest changes."""
    first, last = figure.columns[0], figure.columns[-1]
    changes = []
    for row in figure.rows:
        a, b = _shown(row.cells[0]), _shown(row.cells[-1])
        if a is not None and b is not None and a != b:
            changes.append((abs(b - a), row.label, a, b))
    changes.sort(reverse=True)
    parts = []
    for _size, label, a, b in changes[:2]:
        word = "en stigning" if b > a else "et fald"
        parts.append(f"blandt {_lower(label)} ses {word} fra {int(a)} i {first} til {int(b)} i {last}")
    total = figure.total
    lead = ""
    if total is not None and _shown(total.cells[0]) is not None and _shown(total.cells[-1]) is not None:
        lead = f"Antallet af medarbejdere er gået fra {int(total.cells[0].value)} i {first} til {int(total.cells[-1].value)} i {last}. "  # type: ignore[arg-type]
    if not parts:
        return lead + "Fordelingen på faggrupper er stort set uændret."
    text = "; ".join(parts)
    return lead + text[0].upper() + text[1:] + "."


def _ranked_value(row: Any) -> tuple[Decimal, Decimal] | None:
    """How big a job group is by its shown cells (latest shown, then largest); None when it shows none above 0.

    A hidden cell is not a 0: ranking by it would put a hidden or empty group among the lines."""
    shown = [v for v in (_shown(c) for c in row.cells) if v is not None]
    if not any(shown):
        return None
    return shown[-1], max(shown)


def _rest_value(figure: FigureTable, top: list[Any], rest: list[Any], index: int, suppress: bool) -> Decimal | None:
    """The year's "Øvrige faggrupper": its total minus the shown lines, or None where it cannot be shown.

    It is left out where the total or a line is hidden, and — as in the tables (``accounts.suppression``) —
    where it would give a hidden cell away: one hidden group among the rest (the point would be its value
    plus shown ones), the hidden groups together under 5, or the point itself under 5."""
    total = _shown(figure.total.cells[index]) if figure.total is not None else None
    lines = [_shown(r.cells[index]) for r in top]
    if total is None or any(v is None for v in lines):
        return None
    value = total - sum((v for v in lines if v is not None), Decimal(0))
    hidden = [r for r in rest if r.cells[index].hidden]
    hidden_sum = value - sum((_shown(r.cells[index]) or Decimal(0) for r in rest), Decimal(0))
    if suppress and (len(hidden) == 1 or 0 < hidden_sum < THRESHOLD or 0 < value < THRESHOLD):
        return None
    return value


def _headcount_chart(figure: FigureTable, suppress: bool = True) -> Any:
    """Lines for the biggest job groups and one for the rest, so the legend stays readable on paper.

    The lines are the groups with most staff by their shown figures (a group hidden or empty in every year
    is never one of them); "Øvrige faggrupper" is everyone else, each year's total minus the lines, where
    that can be shown without telling a hidden figure (``_rest_value``); other years are left out."""
    ranked = [(key, r) for r in figure.rows if (key := _ranked_value(r)) is not None]
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    top = [r for _key, r in ranked[:CHART_SERIES]]
    rest = [r for r in figure.rows if all(r is not t for t in top)]
    data: list[dict[str, Any]] = [
        {"year": year, "value": _shown(cell), "series": row.label}
        for row in top
        for year, cell in zip(figure.columns, row.cells, strict=True)
        if _shown(cell) is not None
    ]
    if rest:
        for index, year in enumerate(figure.columns):
            value = _rest_value(figure, top, rest, index, suppress)
            if value is not None:
                data.append({"year": year, "value": value, "series": OTHER_GROUPS})
    if not data:
        return None
    chart = lib_charts.line_chart(
        data, x="year", y="value", x_title="År", y_title="Medarbejdere", series="series", series_title="", height=240
    )
    # On paper the legend wraps in three columns instead of running off the page.
    return chart.configure_legend(orient="bottom", columns=3, labelLimit=260, labelFontSize=11, titleFontSize=12)


def _latest_index(figure: FigureTable) -> int | None:
    for index in range(len(figure.columns) - 1, -1, -1):
        if any(_shown(r.cells[index]) is not None for r in figure.rows):
            return index
    return None


def _age_text(figure: FigureTable) -> str:
    index = _latest_index(figure)
    if index is None:
        if any(c.hidden for r in [*figure.rows, *([figure.total] if figure.total else [])] for c in r.cells):
            return "Aldersgennemsnittet kan ikke vises, fordi faggrupperne er for små (færre end 5 personer)."
        return "Der er ikke fødselsår nok til at opgøre aldersgennemsnittet."
    year = figure.columns[index]
    shown = [(_shown(r.cells[index]), r.label) for r in figure.rows if _shown(r.cells[index]) is not None]
    high = max(shown)
    text = f"Aldersgennemsnittet er i {year} højest hos {_lower(high[1])} med {format_number(high[0], 1)} år"  # type: ignore[arg-type]
    if len(shown) > 1:
        low = min(shown)
        text += f", mens {_lower(low[1])} ligger på {format_number(low[0], 1)} år"  # type: ignore[arg-type]
    whole = _shown(figure.total.cells[index]) if figure.total else None
    if whole is not None:
        text += f". Det samlede gennemsnit er {format_number(whole, 1)} år"
    return text + "."


def _postings_text(figure: FigureTable) -> str:
    index = _latest_index(figure)
    if index is None:
        return "Der er ikke registreret stillingsopslag i perioden."
    year = figure.columns[index]
    shown = [(_shown(r.cells[index]), r.label) for r in figure.rows if _shown(r.cells[index]) is not None]
    low, high = min(shown), max(shown)
    if low == high:
        return f"I {year} var der i gennemsnit {format_number(low[0], 0)} ansøgere pr. stillingsopslag."  # type: ignore[arg-type]
    return (
        f"Der er stor forskel på antallet af ansøgere til forskellige stillingstyper. For {_lower(low[1])} var der i "
        f"gennemsnit kun {format_number(low[0], 0)} ansøgere pr. stillingsopslag i {year}, mens der til "  # type: ignore[arg-type]
        f"sammenligning var {format_number(high[0], 0)} i gennemsnit til {_lower(high[1])}."  # type: ignore[arg-type]
    )


def _share(value: Decimal) -> str:
    """A share as the tables write it ("46,8 %"), so text and table agree."""
    return format_percent(value, 1)


def _part_time_text(figure: FigureTable, scope_name: str) -> str:
    value = _shown(figure.total.cells[-1]) if figure.total else None
    if value is None:
        return "Andelen af deltidsansatte kan ikke vises for de valgte tilbud."
    year = figure.columns[-1]
    text = f"{_share(value)} af alle ansatte i {scope_name} var deltidsansatte i {year}."
    first = _shown(figure.total.cells[0]) if figure.total else None
    if first is not None and first != value:
        text += f" Andelen var {_share(first)} i {figure.columns[0]}."
    if value >= 25:
        text += (
            " Der ligger dermed et potentiale i at skabe incitament til at arbejde flere timer eller gå op på fuld "
            "tid blandt nogle af de medarbejdere, der allerede er ansat."
        )
    return text


def _imported_learners(imported: FigureTable) -> list[tuple[str, Decimal]]:
    """(year, number) of the imported statistics' trainees and students, for the years whose whole is shown:
    the row for everyone, else the sum of the job groups where none is hidden."""
    everyone = next((r for r in imported.rows if r.key == ""), None)
    groups = [r for r in imported.rows if r.key != ""]
    found = []
    for index, year in enumerate(imported.columns):
        value = _shown(everyone.cells[index]) if everyone is not None else None
        if value is None and groups and not any(r.cells[index].hidden for r in groups):
            value = sum((_shown(r.cells[index]) or Decimal(0) for r in groups), Decimal(0))
        if value is not None:
            found.append((year, value))
    return found


def _learner_text(figure: FigureTable, imported: FigureTable | None = None) -> str:
    if not figure.rows or figure.total is None:
        if imported is None or not imported.rows:
            return "Der er ikke registreret elever, studerende eller praktikanter i perioden."
        # Styrbord's staff data has none, but the municipality's imported HR statistics have some.
        found = _imported_learners(imported)
        lead = "Styrbords personaledata har ingen elever, studerende eller praktikanter registreret i perioden, men "
        if not found:
            return lead + "den importerede HR-statistik har elever og studerende; tallene kan ikke vises (små tal)."
        figures = [f"{format_number(int(value))} i {year}" for year, value in found[-3:]]
        figures[0] = figures[0].replace(" i ", " elever og studerende i ", 1)
        return lead + f"den importerede HR-statistik viser {join_da(figures)}."
    years, cells = figure.columns, figure.total.cells
    hidden = [int(y) for y, c in zip(years, cells, strict=True) if c.hidden]
    shown = [(i, _shown(c)) for i, c in enumerate(cells) if _shown(c) is not None]
    why = "fordi der var færre end 5 (små tal)"
    if not shown:
        return f"Antallet af elever, studerende og praktikanter i {year_span(hidden)} kan ikke vises, {why}."
    index, last = shown[-1]
    before = _shown(cells[index - 1]) if index > 0 else None
    if not last:
        # No one in the latest year shown: in every year shown, if so ("i 2022-2025"), else in that one.
        empty = [int(years[i]) for i, v in shown] if not any(v for _i, v in shown) else [int(years[index])]
        text = f"Der var ingen elever, studerende eller praktikanter i {year_span(empty)}."
    elif before is None or before == last:
        text = f"I {years[index]} var der {int(last)} elever, studerende og praktikanter."
    else:
        word = "steget" if last > before else "faldet"
        text = (
            f"Samlet set er antallet af elever, studerende og praktikanter {word} fra {int(before)} i "
            f"{years[index - 1]} til {int(last)} i {years[index]}."
        )
    if hidden:
        text += f" Antallet i {year_span(hidden)} kan ikke vises, {why}."
    return text


def _public_page(user: Any, selection: workforce.Selection, today: Any) -> workforce.WorkforcePage:
    """``workforce.build_page`` for the user's scope, but always suppressed: a committee paper is public."""
    page = workforce.WorkforcePage(selection=selection, suppress=True)
    years = selection.years
    employments = workforce._employments(user, selection)
    staff = workforce_figures.staff_figures(employments, years, today)
    page.staff_count = sum(c.headcount for c in staff.totals.values())
    page.computed = staff_tables(staff, suppress=True)
    page.computed.append(contact_table(workforce_figures.contact_figures(employments, years, today), True))
    page.computed.append(learner_table(workforce_figures.learner_figures(employments, years, today), years, True))
    if selection.municipality is not None:
        page.imported, page.sources = workforce._imported(user, selection, True)
    postings = workforce_figures.posting_figures(workforce._scoped_rows(user, JobPosting, selection), years)
    page.postings = posting_table(postings, years) if postings else None
    return page


def _scope(request: ReportRequest) -> tuple[Any, Any, Any, str]:
    """(municipality, facility, region, name) of what the document is about."""
    obj = request.scope.obj
    if request.scope.kind == ScopeKind.FACILITY:
        return obj.municipality, obj, None, str(obj)  # type: ignore[attr-defined]
    if request.scope.kind == ScopeKind.MUNICIPALITY:
        return obj, None, None, str(obj)
    if request.scope.kind == ScopeKind.REGION:
        return None, None, obj, str(obj)
    raise ReportError(_("Orientering om personale laves for en region, en kommune eller et tilbud."))


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """The orientation item from the workforce figures, as the asking user may see them."""
    municipality, facility, region, scope_name = _scope(request)
    years = _years(request)
    span = f"{years[0]}-{years[-1]}"
    progress(15, _("Beregner personaletallene"))
    page = _public_page(
        request.acting_user(),
        workforce.Selection(municipality=municipality, facility=facility, years=years, region=region),
        request.today or local_today(),
    )
    figures = {t.key: t for t in page.computed}
    headcount, age, part_time = figures["headcount"], figures["average_age"], figures["part_time"]
    learners = figures["learners"]
    imported_learners = next((t for t in page.imported if t.key == "imported_students"), None)
    if page.staff_count == 0:
        raise ReportError(_("Der er ingen medarbejdere i %(scope)s i %(span)s.") % {"scope": scope_name, "span": span})
    nobody = _nobody(headcount)

    progress(55, _("Tegner figurerne"))
    case = Section("Beskrivelse af sagen").add(
        f"Sagen belyser rekrutterings- og fastholdelsessituationen i {scope_name} med udgangspunkt i Styrbords "
        f"personaledata for {span}. Tallene opgør medarbejderne pr. 31. december hvert år (for indeværende år pr. "
        "dags dato).",
        Paragraph(_headcount_text(headcount), lead="Antallet af ansatte:"),
        _table(headcount, CellKind.NUMBER, 0, "Medarbejdere pr. faggruppe", "Faggruppe", "Medarbejdere", count=True),
    )
    chart = _headcount_chart(headcount)
    if chart is not None:
        case.add(document_chart(chart, "Medarbejdere pr. faggruppe over tid"))
    case.add(Paragraph(_age_text(age), lead="Aldersgennemsnittet:"))
    case.add(
        _table(age, CellKind.NUMBER, 1, "Gennemsnitsalder pr. faggruppe (år)", "Faggruppe", "Alder", nobody=nobody)
    )
    if age.chart is not None:
        case.add(document_chart(age.chart, "Gennemsnitsalder pr. faggruppe", width_cm=13.5))
    if page.postings is not None:
        case.add(Paragraph(_postings_text(page.postings), lead="Antal ansøgere:"))
        # The page writes the number of postings in parentheses; the document keeps numbers (its
        # appendix holds numbers, not text), so its note does not promise them.
        case.add(
            _table(
                page.postings,
                CellKind.NUMBER,
                1,
                "Ansøgere pr. stillingsopslag",
                "Stillingstype",
                "Ansøgere",
                note="Gennemsnitligt antal ansøgere pr. opslag.",
            )
        )
    else:
        # The type promises applicants per posting: without postings the paper says so.
        case.add(
            Paragraph(
                f"Der er ikke registreret stillingsopslag i {scope_name} i {span}, så antallet af ansøgere pr. "
                "opslag kan ikke opgøres.",
                lead="Antal ansøgere:",
            )
        )
    case.add(Paragraph(_part_time_text(part_time, scope_name), lead="Fuldtidsansatte og deltidsansatte:"))
    case.add(
        _table(
            part_time,
            CellKind.PERCENT,
            1,
            "Andel deltidsansatte (under 37 timer)",
            "Faggruppe",
            "Deltid",
            nobody=nobody,
        )
    )
    case.add(Paragraph(_learner_text(learners, imported_learners), lead="Uddannelses- og praktikpladser:"))
    if learners.rows:
        case.add(
            _table(learners, CellKind.NUMBER, 0, "Elever, studerende og praktikanter", "Type", "Elever", count=True)
        )
    case.add(
        Paragraph(
            "Sagen er offentlig, og ingen enkeltpersoner må kunne genkendes: tal, der bygger på færre end 5 "
            "personer – antal, gennemsnitsalder og andele, hvor færre end 5 har eller ikke har det, der "
            "opgøres – er skjult og vist som »..«, og så mange andre felter er skjult på samme måde, at de "
            "skjulte ikke kan regnes ud fra totalen. »–« betyder, at der ingen er: ingen i faggruppen det år "
            "(og derfor heller ingen gennemsnitsalder eller andel), eller ingen opslag.",
            lead="Små tal:",
        )
    )
    # Short sheet names (as the workforce page's export has them): the captions are longer than
    # Excel's 31 characters.
    extra = [
        _table(
            figures["fte"],
            CellKind.NUMBER,
            1,
            "Årsværk pr. faggruppe",
            "Faggruppe",
            "Årsværk",
            nobody=nobody,
            count=True,
        ),
        _table(
            figures["relevant_education"],
            CellKind.PERCENT,
            1,
            "Andel med relevant uddannelse",
            "Faggruppe",
            "Uddannelse",
            nobody=nobody,
        ),
        _table(
            figures["specialised_contacts"],
            CellKind.PERCENT,
            1,
            "Kontaktpersoner med specialisering",
            "Faggruppe",
            "Specialisering",
            nobody=nobody,
        ),
    ]
    for imported in page.imported:
        extra.append(
            _table(
                imported, CellKind.NUMBER, 2, f"Importeret: {imported.title}", "Faggruppe", f"Import {imported.title}"
            )
        )
    committee = request.option("committee")
    progress(80, _("Skriver dokumentet"))
    return CommitteeItem(
        heading=request.option(
            "heading", f"Orientering om rekruttering og fastholdelse af medarbejdere i {scope_name}"
        ),
        municipality=str(municipality or region or ""),  # the letterhead: the region for a regional document
        department=request.option("department"),
        case_number=request.option("case_number"),
        case_type=CaseType.INFORMATION,
        route=request.option("route", committee),
        committee=committee,
        document_date=request.today,
        summary=[
            f"Denne sag adresserer den aktuelle situation omkring rekruttering og fastholdelse i {scope_name}. "
            "Sagen belyser udfordringer og potentialer med udgangspunkt i data om antal ansatte, alder, "
            + ("ansøgere, " if page.postings is not None else "")
            + "deltid og uddannelsespladser."
        ],
        sections=[case],
        economy=Section("Økonomiske konsekvenser").add("Der er ingen økonomiske konsekvenser."),
        recommender=request.option("recommender", "Administrationen"),
        recommendations=["orienteringen om rekruttering af medarbejdere tages til efterretning."],
        appendices=[_("Underliggende tal (regneark), herunder årsværk, relevant uddannelse og specialisering")],
        extra_sheets=extra,
        document_type="workforce",
        file_stem="personale",
    )


WORKFORCE = register(
    DocumentType(
        key="workforce",
        name=gettext_lazy("Orientering om rekruttering og fastholdelse"),
        description=gettext_lazy(
            "Antal ansatte pr. faggruppe over årene, alder, ansøgere pr. opslag, deltid og elever – med figurer."
        ),
        scope_kinds=(ScopeKind.REGION, ScopeKind.MUNICIPALITY, ScopeKind.FACILITY),
        roles=frozenset({Role.ADMIN, Role.COORDINATOR, Role.FACILITY_MANAGER, Role.ANALYST}),
        role_scope_kinds={
            Role.COORDINATOR: (ScopeKind.MUNICIPALITY, ScopeKind.FACILITY),
            Role.FACILITY_MANAGER: (ScopeKind.FACILITY,),
            Role.ANALYST: (ScopeKind.REGION, ScopeKind.MUNICIPALITY),
        },
        aggregate_only=True,
        build=build,
    )
)
