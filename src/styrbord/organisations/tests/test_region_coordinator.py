"""A regional coordinator (a region runs a psychiatric unit; the user has a region, no municipality):
the pages offer only what the pages behind would let them do, and say why where they would be empty.

Each page is opened by the regional coordinator and by Norddjurs' own coordinator, who keeps every
link and button the regional one loses.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from styrbord.accounts.models import Role, User
from styrbord.organisations.models import Facility
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.training.tests import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_coordinator(world: World) -> User:
    region = world.kbh_facility.municipality.region
    factories.facility("Psykiatrisk Afsnit", "0101", operator_kind=Facility.OperatorKind.REGION, operator_region=region)
    return factories.user(Role.COORDINATOR, "koordinator-regionh", region=region)


def _page(user: User, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_facility_list_offers_the_imports_only_to_users_they_would_run_for(
    world: World, region_coordinator: User
) -> None:
    staff_link = f'href="{reverse("staff:import_upload")}"'
    holdings_link = f'href="{reverse("competences:import_upload")}"'
    regional = _page(region_coordinator, reverse("organisations:facility_list"))
    assert "Psykiatrisk Afsnit" in regional
    assert staff_link not in regional
    assert holdings_link not in regional
    # What the links were hidden for: both imports refuse a user without a municipality.
    assert client_for(region_coordinator).get(reverse("staff:import_upload")).status_code == 403
    assert client_for(region_coordinator).get(reverse("competences:import_upload")).status_code == 403

    municipal = _page(world.coordinator, reverse("organisations:facility_list"))
    assert f'{staff_link} id="import-staff"' in municipal
    assert f'{holdings_link} id="import-holdings"' in municipal
    assert client_for(world.coordinator).get(reverse("staff:import_upload")).status_code == 200


def test_the_pool_list_offers_new_pools_and_appropriations_only_to_users_with_a_municipality(
    world: World, region_coordinator: User
) -> None:
    new_pool = f'href="{reverse("funding:pool_create")}"'
    new_appropriation = f'href="{reverse("funding:appropriation_create")}"'
    regional = _page(region_coordinator, reverse("funding:pool_list"))
    assert new_pool not in regional
    assert new_appropriation not in regional
    assert "Ny pulje" not in regional
    assert "Ny bevilling" not in regional

    municipal = _page(world.coordinator, reverse("funding:pool_list"))
    assert new_pool in municipal
    assert new_appropriation in municipal


def test_the_scenario_list_tells_a_user_without_a_municipality_who_plans(
    world: World, region_coordinator: User
) -> None:
    explanation = "Planlægning laves af kommunernes koordinatorer for deres egne tilbud."
    create = f'href="{reverse("planning:scenario_create")}"'
    regional = _page(region_coordinator, reverse("planning:scenario_list"))
    assert explanation in regional
    assert "Der er ingen scenarier endnu." not in regional
    assert create not in regional
    assert client_for(region_coordinator).get(reverse("planning:scenario_create")).status_code == 403

    municipal = _page(world.coordinator, reverse("planning:scenario_list"))
    assert explanation not in municipal
    assert "Der er ingen scenarier endnu." in municipal
    assert create in municipal


def test_the_scenario_list_speaks_english_to_a_user_without_a_municipality(region_coordinator: User) -> None:
    client = client_for(region_coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    page = client.get(reverse("planning:scenario_list")).content.decode()
    assert "Planning is done by the municipalities' coordinators for their own facilities." in page


def test_a_session_offers_change_and_cancel_only_to_those_who_may_and_says_whose_it_is(
    world: World, region_coordinator: User
) -> None:
    session = helpers.session(helpers.course(name="KRAP"), municipality=world.dolmer.municipality)
    url = reverse("training:session_detail", args=[session.pk])
    change = f'href="{reverse("training:session_update", args=[session.pk])}"'
    cancel = f'href="{reverse("training:session_cancel", args=[session.pk])}"'
    reason = "Holdet arrangeres af Norddjurs; kun kommunens koordinatorer kan ændre eller aflyse det."

    regional = _page(region_coordinator, url)
    assert change not in regional
    assert cancel not in regional
    assert 'id="session-actions"' not in regional
    assert f'<p class="small" id="session-not-managed">{reason}</p>' in regional
    # Another municipality's coordinator is refused the same way, and told the same.
    assert reason in _page(world.other_coordinator, url)
    assert change not in _page(world.other_coordinator, url)

    municipal = _page(world.coordinator, url)
    assert change in municipal
    assert cancel in municipal
    assert 'id="session-not-managed"' not in municipal
    # A manager of a facility may not change sessions at all: no buttons, and no note either.
    managers = _page(world.manager, url)
    assert change not in managers
    assert 'id="session-not-managed"' not in managers
