"""Release of pool funds (frigivelse af puljemidler) as a supplementary appropriation, like seed 000.

Filled from the pool, its grants (one recommendation per recipient) and, when it exists, the
supplementary appropriation that releases them (case number, committee, years, decision).
A budget-neutral appropriation that does not balance stops the document: it would otherwise
state something the figures contradict.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.funding.models import Appropriation, AppropriationLine, Grant, Pool
from styrbord.lib.collation import collated
from styrbord.lib.money import ZERO
from styrbord.reports.doctypes.base import (
    DocumentType,
    Progress,
    ReportError,
    ReportRequest,
    ScopeKind,
    committee_abbreviation,
    parse_meeting_date,
    register,
)
from styrbord.reports.doctypes.text import genitive, join_da, long_date, mio, paragraphs, quoted
from styrbord.reports.documents.structure import (
    CaseType,
    CellKind,
    Column,
    CommitteeItem,
    Decision,
    Row,
    RowKind,
    Section,
    Table,
)

LEGAL_BASIS = "Lov om kommunernes styrelse § 40."
DEFAULT_STRATEGY = (
    "Indsatsen understøtter den fælles langsigtede strategi på socialområdet, hvor et af pejlemærkerne "
    "indebærer strategisk kompetenceudvikling, for at sikre at medarbejdere har den faglighed, som "
    "opgaverne kræver."
)
LIVE_GRANTS = (Grant.Status.APPROVED, Grant.Status.CLOSED)


def _release_years(
    pool: Pool, grants: list[Grant], appropriation: Appropriation | None
) -> dict[int, dict[int, Decimal]]:
    """Expenditure released per grant and year: from the appropriation's lines, else all in the first year."""
    per_grant: dict[int, dict[int, Decimal]] = defaultdict(dict)
    if appropriation is not None:
        rows = (
            appropriation.lines.filter(direction=AppropriationLine.Direction.EXPENDITURE, grant__isnull=False)
            .values("grant_id", "year")
            .annotate(total=Sum("amount"))
            .order_by("grant_id", "year")
        )
        for row in rows:
            per_grant[row["grant_id"]][row["year"]] = row["total"]
    for grant in grants:
        if grant.pk not in per_grant:
            per_grant[grant.pk] = {pool.period_start.year: grant.amount}
    return per_grant


def _years_text(years: dict[int, Decimal]) -> str:
    """ "0,700 mio. kr. i 2025" or "0,300 mio. kr. i 2025 og 0,400 mio. kr. i 2026"."""
    return join_da([f"{mio(amount)} i {year}" for year, amount in sorted(years.items()) if amount])


def _heading(appropriation: Appropriation | None, pool: Pool) -> str:
    """The appropriation's title when it names the release, else "Frigivelse af puljemidler til <formål>"."""
    title = (appropriation.title if appropriation else "") or pool.name
    if title.lower().startswith("frigivelse"):
        return title
    if title[:1].isupper() and not title[1:2].isupper():
        title = title[0].lower() + title[1:]
    return f"Frigivelse af puljemidler til {title}"


def _applicant(grants: list[Grant], municipality_name: str) -> str:
    names = {g.facility.operator_name for g in grants if g.facility_id is not None and g.facility.operator_name}  # type: ignore[union-attr]
    return names.pop() if len(names) == 1 else municipality_name


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """The committee item releasing a pool's grants as budget-neutral supplementary appropriations."""
    pool = request.scope.obj
    if not isinstance(pool, Pool):
        raise ReportError(_("Frigivelse af puljemidler laves for en pulje."))
    if pool.kind == Pool.Kind.MUNICIPAL_BUDGET:
        # The paper releases external project money as supplementary appropriations; a budget
        # pool is the municipality's own money (it read "tilsagn ... fra Favrskov Kommune").
        raise ReportError(
            _(
                "Puljen %(pool)s er en kommunal budgetpulje: kommunens egne midler, som ikke frigives som "
                "tillægsbevilling. Dokumentet laves for puljer fra en ekstern tilskudsgiver."
            )
            % {"pool": pool.name}
        )
    progress(10, _("Henter puljen og tilsagnene"))
    grants = list(
        pool.grants.filter(status__in=LIVE_GRANTS)
        .select_related("facility", "municipality")
        .order_by("-amount", collated("facility__name"), "id")
    )
    if not grants:
        raise ReportError(_("Puljen %(pool)s har ingen tilsagn at frigive.") % {"pool": pool.name})
    appropriation = (
        pool.appropriations.filter(kind=Appropriation.Kind.SUPPLEMENTARY).order_by("-decision_date", "-id").first()
    )
    if appropriation is not None and appropriation.budget_neutral:
        errors = appropriation.neutrality_errors()
        if errors:
            raise ReportError(" ".join(errors))

    municipality = request.scope.municipality
    municipality_name = str(municipality) if municipality is not None else ""
    grantor = pool.grantor.name if pool.grantor_id is not None else municipality_name  # type: ignore[union-attr]
    committee = request.option("committee", appropriation.decision_body if appropriation else "") or _("Udvalget")
    area = request.option("area", "Socialområdet")
    applicant = _applicant(grants, municipality_name)
    project = quoted(pool.name)
    total = sum((g.amount for g in grants), ZERO)
    per_grant = _release_years(pool, grants, appropriation)
    neutral = appropriation.budget_neutral if appropriation is not None else True

    progress(40, _("Skriver sagsfremstillingen"))
    split = join_da([f"{mio(g.amount)} til {g.recipient_name}" for g in grants])
    case = Section("Sagsfremstilling").add(
        f"I denne sag søges om frigivelse af puljemidler vedrørende projektet {project}.",
        f"{applicant} har ansøgt og fået tilsagn om midler fra puljen {project} under {grantor}. "
        f"Tilskuddet udgør i alt {mio(total)} i projektperioden, der løber fra {long_date(pool.period_start)} "
        f"til {long_date(pool.period_end)}. Midlerne fordeler sig med {split}. "
        + (
            "Indtægterne fra de eksterne projektmidler modsvares af tilsvarende udgifter til "
            "kompetenceudvikling, og bevillingen er derfor samlet set budgetneutral."
            if neutral
            else ""
        ),
    )
    for paragraph in paragraphs(pool.purpose):
        case.add(paragraph)
    split_rows = [Row([g.recipient_name, g.amount, g.amount * 100 / total if total else ZERO]) for g in grants]
    split_rows.append(Row([_("I alt"), total, Decimal(100)], RowKind.TOTAL))
    case.add(
        Table(
            columns=[
                Column("Modtager"),
                Column("Tilsagn", CellKind.MIO, 3),
                Column("Andel", CellKind.PERCENT, 1),
            ],
            rows=split_rows,
            caption=f"Fordeling af tilskuddet fra {grantor}",
            note=f"Kilde: Styrbord, puljen {pool.name}"
            + (f" (j.nr. {pool.case_number})" if pool.case_number else "")
            + ".",
            sheet_name="Fordeling",
        )
    )
    strategy = Section("Sammenhæng til andre politikker/strategier og fagområder").add(
        request.option("strategy", DEFAULT_STRATEGY)
    )

    progress(70, _("Beregner tillægsbevillingerne"))
    years = sorted({y for per_year in per_grant.values() for y in per_year})
    columns = [Column("Mio. kr.")] + [Column(str(y), CellKind.MIO_NUMBER, 3) for y in years]
    rows: list[Row] = [Row([_("Udgifter")], RowKind.GROUP)]
    for grant in grants:
        rows.append(Row([grant.recipient_name] + [per_grant[grant.pk].get(y, ZERO) for y in years]))
    expenditure = [sum((per_grant[g.pk].get(y, ZERO) for g in grants), ZERO) for y in years]
    rows.append(Row(["Udgifter i alt", *expenditure], RowKind.TOTAL))
    income = list(expenditure)
    if appropriation is not None:
        totals = appropriation.totals_by_year()
        income = [totals.get(y, (ZERO, ZERO))[0] for y in years]
    rows.append(Row(["Indtægter i alt", *[-i for i in income]]))
    rows.append(Row(["Netto", *[e - i for e, i in zip(expenditure, income, strict=True)]], RowKind.TOTAL))
    economy = Section("Økonomiske konsekvenser").add(
        "De økonomiske konsekvenser er beskrevet ovenfor. Tillægsbevillingerne fremgår af tabellen nedenfor, "
        "hvor indtægter er vist med negativt fortegn" + (", og de er samlet set budgetneutrale." if neutral else "."),
        Table(
            columns=columns,
            rows=rows,
            caption="Tillægsbevilling til indtægter og udgifter",
            note="Udgifterne finansieres af tilskuddet." if neutral else "Nettoudgiften finansieres af kassen.",
            sheet_name="Tillægsbevilling",
        ),
    )

    progress(85, _("Skriver indstillingen"))
    recommendations = [
        f"der gives tillægsbevilling på {_years_text(per_grant[g.pk])} til såvel indtægter som udgifter til det "
        f"eksternt finansierede projekt {project} til {g.recipient_name} under {area} på "
        f"{genitive(committee)} område. "
        + (
            "Udgifterne finansieres af tilskuddet, og bevillingen er dermed samlet set budgetneutral."
            if neutral
            else "Nettoudgiften finansieres af kassen."
        )
        for g in grants
    ]
    meeting = parse_meeting_date(request.option("meeting_date")) or (
        appropriation.decision_date if appropriation else None
    )
    decided = (
        appropriation is not None and appropriation.decision and request.today and meeting and meeting <= request.today
    )
    decision_lines = [
        f"Ad. {n} {appropriation.decision if decided and appropriation else ''}".rstrip()
        for n in range(1, len(grants) + 1)
    ]
    case_number = request.option(
        "case_number", (appropriation.case_number if appropriation else "") or pool.case_number
    )
    route = request.option("route", f"{committee_abbreviation(committee)}, ØK, KB")
    return CommitteeItem(
        heading=request.option("heading", _heading(appropriation, pool)),
        municipality=municipality_name,
        department=request.option("department", applicant),
        case_number=case_number,
        case_type=CaseType.DECISION,
        route=route,
        committee=committee,
        document_date=request.today,
        summary=[
            f"{applicant} har fået tilsagn om {mio(total)} fra {grantor} til projektet {project} i perioden "
            f"{long_date(pool.period_start)} til {long_date(pool.period_end)}. Sagen frigiver midlerne som "
            + ("budgetneutrale tillægsbevillinger." if neutral else "tillægsbevillinger.")
        ],
        sections=[case, strategy],
        economy=economy,
        legal_basis=LEGAL_BASIS,
        recommender=request.option("recommender", "Velfærdsdirektøren"),
        recommendations=recommendations,
        decision=Decision(committee, meeting, decision_lines),
        appendices=[_("Underliggende tal (regneark)")],
        document_type="pool_release",
        file_stem=f"frigivelse-{pool.pk}",
    )


POOL_RELEASE = register(
    DocumentType(
        key="pool_release",
        name=gettext_lazy("Frigivelse af puljemidler (tillægsbevilling)"),
        description=gettext_lazy(
            "Sagsfremstilling til udvalget: puljens tilsagn frigives som budgetneutrale tillægsbevillinger."
        ),
        scope_kinds=(ScopeKind.POOL,),
        roles=frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE}),  # the municipality's own committee paper
        build=build,
    )
)
