"""/aggregates/coverage says how many are not yet due and what the share is over, hidden as the page hides them.

A regional rule "Nyansatte gennemfører konflikthåndtering inden 6 måneder" (new staff from
01-01-2026), asked for 30-11-2026 (a month end, so analysts and administrators see the same day).
Only the people hired here are in scope (the world's staff started in 2020). Per municipality:

- met: hired 05-01-2026, holding the competence since 01-02-2026;
- missing: hired 05-01-2026, without it, due 05-07-2026: overdue;
- not yet due: hired 01-09-2026, without it, due 01-03-2027.

Hand-computed, shown (Norddjurs 5 / 5 / 5, Syddjurs 6 / 7 / 8): Norddjurs 15 in scope, 5 not yet due,
10 measured, 5 of 10 = 50,0 %; Syddjurs 21, 8, 13, 6 of 13 = 46,2 %; in all 36, 13, 23, 11 of 23 = 47,8 %.
Every cell of the analysts' table (met, missing, not yet due per municipality) is five or more: nothing hidden.

Suppressed (Syddjurs 6 / 7 / 3): Syddjurs' 3 not yet due is hidden; then (complementary) Norddjurs'
5 not yet due in the same column, and in each row one more cell (the met, fewest people first), so
both rows' shares and counts of not yet due are hidden. Their people in scope (15 and 16) and the
column totals (11 met, 12 missing, 8 not yet due) still show, so the total does: 31 in scope,
8 not yet due, 23 measured, 11 of 23 = 47,8 %.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.api.tests.conftest import ApiClient
from styrbord.competences.models import Competence
from styrbord.organisations.models import Facility
from styrbord.requirements.models import Population, Requirement, Rule, ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db

ON = "2026-11-30"
EARLY = dt.date(2026, 1, 5)  # due 05-07-2026: past by 30-11-2026
LATE = dt.date(2026, 9, 1)  # due 01-03-2027: not yet due on 30-11-2026


def _rule(world: World) -> tuple[Requirement, Competence]:
    conflict = factories.competence("konflikt-api-aggregat", name="Konflikthåndtering")
    req = requirement(
        [conflict],
        scope_level=ScopeLevel.REGION,
        region=world.dolmer.municipality.region,
        rule=Rule.WITHIN_MONTHS_OF_HIRE,
        months=6,
        population=Population.NEW_STAFF,
        effective_from=dt.date(2026, 1, 1),
        name="Nyansatte gennemfører konflikthåndtering inden 6 måneder",
    )
    return req, conflict


def _staff(facility: Facility, conflict: Competence, met: int, missing: int, not_yet_due: int) -> None:
    for i in range(met + missing + not_yet_due):
        person = factories.employee(name=f"{facility.name} {i + 1}")
        factories.employment(person, facility, start_date=LATE if i >= met + missing else EARLY)
        if i < met:
            factories.holding(person, conflict, dt.date(2026, 2, 1))


def _coverage(user: Any, req: Requirement) -> dict[str, Any]:
    response = ApiClient(user).get("/aggregates/coverage", requirement=req.pk, on=ON)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert body["on"] == ON
    return body


def _counts(cell: dict[str, Any]) -> tuple[Any, ...]:
    return (cell["name"], cell["people"], cell["not_yet_due"], cell["measured"], cell["share"], cell["status"])


def test_an_analyst_is_told_how_many_are_not_yet_due_when_no_cell_is_small(world: World) -> None:
    req, conflict = _rule(world)
    _staff(world.dolmer, conflict, met=5, missing=5, not_yet_due=5)
    _staff(world.syddjurs_facility, conflict, met=6, missing=7, not_yet_due=8)

    for user in (world.analyst, world.admin):
        body = _coverage(user, req)
        assert [_counts(r) for r in body["rows"]] == [
            ("Norddjurs", 15, 5, 10, "50.0", "bad"),
            ("Syddjurs", 21, 8, 13, "46.2", "bad"),
        ]
        assert _counts(body["total"]) == ("", 36, 13, 23, "47.8", "bad")
    assert _coverage(world.analyst, req)["threshold"] == 5


def test_a_small_count_not_yet_due_is_hidden_with_the_share_and_what_it_would_give_away(world: World) -> None:
    req, conflict = _rule(world)
    _staff(world.dolmer, conflict, met=5, missing=5, not_yet_due=5)
    _staff(world.syddjurs_facility, conflict, met=6, missing=7, not_yet_due=3)

    analyst = _coverage(world.analyst, req)
    assert [_counts(r) for r in analyst["rows"]] == [
        ("Norddjurs", 15, None, None, None, "hidden"),
        ("Syddjurs", 16, None, None, None, "hidden"),
    ]
    assert _counts(analyst["total"]) == ("", 31, 8, 23, "47.8", "bad")

    admin = _coverage(world.admin, req)  # sees every number
    assert [_counts(r) for r in admin["rows"]] == [
        ("Norddjurs", 15, 5, 10, "50.0", "bad"),
        ("Syddjurs", 16, 3, 13, "46.2", "bad"),
    ]


def _page_rows(html: str) -> dict[str, list[str]]:
    """The page's table: each row's (and the total's) number cells as shown (people, not yet due, share)."""
    table = html.split('id="aggregate-table"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:  # the header row left out
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)).strip()  # type: ignore[union-attr]
        rows[label] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]
    return rows


def _as_page(value: Any, places: int = 0) -> str:
    """An API number as the page writes it ("47,8 %", ".." when hidden)."""
    if value is None:
        return ".."
    return f"{value.replace('.', ',')} %" if places else str(value)


@pytest.mark.parametrize("small", [False, True], ids=["shown", "suppressed"])
def test_the_api_the_page_and_its_xlsx_give_the_same_numbers(world: World, small: bool) -> None:
    req, conflict = _rule(world)
    _staff(world.dolmer, conflict, met=5, missing=5, not_yet_due=5)
    _staff(world.syddjurs_facility, conflict, met=6, missing=7, not_yet_due=3 if small else 8)
    api = _coverage(world.analyst, req)
    client = client_for(world.analyst)
    query = {"krav": req.pk, "dato": ON}

    page = _page_rows(client.get(reverse("requirements:aggregate"), query).content.decode())
    expected = {
        cell["name"] or "I alt": [
            _as_page(cell["people"]),
            _as_page(cell["not_yet_due"]),
            _as_page(cell["share"], places=1),
        ]
        for cell in [*api["rows"], {**api["total"], "name": "I alt"}]
    }
    assert page == expected
    assert any(".." in cells for cells in page.values()) is small

    workbook = load_workbook(io.BytesIO(client.get(reverse("requirements:aggregate_export"), query).content))
    sheet = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert sheet[0][:4] == ["Kommune", "Personer i målgruppen", "Heraf endnu ikke forfaldne", "Andel, der opfylder (%)"]

    def xlsx(value: Any) -> Any:
        return ".." if value is None else value

    assert [[r[1], r[2], None if r[3] == ".." else str(r[3])] for r in sheet[1:]] == [
        [xlsx(c["people"]), xlsx(c["not_yet_due"]), c["share"]] for c in [*api["rows"], api["total"]]
    ]
    # What the share is over, where it is shown: the people in scope less those not yet due.
    for cell in [*api["rows"], api["total"]]:
        if cell["not_yet_due"] is not None:
            assert cell["measured"] == cell["people"] - cell["not_yet_due"]


def test_the_schema_documents_both_counts_as_always_there_and_null_when_hidden() -> None:
    from styrbord.api.main import api

    cell = api.get_openapi_schema()["components"]["schemas"]["CoverageCell"]
    for name in ("not_yet_due", "measured"):
        assert name in cell["required"]
        assert cell["properties"][name]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
        assert "skjult" in cell["properties"][name]["description"]
