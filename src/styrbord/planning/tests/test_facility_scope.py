"""A facility manager sees a plan's figures for their own facilities, the others' only summed.

A plan covers a municipality's facilities. A facility manager (scoped to Dolmer Have) reading it
sees Dolmer Have's row in full and the other facilities as one row, "Øvrige tilbud (N)", so the
totals still add up; neither the other facilities' names nor the requirements and grants that
belong to one of them alone. The run page, the comparison and the XLSX export say the same.
Coordinators and finance see every facility, as before.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import POLICY, READ_EXPORT
from styrbord.funding.models import Grant
from styrbord.funding.services.setup import create_grant
from styrbord.planning import services
from styrbord.planning.models import PlanRun
from styrbord.planning.tests.data import planning_setup
from styrbord.requirements.models import Priority, Requirement, Rule, ScopeLevel
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db

GLESBORG = "Bofællesskaberne Glesborg"
THIRD = "Rugvænget"
GLESBORG_ONLY = "Konflikthåndtering i bofællesskabet"  # a requirement of Glesborg's alone


def _plan(world: World) -> PlanRun:
    """A finished plan for Dolmer Have, Glesborg and Rugvænget, with a grant to Glesborg and a
    requirement of Glesborg's own beside the municipality's."""
    setup = planning_setup(world, own_budget="10000.00", capacity=8)
    third = factories.facility(THIRD, "0707")
    factories.employment(factories.employee(), third)
    setup.scenario.facilities.add(third)
    to_glesborg = create_grant(Grant(pool=setup.pool, facility=world.glesborg, amount=Decimal("3000.00")), None)
    setup.scenario.grants.add(to_glesborg)
    own = Requirement.objects.create(
        name=GLESBORG_ONLY,
        scope_level=ScopeLevel.FACILITY,
        facility=world.glesborg,
        rule=Rule.EVERY_PERSON,
        deadline=dt.date(2027, 6, 30),
        priority=Priority.HIGH,
    )
    own.competences.add(setup.competence)
    run = PlanRun.objects.create(scenario=setup.scenario, parameters=services.parameters_of(setup.scenario))
    run = services.execute_run(run.pk)
    assert run.status == PlanRun.Status.DONE, run.error
    stored = run.result
    assert {row["name"] for row in stored["facilities"]} == {"Dolmer Have", GLESBORG, THIRD}
    assert GLESBORG_ONLY in {row["name"] for row in stored["targets"]}
    assert str(to_glesborg) in {row["name"] for row in stored["grants"]}
    return run


def _stored_totals(run: PlanRun) -> dict[str, Any]:
    rows = run.result["facilities"]
    return {
        "staff": sum(r["staff"] for r in rows),
        "seats": sum(r["seats"] for r in rows),
        "days_away": sum(r["days_away"] for r in rows),
        "cost": sum((Decimal(r["cost"]) for r in rows), Decimal("0")),
    }


def _others_hidden(text: str) -> None:
    assert GLESBORG not in text
    assert THIRD not in text
    assert GLESBORG_ONLY not in text


def test_a_facility_manager_sees_own_rows_and_the_others_summed_on_the_run_and_compare_pages(world: World) -> None:
    run = _plan(world)
    client = client_for(world.manager)

    response = client.get(reverse("planning:run_detail", args=[run.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dolmer Have" in page
    assert "Øvrige tilbud (2)" in page
    assert "Tilsagn til øvrige tilbud (1)" in page
    assert "1 krav gælder kun tilbud uden for dit område og vises ikke." in page
    # The run's tiles are the whole plan's (a walk read the municipality's cost as their own).
    assert "Udgift til nye pladser i hele planen" in page
    assert "Nye pladser i hele planen" in page
    _others_hidden(page)
    rows = response.context["result"]["facilities"]
    assert [r["name"] for r in rows] == ["Dolmer Have", "Øvrige tilbud (2)"]
    assert {
        "staff": sum(r["staff"] for r in rows),
        "seats": sum(r["seats"] for r in rows),
        "days_away": sum(r["days_away"] for r in rows),
        "cost": sum((r["cost"] for r in rows), Decimal("0")),
    } == _stored_totals(run)
    stored_grants = run.result["grants"]
    shown_grants = response.context["result"]["grants"]
    for key in ("remaining", "planned"):
        assert sum((g[key] for g in shown_grants), Decimal("0")) == sum(
            (Decimal(g[key]) for g in stored_grants), Decimal("0")
        )

    compare = client.get(reverse("planning:compare"), {"koersel": run.pk}).content.decode()
    assert "Dolmer Have" in compare
    assert "Øvrige tilbud (2)" in compare
    assert "1 krav gælder kun tilbud uden for dit område og vises ikke." in compare
    _others_hidden(compare)

    # In English the summed row says so in English.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert "Other facilities (2)" in english
    _others_hidden(english)


@pytest.mark.parametrize("persona", ["coordinator", "finance"])
def test_coordinators_and_finance_see_every_facility(world: World, persona: str) -> None:
    run = _plan(world)
    client = client_for(world.personas()[persona])

    response = client.get(reverse("planning:run_detail", args=[run.pk]))
    compare = client.get(reverse("planning:compare"), {"koersel": run.pk}).content.decode()

    page = response.content.decode()
    for text in (page, compare):
        assert "Dolmer Have" in text
        assert GLESBORG in text
        assert THIRD in text
        assert GLESBORG_ONLY in text
        assert "Øvrige tilbud" not in text
        assert "vises ikke" not in text
    assert "i hele planen" not in page
    assert [r["name"] for r in response.context["result"]["facilities"]] == [
        r["name"] for r in run.result["facilities"]
    ]


def _sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_the_export_is_scoped_as_the_page(world: World) -> None:
    """A facility manager downloads the plan (a walk found the README promising "the seats in your
    scope" and the download refused): the workbook holds what their page shows. Read back with
    openpyxl: the same rows, the same totals."""
    assert POLICY["plan_run"][Role.FACILITY_MANAGER] == READ_EXPORT
    run = _plan(world)
    url = reverse("planning:run_xlsx", args=[run.pk])

    response = client_for(world.manager).get(url)

    assert response.status_code == 200
    sheets = _sheets(response.content)
    for rows in sheets.values():
        _others_hidden("\n".join(str(cell) for row in rows for cell in row if cell is not None))
    facilities = sheets["Tilbud"][1:]
    assert [r[0] for r in facilities] == ["Dolmer Have", "Øvrige tilbud (2)"]
    totals = _stored_totals(run)
    assert sum(r[1] for r in facilities) == totals["staff"]
    assert sum(r[3] + r[4] for r in facilities) == totals["seats"]  # new course seats, those already booked
    assert sum(r[3] for r in facilities) == run.result["new_seats"]
    assert sum(r[5] for r in facilities) == totals["days_away"]
    assert sum(Decimal(str(r[8])) for r in facilities) == totals["cost"]
    assert facilities[-1][6] is None  # the most away on one day is one facility's: not summed
    assert sheets["Krav"][-1][0] == "1 krav gælder kun tilbud uden for dit område og vises ikke."
    grants = sheets["Finansiering"][1:]
    assert grants[-1][0] == "Tilsagn til øvrige tilbud (1)"
    assert sum(Decimal(str(r[2])) for r in grants) == sum(
        (Decimal(g["planned"]) for g in run.result["grants"]), Decimal("0")
    )
    assert {r[5] for r in sheets["Pladser"][1:]} == {"Dolmer Have"}

    everything = _sheets(client_for(world.coordinator).get(url).content)
    assert [r[0] for r in everything["Tilbud"][1:]] == [r["name"] for r in run.result["facilities"]]
    assert GLESBORG_ONLY in [r[0] for r in everything["Krav"][1:]]
    assert not any("Øvrige" in str(r[0]) for r in everything["Tilbud"][1:] + everything["Finansiering"][1:])
