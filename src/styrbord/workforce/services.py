"""Putting the workforce page together: the filter's scope, the computed and the imported figures.

Every query goes through the permission helper: a user only ever counts the staff, statistics
and postings inside their own scope, and analysts get small cells hidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import LIST, can, scope, scoped_for
from styrbord.accounts.suppression import reference_date
from styrbord.lib.collation import collated
from styrbord.organisations.models import Facility, Municipality, Region
from styrbord.staff.models import Employment
from styrbord.workforce import figures as f
from styrbord.workforce.models import JobPosting, WorkforceStatistic
from styrbord.workforce.tables import (
    Cell,
    Table,
    contact_table,
    fmt_percent,
    fmt_tenth,
    fmt_whole,
    learner_table,
    mask_for,
    posting_table,
    share_mask,
    staff_tables,
    statistic_table,
)

OBJECT_TYPE = "workforce"
MAX_YEARS = 10


@dataclass
class Selection:
    """What the user filtered on. ``municipality`` None = everything in scope."""

    municipality: Municipality | None
    facility: Facility | None
    years: list[int]
    region: Region | None = None  # a region's figures (the regional analyst's documents)


@dataclass
class WorkforcePage:
    selection: Selection
    suppress: bool
    computed: list[Table] = field(default_factory=list)
    imported: list[Table] = field(default_factory=list)
    postings: Table | None = None
    sources: list[str] = field(default_factory=list)
    staff_count: int = 0
    on: dt.date | None = None  # the day this year's figures describe (analysts: the last month end)


def suppresses(user: Any) -> bool:
    """Analysts see aggregates only: small cells hidden."""
    return getattr(user, "role", None) == Role.ANALYST and not getattr(user, "is_superuser", False)


def municipalities_for(user: Any) -> QuerySet[Municipality]:
    """Municipalities the user has figures for: their facilities' and their statistics' ones."""
    facilities = scope(user, Facility.objects.all()).values("municipality_id")
    statistics = scoped_for(user, LIST, OBJECT_TYPE, WorkforceStatistic.objects.all()).values("municipality_id")
    postings = scoped_for(user, LIST, OBJECT_TYPE, JobPosting.objects.all()).values("municipality_id")
    return Municipality.objects.filter(Q(id__in=facilities) | Q(id__in=statistics) | Q(id__in=postings)).order_by(
        collated("name")
    )


def facilities_for(user: Any, municipality: Municipality | None) -> QuerySet[Facility]:
    qs = scope(user, Facility.objects.all())
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs.order_by(collated("name"))


def default_years(today: dt.date) -> tuple[int, int]:
    """The last completed year and the five before it (2020-2025 seen from 2026)."""
    return today.year - 6, today.year - 1


def _employments(user: Any, selection: Selection) -> QuerySet[Employment]:
    qs = scoped_for(user, LIST, OBJECT_TYPE, Employment.objects.all())
    if selection.region is not None:
        qs = qs.filter(facility__municipality__region=selection.region)
    if selection.municipality is not None:
        qs = qs.filter(facility__municipality=selection.municipality)
    if selection.facility is not None:
        qs = qs.filter(facility=selection.facility)
    return qs


def _scoped_rows(user: Any, model: Any, selection: Selection) -> QuerySet[Any]:
    qs = scoped_for(user, LIST, OBJECT_TYPE, model.objects.all())
    if selection.region is not None:
        qs = qs.filter(municipality__region=selection.region)
    if selection.municipality is not None:
        qs = qs.filter(municipality=selection.municipality)
    if selection.facility is not None:
        qs = qs.filter(facility=selection.facility)
    return qs


def build_page(user: Any, selection: Selection, today: dt.date) -> WorkforcePage:
    """All figures for the selection, as the user may see them."""
    suppress = suppresses(user)
    # Analysts: this year's figures as of the last month end, as the coverage aggregates, so two
    # days cannot be subtracted to single out the one person who joined or left in between.
    today = reference_date(today, suppress)
    page = WorkforcePage(selection=selection, suppress=suppress, on=today)
    years = selection.years
    employments = _employments(user, selection)
    staff = f.staff_figures(employments, years, today)
    page.staff_count = sum(c.headcount for c in staff.totals.values())
    page.computed = staff_tables(staff, suppress)
    page.computed.append(contact_table(f.contact_figures(employments, years, today), suppress))
    page.computed.append(learner_table(f.learner_figures(employments, years, today), years, suppress))
    if selection.municipality is not None:
        page.imported, page.sources = _imported(user, selection, suppress)
    postings = f.posting_figures(_scoped_rows(user, JobPosting, selection), years)
    page.postings = posting_table(postings, years) if postings else None
    return page


@dataclass(frozen=True)
class KeyFigure:
    """One headline figure of the staff in scope: today and at the end of last year."""

    key: str
    label: str
    now: Cell
    before: Cell


@dataclass(frozen=True)
class KeyFigures:
    """The landing page's staff figures: the same totals as the workforce page, today and a year ago."""

    today: dt.date
    year_end: dt.date  # 31 December of last year, the comparison
    figures: list[KeyFigure]
    suppressed: bool  # small totals hidden (analysts)


def key_figures(user: Any, today: dt.date) -> KeyFigures | None:
    """Headcount, FTE, relevant education and specialised contact staff in the user's scope.

    Two set-based queries (the workforce page's own), for last year and this year only, without
    charts. Analysts get the page's suppression: a total of fewer than five people is hidden,
    and so are the shares computed from it, and a share whose with or without is 1-4 people (or
    would give such a count away), as on the page.
    """
    if not can(user, LIST, OBJECT_TYPE):
        return None
    suppress = suppresses(user)
    today = reference_date(today, suppress)  # analysts: the last month end (see ``build_page``)
    last, this = today.year - 1, today.year
    years = [last, this]
    employments = _employments(user, Selection(municipality=None, facility=None, years=years))
    staff = f.staff_figures(employments, years, today, detail=False)
    contacts = f.contact_figures(employments, years, today)
    headcounts = {g: {y: staff.cells[g][y].headcount for y in years} for g in staff.groups}
    staff_mask = mask_for(headcounts, years, suppress)
    contact_mask = mask_for(contacts.contacts, years, suppress)
    educated = {g: {y: staff.cells[g][y].relevant_education for y in years} for g in staff.groups}
    education_hidden = staff_mask.totals | share_mask(educated, headcounts, years, suppress).totals
    specialised_hidden = (
        contact_mask.totals | share_mask(contacts.specialised, contacts.contacts, years, suppress).totals
    )

    def cells(value: Any, fmt: Any, hidden_years: set[int]) -> tuple[Cell, Cell]:
        now, before = (Cell.secret() if y in hidden_years else Cell.of(value(y), fmt) for y in (this, last))
        return now, before

    rows: list[tuple[str, str, Any, Any, set[int]]] = [
        # As on the workforce page: without trainees, students and interns (the facility pages count
        # them in their headcount, not in the share with a relevant education, which is the same here).
        ("headcount", _("medarbejdere uden elever"), lambda y: staff.totals[y].headcount, fmt_whole, staff_mask.totals),
        ("fte", _("årsværk uden elever"), lambda y: staff.totals[y].fte, fmt_tenth, staff_mask.totals),
        (
            "relevant_education",
            # Of the people counted above, as the label says (organisations.services.education_counted_q).
            _("af medarbejderne uden elever med relevant uddannelse"),
            lambda y: staff.totals[y].education_share,
            fmt_percent,
            education_hidden,
        ),
        (
            "specialised_contacts",
            # Any specialisation (method, psychiatry and health, function): not one requirement's competences.
            _("af kontaktpersonerne med mindst én specialisering (alle fagområder)"),
            contacts.total_share,
            fmt_percent,
            specialised_hidden,
        ),
    ]
    figures = [KeyFigure(key, label, *cells(value, fmt, hidden)) for key, label, value, fmt, hidden in rows]
    return KeyFigures(today=today, year_end=dt.date(last, 12, 31), figures=figures, suppressed=suppress)


IMPORTED_METRICS: list[tuple[str, str, bool, str]] = [
    # metric, chart kind, counts people, format
    (WorkforceStatistic.Metric.HEADCOUNT, "lines", True, "int"),
    (WorkforceStatistic.Metric.FTE, "lines", False, "one"),
    (WorkforceStatistic.Metric.AVERAGE_AGE, "bars", False, "auto"),
    (WorkforceStatistic.Metric.PART_TIME_SHARE, "lines", False, "pct1"),
    (WorkforceStatistic.Metric.STUDENTS, "grouped", True, "int"),
    (WorkforceStatistic.Metric.TURNOVER, "lines", False, "pct1"),
    (WorkforceStatistic.Metric.SICKNESS_ABSENCE, "lines", False, "pct1"),
]


def _format(kind: str) -> Any:
    from styrbord.lib.formatting import format_number, format_percent, natural_places

    def places(value: Any) -> int:
        # As many decimals as the source gave, at most two: 45,64 / 50,6 / 44.
        return min(2, natural_places(Decimal(value)))

    return {
        "int": lambda v: format_number(int(v)),
        "one": lambda v: format_number(Decimal(v), 1),
        "auto": lambda v: format_number(Decimal(v), places(v)),
        "pct1": lambda v: format_percent(Decimal(v), places(v)),
    }[kind]


def _imported(user: Any, selection: Selection, suppress: bool) -> tuple[list[Table], list[str]]:
    """The municipality's imported statistics (or one facility's), one table per metric."""
    rows = _scoped_rows(user, WorkforceStatistic, selection)
    if selection.facility is None:
        rows = rows.filter(facility__isnull=True)
    rows = rows.filter(year__in=selection.years)
    by_metric: dict[str, dict[str, dict[int, Decimal]]] = {}
    sources: set[str] = set()
    for metric, group, year, value, source in rows.values_list("metric", "job_group", "year", "value", "source"):
        by_metric.setdefault(metric, {}).setdefault(group, {})[year] = value
        sources.add(source)
    labels = dict(WorkforceStatistic.Metric.choices)
    tables = []
    for metric, chart, people, fmt in IMPORTED_METRICS:
        if metric not in by_metric:
            continue
        tables.append(
            statistic_table(
                f"imported_{metric}",
                str(labels[metric]),
                by_metric[metric],
                selection.years,
                people=people,
                suppress=suppress,
                fmt=_format(fmt),
                chart=chart,
            )
        )
    return tables, sorted(sources)


def export_sheets(page: WorkforcePage) -> list[Any]:
    """Every table of the page as a worksheet (hidden cells stay "..")."""
    from styrbord.lib.spreadsheets import Sheet, unique_sheet_name

    sheets = []
    used: set[str] = set()

    def name(text: str) -> str:
        return unique_sheet_name(text, used)

    # Short names that fit Excel's 31 characters whole (the table's title is longer).
    short = {
        "headcount": _("Medarbejdere"),
        "fte": _("Årsværk"),
        "average_age": _("Gennemsnitsalder"),
        "part_time": _("Deltidsansatte"),
        "relevant_education": _("Relevant uddannelse"),
        "specialised_contacts": _("Specialiserede kontaktpersoner"),
        "learners": _("Elever og studerende"),
    }
    for table in [*page.computed, *page.imported]:
        title = str(short.get(table.key, table.title))
        if table.key.startswith("imported_"):
            title = _("Import %(title)s") % {"title": table.title}
        row_header = _("Type og faggruppe") if table.key == "learners" else _("Faggruppe")
        sheets.append(Sheet(name=name(title), headers=[row_header, *table.columns], rows=table.sheet_rows()))
    if page.postings is not None:
        sheets.append(
            Sheet(
                name=name(page.postings.title),
                headers=[_("Stillingstype"), *page.postings.columns],
                rows=page.postings.sheet_rows(),
            )
        )
    return sheets
