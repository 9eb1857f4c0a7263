"""Committee documents never call a requirement met by people who do not hold the competence.

The tester's case: "Nyansatte gennemfører konflikthåndtering inden 6 måneder" (a supervisory order,
within 6 months of hire, from 01-01-2026) at Lyngbakken, with three people hired in 2026 who lack
it and are not yet due on 07-12-2026. The status document said "opfylder 3 af 3 medarbejdere
kravet (100,0 % mod et mål på 100 %). For at indfri kravet er 2 medarbejdere planlagt …". Read
back from the Word file.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import docx
import pytest
import time_machine

from styrbord.competences.models import Competence
from styrbord.organisations.models import Facility
from styrbord.reports import services
from styrbord.reports.documents.word import render_docx
from styrbord.requirements.models import Population, Requirement, Rule, ScopeLevel, SourceKind
from styrbord.requirements.tests.helpers import requirement
from styrbord.staff.models import Employee
from styrbord.testing import factories
from styrbord.testing.fixtures import World

pytestmark = pytest.mark.django_db

TODAY = "2026-12-07 12:00 +0100"
NAME = "Nyansatte gennemfører konflikthåndtering inden 6 måneder"


def hire(facility: Facility, name: str, start: dt.date) -> Employee:
    person = factories.employee(name=name)
    factories.employment(person, facility, start_date=start)
    return person


def rule(competence: Competence, **scope: Any) -> Requirement:
    return requirement(
        [competence],
        rule=Rule.WITHIN_MONTHS_OF_HIRE,
        months=6,
        population=Population.NEW_STAFF,
        effective_from=dt.date(2026, 1, 1),
        source_kind=SourceKind.ORDER,
        source_reference="Tilsynsrapport af 01-02-2026",
        name=NAME,
        **scope,
    )


@pytest.fixture
def lyngbakken(world: World) -> dict[str, Any]:
    """Three hired 01-07, 15-09 and 01-11-2026 (due 01-01, 15-03 and 01-05-2027), none holding it;
    two of them planned on a coming course that gives it."""
    from styrbord.training.models import Booking, BookingStatus, Course, CourseCompetence, Provider, Session

    facility = factories.facility("Lyngbakken", "0707")
    conflict = factories.competence("konflikt-lyngbakken", name="Konflikthåndtering")
    req = rule(conflict, facility=facility)
    new = [
        hire(facility, "Ny juli", dt.date(2026, 7, 1)),
        hire(facility, "Ny september", dt.date(2026, 9, 15)),
        hire(facility, "Ny november", dt.date(2026, 11, 1)),
    ]
    provider = Provider.objects.create(name="Konfliktkurser ApS", kind=Provider.Kind.PRIVATE)
    course = Course.objects.create(code="konflikt-ny", name="Konflikthåndtering", provider=provider)
    CourseCompetence.objects.create(course=course, competence=conflict)
    session = Session.objects.create(course=course)
    session.set_days([(dt.date(2027, 2, 1), Decimal("7.40"))])
    for person in new[:2]:
        Booking.objects.create(
            session=session, employee=person, employment=person.employments.get(), status=BookingStatus.PLANNED
        )
    return {"facility": facility, "conflict": conflict, "req": req, "new": new}


def add_one_overdue_and_one_holder(case: dict[str, Any]) -> None:
    """Hired 01-02-2026 (due 01-08-2026) without it; hired 01-03-2026, holding it since 01-04-2026."""
    hire(case["facility"], "Overskredet", dt.date(2026, 2, 1))
    trained = hire(case["facility"], "Uddannet", dt.date(2026, 3, 1))
    factories.holding(trained, case["conflict"], dt.date(2026, 4, 1))


def word(case: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    """The status document for Lyngbakken as Word: its text, and the coverage table's row by requirement."""
    with time_machine.travel(TODAY, tick=False):
        request = services.make_request("competence_status", f"facility:{case['facility'].pk}", "2026", {}, None)
        item = services.build_document(request)
    document = docx.Document(io.BytesIO(render_docx(item)))
    text = " ".join(p.text for p in document.paragraphs).replace("\xa0", " ")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Kompetencekrav")
    rows = {row.cells[0].text: [c.text.replace("\xa0", " ") for c in row.cells] for row in table.rows[1:]}
    return text, rows


def test_nobody_due_yet_is_neither_met_nor_said_to_comply(lyngbakken: dict[str, Any]) -> None:
    text, rows = word(lyngbakken)

    assert "opfylder 3 af 3" not in text
    assert "100,0 %" not in text
    assert (
        "Pr. 07-12-2026 kan kravet endnu ikke gøres op: ingen af de 3 medarbejdere i målgruppen har kompetencen "
        "endnu, men ingen af dem har nået deres frist efter ansættelsen. For at indfri kravet er 2 medarbejdere "
        "planlagt til Konflikthåndtering."
    ) in text
    assert "Pr. 07-12-2026 er målet nået for 0 af 1 kompetencekrav. 1 kompetencekrav kan endnu ikke gøres op" in text
    assert "Målet er nået for 0 af 1 kompetencekrav" in text  # the summary
    assert rows[NAME] == [NAME, "100 %", "", "3 endnu ikke forfaldne", "Endnu ingen at måle"]


def test_the_share_is_over_those_measured_and_those_not_yet_due_are_told_apart(lyngbakken: dict[str, Any]) -> None:
    add_one_overdue_and_one_holder(lyngbakken)

    text, rows = word(lyngbakken)

    assert (
        "Pr. 07-12-2026 opfylder 1 af 2 medarbejdere kravet (50,0 % mod et mål på 100 %). Desuden har 3 "
        "medarbejdere endnu ikke kompetencen, men har heller ikke nået deres frist efter ansættelsen og tæller "
        "ikke med i andelen."
    ) in text
    assert rows[NAME] == [NAME, "100 %", "50,0 %", "1 af 2 (3 endnu ikke forfaldne)", "Under målet"]
    assert "tæller ikke med i dækningen" in text  # the table's note says why 2, not 5


def test_the_regional_targets_document_says_nobody_to_measure_yet(world: World) -> None:
    """The same rule as a regional target: the analysts' committee item."""
    from styrbord.reports.documents.structure import Paragraph

    conflict = factories.competence("konflikt-region", name="Konflikthåndtering")
    rule(conflict, scope_level=ScopeLevel.REGION, region=world.dolmer.municipality.region)
    for i, start in enumerate((dt.date(2026, 7, 1), dt.date(2026, 9, 15), dt.date(2026, 11, 1))):
        hire(world.dolmer, f"Ny {i}", start)
    with time_machine.travel(TODAY, tick=False):
        request = services.make_request("coverage_targets", "region:1082", "2026", {}, world.admin)
        item = services.build_document(request)
    text = " ".join(b.text for s in item.all_sections() for b in s.blocks if isinstance(b, Paragraph))
    assert (
        "Pr. 07-12-2026 kan kravet endnu ikke gøres op i Region Midtjylland: ingen af de 3 personer i målgruppen "
        "har kompetencen endnu, men ingen af dem har nået deres frist efter ansættelsen."
    ) in text
    assert "Målet er nået for 0 af 1 nationale og regionale mål" in " ".join(item.summary)
    table = next(t for t in item.tables() if t.caption.startswith(NAME))
    assert [c.label for c in table.columns] == ["Kommune", "I målgruppen", "Endnu ikke forfaldne", "Dækning", "Status"]
    assert table.formatted_rows()[-1][1] == ["I alt", "3", "3", "", "Endnu ingen at måle"]
