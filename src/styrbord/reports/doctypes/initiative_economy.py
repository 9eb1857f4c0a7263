"""Economic consequences of an initiative (budgetinitiativ), like seed 002.

The table is the training app's ``consequence_table``: Løn (årsværk x årsløn), Øvrig drift,
Udgifter i alt in mio. kr. with one decimal, and the FTE per year, laid out as the budget
proposal does ("Økonomi (mio. kr.) 2025 2026 2027 2028"), for the initiative's years in the
period asked for (``fit_period``). The letterhead is the organisation writing the paper.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.lib.formatting import format_number
from styrbord.lib.money import ZERO
from styrbord.reports.doctypes.base import (
    DocumentType,
    Period,
    PeriodError,
    Progress,
    ReportError,
    ReportRequest,
    ReportScope,
    ScopeKind,
    register,
)
from styrbord.reports.doctypes.text import mio, paragraphs
from styrbord.reports.documents.structure import (
    BulletList,
    CaseType,
    CellKind,
    Column,
    CommitteeItem,
    DocumentKind,
    Row,
    RowKind,
    Section,
    SubHeading,
    Table,
)
from styrbord.training.models import Initiative
from styrbord.training.services.initiatives import consequence_table


def _years_label(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def _own_years(initiative: Initiative) -> list[int]:
    years = sorted(initiative.years.values_list("year", flat=True))
    if not years:
        raise ReportError(_("Initiativet %(name)s har ingen år med tal endnu.") % {"name": initiative.name})
    return years


def fit_period(scope: ReportScope, asked: Period | None, options: dict[str, str]) -> Period:
    """The initiative's own years inside the period asked for (all of them when none is asked).

    A budget officer writes the paper for a budget period ("budget 2026-2029"): the years of the
    initiative outside it are another budget's, so they are left out, and the paper, the job and the
    appendix all state the years it shows. A period with none of the initiative's years is refused."""
    initiative = scope.obj
    if not isinstance(initiative, Initiative):
        raise ReportError(_("Økonomiske konsekvenser laves for et initiativ."))
    own = _own_years(initiative)
    if asked is None:
        return Period.of_years(own)
    inside = [year for year in own if asked.touches(year)]
    if not inside:
        raise PeriodError(
            _(
                "Initiativet %(name)s har tal for %(years)s, og ingen af dem ligger i perioden %(period)s. Vælg en "
                "periode inden for %(years)s, eller lad feltet stå tomt for alle initiativets år."
            )
            % {"name": initiative.name, "years": _years_label(own), "period": asked.label}
        )
    return Period.of_years(inside)


def _issuer(request: ReportRequest, owner: Any) -> str:
    """Whose paper it is (the letterhead): the municipality of the person writing it, else their region
    (a regional coordinator), else the initiative's owner (an administrator, the command line)."""
    issuer = request.scope.municipality or getattr(request.user, "region", None) or owner
    return str(issuer) if issuer is not None else ""


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """A budget-initiative note: purpose and content, then the consequence tables by year."""
    initiative = request.scope.obj
    if not isinstance(initiative, Initiative):
        raise ReportError(_("Økonomiske konsekvenser laves for et initiativ."))
    progress(20, _("Beregner de økonomiske konsekvenser"))
    table = consequence_table(initiative)
    if not table.years:
        raise ReportError(_("Initiativet %(name)s har ingen år med tal endnu.") % {"name": initiative.name})
    # Only the years of the period the document covers (``fit_period``), e.g. 2026-2028 of 2025-2028.
    shown = [i for i, year in enumerate(table.years) if request.period.touches(year)]
    if not shown:
        raise PeriodError(
            _("Initiativet %(name)s har ingen tal i perioden %(period)s.")
            % {"name": initiative.name, "period": request.period.label}
        )

    def pick(values: list[Decimal]) -> list[Decimal]:
        return [values[i] for i in shown]

    years = [table.years[i] for i in shown]
    span = _years_label(years)
    owner = initiative.municipality or initiative.region
    owner_name = str(owner) if owner is not None else ""
    issuer = _issuer(request, owner)
    totals, fte = pick(table.totals), pick(table.fte)

    economy_rows = [Row([r.label, *pick(r.values)], RowKind.NORMAL) for r in table.rows]
    economy_rows.append(Row([_("Udgifter i alt"), *totals], RowKind.TOTAL))
    # The two tables are read as one: the same column widths, so each year stands over the same year.
    economy = Table(
        columns=[Column("Økonomi (mio. kr.)")] + [Column(str(y), CellKind.MIO_NUMBER, 1) for y in years],
        rows=economy_rows,
        sheet_name="Økonomi",
        align="consequences",
    )
    staff = Table(
        columns=[Column("Personale (antal)")] + [Column(str(y), CellKind.NUMBER, 1) for y in years],
        rows=[Row([_("Årsværk (hvis der skal ansættes nye)"), *fte])],
        align="consequences",
        note=f"Kilde: Styrbord, initiativet {initiative.name}"
        + (f" ({initiative.source})" if initiative.source else "")
        + ".",
        sheet_name="Personale",
    )

    progress(60, _("Skriver teksten"))
    total = sum(totals, ZERO)
    yearly = set(totals)
    fte_values = set(fte)
    if len(yearly) == 1:
        cost_text = (
            f"Initiativet koster {format_number(next(iter(yearly)) / Decimal(1_000_000), 1)} mio. kr. om året i {span}"
        )
    else:
        cost_text = f"Initiativet koster i alt {mio(total)} i {span}"
    if len(fte_values) == 1 and next(iter(fte_values)):
        cost_text += f" og svarer til {format_number(next(iter(fte_values)), 1)} årsværk om året."
    else:
        cost_text += "."
    summary = f"{cost_text} Tabellerne under Konsekvenser viser udgifterne og årsværkene år for år."
    if owner_name and owner_name != issuer:
        # Another's initiative (a region's, shared as an example) on this municipality's paper says whose it is.
        summary += f" Initiativet hører under {owner_name}."
    purpose = Section("Formål og indhold")
    for paragraph in paragraphs(initiative.description) or [_("Initiativet er ikke beskrevet nærmere.")]:
        purpose.add(paragraph)
    consequences = Section("Konsekvenser").add(
        "Lønudgiften er beregnet som årsværk gange årsløn pr. årsværk; øvrig drift omfatter kursusaktivitet, "
        "undervisere og lokaler.",
        economy,
        staff,
    )
    sources = [line.strip() for line in initiative.financing.splitlines() if line.strip()]
    if sources:
        consequences.add(SubHeading("Finansiering:"), BulletList(sources))
    return CommitteeItem(
        heading=request.option("heading", initiative.name),
        municipality=issuer,
        department=request.option("department", ""),
        kind=DocumentKind.NOTE,
        label=f"Forslag til budgetinitiativ i budget {span}",
        case_number=request.option("case_number"),
        case_type=CaseType.DECISION,
        route=request.option("route"),
        committee=request.option("committee"),
        document_date=request.today,
        summary=[summary],
        sections=[purpose],
        economy=consequences,
        recommender=request.option("recommender", "Administrationen"),
        # A decision case always ends in a recommendation; it names no committee, so it needs none.
        recommendations=[
            f"initiativet ”{initiative.name}” med udgifter på {mio(total)} i {span} indgår i de videre "
            "budgetforhandlinger."
        ],
        appendices=[_("Underliggende tal (regneark)")],
        document_type="initiative_economy",
        file_stem=f"initiativ-{initiative.pk}",
    )


INITIATIVE_ECONOMY = register(
    DocumentType(
        key="initiative_economy",
        name=gettext_lazy("Økonomiske konsekvenser af et initiativ"),
        description=gettext_lazy(
            "Budgetinitiativ med tabel over løn, øvrig drift, udgifter i alt og årsværk år for år."
        ),
        scope_kinds=(ScopeKind.INITIATIVE,),
        roles=frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE}),
        build=build,
        fit_period=fit_period,
    )
)
