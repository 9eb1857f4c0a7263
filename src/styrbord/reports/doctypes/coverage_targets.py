"""Status on shared competence targets in a region: the analysts' committee item.

A region that wants 75 % of its contact staff specialised reports to its committee how far the
municipalities are. Built on the aggregate coverage the analyst sees on /krav/samlet/
(``requirements.aggregate``): the same requirements, sums per municipality, small-row
suppression and history with forecast, so the document and the page agree. National and regional
targets get a section each; the municipalities' own targets are summed up in one table.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import LIST, scoped_for
from styrbord.accounts.suppression import reference_date
from styrbord.lib import charts as lib_charts
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date
from styrbord.organisations.models import Facility
from styrbord.reports.doctypes.base import DocumentType, Progress, ReportError, ReportRequest, ScopeKind, register
from styrbord.reports.doctypes.competence_status import NOT_YET_DUE_NOTE, STATUS_TEXT
from styrbord.reports.doctypes.text import pct
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
from styrbord.requirements.aggregate import (
    AggregateCoverage,
    aggregate_coverage,
    aggregate_requirements,
    aggregate_trend,
    trend_points,
)
from styrbord.requirements.models import Requirement, ScopeLevel
from styrbord.workforce.services import suppresses

# The words of the status document (competence_status), and one for a suppressed row.
STATUS = {**STATUS_TEXT, "hidden": "Skjult"}


def _target_text(requirement: Requirement) -> str:
    text = f"{requirement.rule_text()} ({requirement.get_population_display().lower()}) skal opfylde kravet"
    if requirement.deadline:
        text += f" senest {format_date(requirement.deadline)}"
    text += "."
    if requirement.source_reference:
        text += f" Kilde: {requirement.source_reference}"
        text += "" if requirement.source_reference.endswith(".") else "."
    return text


def _status_text(coverage: AggregateCoverage, region: str, ahead: list[Any]) -> str:
    total = coverage.total
    on = format_date(coverage.on)
    if total.hidden:
        return f"Der er færre end 5 personer i kravets målgruppe i {region}, så tallene vises ikke."
    pending = total.not_yet_due or 0
    if total.status == "pending" and total.in_scope:
        return (
            f"Pr. {on} kan kravet endnu ikke gøres op i {region}: ingen af de {total.in_scope} personer i målgruppen "
            "har kompetencen endnu, men ingen af dem har nået deres frist efter ansættelsen."
        )
    if total.in_scope == 0 or total.share is None:
        return f"Pr. {on} er der ingen personer i kravets målgruppe i {region}."
    if pending and total.in_scope is not None:
        text = (
            f"Pr. {on} opfylder {pct(total.share, 1)} af de {total.in_scope - pending} personer i målgruppen, der "
            f"tæller med, kravet i {region} ({STATUS[total.status].lower()}). Yderligere {pending} nyansatte har "
            "endnu ikke kompetencen, men har heller ikke nået deres frist efter ansættelsen og tæller ikke med i "
            "andelen."
        )
    else:
        text = (
            f"Pr. {on} opfylder {pct(total.share, 1)} af de {total.in_scope} personer i målgruppen kravet i "
            f"{region} ({STATUS[total.status].lower()})."
        )
    shown = [r for r in coverage.rows if not r.hidden and r.share is not None]
    if len(shown) == 1 and len(coverage.rows) > 1:
        reached = "har nået målet" if shown[0].status == "ok" else "har ikke nået målet"
        text += f" Af kommunerne kan der kun vises tal for {shown[0].label}, som {reached}."
    elif not shown and len(coverage.rows) > 1:
        text += " Andelene for de enkelte kommuner kan ikke vises uden at afsløre tal for færre end 5 personer."
    elif len(shown) > 1:
        met = sum(1 for r in shown if r.status == "ok")
        text += f" {met} af de {len(shown)} kommuner, der kan vises tal for, har nået målet."
    last = ahead[-1] if ahead else None
    if last is not None and last.share is not None and last.on > coverage.on:
        text += (
            f" Med kompetencernes udløb og de planlagte og tilmeldte kurser ventes andelen at være "
            f"{pct(last.share, 1)} pr. {format_date(last.on)}."
        )
    return text


def _target_section(
    requirement: Requirement, facilities: Any, on: Any, region: str, suppress: bool
) -> tuple[Section, AggregateCoverage]:
    coverage = aggregate_coverage(requirement, facilities, on, suppress=suppress)
    past, ahead = aggregate_trend(requirement, facilities, on, suppress=suppress)
    section = Section(requirement.name).add(Paragraph(_target_text(requirement), lead="Målet:"))
    section.add(Paragraph(_status_text(coverage, region, ahead), lead="Status:"))
    # Under a within-M-months rule, those not yet due have a column: the share is without them.
    pending = bool(requirement.hire_months)

    def cells(label: str, row: Any) -> list[Any]:
        return [label, row.people_shown, *([row.not_yet_due_shown] if pending else []), row.share_shown]

    rows = [Row([*cells(r.label, r), STATUS[r.status]]) for r in coverage.rows]
    total = coverage.total
    rows.append(Row([*cells("I alt", total), STATUS[total.status]], RowKind.TOTAL))
    section.add(
        Table(
            columns=[
                Column("Kommune"),
                Column("I målgruppen", CellKind.NUMBER),
                *([Column("Endnu ikke forfaldne", CellKind.NUMBER)] if pending else []),
                Column("Dækning", CellKind.PERCENT, 1),
                Column("Status"),
            ],
            rows=rows,
            caption=f"{requirement.name}: dækning pr. kommune pr. {format_date(on)} (mål {pct(requirement.target)})",
            note=NOT_YET_DUE_NOTE if pending else "",
            sheet_name=requirement.name,
        )
    )
    if any(p.share is not None for p in past + ahead):
        chart = lib_charts.coverage_chart(
            trend_points(past, ahead, "Historik", "Prognose"), requirement.target, width=560, height=230
        )
        section.add(document_chart(chart, f"Dækning over tid: {requirement.name}"))
    return section, coverage


def _municipal_table(requirements: list[Requirement], facilities: Any, on: Any, suppress: bool) -> Table:
    """The municipalities' own targets: each summed over the municipality's facilities."""
    # A column for those not yet due when any of the requirements gives people a deadline of their own.
    pending = any(r.hire_months for r in requirements)
    rows = []
    for requirement in requirements:
        total = aggregate_coverage(requirement, facilities, on, suppress=suppress).total
        not_yet_due = total.not_yet_due_shown if requirement.hire_months else None
        rows.append(
            Row(
                [
                    requirement.municipality.name if requirement.municipality else "",
                    requirement.name,
                    requirement.target,
                    total.share_shown,
                    total.people_shown,
                    *([not_yet_due] if pending else []),
                ]
            )
        )
    return Table(
        columns=[
            Column("Kommune"),
            Column("Kompetencekrav"),
            Column("Mål", CellKind.PERCENT),
            Column("Dækning", CellKind.PERCENT, 1),
            Column("I målgruppen", CellKind.NUMBER),
            *([Column("Endnu ikke forfaldne", CellKind.NUMBER)] if pending else []),
        ],
        rows=rows,
        caption=f"Kommunernes egne kompetencekrav pr. {format_date(on)}",
        note=NOT_YET_DUE_NOTE if pending else "",
        sheet_name="Kommunernes krav",
    )


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """The status item from the aggregate coverage, as the asking user may see it."""
    if request.scope.kind != ScopeKind.REGION:
        raise ReportError(_("Status på fælles kompetencemål laves for en region."))
    region = request.scope.obj
    region_name = str(region)
    region_id = region.pk
    user = request.acting_user()
    suppress = suppresses(user)
    # An analyst's figures are a month end's, as on /krav/samlet/ (two days cannot be subtracted).
    on = reference_date(min(request.period.end, request.today or local_today()), suppress)
    facilities = scoped_for(
        user, LIST, "coverage_aggregate", Facility.objects.filter(municipality__region_id=region_id)
    )
    requirements = list(aggregate_requirements(facilities))
    shared = [r for r in requirements if r.scope_level in (ScopeLevel.NATIONAL, ScopeLevel.REGION)]
    municipal = [r for r in requirements if r.scope_level == ScopeLevel.MUNICIPALITY]
    if not requirements:
        raise ReportError(
            _("Der er ingen aktive kompetencekrav for kommunerne i %(region)s.") % {"region": region_name}
        )

    sections = [
        Section("Beskrivelse af sagen").add(
            f"Sagen giver status på kompetencemålene for personalet i det specialiserede socialområde i "
            f"{region_name} pr. {format_date(on)}: hvor stor en andel af personerne i hvert måls målgruppe der "
            "opfylder det, fordelt på kommuner, og hvordan andelen har udviklet sig det seneste år og ventes at "
            "udvikle sig frem mod fristen. Tallene er fra Styrbord og opgøres pr. person ud fra de registrerede "
            "ansættelser og kompetencer."
        )
    ]
    results: list[AggregateCoverage] = []
    for index, requirement in enumerate(shared):
        progress(
            10 + 60 * index // max(1, len(shared)), _("Beregner dækningen af %(name)s") % {"name": requirement.name}
        )
        section, coverage = _target_section(requirement, facilities, on, region_name, suppress)
        sections.append(section)
        results.append(coverage)
    if not shared:
        sections[0].add(
            f"Der er ikke fastsat nationale eller regionale kompetencemål, der gælder i {region_name}. "
            "Kommunernes egne mål fremgår nedenfor."
        )
    if municipal:
        progress(75, _("Beregner kommunernes egne krav"))
        sections.append(
            Section("Kommunernes egne kompetencekrav").add(
                ("Kommunerne har desuden fastsat" if shared else "Kommunerne har fastsat")
                + " egne kompetencekrav for deres tilbud. Tabellen viser dækningen for hver kommune samlet.",
                _municipal_table(municipal, facilities, on, suppress),
            )
        )
    if suppress:
        sections[-1].add(
            Paragraph(
                "Felter med færre end 5 personer er skjult og vist som »..«, og så mange andre felter er skjult på "
                "samme måde, at de skjulte ikke kan regnes ud fra totalen. En måned med færre end 5 personer i målgruppen er ikke vist i "
                "figurerne. Samlede tal opgøres pr. månedens udgang."
            )
        )
    met = sum(1 for c in results if c.total.status == "ok")
    summary = f"Status på de fælles kompetencemål i {region_name} pr. {format_date(on)}."
    if results:
        summary += f" Målet er nået for {met} af {len(results)} nationale og regionale mål."
    if municipal:
        own = "eget kompetencekrav" if len(municipal) == 1 else "egne kompetencekrav"
        summary += f" Kommunerne har {'desuden ' if shared else ''}{len(municipal)} {own}."
    committee = request.option("committee")
    progress(85, _("Skriver dokumentet"))
    return CommitteeItem(
        heading=request.option("heading", f"Orientering om status på fælles kompetencemål i {region_name}"),
        municipality=region_name,  # the letterhead: the region
        department=request.option("department"),
        case_number=request.option("case_number"),
        case_type=CaseType.INFORMATION,
        route=request.option("route", committee),
        committee=committee,
        document_date=request.today,
        summary=[summary],
        sections=sections,
        economy=Section("Økonomiske konsekvenser").add("Der er ingen økonomiske konsekvenser."),
        recommender=request.option("recommender", "Administrationen"),
        recommendations=["orienteringen om status på de fælles kompetencemål tages til efterretning."],
        appendices=[_("Underliggende tal (regneark)")],
        document_type="coverage_targets",
        file_stem="kompetencemaal",
    )


COVERAGE_TARGETS = register(
    DocumentType(
        key="coverage_targets",
        name=gettext_lazy("Status på fælles kompetencemål"),
        description=gettext_lazy(
            "Hvor langt kommunerne i regionen er fra de nationale og regionale kompetencemål, med udvikling og "
            "prognose – kun samlede tal."
        ),
        scope_kinds=(ScopeKind.REGION,),
        roles=frozenset({Role.ADMIN, Role.ANALYST}),
        aggregate_only=True,
        build=build,
    )
)
