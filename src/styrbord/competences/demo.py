"""Demo competence catalogue (the seeds' topics) and realistic holdings for the demo staff.

- 003: conflict management, KRAP, Housing First, autism understanding, the 45-day
  recovery-oriented rehabilitation programme of 2024 (Social- og Boligstyrelsen).
- 002: psychopathology, somatic illness, empathy fatigue, dual diagnosis, security
  assistants and prevention instructors, systematic maintenance training; the target that
  75 % of contact staff are further educated and specialised.

Contact staff are more often specialised; the level differs by facility so the 75 % target
is met at some facilities and missed at others. Time-limited holdings are spread so that
some have lapsed and some lapse within 90 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.demo.context import DemoContext
from styrbord.staff.models import Employment, JobGroup

C = Competence.Category
G = JobGroup


@dataclass(frozen=True)
class CompetenceSpec:
    code: str
    name: str
    category: str
    validity_months: int | None
    refresher_rule: str
    description: str


COMPETENCES: list[CompetenceSpec] = [
    CompetenceSpec(
        "konflikthaandtering",
        "Konflikthåndtering og de-eskalering",
        C.CONFLICT,
        24,
        "Genopfriskes hvert andet år; en halv dags vedligeholdelsestræning om året.",
        "Forebyggelse og håndtering af konflikter, der kan munde ud i voldsomme episoder. Ofte med simulationstræning.",
    ),
    CompetenceSpec(
        "vedligeholdelsestraening-konflikt",
        "Vedligeholdelsestræning i konflikthåndtering",
        C.CONFLICT,
        12,
        "En halv dag om året.",
        "Systematisk vedligeholdelsestræning, som anbefalet i handleplanen for en sikker og tryg psykiatri.",
    ),
    CompetenceSpec(
        "low-arousal",
        "Low Arousal",
        C.CONFLICT,
        None,
        "",
        "Nedtrappende tilgang til udadreagerende adfærd.",
    ),
    CompetenceSpec(
        "forebyggelsesinstruktoer",
        "Forebyggelsesinstruktør",
        C.ROLE,
        24,
        "Recertificering hvert andet år hos en specialinstruktør.",
        "Træner kolleger i forebyggelse af konflikter. Uddannes af specialinstruktører.",
    ),
    CompetenceSpec(
        "sikkerhedsassistent",
        "Sikkerhedsassistent",
        C.ROLE,
        None,
        "Deltager i den årlige vedligeholdelsestræning.",
        "Ekstra ressource i klinikken ved utrygge situationer. Typisk social- og sundhedsassistenter.",
    ),
    CompetenceSpec(
        "krap",
        "KRAP – Kognitiv, Ressourcefokuseret og Anerkendende Praksis",
        C.METHOD,
        None,
        "",
        "Pædagogisk tilgang og metode.",
    ),
    CompetenceSpec(
        "recovery",
        "Recovery-orienteret rehabilitering",
        C.METHOD,
        None,
        "",
        "Kompetenceudviklingsforløb udbudt af Social- og Boligstyrelsen med 45 undervisningsdage.",
    ),
    CompetenceSpec("housing-first", "Housing First", C.METHOD, None, "", "Boligen først, med bostøtte efter behov."),
    CompetenceSpec(
        "autismeforstaaelse", "Autismeforståelse", C.METHOD, None, "", "Forståelse af autismespektrumforstyrrelser."
    ),
    CompetenceSpec(
        "psykopatologi",
        "Psykopatologi",
        C.CLINICAL,
        None,
        "",
        "Grundlæggende introduktion til psykiske lidelser, symptomer og behandling.",
    ),
    CompetenceSpec(
        "somatisk-sygdom",
        "Somatisk sygdom hos mennesker med psykisk lidelse",
        C.CLINICAL,
        None,
        "",
        "Opsporing af somatisk sygdom hos borgere og patienter med psykiske lidelser.",
    ),
    CompetenceSpec(
        "empatitraethed",
        "Empatitræthed og egenomsorg",
        C.WELLBEING,
        None,
        "",
        "Forebyggelse af empatitræthed og udbrændthed.",
    ),
    CompetenceSpec(
        "dobbeltdiagnose",
        "Integreret dobbeltdiagnosebehandling",
        C.CLINICAL,
        None,
        "",
        "Samtidig psykisk lidelse og rusmiddelproblem.",
    ),
]


@dataclass(frozen=True)
class FacilityProfile:
    """What a facility has trained in: its specialist competences and broad programmes."""

    specialist: tuple[str, ...]  # any one of these makes a contact person 'specialised'
    specialised_share: float  # share of contact staff specialised (the 75 % question)
    broad: dict[str, float]  # competence -> share of all staff who hold it
    provider: str


NORDDJURS_BROAD = {"konflikthaandtering": 0.8, "recovery": 0.55, "empatitraethed": 0.12}
PROFILES: dict[str, FacilityProfile] = {
    "Dolmer Have": FacilityProfile(
        ("krap", "dobbeltdiagnose", "psykopatologi"),
        0.6,
        {**NORDDJURS_BROAD, "low-arousal": 0.3},
        "VIA University College",
    ),
    "Bofællesskaberne Glesborg": FacilityProfile(
        ("krap", "dobbeltdiagnose"), 0.68, NORDDJURS_BROAD, "VIA University College"
    ),
    "Skovstjernen": FacilityProfile(
        ("autismeforstaaelse", "krap"),
        0.45,
        {"konflikthaandtering": 0.6, "low-arousal": 0.4},
        "Center for Autisme",
    ),
    "Kattegatgården": FacilityProfile(
        ("dobbeltdiagnose", "housing-first"), 0.82, {**NORDDJURS_BROAD, "housing-first": 0.3}, "Komponent"
    ),
    "Bostøtten Grenaa": FacilityProfile(
        ("housing-first", "psykopatologi"), 0.8, {"konflikthaandtering": 0.5, "recovery": 0.6}, "Komponent"
    ),
    "Elmegården": FacilityProfile(
        ("psykopatologi", "dobbeltdiagnose"),
        0.84,
        {"konflikthaandtering": 0.75, "recovery": 0.7, "housing-first": 0.2},
        "Professionshøjskolen Absalon",
    ),
    "Kirsebærhaven": FacilityProfile(
        ("autismeforstaaelse", "psykopatologi"),
        0.66,
        {"konflikthaandtering": 0.7, "recovery": 0.6, "low-arousal": 0.35},
        "Professionshøjskolen Absalon",
    ),
    "Housing First-teamet Holbæk": FacilityProfile(
        ("housing-first",), 0.9, {"recovery": 0.8, "konflikthaandtering": 0.5}, "Substans"
    ),
    "Bofællesskabet Tuse": FacilityProfile(
        ("autismeforstaaelse", "krap"),
        0.55,
        {"konflikthaandtering": 0.7, "low-arousal": 0.5},
        "Professionshøjskolen Absalon",
    ),
    "Psykiatrisk Center København, afsnit 6": FacilityProfile(
        ("psykopatologi", "dobbeltdiagnose", "somatisk-sygdom"),
        0.8,
        {"konflikthaandtering": 0.85, "empatitraethed": 0.25},
        "Region Hovedstadens Psykiatri, Uddannelsesenheden",
    ),
}
# Certified roles: (facility, how many), chosen among SOSU assistants and nurses.
CERTIFIED = {
    "sikkerhedsassistent": {"Psykiatrisk Center København, afsnit 6": 5},
    "forebyggelsesinstruktoer": {"Psykiatrisk Center København, afsnit 6": 3, "Dolmer Have": 1, "Skovstjernen": 1},
}
RECOVERY_PROGRAMME = (dt.date(2024, 2, 1), dt.date(2024, 12, 13))  # 45 teaching days in 2024 (seed 003)


def ensure_catalogue() -> dict[str, Competence]:
    """Create or update the catalogue by code (also used by the large-data generator)."""
    out = {}
    for spec in COMPETENCES:
        out[spec.code], _ = Competence.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "category": spec.category,
                "validity_months": spec.validity_months,
                "refresher_rule": spec.refresher_rule,
                "description": spec.description,
            },
        )
    return out


class _Holdings:
    """Collects holdings, drawing dates with the demo's rng."""

    def __init__(self, ctx: DemoContext, catalogue: dict[str, Competence]) -> None:
        self.ctx = ctx
        self.catalogue = catalogue
        self.rows: list[CompetenceHolding] = []
        self.held: set[tuple[int, str]] = set()

    def _day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.ctx.rng.randint(0, (end - start).days))

    def add(self, employment: Employment, code: str, provider: str, state: str | None = None) -> None:
        """One holding; ``state`` picks valid / expiring / expired for time-limited ones."""
        key = (employment.employee_id, code)
        if key in self.held:
            return
        competence = self.catalogue[code]
        today, rng = self.ctx.today, self.ctx.rng
        earliest = max(employment.start_date - dt.timedelta(days=365), today - dt.timedelta(days=6 * 365))
        latest = today - dt.timedelta(days=14)
        if competence.validity_months:
            months = competence.validity_months
            state = state or rng.choices(("valid", "expiring", "expired"), (62, 14, 24))[0]
            lapse = today - dt.timedelta(days=months * 365 // 12)  # acquired on this day: lapses about today
            if state == "valid":
                acquired = self._day_between(max(lapse + dt.timedelta(days=95), earliest), latest)
            elif state == "expiring":
                acquired = self._day_between(lapse + dt.timedelta(days=5), lapse + dt.timedelta(days=85))
            else:
                acquired = self._day_between(lapse - dt.timedelta(days=540), lapse - dt.timedelta(days=10))
        elif code == "recovery" and employment.start_date < RECOVERY_PROGRAMME[1] and rng.random() < 0.8:
            acquired = RECOVERY_PROGRAMME[1]
            provider = "Social- og Boligstyrelsen"
        else:
            acquired = self._day_between(earliest, latest)
        if acquired > latest:
            return
        source = CompetenceHolding.Source.COURSE
        if acquired < employment.start_date:
            source = CompetenceHolding.Source.IMPORT
        self.held.add(key)
        self.rows.append(
            CompetenceHolding(
                employee_id=employment.employee_id,
                competence=competence,
                acquired_on=acquired,
                expires_on=competence.expiry_for(acquired),
                source=source,
                evidence=f"Kursusbevis, {provider}"
                if source == CompetenceHolding.Source.COURSE
                else "Tidligere ansættelse",
            )
        )


def build(ctx: DemoContext) -> None:
    """Create the catalogue and the demo staff's holdings."""
    catalogue = ensure_catalogue()
    ctx.competences.update(catalogue)
    ctx.extra["specialist_competences"] = {name: list(p.specialist) for name, p in PROFILES.items()}
    rng, today = ctx.rng, ctx.today
    holdings = _Holdings(ctx, catalogue)
    recent_cutoff = today - dt.timedelta(days=183)
    employments: list[Employment] = [e for e in ctx.extra["employments"] if e.is_primary]
    for employment in employments:
        profile = PROFILES[employment.facility.name]
        group = employment.job_group
        if group in (G.SUBSTITUTE,) or employment.kind in (Employment.Kind.TRAINEE, Employment.Kind.INTERN):
            if rng.random() < 0.25:
                holdings.add(employment, "konflikthaandtering", profile.provider)
            continue
        recent = employment.start_date > recent_cutoff
        # Broad programmes: new staff have had less time to attend.
        for code, level in profile.broad.items():
            odds = level * (0.25 if recent else 1.0)
            if code == "recovery" and group in (G.PSYCHOLOGIST, G.MANAGER):
                odds = 0.9
            if rng.random() < odds:
                holdings.add(employment, code, profile.provider)
                if code == "konflikthaandtering" and rng.random() < 0.5:
                    holdings.add(employment, "vedligeholdelsestraening-konflikt", profile.provider)
        # Specialisation: contact staff are specialised at the facility's level, others at half.
        level = profile.specialised_share if employment.is_contact_person else profile.specialised_share / 2
        if recent:
            level /= 3
        if rng.random() < level:
            first, *others = profile.specialist
            chosen = [first] if rng.random() < 0.7 or not others else [rng.choice(others)]
            chosen += [c for c in others if c not in chosen and rng.random() < 0.3]
            for code in chosen:
                holdings.add(employment, code, profile.provider)
        if group == G.NURSE and rng.random() < 0.7:
            holdings.add(employment, "psykopatologi", profile.provider)
            holdings.add(employment, "somatisk-sygdom", profile.provider)
    _certified_roles(ctx, holdings, employments)
    CompetenceHolding.objects.bulk_create(holdings.rows)
    expired = sum(1 for h in holdings.rows if h.expires_on is not None and h.expires_on < today)
    soon = sum(
        1 for h in holdings.rows if h.expires_on is not None and today <= h.expires_on <= today + dt.timedelta(days=90)
    )
    ctx.note(
        f"Kompetencer: {len(catalogue)} i kataloget, {len(holdings.rows)} kompetencebeviser "
        f"({expired} udløbet, {soon} udløber inden for 90 dage)"
    )


def _certified_roles(ctx: DemoContext, holdings: _Holdings, employments: list[Employment]) -> None:
    for code, per_facility in CERTIFIED.items():
        for facility_name, count in per_facility.items():
            pool = [
                e
                for e in employments
                if e.facility.name == facility_name
                and e.job_group in (G.SOSU_ASSISTANT, G.NURSE, G.SOCIAL_EDUCATOR)
                and e.status != Employment.Status.ENDED
                and e.start_date < ctx.today - dt.timedelta(days=365)
            ]
            states = ["valid", "expiring", "valid", "expired", "valid"]
            for i, employment in enumerate(ctx.rng.sample(pool, min(count, len(pool)))):
                holdings.add(employment, code, PROFILES[facility_name].provider, state=states[i % len(states)])
                holdings.add(employment, "konflikthaandtering", PROFILES[facility_name].provider, state="valid")
