"""Fixtures for the reports tests: the seed-000 pool case, media in a temp dir, and document tools
(LibreOffice to open DOCX files, poppler's pdftotext/pdftoppm for text and page images)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from styrbord.funding.models import Appropriation, AppropriationLine, Grant, Pool
from styrbord.testing.factories import municipality
from styrbord.testing.fixtures import World

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "documents"
POOL_NAME = "Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud"
PURPOSE = (
    "Puljemidlerne skal anvendes på kompetenceudvikling og efteruddannelse af medarbejdere på "
    "socialpsykiatriske botilbud. Målet er at forbedre sikkerheden og trygheden ved at klæde personalet "
    "bedre på til at forebygge og håndtere konfliktsituationer, som kan risikere at munde ud i voldsomme "
    "episoder. Midlerne kan anvendes til støtte til kompetenceløft af enkelte medarbejdere, der kan "
    "deltage i fagligt relevante kurser, eller til kompetenceudvikling af botilbuddet som helhed eller "
    "begge dele."
)


def require_tool(name: str) -> str:
    """The path of a system tool; missing: a failure under CI=true, a skip elsewhere."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is required for document tests (apt-get install libreoffice-writer poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def soffice_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LibreOffice profile of our own, so parallel runs never share (and lock) one."""
    return tmp_path_factory.mktemp("soffice-profile")


def docx_to_pdf(docx: bytes, workdir: Path, profile: Path, stem: str = "document") -> Path:
    """Open a DOCX in LibreOffice (headless) and save it as PDF: proof that Word files open."""
    soffice = require_tool("soffice")
    source = workdir / f"{stem}.docx"
    source.write_bytes(docx)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = workdir / f"{stem}.pdf"
    assert pdf.exists(), "LibreOffice did not produce a PDF"
    return pdf


def pdf_text(pdf: Path, layout: bool = False) -> str:
    """The PDF's text with all whitespace collapsed to single spaces (``layout``: table rows stay rows)."""
    tool = require_tool("pdftotext")
    args = [tool, *(["-layout"] if layout else []), str(pdf), "-"]
    out = subprocess.run(args, check=True, capture_output=True, timeout=60).stdout.decode()
    return re.sub(r"\s+", " ", out).strip()


def save_page_images(pdf: Path, name: str) -> list[Path]:
    """Write page images (70 dpi PNG) to test-artifacts/documents/ for people to look at."""
    tool = require_tool("pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run([tool, "-png", "-r", "70", str(pdf), str(ARTIFACTS / name)], check=True, timeout=120)
    shutil.copy(pdf, ARTIFACTS / f"{name}.pdf")
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run enqueued tasks at once, whatever backend the settings chose."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "planning", "reports"],
        }
    }


@dataclass
class SeedCase:
    """The seed-000 case: 1,022 mio. kr. from Social- og Boligstyrelsen, released in December 2024."""

    pool: Pool
    dolmer_grant: Grant
    glesborg_grant: Grant
    appropriation: Appropriation


def build_seed_case(world: World) -> SeedCase:
    norddjurs = municipality("0707")
    for facility in (world.dolmer, world.glesborg):
        facility.operator_name = "Socialpsykiatri og rusmidler"
        facility.save(update_fields=["operator_name"])
    pool = Pool.objects.create(
        grantor=world.grantor,
        municipality=norddjurs,
        name=POOL_NAME,
        case_number="24/9263",
        kind=Pool.Kind.STATE_GRANT,
        total=Decimal("1022000.00"),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2027, 12, 31),
        purpose=PURPOSE,
    )
    dolmer = Grant.objects.create(pool=pool, facility=world.dolmer, amount=Decimal("700000.00"))
    glesborg = Grant.objects.create(pool=pool, facility=world.glesborg, amount=Decimal("322000.00"))
    appropriation = Appropriation.objects.create(
        municipality=norddjurs,
        title="Frigivelse af puljer til kompetenceudvikling i socialpsykiatriske botilbud",
        kind=Appropriation.Kind.SUPPLEMENTARY,
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2024, 12, 18),
        case_number="24/9263",
        decision="Tiltrådt.",
        budget_neutral=True,
        pool=pool,
    )
    for grant in (dolmer, glesborg):
        for direction in (AppropriationLine.Direction.INCOME, AppropriationLine.Direction.EXPENDITURE):
            AppropriationLine.objects.create(
                appropriation=appropriation, year=2025, direction=direction, amount=grant.amount, grant=grant
            )
    return SeedCase(pool=pool, dolmer_grant=dolmer, glesborg_grant=glesborg, appropriation=appropriation)


@pytest.fixture
def seed_case(world: World) -> SeedCase:
    return build_seed_case(world)


@dataclass
class StatusCase:
    """Requirements, holdings, courses and grant spending for the competence-status document."""

    seed: SeedCase
    conflict_requirement: Any
    supervisory_requirement: Any


def build_status_case(world: World) -> StatusCase:
    """Norddjurs: 75 % in conflict management (3 of 5 comply), a supervisory recommendation for
    Dolmer Have (2 of 3), courses in 2026 and one booked for 2027, and 170.000 kr. used of the grant."""
    from styrbord.competences.models import Competence
    from styrbord.funding.services import ledger
    from styrbord.requirements.models import Priority, Requirement, Rule, ScopeLevel, SourceKind
    from styrbord.testing import factories
    from styrbord.training.models import Booking, BookingStatus, Course, CourseCompetence, Provider, Session

    seed = build_seed_case(world)
    conflict = factories.competence("konflikthaandtering", name="Konflikthåndtering og de-eskalering")
    krap = factories.competence("krap", name="KRAP", category=Competence.Category.METHOD)
    target = Requirement.objects.create(
        name="75 % af medarbejderne i konflikthåndtering",
        scope_level=ScopeLevel.MUNICIPALITY,
        municipality=municipality("0707"),
        rule=Rule.PERCENT_PEOPLE,
        target_percent=Decimal("75"),
        priority=Priority.HIGH,
    )
    target.competences.set([conflict])
    supervisory = Requirement.objects.create(
        name="Konflikthåndtering for alle medarbejdere",
        scope_level=ScopeLevel.FACILITY,
        facility=world.dolmer,
        rule=Rule.EVERY_PERSON,
        source_kind=SourceKind.RECOMMENDATION,
        source_reference="Tilsynsrapport fra Socialtilsyn Midt af 12-03-2026",
        deadline=dt.date(2027, 6, 30),
        priority=Priority.HIGH,
    )
    supervisory.competences.set([conflict])
    for person in (world.dolmer_staff[0], world.dolmer_staff[1], world.glesborg_staff[0]):
        factories.holding(person, conflict, dt.date(2025, 1, 10))

    provider = Provider.objects.create(name="Nordlys Konfliktkompetence ApS", kind=Provider.Kind.PRIVATE)

    def course(code: str, name: str, competence: Competence) -> Course:
        c = Course.objects.create(code=code, name=name, provider=provider, kind=Course.Kind.CERTIFICATION)
        CourseCompetence.objects.create(course=c, competence=competence)
        return c

    def booking(course_obj: Course, day: dt.date, person: Any, status: str) -> None:
        session = Session.objects.create(course=course_obj)
        session.set_days([(day, Decimal("7.40"))])
        Booking.objects.create(session=session, employee=person, employment=person.employments.get(), status=status)

    conflict_course = course("konflikt", "Konflikthåndtering og de-eskalering", conflict)
    krap_course = course("krap-forloeb", "KRAP-forløb", krap)
    booking(conflict_course, dt.date(2026, 3, 2), world.glesborg_staff[1], BookingStatus.COMPLETED)
    booking(krap_course, dt.date(2026, 5, 4), world.dolmer_staff[0], BookingStatus.COMPLETED)
    booking(conflict_course, dt.date(2027, 1, 15), world.dolmer_staff[2], BookingStatus.BOOKED)

    ledger.commit(seed.dolmer_grant, "fee", Decimal("50000.00"), dt.date(2025, 6, 1), world.finance)
    ledger.post_actual(seed.dolmer_grant, "fee", Decimal("120000.00"), dt.date(2025, 9, 1), world.finance)
    return StatusCase(seed=seed, conflict_requirement=target, supervisory_requirement=supervisory)


@pytest.fixture
def status_case(world: World) -> StatusCase:
    return build_status_case(world)
