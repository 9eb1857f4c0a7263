"""Editing a facility's facts: who may, what is checked, and that nothing is half-saved or lost."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.organisations.forms import facility_state_digest
from styrbord.organisations.models import Facility, LegalBasis, Method, TargetGroup
from styrbord.testing.fixtures import client_for


def edit_url(facility: Facility) -> str:
    return reverse("organisations:facility_edit", args=[facility.pk])


def ids(model: Any, *codes: str) -> list[str]:
    return [str(pk) for pk in model.objects.filter(code__in=codes).values_list("pk", flat=True)]


def form_data(facility: Facility, **changes: Any) -> dict[str, Any]:
    """The form as the browser sends it when opened now, with ``changes`` typed in."""
    facility = Facility.objects.get(pk=facility.pk)  # as stored (the page reads it so too)
    data: dict[str, Any] = {
        "name": facility.name,
        "kind": facility.kind,
        "operator_name": facility.operator_name,
        "places": str(facility.places),
        "tilbudsportalen_id": facility.tilbudsportalen_id,
        "legal_bases": [str(pk) for pk in facility.legal_bases.values_list("pk", flat=True)],
        "target_groups": [str(pk) for pk in facility.target_groups.values_list("pk", flat=True)],
        "methods": [str(pk) for pk in facility.methods.values_list("pk", flat=True)],
        "state": facility_state_digest(facility),
    }
    data.update(changes)
    return data


def test_a_coordinator_changes_the_facts_and_the_facility_page_shows_them(world: Any) -> None:
    client = client_for(world.coordinator)
    page = client.get(reverse("organisations:facility_detail", args=[world.dolmer.pk])).content.decode()
    assert f'href="{edit_url(world.dolmer)}"' in page
    data = form_data(
        world.dolmer,
        name="Dolmer Have ",
        kind=Facility.Kind.RESIDENTIAL,
        operator_name="Socialpsykiatri og rusmidler",
        places="24",
        tilbudsportalen_id=" 43871 ",
        legal_bases=ids(LegalBasis, "sel-107", "sel-108"),
        target_groups=ids(TargetGroup, "psykiatri", "dobbeltdiagnose"),
        methods=ids(Method, "krap", "low-arousal"),
    )
    response = client.post(edit_url(world.dolmer), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:facility_detail", args=[world.dolmer.pk])
    world.dolmer.refresh_from_db()
    assert (world.dolmer.name, world.dolmer.places, world.dolmer.tilbudsportalen_id) == ("Dolmer Have", 24, "43871")
    assert world.dolmer.operator_name == "Socialpsykiatri og rusmidler"
    assert sorted(world.dolmer.methods.values_list("code", flat=True)) == ["krap", "low-arousal"]
    assert sorted(world.dolmer.legal_bases.values_list("code", flat=True)) == ["sel-107", "sel-108"]
    shown = client.get(response["Location"]).content.decode()
    assert "Oplysningerne om Dolmer Have er gemt." in shown
    for fact in ("Low Arousal", "Dobbeltdiagnose (psykiatri og rusmidler)", "43871"):
        assert fact in shown

    entry = AuditEntry.objects.get(action="organisations.facility.updated")
    assert entry.actor_id == world.coordinator.pk
    assert entry.object_id == str(world.dolmer.pk)
    assert entry.data["fields"] == [
        "legal_bases",
        "methods",
        "operator_name",
        "places",
        "target_groups",
        "tilbudsportalen_id",
    ]
    assert entry.before["methods"] == []
    assert entry.after["methods"] == ["krap", "low-arousal"]
    assert entry.after["places"] == 24


def test_saving_the_form_unchanged_saves_and_logs_nothing(world: Any) -> None:
    response = client_for(world.coordinator).post(edit_url(world.dolmer), form_data(world.dolmer), follow=True)
    assert "Intet at gemme: oplysningerne er de samme som før." in response.content.decode()
    assert not AuditEntry.objects.filter(action="organisations.facility.updated").exists()


def test_bad_values_save_nothing_and_say_what_is_wrong_in_danish(world: Any) -> None:
    world.dolmer.tilbudsportalen_id = "43871"
    world.dolmer.save()
    client = client_for(world.coordinator)
    cases = [
        ({"name": "   "}, "Skriv tilbuddets navn."),
        ({"name": "DOLMER HAVE"}, "Kommunen har allerede et tilbud, der hedder »Dolmer Have«."),
        (
            {"tilbudsportalen_id": "TP-1"},
            "Tilbudsportalen-id består kun af cifre, f.eks. 43871. »TP-1« er ikke et tal.",
        ),
        ({"places": "-3"}, "Pladser kan ikke være et negativt tal."),
        ({"places": "24,5"}, "Pladser: skriv et helt tal, f.eks. 24."),
    ]
    for changes, message in cases:
        response = client.post(
            edit_url(world.glesborg), form_data(world.glesborg, methods=ids(Method, "krap"), **changes)
        )
        assert response.status_code == 200, changes
        body = response.content.decode()
        assert message in body, (changes, re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body))
        assert "Intet er gemt." in body
        # The page's title is the stored name, not the one typed in.
        assert "<title>Ret oplysninger · Bofællesskaberne Glesborg" in body
    world.glesborg.refresh_from_db()
    assert world.glesborg.name == "Bofællesskaberne Glesborg"
    assert not world.glesborg.methods.exists()  # the valid change next to a bad one is not saved either
    taken = client.post(edit_url(world.glesborg), form_data(world.glesborg, tilbudsportalen_id="43871"))
    assert "Tilbudsportalen-id 43871 er allerede givet til et andet tilbud (Dolmer Have)." in taken.content.decode()
    # Another municipality's facility is not named: only that the number is taken.
    world.kbh_facility.tilbudsportalen_id = "55501"
    world.kbh_facility.save()
    elsewhere = client.post(edit_url(world.glesborg), form_data(world.glesborg, tilbudsportalen_id="55501"))
    assert "Tilbudsportalen-id 55501 er allerede givet til et andet tilbud." in elsewhere.content.decode()
    assert "Københavns Bosted" not in elsewhere.content.decode()
    # Digits of other scripts are no Tilbudsportalen id ("²" and "٣" are digits to Python).
    superscript = client.post(edit_url(world.glesborg), form_data(world.glesborg, tilbudsportalen_id="4²٣"))
    assert "Tilbudsportalen-id består kun af cifre" in superscript.content.decode()
    # Danish letters in another case are the same name too (SQLite's own comparison misses them).
    world.dolmer.name = "Æblehaven"
    world.dolmer.save()
    clash = client.post(edit_url(world.glesborg), form_data(world.glesborg, name="ÆBLEHAVEN"))
    assert "Kommunen har allerede et tilbud, der hedder »Æblehaven«." in clash.content.decode()
    # The same name in another municipality is no clash.
    other = client.post(edit_url(world.glesborg), form_data(world.glesborg, name="Syddjurs Botilbud"))
    assert other.status_code == 302


def test_a_change_made_by_someone_else_meanwhile_is_not_overwritten(world: Any) -> None:
    opened = form_data(world.dolmer)  # the coordinator opens the form ...
    world.dolmer.places = 12  # ... and meanwhile someone else saves another number of places
    world.dolmer.save()
    response = client_for(world.coordinator).post(edit_url(world.dolmer), {**opened, "places": "30"}, follow=True)
    body = response.content.decode()
    assert "Tilbuddet er ændret af en anden, siden du åbnede siden. Intet er gemt." in body
    assert 'name="places" value="12"' in body  # the form shows what is stored now
    world.dolmer.refresh_from_db()
    assert world.dolmer.places == 12
    # A change of the code lists alone counts too.
    opened = form_data(world.dolmer)
    world.dolmer.methods.set(Method.objects.filter(code="krap"))
    client_for(world.coordinator).post(edit_url(world.dolmer), {**opened, "places": "30"})
    world.dolmer.refresh_from_db()
    assert world.dolmer.places == 12


def test_the_tenant_fields_cannot_be_changed_on_the_page(world: Any) -> None:
    """Municipality and operator decide who sees the facility: posting them changes nothing."""
    data = form_data(
        world.dolmer,
        places="9",
        municipality=str(world.syddjurs_facility.municipality_id),
        operator_kind=Facility.OperatorKind.REGION,
        operator_region=str(world.kbh_facility.municipality.region_id),
    )
    assert client_for(world.coordinator).post(edit_url(world.dolmer), data).status_code == 302
    world.dolmer.refresh_from_db()
    assert world.dolmer.places == 9
    assert world.dolmer.municipality.code == "0707"
    assert (world.dolmer.operator_kind, world.dolmer.operator_region_id) == (Facility.OperatorKind.MUNICIPALITY, None)


@pytest.mark.parametrize("persona", ["manager", "finance", "employee_user", "analyst", "grantor_user"])
def test_only_coordinators_and_administrators_may_edit_facts(world: Any, persona: str) -> None:
    user = getattr(world, persona)
    client = client_for(user)
    assert client.get(edit_url(world.dolmer)).status_code == 403
    assert client.post(edit_url(world.dolmer), form_data(world.dolmer, places="99")).status_code == 403
    world.dolmer.refresh_from_db()
    assert world.dolmer.places != 99
    detail = client.get(reverse("organisations:facility_detail", args=[world.dolmer.pk]))
    assert 'id="edit-facility"' not in detail.content.decode()


def test_another_municipalitys_facility_answers_404(world: Any) -> None:
    assert client_for(world.other_coordinator).get(edit_url(world.dolmer)).status_code == 404
    response = client_for(world.other_coordinator).post(edit_url(world.dolmer), form_data(world.dolmer, places="99"))
    assert response.status_code == 404
    assert client_for(world.admin).get(edit_url(world.dolmer)).status_code == 200


def test_the_form_groups_each_code_list_under_its_own_legend(world: Any) -> None:
    body = client_for(world.coordinator).get(edit_url(world.dolmer)).content.decode()
    for legend in ("lovgrundlag", "målgrupper", "metoder"):
        assert re.search(rf"<fieldset[^>]*><legend>{legend}</legend>", body, re.IGNORECASE), legend
    assert "Recovery-orienteret rehabilitering" in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_edits_the_facts_in_a_browser(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    from styrbord.testing.accessibility import violations
    from styrbord.testing.fixtures import follow, login

    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}{reverse('organisations:facility_detail', args=[world.dolmer.pk])}")
    follow(page, "#edit-facility")
    assert violations(page, "facility form") == []
    page.fill("#id_places", "-1")
    page.get_by_label("KRAP").check()
    follow(page, "#facility-form button[type=submit]")
    assert "Intet er gemt." in page.inner_text("main")
    assert violations(page, "facility form with errors") == []
    page.fill("#id_places", "18")
    assert page.get_by_label("KRAP").is_checked()  # what was ticked is kept when the page comes back
    page.get_by_label("Housing First").check()
    follow(page, "#facility-form button[type=submit]")
    assert "Oplysningerne om Dolmer Have er gemt." in page.inner_text("main")
    assert "KRAP" in page.inner_text("section[aria-labelledby=facts-heading]")
    world.dolmer.refresh_from_db()
    assert world.dolmer.places == 18
    assert sorted(world.dolmer.methods.values_list("code", flat=True)) == ["housing-first", "krap"]
