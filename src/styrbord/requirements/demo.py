"""Demo requirements from the seed documents, chosen so the coverage pages show live gaps.

- 002: Region Hovedstaden wants at least 75 % of contact staff further educated and specialised
  (psychopathology, somatic illness, empathy fatigue ...) and systematic maintenance training in
  conflict management; used for the Norddjurs facilities, for the regional psychiatric unit, and
  as a shared target of the municipalities in Region Midtjylland (what its analysts follow).
- 003: Skovstjernen is singled out by Socialtilsyn Midt's recommendations (henstillinger) on
  competence development; conflict management and KRAP are the pool's priorities.
- 000: the Social- og Boligstyrelsen grant for Dolmer Have and Bofællesskaberne Glesborg
  (2025-2027), here with recovery-oriented rehabilitation as its grant condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from styrbord.competences.models import Competence
from styrbord.demo.context import DemoContext
from styrbord.organisations.models import Facility, Municipality, Region
from styrbord.requirements.coverage import coverage_for, gaps_for
from styrbord.requirements.models import Population, Priority, Requirement, Rule, ScopeLevel, SourceKind

# Specialist competences that make a contact person "specialised" (seed 002 plus the methods of 003).
SPECIALISED = (
    "psykopatologi",
    "somatisk-sygdom",
    "empatitraethed",
    "dobbeltdiagnose",
    "krap",
    "autismeforstaaelse",
    "housing-first",
    "forebyggelsesinstruktoer",
)
REGIONAL_SPECIALISED = ("psykopatologi", "somatisk-sygdom", "empatitraethed", "dobbeltdiagnose")
REGIONAL_UNIT = "Psykiatrisk Center København, afsnit 6"
MAINTENANCE = ("vedligeholdelsestraening-konflikt", "vedligeholdelsestraening")


@dataclass
class Spec:
    """One demo requirement; scope given by a municipality code or facility names."""

    key: str
    name: str
    competences: tuple[str, ...]
    rule: str
    source_kind: str
    source_reference: str
    municipality: str | None = None
    region: str | None = None
    facilities: tuple[str, ...] = ()
    population: str = Population.ALL_STAFF
    target: str = "100"
    months: int | None = None
    deadline: dt.date | None = None
    priority: int = Priority.MEDIUM
    effective_from: dt.date | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def specs(today: dt.date) -> list[Spec]:
    """The demo's requirements, dated relative to the demo's today."""
    return [
        Spec(
            "specialised_norddjurs",
            "75 % af kontaktpersonerne videreuddannet og specialiseret",
            SPECIALISED,
            Rule.PERCENT_PEOPLE,
            SourceKind.STRATEGY,
            "Efter Region Hovedstadens budgetinitiativ 2.6 (budget 2025-2028): mindst 75 % af personalet "
            "ansat som kontaktpersoner videreuddannet og specialiseret.",
            municipality="0707",
            population=Population.CONTACT_PERSONS,
            target="75",
            deadline=dt.date(today.year + 1, 12, 31),
            priority=Priority.HIGH,
            description="Én af de specialiserede kompetencer er nok (psykopatologi, somatisk sygdom, "
            "empatitræthed, dobbeltdiagnose, KRAP, autisme, Housing First eller forebyggelsesinstruktør).",
        ),
        Spec(
            "specialised_region",
            "75 % af kontaktpersonerne specialiseret (regionalt mål)",
            REGIONAL_SPECIALISED,
            Rule.PERCENT_PEOPLE,
            SourceKind.REGIONAL_TARGET,
            "Region Hovedstaden, forslag til budget 2025-2028, initiativ 2.6: Kompetenceudvikling af personale.",
            facilities=(REGIONAL_UNIT,),
            population=Population.CONTACT_PERSONS,
            target="75",
            deadline=dt.date(2028, 12, 31),
            priority=Priority.HIGH,
        ),
        Spec(
            "specialised_midtjylland",
            "Fælles mål i Region Midtjylland: 75 % af kontaktpersonerne specialiseret",
            REGIONAL_SPECIALISED,
            Rule.PERCENT_PEOPLE,
            SourceKind.REGIONAL_TARGET,
            "Fælles mål for kommunernes tilbud i regionen (demo), efter Region Hovedstadens budgetinitiativ 2.6: "
            "mindst 75 % af kontaktpersonerne videreuddannet og specialiseret.",
            region="1082",
            population=Population.CONTACT_PERSONS,
            target="75",
            deadline=dt.date(2028, 12, 31),
            priority=Priority.MEDIUM,
            description="Én af de regionale specialiseringer er nok: psykopatologi, somatisk sygdom, empatitræthed "
            "eller dobbeltdiagnose.",
        ),
        Spec(
            "new_staff_conflict",
            "Nyansatte: konflikthåndtering inden for 6 måneder",
            ("konflikthaandtering",),
            Rule.WITHIN_MONTHS_OF_HIRE,
            SourceKind.STRATEGY,
            "Kompetencestrategi for Socialpsykiatri og rusmidler: alle nye medarbejdere gennemfører "
            "konflikthåndtering og de-eskalering inden for de første 6 måneder.",
            municipality="0707",
            population=Population.NEW_STAFF,
            months=6,
            effective_from=dt.date(today.year - 2, 1, 1),
            priority=Priority.HIGH,
        ),
        Spec(
            "maintenance",
            "Vedligeholdelsestræning i konflikthåndtering hver 12. måned",
            MAINTENANCE,
            Rule.RENEW_EVERY,
            SourceKind.STRATEGY,
            "Handleplanen 'En sikker og tryg Psykiatri': systematisk vedligeholdelsestræning, en halv dag om året.",
            municipality="0707",
            target="80",
            months=12,
            priority=Priority.MEDIUM,
        ),
        Spec(
            "skovstjernen_recommendation",
            "Skovstjernen: konflikthåndtering eller Low Arousal for alle medarbejdere",
            ("konflikthaandtering", "low-arousal"),
            Rule.EVERY_PERSON,
            SourceKind.RECOMMENDATION,
            "Tilsynsrapport fra Socialtilsyn Midt: henstilling om kompetenceudvikling i forebyggelse og "
            "håndtering af udadreagerende adfærd.",
            facilities=("Skovstjernen",),
            deadline=_months_ahead(today, 5),
            priority=Priority.HIGH,
        ),
        Spec(
            "grant_recovery",
            "Recovery-orienteret rehabilitering: 90 % af medarbejderne",
            ("recovery",),
            Rule.PERCENT_PEOPLE,
            SourceKind.GRANT_CONDITION,
            "Tilskud fra Social- og Boligstyrelsen til kompetenceudvikling 2025-2027 (1,022 mio. kr.).",
            facilities=("Dolmer Have", "Bofællesskaberne Glesborg"),
            target="90",
            deadline=dt.date(2027, 12, 31),
            priority=Priority.MEDIUM,
        ),
        Spec(
            "holbaek_conflict",
            "Konflikthåndtering for alle medarbejdere",
            ("konflikthaandtering", "low-arousal"),
            Rule.EVERY_PERSON,
            SourceKind.STRATEGY,
            "Udmøntning af kompetencepuljen: konflikthåndtering og arbejdet med at minimere udadreagerende adfærd.",
            municipality="0316",
            priority=Priority.MEDIUM,
            deadline=dt.date(today.year + 1, 6, 30),
        ),
    ]


def _months_ahead(today: dt.date, months: int) -> dt.date:
    from styrbord.lib.dates import add_months, month_last_day

    day = add_months(today, months)
    return day.replace(day=month_last_day(day.year, day.month))


def _competences(ctx: DemoContext, codes: tuple[str, ...]) -> list[Competence]:
    """Competences by code from the earlier step (or the database); missing codes are skipped."""
    found = [ctx.competences[c] for c in codes if c in ctx.competences]
    missing = [c for c in codes if c not in ctx.competences]
    if missing:
        found += list(Competence.objects.filter(code__in=missing))
    return found


def _create(ctx: DemoContext, spec: Spec, scope: dict[str, Any], competences: list[Competence]) -> Requirement:
    req = Requirement.objects.create(
        name=spec.name,
        description=spec.description,
        rule=spec.rule,
        target_percent=Decimal(spec.target),
        months=spec.months,
        population=spec.population,
        effective_from=spec.effective_from,
        deadline=spec.deadline,
        priority=spec.priority,
        source_kind=spec.source_kind,
        source_reference=spec.source_reference,
        **scope,
    )
    req.competences.set(competences)
    return req


def build(ctx: DemoContext) -> None:
    """Create the demo requirements and note how far each facility is from them today."""
    created: dict[str, list[Requirement]] = {}
    for spec in specs(ctx.today):
        competences = _competences(ctx, spec.competences)
        if not competences:
            ctx.note(f"Krav sprunget over (ingen kompetencer): {spec.name}")
            continue
        reqs: list[Requirement] = []
        region = Region.objects.filter(code=spec.region).first() if spec.region else None
        if region is not None:
            reqs.append(_create(ctx, spec, {"scope_level": ScopeLevel.REGION, "region": region}, competences))
        if spec.municipality:
            municipality = (
                ctx.municipalities.get(spec.municipality) or Municipality.objects.filter(code=spec.municipality).first()
            )
            if municipality is not None:
                reqs.append(
                    _create(
                        ctx, spec, {"scope_level": ScopeLevel.MUNICIPALITY, "municipality": municipality}, competences
                    )
                )
        for name in spec.facilities:
            facility = ctx.facilities.get(name) or Facility.objects.filter(name=name).first()
            if facility is not None:
                reqs.append(_create(ctx, spec, {"scope_level": ScopeLevel.FACILITY, "facility": facility}, competences))
        created[spec.key] = reqs
    ctx.extra["requirements"] = created
    everything = [r for reqs in created.values() for r in reqs]
    rows = coverage_for(everything, on=ctx.today)
    met = sum(1 for r in rows if r.meets_target)
    breaches = sum(1 for g in _all_gaps(everything, rows, ctx.today) if g.is_breach)
    ctx.note(
        f"Kompetencekrav: {len(everything)} krav, {met} af {len(rows)} tilbud x krav opfylder målet; "
        f"{breaches} personer mangler en kompetence i dag"
    )


def _all_gaps(requirements: list[Requirement], rows: list[Any], on: dt.date) -> list[Any]:
    gaps = []
    for facility_id in {r.facility.pk for r in rows}:
        gaps += gaps_for(requirements, facility_id, on, include_warnings=False)
    return gaps
