"""Importing yearly HR statistics (turnover, sickness absence, headcounts ...) and job postings.

Statistics file (CSV or XLSX): År; Faggruppe (blank = all); Nøgletal; Værdi; Kilde; Tilbud (optional).
Postings file: Opslået; Stillingstype and/or Faggruppe; Ansøgere; Stilling, Tilbud, Kilde (optional).
Read with the HR import's safe reader (encoding and delimiter sniffing, size and zip-bomb
limits, formulas as text); validated first, applied all-or-nothing; statistics are upserted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from styrbord.audit.services import log_action
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.importing.columns import Columns
from styrbord.staff.importing.errors import IssueList
from styrbord.staff.importing.reading import FileUnreadableError, SourceFile, open_table, sheet_where
from styrbord.staff.importing.values import normalise_header
from styrbord.staff.importing.vocabulary import job_group_for_value
from styrbord.workforce.models import JobPosting, WorkforceStatistic

# The columns each kind of file needs (any name of each group), as the readers below require them.
STATISTICS_COLUMNS = (("År", "Aar"), ("Nøgletal", "Noegletal"), ("Værdi", "Vaerdi"))
POSTINGS_COLUMNS = (("Opslået", "Dato", "Opslagsdato"), ("Ansøgere", "Antal ansøgere"))


def _readable(headers: list[str]) -> bool:
    """Whether a sheet with these headers is a statistics or a postings table."""
    present = {normalise_header(header) for header in headers}

    def has(groups: tuple[tuple[str, ...], ...]) -> bool:
        return all(any(normalise_header(name) in present for name in group) for group in groups)

    return has(STATISTICS_COLUMNS) or has(POSTINGS_COLUMNS)


@dataclass
class StatisticsResult:
    kind: str = ""
    created: int = 0
    updated: int = 0
    errors: IssueList = field(default_factory=IssueList)
    warnings: IssueList = field(default_factory=IssueList)


def metric_for(text: str) -> str | None:
    value = text.strip().lower()
    with translation.override("da"):
        for code, label in WorkforceStatistic.Metric.choices:
            if value in (code, str(label).lower(), str(label).lower().split(" (")[0]):
                return str(code)
    return None


def import_statistics(
    source: SourceFile, municipality: Municipality, *, user: Any = None, dry_run: bool = False, default_source: str = ""
) -> StatisticsResult:
    """Validate the whole file, then write it in one transaction (unless ``dry_run``)."""
    result = StatisticsResult()
    source = sheet_where(source, _readable)  # a workbook: the first sheet with either table
    try:
        table = open_table(source, result.warnings)
    except FileUnreadableError as exc:
        result.errors.add(source.name, None, "", "", exc.msgid, **exc.params)
        return result
    cols = Columns(table, result.errors)
    facilities = {f.name.lower(): f for f in Facility.objects.filter(municipality=municipality)}
    is_postings = cols.find(*POSTINGS_COLUMNS[1]) is not None
    result.kind = "postings" if is_postings else "statistics"
    postings: list[JobPosting] = []
    statistics: list[WorkforceStatistic] = []
    try:
        if is_postings:
            postings = _postings(table, cols, municipality, facilities, default_source)
        else:
            statistics = _statistics(table, cols, municipality, facilities, default_source)
    except FileUnreadableError as exc:
        result.errors.add(source.name, None, "", "", exc.msgid, **exc.params)
        return result
    if result.errors or dry_run:
        result.created = len(postings) + len(statistics)
        return result
    with transaction.atomic():
        if is_postings:
            JobPosting.objects.bulk_create(postings)
            result.created = len(postings)
        else:
            for stat in statistics:
                _, created = WorkforceStatistic.objects.update_or_create(
                    municipality=municipality,
                    facility=stat.facility,
                    year=stat.year,
                    job_group=stat.job_group,
                    metric=stat.metric,
                    defaults={"value": stat.value, "source": stat.source},
                )
                result.created += int(created)
                result.updated += int(not created)
        log_action(
            None,
            f"workforce.{result.kind}.imported",
            user,
            data={"municipality": municipality.code, "created": result.created, "updated": result.updated},
        )
    return result


def _facility(cols: Columns, cells: list[str], row: int, index: int | None, facilities: dict[str, Facility]) -> Any:
    name = cols.text(cells, index)
    if not name:
        return None
    found = facilities.get(name.lower())
    if found is None:
        cols.errors.add(
            cols.table.file, row, cols.table.column(index or 0), name, gettext_noop("Ukendt tilbud i kommunen.")
        )
        return False
    return found


def _statistics(
    table: Any, cols: Columns, municipality: Municipality, facilities: dict[str, Facility], default_source: str
) -> list[WorkforceStatistic]:
    found = cols.require(*STATISTICS_COLUMNS)
    if found is None:
        return []
    group_col, source_col, facility_col = cols.find("Faggruppe"), cols.find("Kilde"), cols.find("Tilbud")
    out: list[WorkforceStatistic] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row, cells in table.rows:
        before = cols.errors.total
        year = cols.integer(cells, row, found["År"])
        value = cols.decimal(cells, row, found["Værdi"])
        metric_text = cols.text(cells, found["Nøgletal"])
        metric = metric_for(metric_text)
        if metric is None:
            cols.errors.add(
                table.file, row, table.column(found["Nøgletal"]), metric_text, gettext_noop("Ukendt nøgletal.")
            )
        group_text = cols.text(cells, group_col)
        group = job_group_for_value(group_text) if group_text else ""
        if group is None:
            cols.errors.add(
                table.file, row, table.column(group_col or 0), group_text, gettext_noop("Ukendt faggruppe.")
            )
        facility = _facility(cols, cells, row, facility_col, facilities)
        source = cols.text(cells, source_col) or default_source
        if not source:
            cols.errors.add(table.file, row, "Kilde", "", gettext_noop("Angiv en kilde."))
        if year is not None and not 1990 <= year <= 2100:
            cols.errors.add(
                table.file, row, table.column(found["År"]), str(year), gettext_noop("Året er ikke plausibelt.")
            )
        if value is not None and value < 0:
            cols.errors.add(
                table.file,
                row,
                table.column(found["Værdi"]),
                str(value),
                gettext_noop("Værdien kan ikke være negativ."),
            )
        if cols.errors.total > before or year is None or value is None:
            continue
        key = (year, group, metric, facility.pk if facility else None)
        if key in seen:
            cols.errors.add(
                table.file, row, "", "", gettext_noop("Samme nøgletal står også i række %(first)s."), first=seen[key]
            )
            continue
        seen[key] = row
        out.append(
            WorkforceStatistic(
                municipality=municipality,
                facility=facility or None,
                year=year,
                job_group=group or "",
                metric=metric or "",
                value=value.quantize(Decimal("0.01")),
                source=source[:200],
            )
        )
    return out


def _postings(
    table: Any, cols: Columns, municipality: Municipality, facilities: dict[str, Facility], default_source: str
) -> list[JobPosting]:
    found = cols.require(*POSTINGS_COLUMNS)
    if found is None:
        return []
    type_col, group_col = cols.find("Stillingstype"), cols.find("Faggruppe")
    title_col, facility_col, source_col = cols.find("Stilling", "Titel"), cols.find("Tilbud"), cols.find("Kilde")
    out: list[JobPosting] = []
    for row, cells in table.rows:
        before = cols.errors.total
        posted: dt.date | None = cols.date(cells, row, found["Opslået"], required=True)
        applicants = cols.integer(cells, row, found["Ansøgere"])
        job_type = cols.text(cells, type_col)
        group_text = cols.text(cells, group_col)
        group = job_group_for_value(group_text) if group_text else ""
        if group is None:
            cols.errors.add(
                table.file, row, table.column(group_col or 0), group_text, gettext_noop("Ukendt faggruppe.")
            )
        if not job_type and not group:
            cols.errors.add(
                table.file, row, "Stillingstype", "", gettext_noop("Angiv en stillingstype eller faggruppe.")
            )
        if applicants is not None and applicants < 0:
            cols.errors.add(
                table.file,
                row,
                table.column(found["Ansøgere"]),
                str(applicants),
                gettext_noop("Værdien kan ikke være negativ."),
            )
        facility = _facility(cols, cells, row, facility_col, facilities)
        if cols.errors.total > before or posted is None or applicants is None:
            continue
        out.append(
            JobPosting(
                municipality=municipality,
                facility=facility or None,
                job_group=group or "",
                job_type=job_type[:100],
                title=cols.text(cells, title_col)[:200],
                posted_on=posted,
                applicants=applicants,
                source=(cols.text(cells, source_col) or default_source)[:200],
            )
        )
    return out
