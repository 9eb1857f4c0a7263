"""The landing page's attention panels: real figures, and only from the user's own scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from styrbord.lib.dates import local_today
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.web.dashboard import dashboard_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(world: World) -> dict[str, Any]:
    """Everyone must hold the competence; one person at each facility holds it, expiring in 30 days."""
    today = local_today()
    comp = factories.competence(name="Konflikthåndtering", validity_months=24)
    dolmer_req = requirement([comp], facility=world.dolmer, name="Dolmer: alle i konflikthåndtering")
    glesborg_req = requirement([comp], facility=world.glesborg, name="Glesborg: alle i konflikthåndtering")
    for people in (world.dolmer_staff, world.glesborg_staff):
        factories.holding(people[0], comp, today - dt.timedelta(days=700), today + dt.timedelta(days=30))
    return {"today": today, "dolmer": dolmer_req, "glesborg": glesborg_req}


def test_a_coordinator_sees_every_facility_short_of_its_target(world: World, gaps: dict[str, Any]) -> None:
    board = dashboard_for(world.coordinator, gaps["today"])
    assert board.coverage is not None
    shown = {(row.facility.name, row.requirement.name) for row in board.coverage.furthest}
    assert shown == {
        ("Dolmer Have", "Dolmer: alle i konflikthåndtering"),
        ("Bofællesskaberne Glesborg", "Glesborg: alle i konflikthåndtering"),
    }
    assert board.coverage.far == 2
    assert board.coverage.met == 0
    # Dolmer: 1 of 3 (33 %) is further from 100 % than Glesborg's 1 of 2 (50 %).
    assert board.coverage.furthest[0].facility == world.dolmer
    assert board.expiring == 2


def test_a_facility_manager_sees_only_the_own_facility(world: World, gaps: dict[str, Any]) -> None:
    board = dashboard_for(world.manager, gaps["today"])
    assert board.coverage is not None
    assert {row.facility for row in board.coverage.furthest} == {world.dolmer}
    assert board.expiring == 1


def test_an_analyst_gets_no_person_level_panels(world: World, gaps: dict[str, Any]) -> None:
    board = dashboard_for(world.analyst, gaps["today"])
    assert board.coverage is None
    assert board.expiring is None
    assert board.courses is None
    assert board.funding is None


def test_the_page_shows_the_panels_for_a_manager_and_nothing_from_another_facility(
    world: World, gaps: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(world.manager)
    html = client.get("/").content.decode()
    assert "Det kræver opmærksomhed" in html
    assert "Dolmer: alle i konflikthåndtering" in html
    assert "Glesborg: alle i konflikthåndtering" not in html
    assert 'id="expiring-count"' in html


def test_each_funding_warning_names_and_links_its_grant(world: World) -> None:
    """Two grants with the same budget line deviating: each line says which grant it is about."""
    from styrbord.funding.services.ledger import post_actual
    from styrbord.funding.tests import helpers
    from styrbord.lib.costs import CostCategory

    shared = helpers.pool(name="Forebyggelse af vold")
    grants = {}
    for facility in (world.dolmer, world.glesborg):
        grant = helpers.grant(shared, facility, amount="300000")
        helpers.budget(grant, {(CostCategory.FEE, 2025): "10000"})
        post_actual(grant, CostCategory.FEE, Decimal("150000"), dt.date(2025, 5, 1), world.finance)
        grants[facility.name] = grant
    client = Client()
    client.force_login(world.finance)
    html = client.get("/").content.decode()
    panel = html[html.index('id="funding-warnings"') :]
    panel = panel[: panel.index("</ul>")]
    for name, grant in grants.items():
        assert f'<a href="/oekonomi/tilsagn/{grant.pk}/">{name} (Forebyggelse af vold)</a>:' in panel
    assert panel.count("Budgetlinjen Kursusgebyr 2025 afviger") == 2
