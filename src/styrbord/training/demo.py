"""Demo courses, sessions 2025-2027 and bookings for Norddjurs staff (Dolmer Have, Bofællesskaberne
Glesborg), with costs, a waiting list, a demand list, and the seed-002 initiative.

- Past sessions have completed bookings (competence holdings follow), one no-show and one
  cancellation with a fee; future sessions have booked and planned bookings.
- The recovery programme (Social- og Boligstyrelsen, seed 003) runs 45 days from September 2026
  into 2027, so its costs split over two years and two VEU rates.
- A conflict-management session in February 2027 is full and has a waiting list.
- A team day at Glesborg takes nearly the whole team: its bookings are flagged for breaking
  the minimum staffing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from styrbord.accounts.models import User
from styrbord.competences.models import Competence
from styrbord.demo.context import DemoContext
from styrbord.lib.formatting import format_kr
from styrbord.organisations.models import Facility, Region
from styrbord.staff.models import Employment, JobGroup
from styrbord.training import services
from styrbord.training.models import (
    BackfillFactor,
    Booking,
    BookingStatus,
    CancellationRule,
    Course,
    CourseCompetence,
    CourseInterest,
    Initiative,
    InitiativeYear,
    Provider,
    Session,
)
from styrbord.training.services.initiatives import team_day_cost

G = JobGroup
K = Course.Kind
P = Provider.Kind

FACILITIES = ("Dolmer Have", "Bofællesskaberne Glesborg")
HANDS_ON = (G.SOCIAL_EDUCATOR, G.PEDAGOGICAL_ASSISTANT, G.SOSU_ASSISTANT, G.SOSU_HELPER, G.NURSE, G.CARE_ASSISTANT)
VEU_GROUPS = (G.SOSU_HELPER, G.SOSU_ASSISTANT, G.PEDAGOGICAL_ASSISTANT, G.CARE_ASSISTANT)

PROVIDERS = [
    # (key, name, kind, cancellation rules: (fewer than days before, percent))
    ("via", "VIA University College", P.UNIVERSITY_COLLEGE, [(14, 100), (30, 50)]),
    ("sosu", "SOSU Østjylland", P.SOSU_SCHOOL, [(7, 100)]),
    ("private", "Nordlys Konfliktkompetence ApS", P.PRIVATE, [(21, 100), (42, 50)]),
    ("sbst", "Social- og Boligstyrelsen", P.PUBLIC_AGENCY, []),
    ("inhouse", "Norddjurs Kommune, Socialpsykiatri og rusmidler (intern)", P.IN_HOUSE, []),
]


@dataclass(frozen=True)
class CourseSpec:
    code: str
    name: str
    provider: str
    kind: str
    days: int
    hours: str
    fee: str = "0.00"
    day_fee: str = "0.00"
    grants: tuple[tuple[str, int | None], ...] = ()
    requires: tuple[str, ...] = ()
    veu: bool = False
    vat: bool = False
    ects: str | None = None
    groups: tuple[str, ...] = ()
    description: str = ""


COURSES = [
    CourseSpec(
        "konflikt-simulation",
        "Konflikthåndtering og de-eskalering med simulationstræning",
        "private",
        K.CERTIFICATION,
        2,
        "14.80",
        fee="3200.00",
        grants=(("konflikthaandtering", None),),
        vat=True,
        description="To dage med skuespillere og simulationstræning.",
    ),
    CourseSpec(
        "vedligeholdelse-konflikt",
        "Vedligeholdelsestræning i konflikthåndtering (temadag)",
        "inhouse",
        K.IN_HOUSE_TEAM_DAY,
        1,
        "3.70",
        day_fee="6000.00",
        grants=(("vedligeholdelsestraening-konflikt", None),),
        description="En halv dag om året for hele teamet.",
    ),
    CourseSpec(
        "krap-grundforloeb",
        "KRAP – grundforløb",
        "via",
        K.CERTIFICATION,
        4,
        "29.60",
        fee="9800.00",
        grants=(("krap", None),),
    ),
    CourseSpec(
        "recovery-45",
        "Recovery-orienteret rehabilitering (45 dage)",
        "sbst",
        K.SPECIALIST_EDUCATION,
        45,
        "333.00",
        fee="4500.00",
        grants=(("recovery", None),),
        description="Kompetenceudviklingsforløb udbudt af Social- og Boligstyrelsen med 45 undervisningsdage.",
    ),
    CourseSpec(
        "forebyggelsesinstruktoer",
        "Uddannelse til forebyggelsesinstruktør",
        "private",
        K.CERTIFICATION,
        5,
        "37.00",
        fee="12500.00",
        grants=(("forebyggelsesinstruktoer", 24),),
        requires=("konflikthaandtering",),
        vat=True,
        groups=(G.SOSU_ASSISTANT, G.NURSE, G.SOCIAL_EDUCATOR),
        description="Uddannes af specialinstruktører.",
    ),
    CourseSpec(
        "sikkerhedsassistent",
        "Uddannelse til sikkerhedsassistent",
        "sosu",
        K.SPECIALIST_EDUCATION,
        10,
        "74.00",
        fee="18000.00",
        grants=(("sikkerhedsassistent", None),),
        groups=(G.SOSU_ASSISTANT, G.NURSE),
        description="Typisk social- og sundhedsassistenter.",
    ),
    CourseSpec(
        "low-arousal",
        "Low Arousal i praksis",
        "private",
        K.CERTIFICATION,
        2,
        "14.80",
        fee="4200.00",
        grants=(("low-arousal", None),),
        vat=True,
    ),
    CourseSpec(
        "diplom-psykopatologi",
        "Diplommodul: Psykopatologi i socialpædagogisk praksis",
        "via",
        K.DIPLOMA_MODULE,
        8,
        "59.20",
        fee="11900.00",
        grants=(("psykopatologi", None),),
        ects="10.0",
        groups=(G.SOCIAL_EDUCATOR, G.NURSE, G.SOCIAL_WORKER),
    ),
    CourseSpec(
        "diplom-dobbeltdiagnose",
        "Diplommodul: Dobbeltdiagnoser – psykisk lidelse og rusmidler",
        "via",
        K.DIPLOMA_MODULE,
        8,
        "59.20",
        fee="11900.00",
        grants=(("dobbeltdiagnose", None),),
        ects="10.0",
    ),
    CourseSpec(
        "amu-psykiatri",
        "AMU: Psykiatri og psykiske lidelser – grundlæggende",
        "sosu",
        K.AMU,
        3,
        "22.20",
        fee="390.00",
        grants=(("psykopatologi", None),),
        veu=True,
        groups=VEU_GROUPS,
    ),
    CourseSpec(
        "amu-konflikt",
        "AMU: Forebyggelse og håndtering af konflikter",
        "sosu",
        K.AMU,
        2,
        "14.80",
        fee="260.00",
        grants=(("konflikthaandtering", None),),
        veu=True,
        groups=VEU_GROUPS,
    ),
    CourseSpec(
        "e-empatitraethed",
        "E-læring: Empatitræthed og egenomsorg",
        "inhouse",
        K.E_LEARNING,
        1,
        "3.00",
        grants=(("empatitraethed", None),),
    ),
]


@dataclass
class SessionSpec:
    course: str
    name: str
    place: str
    days: list[dt.date]
    capacity: int
    facilities: tuple[str, ...] = FACILITIES
    take: int = 0  # how many to book
    groups: tuple[str, ...] = HANDS_ON
    planned: bool = False  # future bookings as planned rather than booked
    facility: str | None = None  # an in-house session for one facility
    hours: str = "7.40"
    everyone: bool = False  # a team day for the whole team, whatever the job group
    extra: dict[str, object] = field(default_factory=dict)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _weekdays(start: dt.date, count: int, weekdays: tuple[int, ...], skip_weeks: set[int]) -> list[dt.date]:
    """``count`` days on the given weekdays from ``start``, skipping ISO weeks (holidays)."""
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() in weekdays and day.isocalendar()[1] not in skip_weeks:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _sessions() -> list[SessionSpec]:
    recovery = _weekdays(_d("2026-09-01"), 45, (1, 2), {7, 8, 14, 42, 52, 53, 1, 29, 30, 31})
    return [
        SessionSpec(
            "konflikt-simulation", "Forår 2025", "Nordlys, Aarhus", [_d("2025-03-10"), _d("2025-03-11")], 16, take=12
        ),
        SessionSpec(
            "konflikt-simulation", "Forår 2026", "Nordlys, Aarhus", [_d("2026-04-20"), _d("2026-04-21")], 16, take=10
        ),
        SessionSpec(
            "konflikt-simulation",
            "Vinter 2027",
            "Dolmer Have, mødesalen",
            [_d("2027-02-15"), _d("2027-02-16")],
            12,
            take=15,
        ),
        SessionSpec(
            "vedligeholdelse-konflikt",
            "Dolmer Have 2025",
            "Dolmer Have",
            [_d("2025-11-05")],
            30,
            facilities=("Dolmer Have",),
            take=14,
            facility="Dolmer Have",
            hours="3.70",
        ),
        SessionSpec(
            "vedligeholdelse-konflikt",
            "Glesborg januar 2027",
            "Glesborg forsamlingshus",
            [_d("2027-01-14")],
            25,
            facilities=("Bofællesskaberne Glesborg",),
            take=20,
            everyone=True,
            planned=True,
            facility="Bofællesskaberne Glesborg",
            hours="3.70",
        ),
        SessionSpec(
            "krap-grundforloeb",
            "Efterår 2025",
            "VIA, Aarhus N",
            [_d(x) for x in ("2025-09-08", "2025-09-09", "2025-10-06", "2025-10-07")],
            24,
            take=8,
        ),
        SessionSpec(
            "krap-grundforloeb",
            "Forår 2027",
            "VIA, Aarhus N",
            [_d(x) for x in ("2027-03-01", "2027-03-02", "2027-03-29", "2027-03-30")],
            24,
            take=6,
            planned=True,
        ),
        SessionSpec("recovery-45", "Norddjurs 2026-2027", "Grenaa, Socialpsykiatrien", recovery, 30, take=10),
        SessionSpec("low-arousal", "Februar 2026", "Nordlys, Aarhus", [_d("2026-02-02"), _d("2026-02-03")], 20, take=6),
        SessionSpec(
            "diplom-psykopatologi",
            "Efterår 2026",
            "VIA, Aarhus N",
            _weekdays(_d("2026-08-27"), 8, (3,), {42}),
            30,
            take=4,
            groups=(G.SOCIAL_EDUCATOR, G.NURSE),
        ),
        SessionSpec(
            "diplom-dobbeltdiagnose",
            "Forår 2027",
            "VIA, Aarhus N",
            _weekdays(_d("2027-02-04"), 8, (3,), {7, 8}),
            30,
            take=3,
            groups=(G.SOCIAL_EDUCATOR, G.NURSE),
        ),
        SessionSpec(
            "amu-psykiatri",
            "Maj 2025",
            "SOSU Østjylland, Aarhus",
            [_d("2025-05-19"), _d("2025-05-20"), _d("2025-05-21")],
            20,
            take=6,
            groups=VEU_GROUPS,
        ),
        SessionSpec(
            "amu-psykiatri",
            "December 2026",
            "SOSU Østjylland, Aarhus",
            [_d("2026-11-30"), _d("2026-12-01"), _d("2026-12-02")],
            20,
            take=5,
            groups=VEU_GROUPS,
        ),
        SessionSpec(
            "amu-konflikt",
            "Jul/nytår 2025-26",
            "SOSU Østjylland, Randers",
            [_d("2025-12-17"), _d("2026-01-07")],
            18,
            take=5,
            groups=VEU_GROUPS,
        ),
        SessionSpec("e-empatitraethed", "Efterår 2026", "Online", [_d("2026-10-01")], 200, take=8, hours="3.00"),
    ]


def _competence(ctx: DemoContext, code: str) -> Competence | None:
    """Look a competence up defensively: by the competences step's code, else in the database."""
    return ctx.competences.get(code) or Competence.objects.filter(code=code).first()


def _catalogue(ctx: DemoContext) -> dict[str, Course]:
    providers = {}
    for key, name, kind, rules in PROVIDERS:
        provider = Provider.objects.create(name=name, kind=kind)
        CancellationRule.objects.bulk_create(
            [CancellationRule(provider=provider, days_before=d, fee_percent=Decimal(p)) for d, p in rules]
        )
        providers[key] = provider
    courses = {}
    for spec in COURSES:
        course = Course.objects.create(
            code=spec.code,
            name=spec.name,
            provider=providers[spec.provider],
            kind=spec.kind,
            description=spec.description,
            duration_days=spec.days,
            duration_hours=Decimal(spec.hours),
            fee_per_participant=Decimal(spec.fee),
            fee_per_inhouse_day=Decimal(spec.day_fee),
            veu_eligible=spec.veu,
            vat_liable=spec.vat,
            ects=Decimal(spec.ects) if spec.ects else None,
            target_job_groups=[str(g) for g in spec.groups],
        )
        for code, months in spec.grants:
            competence = _competence(ctx, code)
            if competence is not None:
                CourseCompetence.objects.create(course=course, competence=competence, validity_months=months)
        course.prerequisites.set([c for c in (_competence(ctx, code) for code in spec.requires) if c is not None])
        courses[spec.code] = course
    return courses


def _candidates(ctx: DemoContext, spec: SessionSpec) -> list[Employment]:
    first, last = spec.days[0], spec.days[-1]
    pool = [
        e
        for e in ctx.extra.get("employments", [])
        if e.facility.name in spec.facilities
        and e.is_primary
        and (
            spec.everyone
            or (
                e.job_group in spec.groups
                and e.kind not in (Employment.Kind.TRAINEE, Employment.Kind.INTERN, Employment.Kind.STUDENT)
            )
        )
        and e.start_date <= first
        and (e.end_date is None or e.end_date >= last)
        and e.status != Employment.Status.ENDED
    ]
    pool.sort(key=lambda e: (not e.is_contact_person, e.pk))
    ctx.rng.shuffle(pool)
    return pool


UNREGISTERED_DAYS = 14


def _book_session(ctx: DemoContext, session: Session, spec: SessionSpec, user: User | None) -> list[Booking]:
    today = ctx.today
    past = session.last_day is not None and session.last_day < today
    status = BookingStatus.PLANNED if spec.planned else BookingStatus.BOOKED
    # A course that ended in the last two weeks is not registered yet: the coordinator's landing page
    # and the session page ask for it (who completed, who did not turn up).
    recent = past and session.last_day is not None and session.last_day >= today - dt.timedelta(days=UNREGISTERED_DAYS)
    bookings: list[Booking] = []
    for employment in _candidates(ctx, spec):
        if len(bookings) >= spec.take:
            break
        # On that course, one seat of a plan was never booked with the provider: the landing page,
        # the booking list and the finance officer's grant warnings point it out.
        if recent and len(bookings) == spec.take - 1:
            status = BookingStatus.PLANNED
        travel = (
            Decimal("0.00") if session.place in ("Online",) or spec.facility else Decimal(ctx.rng.randint(8, 30) * 10)
        )
        try:
            booking = services.book(
                employment.employee,
                session,
                employment=employment,
                status=status,
                user=user,
                travel_amount=travel,
                # A plan's seat was planned well before its course began.
                on=spec.days[0] - dt.timedelta(days=30) if status == BookingStatus.PLANNED else None,
            )
        except services.BookingError:
            continue  # a clash with leave or another course: the demo skips that person, as a manager would
        bookings.append(booking)
    if past and not recent:
        for index, booking in enumerate(bookings):
            if booking.status != BookingStatus.BOOKED:
                continue
            if index == 1 and len(bookings) > 4:
                services.mark_no_show(booking, user)
            elif index == 2 and len(bookings) > 6:
                services.cancel(booking, user, on=spec.days[0] - dt.timedelta(days=10))
            else:
                services.mark_attended(booking, user)
                services.complete(booking, user)
    return bookings


def _rates(ctx: DemoContext) -> None:
    """Backfill factors as versioned data: a default, and Dolmer Have's own (night shifts cost more)."""
    BackfillFactor.objects.bulk_create(
        [
            BackfillFactor(
                valid_from=dt.date(2024, 1, 1),
                factor=Decimal("1.10"),
                note="Standard: 10 % tillæg for vikar/overarbejde",
            ),
            BackfillFactor(valid_from=dt.date(2026, 4, 1), factor=Decimal("1.15"), note="OK24: højere tillæg"),
        ]
    )
    dolmer = ctx.facilities.get("Dolmer Have") or Facility.objects.filter(name="Dolmer Have").first()
    if dolmer is not None:
        BackfillFactor.objects.bulk_create(
            [
                BackfillFactor(
                    facility=dolmer,
                    valid_from=dt.date(2025, 1, 1),
                    factor=Decimal("1.20"),
                    note="Døgndækning med nattevagt",
                ),
                BackfillFactor(
                    facility=dolmer,
                    valid_from=dt.date(2026, 1, 1),
                    factor=Decimal("1.25"),
                    note="Døgndækning, ny vikaraftale",
                ),
            ]
        )


def _initiative() -> Initiative:
    """Seed 002, 'Uddannelse af sikkerhedsassistenter og forebyggelsesinstruktører': 5 FTE x 600.000 kr.
    + 1,0 mio. kr. other operating = 4,0 mio. kr. a year, 2025-2028."""
    initiative = Initiative.objects.create(
        name="Uddannelse af sikkerhedsassistenter og forebyggelsesinstruktører",
        description=(
            "Tre årsværk til undervisere af sikkerhedsassistenter og to årsværk til specialinstruktører, "
            "der uddanner forebyggelsesinstruktører, samt 0,5 mio. kr. årligt til kursusaktivitet for hver "
            "af de to indsatser (skuespillere, undervisere, lokaler)."
        ),
        region=Region.objects.filter(code="1084").first(),
        source="Region Hovedstaden, forslag til budgetinitiativ 2025-2028, initiativ 2.6",
        financing="Sundhedskassen X\nDen regionale udviklingskasse\nDet sociale område",
    )
    InitiativeYear.objects.bulk_create(
        [
            InitiativeYear(
                initiative=initiative,
                year=year,
                fte=Decimal("5.0"),
                annual_wage_per_fte=Decimal("600000.00"),
                other_operating=Decimal("1000000.00"),
            )
            for year in range(2025, 2029)
        ]
    )
    return initiative


def _interests(ctx: DemoContext, courses: dict[str, Course]) -> int:
    """The demand list: people asking for courses with no session (or no seat) yet."""
    pool = [
        e
        for e in ctx.extra.get("employments", [])
        if e.facility.name in FACILITIES and e.is_primary and e.status == Employment.Status.ACTIVE
    ]
    wanted = [
        ("sikkerhedsassistent", (G.SOSU_ASSISTANT, G.NURSE), 4, "Vil gerne være sikkerhedsassistent på Dolmer Have"),
        ("forebyggelsesinstruktoer", (G.SOCIAL_EDUCATOR, G.SOSU_ASSISTANT, G.NURSE), 3, ""),
        ("diplom-dobbeltdiagnose", (G.SOCIAL_EDUCATOR, G.NURSE), 2, "Mange beboere har et misbrug"),
    ]
    rows = []
    for code, groups, count, note in wanted:
        candidates = [e for e in pool if e.job_group in groups]
        ctx.rng.shuffle(candidates)
        booked = set(Booking.objects.filter(session__course=courses[code]).values_list("employee_id", flat=True))
        for employment in [e for e in candidates if e.employee_id not in booked][:count]:
            rows.append(CourseInterest(employee=employment.employee, course=courses[code], note=note))
    CourseInterest.objects.bulk_create(rows)
    return len(rows)


def _resignation(ctx: DemoContext) -> Booking | None:
    """Someone at Dolmer Have has resigned as of the end of the month before a course they are
    booked on: the seat (and its costs) should go to someone else or be cancelled in time."""
    dolmer = ctx.facilities.get("Dolmer Have")
    if dolmer is None:
        return None
    soon = ctx.today + dt.timedelta(days=21)
    booking = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            employment__facility=dolmer,
            employment__end_date__isnull=True,
            session__first_day__gte=soon,
        )
        .select_related("employment__facility", "session")
        .order_by("session__first_day", "employee__name", "pk")
        .first()
    )
    if booking is None or booking.session.first_day is None:
        return None
    last_day = booking.session.first_day.replace(day=1) - dt.timedelta(days=1)
    employment = booking.employment
    employment.end_date = max(last_day, ctx.today + dt.timedelta(days=7))
    employment.save(update_fields=["end_date"])
    return booking


def build(ctx: DemoContext) -> None:
    """Providers, courses, sessions, bookings with costs, interests and the seed-002 initiative."""
    _rates(ctx)
    courses = _catalogue(ctx)
    user = ctx.users.get("koordinator")
    norddjurs = ctx.municipalities.get("0707")
    counts = {"sessions": 0, "bookings": 0}
    for spec in _sessions():
        facility = ctx.facilities.get(spec.facility) if spec.facility else None
        session = Session.objects.create(
            course=courses[spec.course],
            name=spec.name,
            place=spec.place,
            capacity=spec.capacity,
            facility=facility,
            municipality=norddjurs,
        )
        session.set_days([(d, Decimal(spec.hours)) for d in spec.days])
        counts["sessions"] += 1
        counts["bookings"] += len(_book_session(ctx, session, spec, user))
    resigned = _resignation(ctx)
    interests = _interests(ctx, courses)
    initiative = _initiative()
    ctx.extra["training_courses"] = courses
    ctx.extra["initiative"] = initiative
    dolmer = ctx.facilities.get("Dolmer Have")
    team_day = None
    if dolmer is not None:
        contact = Employment.objects.filter(
            facility=dolmer, is_contact_person=True, status=Employment.Status.ACTIVE, end_date__isnull=True
        ).select_related("facility")
        team_day = team_day_cost(contact[:20], dt.date(2026, 3, 2))
    waitlisted = Booking.objects.filter(status=BookingStatus.WAITLISTED).count()
    flagged = Booking.objects.filter(staffing_warning=True).count()
    if resigned is not None:
        ctx.note(
            f"Fratræden: en medarbejder på {resigned.employment.facility.name} har sagt op pr. "
            f"{resigned.employment.end_date:%d-%m-%Y} og er tilmeldt et hold, der begynder "
            f"{resigned.session.first_day:%d-%m-%Y} (landingssiden og bookinglisten viser det)"
        )
    ctx.note(
        f"Kurser: {len(courses)} kurser, {counts['sessions']} hold, {counts['bookings']} bookinger "
        f"({waitlisted} på venteliste, {flagged} under minimumsbemanding), {interests} kursusønsker"
        + (
            f"; én kursusdag for {team_day.headcount} kontaktpersoner på Dolmer Have: {format_kr(team_day.wages)} i løn"
            if team_day
            else ""
        )
    )
