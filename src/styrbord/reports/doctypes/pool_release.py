"""Release of pool funds (frigivelse af puljemidler) as a supplementary appropriation, like seed 000.

Filled from the pool and one supplementary appropriation that releases its money: the one the
person chooses (option "appropriation", its id), else the pool's first. Every recipient, year and
amount comes from that appropriation's lines alone (case number, committee, decision too); a grant
without lines in it is not in the document. Before any appropriation exists, the paper proposes
releasing every live grant in the pool's first year. A budget-neutral appropriation that does not
balance stops the document: it would otherwise state something the figures contradict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.funding.models import Appropriation, AppropriationLine, Grant, Pool
from styrbord.lib.collation import collated
from styrbord.lib.formatting import format_kr
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


@dataclass
class Release:
    """What the document releases, per recipient and year: from one appropriation's lines, or (no
    appropriation yet) every live grant in the pool's first year, as much income as expenditure."""

    grants: list[Grant]
    expenditure: dict[int, dict[int, Decimal]]  # grant id -> year -> amount
    income: dict[int, dict[int, Decimal]]  # grant id -> year -> amount
    other_expenditure: dict[int, Decimal] = field(default_factory=dict)  # lines on no grant, per year
    income_total: dict[int, Decimal] = field(default_factory=dict)  # every income line, per year

    @property
    def years(self) -> list[int]:
        found = set(self.other_expenditure) | set(self.income_total)
        for per_year in (*self.expenditure.values(), *self.income.values()):
            found |= set(per_year)
        return sorted(found)

    def expenditure_total(self, year: int) -> Decimal:
        return sum(
            (self.expenditure[g.pk].get(year, ZERO) for g in self.grants), self.other_expenditure.get(year, ZERO)
        )

    @property
    def released(self) -> Decimal:
        return sum((self.expenditure_total(y) for y in self.years), ZERO)

    @property
    def net(self) -> Decimal:
        return self.released - sum(self.income_total.values(), ZERO)

    @property
    def balanced(self) -> bool:
        """Income equals expenditure in every year: budget-neutral, whatever the box said."""
        return all(self.expenditure_total(y) == self.income_total.get(y, ZERO) for y in self.years)


def _ordered(grants: QuerySet[Grant]) -> list[Grant]:
    return list(grants.select_related("facility", "municipality").order_by("-amount", collated("facility__name"), "id"))


def _proposed_release(pool: Pool, grants: list[Grant]) -> Release:
    """Before the committee has decided: every live grant, all of it in the pool's first year."""
    first = pool.period_start.year
    return Release(
        grants=grants,
        expenditure={g.pk: {first: g.amount} for g in grants},
        income={g.pk: {first: g.amount} for g in grants},
        income_total={first: sum((g.amount for g in grants), ZERO)},
    )


def _decided_release(pool: Pool, appropriation: Appropriation) -> Release:
    """Exactly the appropriation's lines: its grants (and no other), its years, its amounts."""
    lines = list(appropriation.lines.select_related("grant__pool"))
    foreign = sorted(
        {line.grant.pool.name for line in lines if line.grant is not None and line.grant.pool_id != pool.pk}
    )
    if foreign:
        raise ReportError(
            _(
                "Tillægsbevillingen %(appropriation)s har linjer på tilsagn fra en anden pulje (%(pools)s). "
                "Ret bevillingen, før dokumentet laves."
            )
            % {"appropriation": appropriation.title, "pools": ", ".join(foreign)}
        )
    grant_ids = {line.grant_id for line in lines if line.grant_id is not None}
    if not grant_ids:
        raise ReportError(
            _(
                "Tillægsbevillingen %(appropriation)s har ingen linjer på puljens tilsagn, så dokumentet har ingen "
                "modtager at frigive midler til."
            )
            % {"appropriation": appropriation.title}
        )
    expenditure: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    income: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    other: dict[int, Decimal] = defaultdict(lambda: ZERO)
    income_total: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.direction == AppropriationLine.Direction.INCOME:
            income_total[line.year] += line.amount
            if line.grant_id is not None:
                income[line.grant_id][line.year] += line.amount
        elif line.grant_id is not None:
            expenditure[line.grant_id][line.year] += line.amount
        else:
            other[line.year] += line.amount
    grants = _ordered(pool.grants.filter(pk__in=grant_ids))
    return Release(
        grants=grants,
        expenditure={g.pk: dict(expenditure[g.pk]) for g in grants},
        income={g.pk: dict(income[g.pk]) for g in grants},
        other_expenditure=dict(other),
        income_total=dict(income_total),
    )


def chosen_appropriation(request: ReportRequest, pool: Pool) -> Appropriation | None:
    """The supplementary appropriation the document is about: the one named by the option
    "appropriation" (its id), else the pool's first decision, the release itself. A later
    appropriation on the pool adds to or changes that release; it is a document of its own, chosen
    by name, so a small change decided later never turns the original release paper into it."""
    return _appropriation(pool, request.option("appropriation"))


def _appropriation(pool: Pool, chosen: str) -> Appropriation | None:
    candidates = pool.appropriations.filter(kind=Appropriation.Kind.SUPPLEMENTARY).order_by("decision_date", "id")
    chosen = (chosen or "").strip()
    if not chosen:
        return candidates.first()
    appropriation = candidates.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if appropriation is not None:
        return appropriation
    choices = list(candidates)
    if not choices:
        raise ReportError(
            _("Puljen %(pool)s har ingen tillægsbevillinger at vælge imellem. Lad feltet Tillægsbevilling stå tomt.")
            % {"pool": pool.name}
        )
    raise ReportError(
        _(
            "Den valgte tillægsbevilling (nr. %(number)s) hører ikke til puljen %(pool)s. Puljens tillægsbevillinger: %(choices)s."
        )
        % {"number": chosen, "pool": pool.name, "choices": "; ".join(f"{a} (nr. {a.pk})" for a in choices)}
    )


def _years_label(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def fit_period(scope: ReportScope, asked: Period | None, options: dict[str, str]) -> Period:
    """The years the release covers: the chosen appropriation's (before there is one, the pool's first
    year). An appropriation is one decision, granted under one, so the paper always shows all of it;
    the period asked for must take in every one of its years, and the job and the appendix then state
    exactly those years. Empty: the appropriation's own years."""
    pool = scope.obj
    if not isinstance(pool, Pool):
        raise ReportError(_("Frigivelse af puljemidler laves for en pulje."))
    if pool.kind == Pool.Kind.MUNICIPAL_BUDGET:
        # Not released at all: the builder says why; the period is not the problem.
        return asked or Period.of_years([pool.period_start.year])
    appropriation = _appropriation(pool, options.get("appropriation", ""))
    if appropriation is not None:
        years = sorted(set(appropriation.lines.values_list("year", flat=True)))
        if not years:  # no lines: the builder stops with its own message
            return asked or Period.of_years([pool.period_start.year])
    else:
        years = [pool.period_start.year]
    if asked is not None and not all(asked.touches(year) for year in years):
        if appropriation is not None:
            message = _(
                "Tillægsbevillingen %(appropriation)s gælder %(years)s. En bevilling frigives under ét, så perioden "
                "skal omfatte %(years)s. Skriv %(years)s, eller lad feltet stå tomt."
            ) % {"appropriation": appropriation.title, "years": _years_label(years)}
        else:
            message = _(
                "Puljen %(pool)s har endnu ingen tillægsbevilling, så dokumentet foreslår frigivelsen i puljens "
                "første år, %(years)s. Skriv %(years)s, eller lad feltet stå tomt."
            ) % {"pool": pool.name, "years": _years_label(years)}
        raise PeriodError(message)
    return Period.of_years(years)


def _amount_columns(years: list[int], amounts: list[Decimal]) -> list[Column]:
    """Millions with three decimals, as committees write them, when that is exact (every amount whole
    thousands); else kroner and øre: 100,50 kr. would read "0,000" (and income "-0,000") in millions."""
    if all(amount % 1000 == 0 for amount in amounts):
        return [Column("Mio. kr.")] + [Column(str(y), CellKind.MIO_NUMBER, 3) for y in years]
    return [Column("Kr.")] + [Column(str(y), CellKind.AMOUNT, 2) for y in years]


def _amount_text(amount: Decimal) -> str:
    """ "0,700 mio. kr." as committees write amounts; exact in kroner and øre ("100,50 kr.") when
    millions with three decimals would round the amount."""
    return mio(amount) if amount % 1000 == 0 else format_kr(amount, 2)


def _years_text(years: dict[int, Decimal]) -> str:
    """ "0,700 mio. kr. i 2025" or "0,300 mio. kr. i 2025 og 0,400 mio. kr. i 2026"."""
    return join_da([f"{_amount_text(amount)} i {year}" for year, amount in sorted(years.items()) if amount])


def _granted_text(expenditure: dict[int, Decimal], income: dict[int, Decimal]) -> str:
    """What a recommendation grants one recipient: "0,700 mio. kr. i 2025 til såvel indtægter som
    udgifter", or the two apart when they differ ("... til udgifter samt ... til indtægter")."""
    spent = {y: a for y, a in expenditure.items() if a}
    received = {y: a for y, a in income.items() if a}
    if spent == received:
        return f"{_years_text(spent) or mio(ZERO)} til såvel indtægter som udgifter"
    parts = [
        f"{_years_text(spent)} til udgifter" if spent else "",
        f"{_years_text(received)} til indtægter" if received else "",
    ]
    return " samt ".join(p for p in parts if p)


def _financing(release: Release) -> str:
    """How the difference between income and expenditure is met, said once for table and recommendations."""
    if release.balanced:
        return "Udgifterne finansieres af tilskuddet, og bevillingen er dermed samlet set budgetneutral."
    if release.net > 0:
        return "Nettoudgiften finansieres af kassen."
    if release.net < 0:
        return "Nettoindtægten tilgår kassen."
    return "Forskydningen mellem årene finansieres af kassen."


def _heading(appropriation: Appropriation | None, pool: Pool) -> str:
    """The chosen appropriation's title when it names the release ("Frigivelse af ..."), else the
    pool's: "Frigivelse af puljemidler til <formål>". Never another appropriation's title."""
    if appropriation is not None and appropriation.title.lower().startswith("frigivelse"):
        return appropriation.title
    title = pool.name
    if title.lower().startswith("frigivelse"):
        return title
    if title[:1].isupper() and not title[1:2].isupper():
        title = title[0].lower() + title[1:]
    return f"Frigivelse af puljemidler til {title}"


def _applicant(grants: list[Grant], municipality_name: str) -> str:
    names = {g.facility.operator_name for g in grants if g.facility_id is not None and g.facility.operator_name}  # type: ignore[union-attr]
    return names.pop() if len(names) == 1 else municipality_name


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """The committee item releasing a pool's grants as supplementary appropriations: one decision,
    every figure from its lines (or, before there is one, the pool's live grants)."""
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
    live = _ordered(pool.grants.filter(status__in=LIVE_GRANTS))
    if not live:
        raise ReportError(_("Puljen %(pool)s har ingen tilsagn at frigive.") % {"pool": pool.name})
    appropriation = chosen_appropriation(request, pool)
    if appropriation is not None and appropriation.budget_neutral:
        errors = appropriation.neutrality_errors()
        if errors:
            raise ReportError(" ".join(errors))
    release = _decided_release(pool, appropriation) if appropriation is not None else _proposed_release(pool, live)
    grants = release.grants

    municipality = request.scope.municipality
    municipality_name = str(municipality) if municipality is not None else ""
    grantor = pool.grantor.name if pool.grantor_id is not None else municipality_name  # type: ignore[union-attr]
    committee = request.option("committee", appropriation.decision_body if appropriation else "") or _("Udvalget")
    area = request.option("area", "Socialområdet")
    applicant = _applicant(grants, municipality_name)
    project = quoted(pool.name)
    total = sum((g.amount for g in grants), ZERO)
    neutral = release.balanced
    financing = _financing(release)

    progress(40, _("Skriver sagsfremstillingen"))
    if len(grants) == 1:
        split = f"Midlerne går til {grants[0].recipient_name}."
    else:
        split = f"Midlerne fordeler sig med {join_da([f'{mio(g.amount)} til {g.recipient_name}' for g in grants])}."
    case = Section("Sagsfremstilling").add(
        f"I denne sag søges om frigivelse af puljemidler vedrørende projektet {project}.",
        f"{applicant} har ansøgt og fået tilsagn om midler fra puljen {project} under {grantor}. "
        f"Tilskuddet udgør i alt {mio(total)} i projektperioden, der løber fra {long_date(pool.period_start)} "
        f"til {long_date(pool.period_end)}. {split}"
        + (
            " Indtægterne fra de eksterne projektmidler modsvares af tilsvarende udgifter til "
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
    years = release.years
    rows: list[Row] = [Row([_("Udgifter")], RowKind.GROUP)]
    for grant in grants:
        rows.append(Row([grant.recipient_name] + [release.expenditure[grant.pk].get(y, ZERO) for y in years]))
    if release.other_expenditure:
        rows.append(Row(["Øvrige udgifter"] + [release.other_expenditure.get(y, ZERO) for y in years]))
    expenditure = [release.expenditure_total(y) for y in years]
    income = [release.income_total.get(y, ZERO) for y in years]
    rows.append(Row(["Udgifter i alt", *expenditure], RowKind.TOTAL))
    rows.append(Row(["Indtægter i alt", *[-i for i in income]]))
    rows.append(Row(["Netto", *[e - i for e, i in zip(expenditure, income, strict=True)]], RowKind.TOTAL))
    economy = Section("Økonomiske konsekvenser").add(
        "De økonomiske konsekvenser er beskrevet ovenfor. Tillægsbevillingerne fremgår af tabellen nedenfor, "
        "hvor indtægter er vist med negativt fortegn" + (", og de er samlet set budgetneutrale." if neutral else "."),
        Table(
            columns=_amount_columns(years, [v for row in rows for v in row.cells[1:]]),
            rows=rows,
            caption="Tillægsbevilling til indtægter og udgifter",
            note="Udgifterne finansieres af tilskuddet." if neutral else financing,
            sheet_name="Tillægsbevilling",
        ),
    )

    progress(85, _("Skriver indstillingen"))
    recommendations = [
        f"der gives tillægsbevilling på {_granted_text(release.expenditure[g.pk], release.income[g.pk])} til det "
        f"eksternt finansierede projekt {project} til {g.recipient_name} under {area} på "
        f"{genitive(committee)} område. {financing}"
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
    released = release.released
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
            f"{long_date(pool.period_start)} til {long_date(pool.period_end)}. Sagen frigiver "
            + ("midlerne" if released == total else f"{_amount_text(released)} af midlerne")
            + " som "
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
        file_stem=f"frigivelse-{pool.pk}" + (f"-{appropriation.pk}" if appropriation is not None else ""),
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
        fit_period=fit_period,
    )
)
