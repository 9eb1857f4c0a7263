"""'Find medarbejder': a name search over the staff in the user's scope, by POST, in the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.staff.models import JobGroup
from styrbord.staff.profiles import search
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db
URL = reverse("staff:employee_search")


def found(response: Any) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:500]
    return [r["name"] for r in response.context["results"]]


def test_a_coordinator_finds_people_of_the_municipality_by_any_part_of_the_name(world: World) -> None:
    client = client_for(world.coordinator)
    assert found(client.post(URL, {"navn": "medarbejder 1"})) == ["Dolmer-medarbejder 1", "Glesborg-medarbejder 1"]
    assert found(client.post(URL, {"navn": "1 DOLMER"})) == ["Dolmer-medarbejder 1"]  # words in any order, any case
    assert found(client.post(URL, {"navn": "Syddjurs"})) == []  # another municipality


def test_a_manager_finds_only_the_staff_of_their_facility(world: World) -> None:
    names = found(client_for(world.manager).post(URL, {"navn": "medarbejder"}))
    assert names == [p.name for p in world.dolmer_staff]


def test_facility_and_job_group_narrow_the_search_without_a_name(world: World) -> None:
    nurse = factories.employee(name="Sygeplejerske Hansen")
    factories.employment(nurse, world.glesborg, job_group=JobGroup.NURSE)
    client = client_for(world.coordinator)
    assert found(client.post(URL, {"tilbud": world.glesborg.pk})) == [
        "Glesborg-medarbejder 1",
        "Glesborg-medarbejder 2",
        "Sygeplejerske Hansen",
    ]
    assert found(client.post(URL, {"faggruppe": JobGroup.NURSE})) == ["Sygeplejerske Hansen"]
    # A facility outside the scope is not a valid choice.
    refused = client.post(URL, {"tilbud": world.syddjurs_facility.pk})
    assert refused.status_code == 400
    assert "Tilbud: Marker en gyldig valgmulighed." in refused.content.decode()


def test_people_who_left_are_found_only_when_asked_for(world: World) -> None:
    gone = factories.employee(name="Fratrådt Jensen")
    factories.employment(
        gone, world.dolmer, start_date=dt.date(2019, 1, 1), end_date=dt.date(2021, 1, 1), status="ended"
    )
    client = client_for(world.coordinator)
    assert found(client.post(URL, {"navn": "Jensen"})) == []
    response = client.post(URL, {"navn": "Jensen", "fratraadte": "on"})
    assert found(response) == ["Fratrådt Jensen"]
    assert "fratrådt</span>" in response.content.decode()


def test_a_new_colleague_is_found_before_the_first_day(world: World) -> None:
    from styrbord.lib.dates import local_today

    first_day = local_today() + dt.timedelta(days=20)
    factories.employment(factories.employee(name="Ny Nielsen"), world.dolmer, start_date=first_day)
    response = client_for(world.coordinator).post(URL, {"navn": "Nielsen"})
    assert found(response) == ["Ny Nielsen"]
    assert f"tiltræder {first_day:%d-%m-%Y}</span>" in response.content.decode()


def test_an_empty_search_is_refused_with_a_message(world: World) -> None:
    response = client_for(world.coordinator).post(URL, {"navn": "  "})
    assert response.status_code == 400
    assert "Skriv et navn, eller vælg et tilbud eller en faggruppe." in response.content.decode()
    assert not AuditEntry.objects.filter(action="staff.employee.searched").exists()


def test_a_search_is_audited_with_the_people_found_but_never_the_search_text(world: World) -> None:
    client_for(world.coordinator).post(URL, {"navn": "Dolmer-medarbejder"})
    entries = AuditEntry.objects.filter(action="staff.employee.searched")
    assert sorted(e.subject_employee_id for e in entries) == sorted(p.pk for p in world.dolmer_staff)
    assert all(e.data == {"found": 3} for e in entries)
    assert all("Dolmer" not in str(e.data) for e in entries)


def test_the_page_shows_no_one_before_a_search_and_caps_long_results(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(world.coordinator)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.context["results"] is None
    assert 'method="post"' in page.content.decode()
    monkeypatch.setattr(search, "MAX_RESULTS", 2)
    response = client.post(URL, {"navn": "medarbejder"})
    assert len(response.context["results"]) == 2
    assert "Viser de første 2 af 5 personer." in response.content.decode()


@pytest.mark.parametrize("persona", ["finance", "analyst", "grantor_user", "employee_user"])
def test_roles_without_a_staff_list_are_refused(world: World, persona: str) -> None:
    assert client_for(getattr(world, persona)).post(URL, {"navn": "medarbejder"}).status_code == 403


def test_the_facility_list_links_to_the_search_for_those_who_may_use_it(world: World) -> None:
    assert 'id="find-employee"' in client_for(world.coordinator).get("/tilbud/").content.decode()
    assert 'id="find-employee"' in client_for(world.manager).get("/tilbud/").content.decode()
    assert 'id="find-employee"' not in client_for(world.finance).get("/tilbud/").content.decode()


def test_a_person_with_two_employments_in_scope_is_listed_once_with_both(world: World) -> None:
    person = world.dolmer_staff[0]
    factories.employment(person, world.glesborg, job_group=JobGroup.NURSE)
    response = client_for(world.coordinator).post(URL, {"navn": person.name})
    assert found(response) == [person.name]
    assert response.context["total"] == 1
    facilities = {e.facility.name for e in response.context["results"][0]["employments"]}
    assert facilities == {"Dolmer Have", "Bofællesskaberne Glesborg"}
    # The manager of Dolmer sees the person, but only the employment at Dolmer.
    managed = client_for(world.manager).post(URL, {"navn": person.name})
    assert [e.facility.name for e in managed.context["results"][0]["employments"]] == ["Dolmer Have"]
