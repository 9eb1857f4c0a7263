"""Initiatives are made and changed on their own pages: the consequence table from the form's inputs,
years saved together with the initiative or not at all, Danish messages for bad input, and scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.testing.fixtures import World
from styrbord.training.models import Initiative, InitiativeYear

pytestmark = pytest.mark.django_db


def _login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _post_data(years: list[dict[str, str]], initial: int = 0, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Uddannelse af sikkerhedsassistenter og forebyggelsesinstruktører",
        "description": "",
        "source": "Budgetforslag 2025",
        "years-TOTAL_FORMS": str(len(years)),
        "years-INITIAL_FORMS": str(initial),
        "years-MIN_NUM_FORMS": "0",
        "years-MAX_NUM_FORMS": "20",
    }
    data.update(fields)
    for i, year in enumerate(years):
        for key, value in year.items():
            data[f"years-{i}-{key}"] = value
    return data


SEED_YEAR = {"fte": "5,0", "annual_wage_per_fte": "600000", "other_operating": "1000000", "establishment": "0"}


def test_a_coordinator_enters_the_seed_002_initiative_and_sees_its_table(world: World, client: Client) -> None:
    client = _login(client, world.coordinator)
    listing = client.get(reverse("training:initiative_list")).content.decode()
    assert reverse("training:initiative_create") in listing
    form = client.get(reverse("training:initiative_create"))
    assert form.status_code == 200
    years = [{"year": str(y), **SEED_YEAR} for y in range(2025, 2029)]
    response = client.post(
        reverse("training:initiative_create"), _post_data(years, municipality=str(world.dolmer.municipality_id))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    initiative = Initiative.objects.get()
    assert initiative.municipality_id == world.dolmer.municipality_id
    assert list(initiative.years.values_list("year", "fte", "annual_wage_per_fte")) == [
        (y, Decimal("5.00"), Decimal("600000.00")) for y in range(2025, 2029)
    ]
    table = client.get(response["Location"]).content.decode().split('id="consequence-table"')[1]
    # 5 x 600.000 = 3,0 mio. kr. wages + 1,0 mio. kr. other = 4,0 mio. kr. a year.
    assert table.count(">3,0<") == 4
    assert table.count(">1,0<") == 4
    assert table.count(">4,0<") == 4
    assert AuditEntry.objects.filter(action="training.initiative.created").count() == 1


def test_editing_changes_deletes_and_adds_years_in_one_go(world: World, client: Client) -> None:
    initiative = Initiative.objects.create(name="Sikkerhedsassistenter", municipality=world.dolmer.municipality)
    first = InitiativeYear.objects.create(initiative=initiative, year=2025, fte=Decimal("5"))
    second = InitiativeYear.objects.create(initiative=initiative, year=2026, fte=Decimal("5"))
    years = [
        {"id": str(first.pk), "year": "2025", **SEED_YEAR, "fte": "4"},
        {"id": str(second.pk), "year": "2026", **SEED_YEAR, "DELETE": "on"},
        {"year": "2027", **SEED_YEAR},
    ]
    client = _login(client, world.coordinator)
    detail = client.get(reverse("training:initiative_detail", args=[initiative.pk])).content.decode()
    assert reverse("training:initiative_edit", args=[initiative.pk]) in detail
    response = client.post(
        reverse("training:initiative_edit", args=[initiative.pk]),
        _post_data(years, initial=2, name="Sikkerhedsassistenter", municipality=str(world.dolmer.municipality_id)),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(initiative.years.values_list("year", "fte")) == [(2025, Decimal("4.00")), (2027, Decimal("5.00"))]
    assert AuditEntry.objects.filter(action="training.initiative.updated").count() == 1


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ([{"year": "2025", **SEED_YEAR}, {"year": "2025", **SEED_YEAR}], "Året 2025 står der to gange."),
        ([{"year": "1999", **SEED_YEAR}], "Året skal ligge mellem 2000 og 2100."),
        ([{"year": "2025", **SEED_YEAR, "other_operating": "-1"}], "Beløb og årsværk kan ikke være negative."),
        ([], "Angiv mindst ét år."),
    ],
)
def test_bad_years_are_refused_with_a_danish_message_and_nothing_is_saved(
    world: World, client: Client, years: list[dict[str, str]], message: str
) -> None:
    response = _login(client, world.coordinator).post(
        reverse("training:initiative_create"), _post_data(years, municipality=str(world.dolmer.municipality_id))
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Initiative.objects.exists()
    assert not InitiativeYear.objects.exists()


def test_a_coordinator_cannot_place_an_initiative_in_another_municipality_or_leave_it_shared(
    world: World, client: Client
) -> None:
    client = _login(client, world.coordinator)
    years = [{"year": "2025", **SEED_YEAR}]
    other = world.other_coordinator.municipality_id
    response = client.post(reverse("training:initiative_create"), _post_data(years, municipality=str(other)))
    assert response.status_code == 200
    response = client.post(reverse("training:initiative_create"), _post_data(years, municipality=""))
    assert response.status_code == 200
    assert "Dette felt er påkrævet." in response.content.decode()
    assert not Initiative.objects.exists()


def test_who_may_create_and_edit_initiatives(world: World, client: Client) -> None:
    own = Initiative.objects.create(name="Eget", municipality=world.dolmer.municipality)
    shared = Initiative.objects.create(name="Regionalt eksempel")
    for user in (world.finance, world.manager, world.employee_user, world.analyst):
        assert _login(client, user).get(reverse("training:initiative_create")).status_code == 403
        assert _login(client, user).get(reverse("training:initiative_edit", args=[own.pk])).status_code == 403
    other = _login(client, world.other_coordinator)
    assert other.get(reverse("training:initiative_edit", args=[own.pk])).status_code == 404
    coordinator = _login(client, world.coordinator)
    # A shared initiative can be read, but only an administrator changes it.
    assert coordinator.get(reverse("training:initiative_detail", args=[shared.pk])).status_code == 200
    assert coordinator.get(reverse("training:initiative_edit", args=[shared.pk])).status_code == 404
    assert _login(client, world.admin).get(reverse("training:initiative_edit", args=[shared.pk])).status_code == 200
