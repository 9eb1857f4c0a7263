"""Economic consequences of an initiative (budgetinitiativ), like seed 002.

The table is the training app's ``consequence_table``: Løn (årsværk x årsløn), Øvrig drift,
Udgifter i alt in mio. kr. with one decimal, and the FTE per year, laid out as the budget
proposal does ("Økonomi (mio. kr.) 2025 2026 2027 2028").
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.lib.formatting import format_number
from styrbord.lib.money import ZERO
from styrbord.reports.doctypes.base import DocumentType, Progress, ReportError, ReportRequest, ScopeKind, register
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


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """A budget-initiative note: purpose and content, then the consequence tables by year."""
    initiative = request.scope.obj
    if not isinstance(initiative, Initiative):
        raise ReportError(_("Økonomiske konsekvenser laves for et initiativ."))
    progress(20, _("Beregner de økonomiske konsekvenser"))
    table = consequence_table(initiative)
    if not table.years:
        raise ReportError(_("Initiativet %(name)s har ingen år med tal endnu.") % {"name": initiative.name})
    years = table.years
    span = _years_label(years)
    owner = initiative.municipality or initiative.region
    owner_name = str(owner) if owner is not None else ""

    economy_rows = [Row([r.label, *r.values], RowKind.NORMAL) for r in table.rows]
    economy_rows.append(Row([_("Udgifter i alt"), *table.totals], RowKind.TOTAL))
    economy = Table(
        columns=[Column("Økonomi (mio. kr.)")] + [Column(str(y), CellKind.MIO_NUMBER, 1) for y in years],
        rows=economy_rows,
        sheet_name="Økonomi",
    )
    staff = Table(
        columns=[Column("Personale (antal)")] + [Column(str(y), CellKind.NUMBER, 1) for y in years],
        rows=[Row([_("Årsværk (hvis der skal ansættes nye)"), *table.fte])],
        note=f"Kilde: Styrbord, initiativet {initiative.name}"
        + (f" ({initiative.source})" if initiative.source else "")
        + ".",
        sheet_name="Personale",
    )

    progress(60, _("Skriver teksten"))
    total = sum(table.totals, ZERO)
    yearly = set(table.totals)
    fte_values = set(table.fte)
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
        municipality=owner_name,
        department=request.option("department", ""),
        kind=DocumentKind.NOTE,
        label=f"Forslag til budgetinitiativ i budget {span}",
        case_number=request.option("case_number"),
        case_type=CaseType.DECISION,
        route=request.option("route"),
        committee=request.option("committee"),
        document_date=request.today,
        summary=[f"{cost_text} Tabellerne under Konsekvenser viser udgifterne og årsværkene år for år."],
        sections=[purpose],
        economy=consequences,
        recommender=request.option("recommender", "Administrationen"),
        recommendations=(
            [
                f"initiativet ”{initiative.name}” med udgifter på {mio(total)} i {span} indgår i de videre "
                "budgetforhandlinger."
            ]
            if request.option("committee")
            else []
        ),
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
    )
)
