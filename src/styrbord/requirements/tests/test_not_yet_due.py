"""People not yet due under a within-M-months-of-hire rule are neither complying nor measured.

The case a tester found on a fresh install: "Nyansatte gennemfører konflikthåndtering inden 6 måneder"
at Lyngbakken, three people hired in 2026, none holding the competence, none past their own deadline.
The heat map showed "100 %, Opfyldt 3/3" and the landing page counted the target as met. Hand-computed
on 07-12-2026:

- Ny juli (hired 01-07-2026, due 01-01-2027), Ny september (15-09-2026, due 15-03-2027) and
  Ny november (01-11-2026, due 01-05-2027): lack it, not yet due;
- Overskredet (hired 01-02-2026, due 01-08-2026): lacks it, due: missing (overdue);
- Uddannet (hired 01-03-2026, holds it since 01-04-2026): complies.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.competences.models import Competence
from styrbord.organisations.models import Facility
from styrbord.requirements import coverage
from styrbord.requirements.aggregate import aggregate_coverage
from styrbord.requirements.coverage import GapReason, coverage_for, forecast, gaps_for, history
from styrbord.requirements.models import Population, Requirement, Rule, ScopeLevel, SourceKind
from styrbord.requirements.tests.helpers import d, requirement
from styrbord.staff.models import Employee
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db

ON = d("2026-12-07")
NEW_HIRES = {"Ny juli": "2026-07-01", "Ny september": "2026-09-15", "Ny november": "2026-11-01"}


def lyngbakken(world: World) -> Facility:
    return factories.facility("Lyngbakken", "0707")  # Norddjurs: the coordinator's municipality


def new_staff_rule(competence: Competence, **scope: Any) -> Requirement:
    return requirement(
        [competence],
        rule=Rule.WITHIN_MONTHS_OF_HIRE,
        months=6,
        population=Population.NEW_STAFF,
        effective_from=d("2026-01-01"),
        source_kind=SourceKind.ORDER,
        name="Nyansatte gennemfører konflikthåndtering inden 6 måneder",
        **scope,
    )


def hire(facility: Facility, name: str, start: str) -> Employee:
    person = factories.employee(name=name)
    factories.employment(person, facility, start_date=d(start))
    return person


def three_new_hires(facility: Facility) -> list[Employee]:
    return [hire(facility, name, start) for name, start in NEW_HIRES.items()]


def one_due_and_one_holding(facility: Facility, competence: Competence) -> tuple[Employee, Employee]:
    overdue = hire(facility, "Overskredet", "2026-02-01")
    trained = hire(facility, "Uddannet", "2026-03-01")
    factories.holding(trained, competence, d("2026-04-01"))
    return overdue, trained


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    facility = lyngbakken(world)
    conflict = factories.competence("konflikt-nyansatte", name="Konflikthåndtering")
    req = new_staff_rule(conflict, facility=facility)
    return {"facility": facility, "conflict": conflict, "req": req, "new": three_new_hires(facility)}


def only_row(req: Requirement, on: dt.date = ON) -> coverage.CoverageRow:
    rows = coverage_for([req], on=on)
    assert len(rows) == 1, rows
    return rows[0]


# --- the engine ---------------------------------------------------------------------------------


def test_three_new_hires_without_it_and_none_due_are_not_a_met_target(case: dict[str, Any]) -> None:
    row = only_row(case["req"])

    assert (row.in_scope, row.compliant, row.not_yet_due, row.measured, row.non_compliant) == (3, 0, 3, 0, 0)
    assert row.share is None  # nobody to measure yet: not 100 %
    assert row.meets_target is None
    assert row.status == "pending"  # neither met (green) nor missed (red)
    gaps = gaps_for(case["req"], case["facility"], ON)
    assert sorted((g.employee.name, g.reason, g.is_breach) for g in gaps) == [
        ("Ny juli", GapReason.NOT_YET_DUE, False),
        ("Ny november", GapReason.NOT_YET_DUE, False),
        ("Ny september", GapReason.NOT_YET_DUE, False),
    ]


def test_one_overdue_and_one_holder_are_measured_and_the_three_new_are_counted_apart(case: dict[str, Any]) -> None:
    one_due_and_one_holding(case["facility"], case["conflict"])

    row = only_row(case["req"])

    # 5 in scope; 3 not yet due; of the 2 measured, 1 complies (Uddannet), 1 misses it (Overskredet).
    assert (row.in_scope, row.compliant, row.not_yet_due, row.measured, row.non_compliant) == (5, 1, 3, 2, 1)
    assert row.share == Decimal("50.0")
    assert (row.meets_target, row.status) == (False, "bad")
    gaps = {g.employee.name: g for g in gaps_for(case["req"], case["facility"], ON)}
    assert set(gaps) == {*NEW_HIRES, "Overskredet"}  # the holder is no gap
    assert (gaps["Overskredet"].reason, gaps["Overskredet"].due_on, gaps["Overskredet"].is_breach) == (
        GapReason.OVERDUE,
        d("2026-08-01"),
        True,
    )
    # The set-based counts and the per-person gap list agree.
    assert sum(g.reason == GapReason.NOT_YET_DUE for g in gaps.values()) == row.not_yet_due
    assert sum(g.is_breach for g in gaps.values()) == row.non_compliant


def test_history_counts_those_not_yet_due_apart_at_each_month_end(case: dict[str, Any]) -> None:
    one_due_and_one_holding(case["facility"], case["conflict"])

    points = {p.on: p for p in history(case["req"], facilities=[case["facility"].pk], on=ON)}

    # 31-03: Overskredet (due 01-08) and Uddannet (hired 01-03, holds it from 01-04) both not yet due.
    march = points[d("2026-03-31")]
    assert (march.in_scope, march.compliant, march.not_yet_due, march.share) == (2, 0, 2, None)
    # 30-06: Uddannet holds it, Overskredet not yet due: 1 of 1 measured.
    june = points[d("2026-06-30")]
    assert (june.in_scope, june.compliant, june.not_yet_due, june.share) == (2, 1, 1, Decimal("100.0"))
    # 31-08: Overskredet is overdue, Ny juli is not yet due: 1 of 2 measured.
    august = points[d("2026-08-31")]
    assert (august.in_scope, august.compliant, august.not_yet_due, august.share) == (3, 1, 1, Decimal("50.0"))
    assert (points[ON].compliant, points[ON].not_yet_due, points[ON].share) == (1, 3, Decimal("50.0"))


def test_the_forecast_measures_people_as_their_deadlines_come_and_a_planned_course_makes_one_comply(
    case: dict[str, Any],
) -> None:
    one_due_and_one_holding(case["facility"], case["conflict"])
    ny_juli = next(p for p in case["new"] if p.name == "Ny juli")
    until = d("2027-03-31")

    plain = {p.on: p for p in forecast(case["req"], [case["facility"].pk], ON, until)}
    planned = [(ny_juli.pk, case["conflict"].pk, d("2026-12-20"))]
    booked = {p.on: p for p in forecast(case["req"], [case["facility"].pk], ON, until, planned=planned)}

    def seen(points: dict[dt.date, coverage.CoveragePoint]) -> list[tuple[Any, ...]]:
        return [(p.on.isoformat(), p.compliant, p.not_yet_due, p.share) for p in points.values()]

    # Ny juli is due 01-01-2027 and Ny september 15-03-2027: each becomes measured (and missing).
    assert seen(plain) == [
        ("2026-12-07", 1, 3, Decimal("50.0")),
        ("2026-12-31", 1, 3, Decimal("50.0")),
        ("2027-01-31", 1, 2, Decimal("33.3")),
        ("2027-02-28", 1, 2, Decimal("33.3")),
        ("2027-03-31", 1, 1, Decimal("25.0")),
    ]
    # Ny juli completes a course on 20-12-2026: complying from then, no longer not yet due.
    assert seen(booked) == [
        ("2026-12-07", 1, 3, Decimal("50.0")),
        ("2026-12-31", 2, 2, Decimal("66.7")),
        ("2027-01-31", 2, 2, Decimal("66.7")),
        ("2027-02-28", 2, 2, Decimal("66.7")),
        ("2027-03-31", 2, 1, Decimal("50.0")),
    ]


def test_a_new_hire_who_already_holds_it_complies_before_the_deadline(case: dict[str, Any]) -> None:
    factories.holding(case["new"][0], case["conflict"], d("2026-08-01"))

    row = only_row(case["req"])

    assert (row.in_scope, row.compliant, row.not_yet_due, row.measured) == (3, 1, 2, 1)
    assert (row.share, row.status) == (Decimal("100.0"), "ok")


def test_rules_without_a_deadline_per_person_measure_everyone_in_scope(case: dict[str, Any]) -> None:
    everyone = requirement([case["conflict"]], facility=case["facility"], name="Alle")

    row = only_row(everyone)

    assert (row.in_scope, row.compliant, row.not_yet_due, row.measured, row.share) == (3, 0, 0, 3, Decimal("0.0"))
    assert row.status == "bad"


# --- pages --------------------------------------------------------------------------------------


def _cell(html: str, facility: str) -> str:
    """The heat map's cell on the row of ``facility`` (the only requirement column here)."""
    row = html.split(f">{facility}</a>", 1)[1].split("</tr>", 1)[0]
    match = re.search(r'<td class="cell[^"]*"[^>]*>.*?</td>', row, re.S)
    assert match, row
    return match.group(0)


def test_the_heat_map_shows_nobody_to_measure_yet_not_a_green_hundred_percent(
    world: World, case: dict[str, Any]
) -> None:
    html = client_for(world.coordinator).get(reverse("requirements:overview"), {"dato": ON.isoformat()})
    page = html.content.decode().replace("\u00ad", "")

    cell = _cell(page, "Lyngbakken")
    assert 'data-status="pending"' in cell
    assert "heat-ok" not in cell
    assert "100" not in cell
    assert "Endnu ingen at måle" in cell
    assert "3 endnu ikke forfaldne" in cell
    summary = page.split('class="grid"', 1)[1].split("</div>\n</div>", 1)[0]
    assert re.search(r'<span class="value">0</span><span class="label">krav opfyldt', summary)


def test_the_heat_map_shares_over_those_measured_and_shows_those_not_yet_due_apart(
    world: World, case: dict[str, Any]
) -> None:
    one_due_and_one_holding(case["facility"], case["conflict"])

    html = client_for(world.coordinator).get(reverse("requirements:overview"), {"dato": ON.isoformat()})
    cell = _cell(html.content.decode().replace("\u00ad", ""), "Lyngbakken")

    assert 'data-status="bad"' in cell
    assert "50 %" in cell
    assert "1/2" in cell
    assert "+ 3 endnu ikke forfaldne" in cell


def test_the_landing_page_does_not_count_the_requirement_as_met(world: World, case: dict[str, Any]) -> None:
    import time_machine

    from styrbord.web.dashboard import dashboard_for

    board = dashboard_for(world.coordinator, ON)

    assert board.coverage is not None
    assert (board.coverage.met, board.coverage.near, board.coverage.far) == (0, 0, 0)
    with time_machine.travel("2026-12-07 12:00 +0100", tick=False):
        home = client_for(world.coordinator).get(reverse("web:home")).content.decode()
    assert re.search(r'<span class="value">0</span><span class="label">mål nået</span>', home)
    one_due_and_one_holding(case["facility"], case["conflict"])
    board = dashboard_for(world.coordinator, ON)
    assert (board.coverage.met, board.coverage.far) == (0, 1)  # type: ignore[union-attr]


def test_the_facility_page_says_nobody_to_measure_yet_and_links_those_not_yet_due(
    world: World, case: dict[str, Any]
) -> None:
    url = reverse("requirements:facility_coverage", args=[case["facility"].pk])
    page = client_for(world.coordinator).get(url, {"dato": ON.isoformat()}).content.decode()

    row = page.split('id="coverage-table"', 1)[1].split("</tr>", 2)[1]
    assert "Endnu ingen at måle" in row
    assert "Opfyldt" not in row
    assert "aarsag=not_yet_due" in row
    assert "3 endnu ikke forfaldne" in row
    assert 'class="bar"' not in row  # no share to draw


def test_the_requirement_page_shows_those_not_yet_due_apart(world: World, case: dict[str, Any]) -> None:
    one_due_and_one_holding(case["facility"], case["conflict"])
    url = reverse("requirements:requirement_detail", args=[case["req"].pk])

    page = client_for(world.coordinator).get(url, {"dato": ON.isoformat()}).content.decode()

    row = page.split(">Lyngbakken</a>", 1)[1].split("</tr>", 1)[0]
    assert "heraf 3 endnu ikke forfaldne" in row
    assert "1 / 2" in row
    assert "50,0 %" in row


# --- the aggregate (/krav/samlet/) --------------------------------------------------------------


@pytest.fixture
def municipal_case(world: World) -> dict[str, Any]:
    """The same rule set by Norddjurs for all its facilities; Lyngbakken has the five people."""
    facility = lyngbakken(world)
    conflict = factories.competence("konflikt-kommune", name="Konflikthåndtering")
    req = new_staff_rule(conflict, scope_level=ScopeLevel.MUNICIPALITY, municipality=world.dolmer.municipality)
    three_new_hires(facility)
    return {"facility": facility, "conflict": conflict, "req": req}


def test_the_aggregate_has_nobody_to_measure_yet_and_its_export_says_so(
    world: World, municipal_case: dict[str, Any]
) -> None:
    req = municipal_case["req"]
    facilities = Facility.objects.filter(municipality=world.dolmer.municipality)
    total = aggregate_coverage(req, facilities, ON, suppress=False).total
    assert (total.in_scope, total.not_yet_due, total.share, total.status) == (3, 3, None, "pending")

    client = client_for(world.admin)
    html = client.get(reverse("requirements:aggregate"), {"krav": req.pk, "dato": ON.isoformat()}).content.decode()
    assert "Endnu ingen at måle" in html
    assert "heraf endnu ikke forfaldne" in html
    response = client.get(reverse("requirements:aggregate_export"), {"krav": req.pk, "dato": ON.isoformat()})
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == [
        "Tilbud",
        "Personer i målgruppen",
        "Heraf endnu ikke forfaldne",
        "Andel, der opfylder (%)",
        "Mål (%)",
        "Status",
    ]
    assert rows[1][:3] == ["Lyngbakken", 3, 3]
    assert rows[1][3] in (None, "")
    assert rows[1][5] == "Endnu ingen at måle"


def test_analysts_do_not_see_a_small_count_of_people_not_yet_due(world: World, municipal_case: dict[str, Any]) -> None:
    """Three not yet due is a count of fewer than five people lacking the competence: hidden, and
    with it the share that, with the people in scope, would tell it."""
    one_due_and_one_holding(municipal_case["facility"], municipal_case["conflict"])
    for i in range(8):  # enough measured people that met and missing are not small by themselves
        person = hire(municipal_case["facility"], f"Tidligere {i}", "2026-01-05")
        if i < 4:
            factories.holding(person, municipal_case["conflict"], d("2026-02-01"))
    facilities = Facility.objects.filter(municipality=world.dolmer.municipality)

    shown = aggregate_coverage(municipal_case["req"], facilities, ON, suppress=False).total
    hidden = aggregate_coverage(municipal_case["req"], facilities, ON, suppress=True).total

    assert (shown.in_scope, shown.not_yet_due, shown.share) == (13, 3, Decimal("50.0"))  # 5 of 10 measured
    assert hidden.hidden
    assert (hidden.not_yet_due, hidden.share) == (None, None)


def test_in_english_the_heat_map_and_facility_page_say_nobody_to_measure_yet(
    world: World, case: dict[str, Any]
) -> None:
    client = client_for(world.coordinator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    heat = client.get(reverse("requirements:overview"), {"dato": ON.isoformat()}).content.decode()
    cell = _cell(heat.replace("\u00ad", ""), "Lyngbakken")
    assert "Nobody to measure yet" in cell
    assert "3 not yet due" in cell
    assert "nobody to measure yet" in heat  # the legend
    url = reverse("requirements:facility_coverage", args=[case["facility"].pk])
    page = client.get(url, {"dato": ON.isoformat()}).content.decode()
    assert "Nobody to measure yet" in page
    assert "forfald" not in page


def test_the_api_says_how_many_are_not_yet_due_and_what_the_share_is_over(world: World, case: dict[str, Any]) -> None:
    from django.test import Client

    from styrbord.accounts.tokens import create_token

    one_due_and_one_holding(case["facility"], case["conflict"])
    _token, raw = create_token(world.coordinator, "test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        "/api/v1/coverage", {"on": ON.isoformat(), "requirement": case["req"].pk}
    )
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["in_scope"], row["compliant"], row["not_yet_due"], row["measured"]) == (5, 1, 3, 2)
    assert Decimal(str(row["share"])) == Decimal("50.0")
