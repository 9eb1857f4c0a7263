"""Creating a facility in Styrbord's own pages: a coordinator in their municipality, an
administrator in the one chosen; the same checks as editing; audited; never a regional one."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.organisations.models import Facility, Method, Municipality
from styrbord.testing.fixtures import client_for

CREATE_URL = reverse("organisations:facility_create")


def ids(model: Any, *codes: str) -> list[str]:
    return [str(pk) for pk in model.objects.filter(code__in=codes).values_list("pk", flat=True)]


def new_facility(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Bostedet Ved Åen",
        "kind": Facility.Kind.RESIDENTIAL,
        "operator_kind": Facility.OperatorKind.PRIVATE,
        "operator_name": "Den selvejende institution Ved Åen",
        "places": "12",
        "tilbudsportalen_id": "51234",
        "methods": ids(Method, "krap", "low-arousal"),
    }
    data.update(changes)
    return data


def test_a_coordinator_creates_a_facility_in_their_municipality(world: Any) -> None:
    client = client_for(world.coordinator)
    listing = client.get(reverse("organisations:facility_list")).content.decode()
    assert f'href="{CREATE_URL}"' in listing

    # A municipality posted anyway is not a field of the coordinator's form: ignored.
    answer = client.post(CREATE_URL, new_facility(municipality=str(world.syddjurs_facility.municipality_id)))

    created = Facility.objects.get(name="Bostedet Ved Åen")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("organisations:facility_detail", args=[created.pk])
    assert created.municipality.code == "0707"
    assert created.operator_kind == Facility.OperatorKind.PRIVATE
    assert (created.places, created.tilbudsportalen_id) == (12, "51234")
    assert sorted(created.methods.values_list("code", flat=True)) == ["krap", "low-arousal"]
    entry = AuditEntry.objects.get(action="organisations.facility.created")
    assert entry.object_id == str(created.pk)
    assert entry.after["methods"] == ["krap", "low-arousal"]
    assert entry.after["municipality_id"] == created.municipality_id
    page = client.get(answer["Location"]).content.decode()
    assert "Bostedet Ved Åen er oprettet." in page
    assert "Tilbuddet har ingen nuværende medarbejdere." in page
    assert "Ingen af medarbejderne har registrerede kompetencer." not in page  # no staff is said once
    assert "Bostedet Ved Åen" in client.get(reverse("organisations:facility_list")).content.decode()


def test_the_same_checks_as_editing_and_nothing_saved_on_an_error(world: Any) -> None:
    client = client_for(world.coordinator)
    world.dolmer.tilbudsportalen_id = "43871"
    world.dolmer.save()

    refused = client.post(
        CREATE_URL,
        new_facility(name="DOLMER HAVE", places="-2", tilbudsportalen_id="43871", operator_kind="region"),
    )

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Kommunen har allerede et tilbud, der hedder »Dolmer Have«." in page
    assert "Pladser kan ikke være et negativt tal." in page
    assert "Tilbudsportalen-id 43871 er allerede givet til et andet tilbud (Dolmer Have)." in page
    assert "Et tilbud, som en region driver, oprettes af en systemadministrator." in page
    assert not Facility.objects.filter(places=12).exists()
    assert not AuditEntry.objects.filter(action="organisations.facility.created").exists()
    too_many = client.post(CREATE_URL, new_facility(places="99999999999", tilbudsportalen_id=""))
    assert "Højst 9.999 pladser; tjek tallet." in too_many.content.decode()
    # A name another municipality uses is free here.
    other_name = world.syddjurs_facility.name
    assert client.post(CREATE_URL, new_facility(name=other_name, tilbudsportalen_id="")).status_code == 302


def test_an_administrator_chooses_the_municipality(world: Any) -> None:
    client = client_for(world.admin)
    syddjurs = Municipality.objects.get(pk=world.syddjurs_facility.municipality_id)

    missing = client.post(CREATE_URL, new_facility())
    assert missing.status_code == 422
    assert "Vælg kommunen, tilbuddet hører under." in missing.content.decode()
    # Dolmer Have is Norddjurs's name, not Syddjurs's: the clash is looked for in the chosen one.
    created = client.post(CREATE_URL, new_facility(name="Dolmer Have", municipality=str(syddjurs.pk)))
    assert created.status_code == 302
    assert Facility.objects.get(name="Dolmer Have", municipality=syddjurs).operator_kind == "private"
    clash = client.post(CREATE_URL, new_facility(name="dolmer have", municipality=str(world.dolmer.municipality_id)))
    assert clash.status_code == 422


@pytest.mark.parametrize("role", ["manager", "finance", "employee_user", "analyst", "grantor_user"])
def test_no_other_role_may_create_one(world: Any, role: str) -> None:
    client = client_for(getattr(world, role))
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, new_facility()).status_code == 403
    assert f'href="{CREATE_URL}"' not in client.get(reverse("organisations:facility_list")).content.decode()
    assert not Facility.objects.filter(name="Bostedet Ved Åen").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_creates_a_facility_in_a_browser(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    from styrbord.testing.accessibility import violations
    from styrbord.testing.fixtures import follow, login

    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}{reverse('organisations:facility_list')}")
    follow(page, "#create-facility")
    assert violations(page, "new facility form") == []
    page.fill("#id_name", "Bofællesskaberne glesborg")
    page.fill("#id_places", "8")
    follow(page, "#facility-form button[type=submit]")
    assert "Kommunen har allerede et tilbud" in page.inner_text("main")
    assert violations(page, "new facility form with errors") == []
    page.fill("#id_name", "Botilbuddet Skovly")
    page.select_option("#id_operator_kind", "municipality")
    page.get_by_label("KRAP").check()
    follow(page, "#facility-form button[type=submit]")
    assert "Botilbuddet Skovly er oprettet." in page.inner_text("main")
    assert "KRAP" in page.inner_text("section[aria-labelledby=facts-heading]")
    assert Facility.objects.get(name="Botilbuddet Skovly").municipality.code == "0707"


def test_a_regional_coordinator_has_no_municipality_to_create_one_in(world: Any) -> None:
    from styrbord.accounts.models import Role
    from styrbord.testing import factories

    regional = factories.user(Role.COORDINATOR, "regionh", region=world.kbh_facility.municipality.region)
    client = client_for(regional)
    assert client.get(CREATE_URL).status_code == 403
    assert f'href="{CREATE_URL}"' not in client.get(reverse("organisations:facility_list")).content.decode()
