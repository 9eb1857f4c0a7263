"""Demo staff: about 250 people on the demo facilities, shaped by the seed documents.

From 001 (Holbæk's social area): many social educators, SOSU staff and unskilled care
assistants; 44 % part-time; average age about 45.6, social educators older (50.6).
From 002: only about half of residential staff have a relevant education.
Every random choice comes from ``ctx.rng``, so the same seed gives the same people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from styrbord.demo.context import DemoContext
from styrbord.lib.formatting import format_number
from styrbord.staff.education import record_education
from styrbord.staff.importing.five_file import hr_person_key
from styrbord.staff.models import Absence, EducationPeriod, Employee, Employment, JobGroup

G = JobGroup
FULL_TIME = Decimal("37")
PART_TIME_HOURS = (20, 24, 25, 28, 30, 30, 32, 32, 34)
HOURLY_HOURS = (6, 8, 10, 12, 15)
# People hired within the last six months, by facility: live gaps for a within-6-months rule.
RECENT_HIRES = {
    "Dolmer Have": 4,
    "Skovstjernen": 3,
    "Bofællesskaberne Glesborg": 2,
    "Elmegården": 2,
    "Psykiatrisk Center København, afsnit 6": 2,
    "Bofællesskabet Tuse": 1,
}

# Job-group mix (weights) by kind of facility; one manager per facility comes on top.
MIX: dict[str, dict[str, int]] = {
    "psychiatry": {
        G.SOCIAL_EDUCATOR: 26,
        G.CARE_ASSISTANT: 30,
        G.SOSU_ASSISTANT: 10,
        G.SOSU_HELPER: 6,
        G.PEDAGOGICAL_ASSISTANT: 4,
        G.SUBSTITUTE: 12,
        G.NURSE: 3,
        G.PEER_WORKER: 4,
        G.SOCIAL_WORKER: 2,
        G.THERAPIST: 2,
        G.PSYCHOLOGIST: 1,
    },
    "disability": {
        G.SOCIAL_EDUCATOR: 30,
        G.CARE_ASSISTANT: 33,
        G.PEDAGOGICAL_ASSISTANT: 8,
        G.SOSU_ASSISTANT: 4,
        G.SOSU_HELPER: 4,
        G.SUBSTITUTE: 14,
        G.THERAPIST: 3,
        G.PSYCHOLOGIST: 1,
        G.NURSE: 1,
    },
    "support": {
        G.SOCIAL_EDUCATOR: 40,
        G.SOCIAL_WORKER: 15,
        G.PEER_WORKER: 12,
        G.SOSU_ASSISTANT: 8,
        G.CARE_ASSISTANT: 25,
    },
    "hospital": {
        G.NURSE: 26,
        G.SOSU_ASSISTANT: 24,
        G.SOCIAL_EDUCATOR: 6,
        G.CARE_ASSISTANT: 16,
        G.THERAPIST: 5,
        G.PSYCHOLOGIST: 4,
        G.SUBSTITUTE: 11,
        G.PEER_WORKER: 3,
        G.SOSU_HELPER: 3,
    },
}
PROFILE = {
    "Dolmer Have": "psychiatry",
    "Bofællesskaberne Glesborg": "psychiatry",
    "Skovstjernen": "disability",
    "Kattegatgården": "psychiatry",
    "Bostøtten Grenaa": "support",
    "Elmegården": "psychiatry",
    "Kirsebærhaven": "disability",
    "Housing First-teamet Holbæk": "support",
    "Bofællesskabet Tuse": "disability",
    "Psykiatrisk Center København, afsnit 6": "hospital",
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class GroupTraits:
    """Education, relevance, age, wage and contact-person odds of a job group."""

    educations: tuple[str, ...]
    relevant: bool
    mean_age: float
    wage: tuple[int, int]  # hourly wage cost incl. pension, whole kroner
    full_time: float  # chance of 37 hours
    contact: float  # chance of being a key worker on a residential facility
    titles: tuple[str, ...]


TRAITS: dict[str, GroupTraits] = {
    G.SOCIAL_EDUCATOR: GroupTraits(
        ("Pædagog (professionsbachelor)", "Socialpædagog", "Pædagog, diplommodul i psykiatri"),
        True,
        50.6,
        (345, 392),
        0.7,
        0.85,
        ("Socialpædagog", "Pædagog"),
    ),
    G.PEDAGOGICAL_ASSISTANT: GroupTraits(
        ("Pædagogisk assistent (PAU)",), True, 41.0, (300, 328), 0.6, 0.6, ("Pædagogisk assistent",)
    ),
    G.SOSU_ASSISTANT: GroupTraits(
        ("Social- og sundhedsassistent",), True, 45.6, (325, 356), 0.62, 0.7, ("Social- og sundhedsassistent",)
    ),
    G.SOSU_HELPER: GroupTraits(
        ("Social- og sundhedshjælper",), True, 46.5, (298, 320), 0.45, 0.45, ("Social- og sundhedshjælper",)
    ),
    G.NURSE: GroupTraits(
        ("Sygeplejerske (professionsbachelor)", "Sygeplejerske, specialuddannet i psykiatrisk sygepleje"),
        True,
        45.0,
        (390, 420),
        0.6,
        0.7,
        ("Sygeplejerske", "Psykiatrisk sygeplejerske"),
    ),
    G.THERAPIST: GroupTraits(("Ergoterapeut", "Fysioterapeut"), True, 42.0, (362, 388), 0.7, 0.0, ("Ergoterapeut",)),
    G.SOCIAL_WORKER: GroupTraits(
        ("Socialrådgiver (professionsbachelor)", "Socialformidler"),
        True,
        43.1,
        (360, 390),
        0.75,
        0.8,
        ("Socialrådgiver", "Bostøttemedarbejder"),
    ),
    G.PSYCHOLOGIST: GroupTraits(("Cand.psych.aut.",), True, 44.0, (400, 420), 0.7, 0.0, ("Psykolog",)),
    G.CARE_ASSISTANT: GroupTraits(
        ("", "Ingen formel uddannelse", "Student (STX)", "HF", "Butiksuddannelse", "Tømrer", "Kontoruddannelse"),
        False,
        45.6,
        (280, 298),
        0.58,
        0.35,
        ("Omsorgsmedhjælper", "Pædagogmedhjælper"),
    ),
    G.PEER_WORKER: GroupTraits(
        ("Peer-medarbejderuddannelse",), False, 42.0, (282, 300), 0.2, 0.0, ("Peer-medarbejder", "Recoverymentor")
    ),
    G.MANAGER: GroupTraits(
        ("Pædagog, diplom i ledelse", "Sygeplejerske, master i offentlig ledelse"),
        True,
        52.0,
        (455, 495),
        1.0,
        0.0,
        ("Forstander", "Afdelingsleder"),
    ),
    G.SUBSTITUTE: GroupTraits(
        ("Pædagogstuderende", "Ingen formel uddannelse", "Sygeplejestuderende", "Student (STX)"),
        False,
        28.0,
        (280, 292),
        0.0,
        0.0,
        ("Afløser", "Vikar"),
    ),
}

FIRST_NAMES = _words(
    "Anne Mette Hanne Susanne Lene Marianne Camilla Louise Maria Pia Helle Charlotte Tina Gitte Karina "
    "Julie Sofie Ida Emma Freja Line Maja Signe Nanna Rikke Trine Birgitte Dorthe Jane Malene "
    "Peter Jens Lars Michael Henrik Thomas Søren Martin Jesper Anders Niels Morten Rasmus Mads Jonas "
    "Frederik Kasper Mikkel Christian Brian Kim Allan Jan Bo Ole Torben Emil Oliver Ahmed Ali "
    "Fatima Yasmin Mohammed Omar Aisha Katarzyna Piotr Ingrid Else Kirsten"
)
LAST_NAMES = _words(
    "Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Petersen "
    "Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen Knudsen Jakobsen "
    "Mikkelsen Frederiksen Laursen Henriksen Lund Holm Schmidt Eriksen Kristiansen Simonsen Clausen "
    "Svendsen Andreasen Iversen Jeppesen Vestergaard Mogensen Nissen Lauridsen Kjær Dahl Bach Friis "
    "Bruun Juhl Berg Skov Krogh Hedegaard Østergaard Abdi Yilmaz Nowak Ravn Bak Lindberg Damgaard"
)
LEAVERS = (
    "Dolmer Have",
    "Dolmer Have",
    "Skovstjernen",
    "Skovstjernen",
    "Elmegården",
    "Bofællesskaberne Glesborg",
    "Psykiatrisk Center København, afsnit 6",
    "Kirsebærhaven",
)
MAIL_DOMAINS = {"0707": "norddjurs.dk", "0316": "holb.dk", "0101": "regionh.dk"}


def _weighted_groups(ctx: DemoContext, profile: str, n: int) -> list[str]:
    """``n`` job groups by largest remainder on the profile's weights, shuffled by the rng."""
    weights = MIX[profile]
    total = sum(weights.values())
    exact = {g: n * w / total for g, w in weights.items()}
    counts = {g: int(v) for g, v in exact.items()}
    for g in sorted(exact, key=lambda g: (counts[g] - exact[g], g))[: n - sum(counts.values())]:
        counts[g] += 1
    groups = [g for g in weights for _ in range(counts[g])]
    ctx.rng.shuffle(groups)
    return groups


def _name(ctx: DemoContext, taken: set[str]) -> str:
    while True:
        name = f"{ctx.rng.choice(FIRST_NAMES)} {ctx.rng.choice(LAST_NAMES)}"
        if ctx.rng.random() < 0.25:
            name = f"{name.split()[0]} {ctx.rng.choice(LAST_NAMES)} {name.split()[1]}"
        if name not in taken:
            taken.add(name)
            return name


def _mail(name: str, domain: str) -> str:
    parts = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").split()
    return f"{parts[0]}.{parts[-1]}@{domain}"


def _wage(ctx: DemoContext, low: int, high: int) -> Decimal:
    """An hourly wage cost in whole øre (no floats on a money path)."""
    return Decimal(ctx.rng.randint(low * 100, high * 100)) / 100


def _start_date(ctx: DemoContext, today: dt.date, birth_year: int, recent: bool) -> dt.date:
    if recent:
        return today - dt.timedelta(days=ctx.rng.randint(10, 175))
    # Skewed towards recent years: the smaller of two draws over 15 years.
    days = min(ctx.rng.randint(190, 15 * 365), ctx.rng.randint(190, 15 * 365))
    start = today - dt.timedelta(days=days)
    earliest = dt.date(birth_year + 19, 8, 1)
    return max(start, earliest) if earliest < today - dt.timedelta(days=190) else start


def build(ctx: DemoContext) -> None:
    """Create employees and employments for every demo facility."""
    today = ctx.today
    rng = ctx.rng
    specs = ctx.extra["facility_specs"]
    units = ctx.extra["units"]
    taken: set[str] = set()
    people: list[tuple[Employee, dict[str, object]]] = []
    for facility_name, facility in ctx.facilities.items():
        spec = specs[facility_name]
        profile = PROFILE[facility_name]
        groups = [G.MANAGER, *_weighted_groups(ctx, profile, spec.staff - 1)]
        recent_hires = set(rng.sample(range(1, len(groups)), RECENT_HIRES.get(facility_name, 0)))
        for index, group in enumerate(groups):
            traits = TRAITS[group]
            age = int(max(19, min(66, round(rng.gauss(traits.mean_age, 8.5)))))
            birth_year = today.year - age
            recent = index in recent_hires
            kind = Employment.Kind.PERMANENT
            if group == G.SUBSTITUTE:
                kind = Employment.Kind.HOURLY
                hours = Decimal(rng.choice(HOURLY_HOURS))
            elif rng.random() < traits.full_time:
                hours = FULL_TIME
            else:
                hours = Decimal(rng.choice(PART_TIME_HOURS))
            if kind == Employment.Kind.PERMANENT and rng.random() < 0.05:
                kind = Employment.Kind.FIXED_TERM
            education = rng.choice(traits.educations)
            if group == G.MANAGER and profile == "hospital":
                education = traits.educations[1]
            contact_odds = traits.contact if profile != "support" else min(0.95, traits.contact + 0.1)
            employment = {
                "facility": facility,
                "unit": rng.choice(units[facility_name]),
                "job_group": group,
                "kind": kind,
                "title": rng.choice(traits.titles),
                "weekly_hours": hours,
                "is_contact_person": rng.random() < contact_odds,
                "start_date": _start_date(ctx, today, birth_year, recent),
                "hourly_wage": _wage(ctx, *traits.wage),
            }
            name = _name(ctx, taken)
            employee = Employee(
                name=name,
                email=_mail(name, MAIL_DOMAINS[spec.municipality]),
                birth_year=birth_year,
                education=education,
                education_relevant=traits.relevant and bool(education),
            )
            people.append((employee, employment))
    _add_trainees_and_students(ctx, people, taken)
    _add_leavers(ctx, people, taken)
    for n, (employee, data) in enumerate(people, start=1):
        # As the HR import keys a person (municipality code and HR id), so that an import of the
        # municipality's files with BrugerId demo-000031 updates the demo's person, not a new one.
        employee.person_key = hr_person_key(data["facility"].municipality.code, f"demo-{n:06d}")  # type: ignore[attr-defined]
        employee.municipality = data["facility"].municipality  # type: ignore[attr-defined]
    employees = Employee.objects.bulk_create([e for e, _ in people])
    _education_history(today, employees, [data for _, data in people])
    employments = [
        Employment(
            employee=employee,
            employment_number=f"DEMO-{n:06d}",
            fte=Employment.fte_for(data["weekly_hours"]),  # type: ignore[arg-type]
            **data,  # type: ignore[arg-type]
        )
        for n, (employee, (_, data)) in enumerate(zip(employees, people, strict=True), start=1)
    ]
    _second_employment(ctx, employments)
    on_leave = _put_some_on_leave(ctx, employments)
    Employment.objects.bulk_create(employments)
    Absence.objects.bulk_create(ctx.extra["absences"])
    ctx.employees.extend(employees)
    ctx.extra["employments"] = employments
    ctx.extra["managers"] = {
        e.facility.name: e.employee for e in employments if e.job_group == G.MANAGER and e.end_date is None
    }
    current = [e for e in employments if e.status != Employment.Status.ENDED]
    part_time = sum(1 for e in current if e.weekly_hours < FULL_TIME)
    relevant = sum(1 for e in employees if e.education_relevant)
    ages = [today.year - e.birth_year for e in employees if e.birth_year]
    ctx.note(
        f"Medarbejdere: {len(employees)} personer, {len(employments)} ansættelser "
        f"({part_time * 100 // max(1, len(current))} % deltid, {relevant * 100 // max(1, len(employees))} % "
        f"relevant uddannelse, gennemsnitsalder {format_number(Decimal(sum(ages)) / max(1, len(ages)), 1)}, "
        f"{on_leave} på orlov)"
    )


EARLIER_EDUCATION = "Pædagogmedhjælper uden uddannelse"


def _education_history(today: dt.date, employees: list[Employee], placements: list[dict[str, object]]) -> None:
    """Every person's education history (``staff.education``): every sixth social educator hired
    more than four years ago worked as an unskilled pedagogical helper until qualifying two to
    three years after starting, so the workforce page's earlier years count them without a
    relevant education. No random draw: the rest of the demo stays as it was."""
    earlier: list[EducationPeriod] = []
    for n, (employee, data) in enumerate(zip(employees, placements, strict=True)):
        start = data["start_date"]
        assert isinstance(start, dt.date)
        if (
            n % 6 == 0
            and data["job_group"] == G.SOCIAL_EDUCATOR
            and employee.education_relevant
            and start < today - dt.timedelta(days=4 * 365)
        ):
            qualified = start + dt.timedelta(days=730 + n % 365)
            earlier += [
                EducationPeriod(employee=employee, education=EARLIER_EDUCATION, valid_to=qualified),
                EducationPeriod(
                    employee=employee,
                    education=employee.education,
                    education_relevant=True,
                    valid_from=qualified,
                ),
            ]
    EducationPeriod.objects.bulk_create(earlier)
    record_education([e.pk for e in employees], on=today)  # the others: one period, since always


def _add_trainees_and_students(
    ctx: DemoContext, people: list[tuple[Employee, dict[str, object]]], taken: set[str]
) -> None:
    """A few SOSU-assistant trainees and social-educator students in work placement."""
    rng, today = ctx.rng, ctx.today
    units = ctx.extra["units"]
    placements = [
        (
            "Psykiatrisk Center København, afsnit 6",
            G.SOSU_ASSISTANT,
            Employment.Kind.TRAINEE,
            "Social- og sundhedsassistentelev",
        ),
        ("Elmegården", G.SOSU_ASSISTANT, Employment.Kind.TRAINEE, "Social- og sundhedsassistentelev"),
        ("Dolmer Have", G.SOCIAL_EDUCATOR, Employment.Kind.INTERN, "Pædagogstuderende (praktik)"),
        ("Skovstjernen", G.SOCIAL_EDUCATOR, Employment.Kind.INTERN, "Pædagogstuderende (praktik)"),
        ("Kirsebærhaven", G.SOCIAL_EDUCATOR, Employment.Kind.INTERN, "Pædagogstuderende (praktik)"),
    ]
    for facility_name, group, kind, education in placements:
        name = _name(ctx, taken)
        spec = ctx.extra["facility_specs"][facility_name]
        people.append(
            (
                Employee(
                    name=name,
                    email=_mail(name, MAIL_DOMAINS[spec.municipality]),
                    birth_year=today.year - rng.randint(21, 34),
                    education=education,
                    education_relevant=False,
                ),
                {
                    "facility": ctx.facilities[facility_name],
                    "unit": rng.choice(units[facility_name]),
                    "job_group": group,
                    "kind": kind,
                    "title": "Elev" if kind == Employment.Kind.TRAINEE else "Praktikant",
                    "weekly_hours": Decimal("32"),
                    "is_contact_person": False,
                    "start_date": today - dt.timedelta(days=rng.randint(20, 160)),
                    "end_date": today + dt.timedelta(days=rng.randint(60, 240)),
                    "hourly_wage": _wage(ctx, 150, 175),
                },
            )
        )


def _add_leavers(ctx: DemoContext, people: list[tuple[Employee, dict[str, object]]], taken: set[str]) -> None:
    """People whose employment ended during the last year (turnover)."""
    rng, today = ctx.rng, ctx.today
    units = ctx.extra["units"]
    for facility_name in LEAVERS:
        group = rng.choice((G.SOCIAL_EDUCATOR, G.CARE_ASSISTANT, G.SOSU_ASSISTANT))
        traits = TRAITS[group]
        name = _name(ctx, taken)
        end = today - dt.timedelta(days=rng.randint(15, 360))
        people.append(
            (
                Employee(
                    name=name,
                    email="",
                    birth_year=today.year - rng.randint(24, 63),
                    education=traits.educations[0],
                    education_relevant=traits.relevant,
                ),
                {
                    "facility": ctx.facilities[facility_name],
                    "unit": rng.choice(units[facility_name]),
                    "job_group": group,
                    "kind": Employment.Kind.PERMANENT,
                    "title": traits.titles[0],
                    "weekly_hours": Decimal(rng.choice((30, 32, 37))),
                    "is_contact_person": rng.random() < traits.contact,
                    "start_date": end - dt.timedelta(days=rng.randint(200, 2500)),
                    "end_date": end,
                    "status": Employment.Status.ENDED,
                    "hourly_wage": _wage(ctx, *traits.wage),
                },
            )
        )


def _second_employment(ctx: DemoContext, employments: list[Employment]) -> None:
    """One Dolmer Have social educator also covers a few hours at Bofællesskaberne Glesborg."""
    candidate = next(
        e
        for e in employments
        if e.facility.name == "Dolmer Have"
        and e.job_group == G.SOCIAL_EDUCATOR
        and e.status == Employment.Status.ACTIVE
        and e.end_date is None
        and e.start_date < ctx.today - dt.timedelta(days=365)
    )
    candidate.weekly_hours = Decimal("30")
    candidate.fte = Employment.fte_for(candidate.weekly_hours)
    glesborg = ctx.facilities["Bofællesskaberne Glesborg"]
    hours = Decimal("7")
    employments.append(
        Employment(
            employee=candidate.employee,
            employment_number=f"{candidate.employment_number}-2",
            facility=glesborg,
            unit=ctx.extra["units"][glesborg.name][0],
            job_group=G.SOCIAL_EDUCATOR,
            kind=Employment.Kind.PERMANENT,
            title="Socialpædagog (weekendvagter)",
            weekly_hours=hours,
            fte=Employment.fte_for(hours),
            is_contact_person=False,
            is_primary=False,
            start_date=ctx.today - dt.timedelta(days=400),
            hourly_wage=candidate.hourly_wage,
        )
    )
    ctx.extra["two_employments"] = candidate.employee


def _put_some_on_leave(ctx: DemoContext, employments: list[Employment]) -> int:
    """Five people on leave today, with the absence registered."""
    rng, today = ctx.rng, ctx.today
    pool = [
        e
        for e in employments
        if e.status == Employment.Status.ACTIVE
        and e.job_group not in (G.MANAGER, G.SUBSTITUTE)
        and e.kind == Employment.Kind.PERMANENT
        and e.is_primary
        and e.start_date < today - dt.timedelta(days=365)
    ]
    chosen = rng.sample(pool, 5)
    absences = []
    for e in chosen:
        e.status = Employment.Status.LEAVE
        start = today - dt.timedelta(days=rng.randint(20, 150))
        absences.append(
            Absence(
                employee=e.employee,
                kind=Absence.Kind.LEAVE,
                start_date=start,
                end_date=today + dt.timedelta(days=rng.randint(30, 200)),
            )
        )
    ctx.extra["absences"] = absences
    return len(chosen)
