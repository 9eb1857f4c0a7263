"""Coordinators and administrators create and edit the competence catalogue on its own pages:
the code is given once, no two competences may be mixed up by the certificate import, Danish
messages, the audit log and who may do it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from styrbord.audit.actions import action_label
from styrbord.audit.models import AuditEntry
from styrbord.competences.forms import CompetenceForm
from styrbord.competences.models import Competence
from styrbord.testing import factories
from styrbord.testing.accessibility import violations
from styrbord.testing.fixtures import World, client_for, follow, login

pytestmark = pytest.mark.django_db

CREATE = reverse("competences:competence_create")
LIST = reverse("competences:competence_list")


def _data(**fields: Any) -> dict[str, Any]:
    data = {
        "code": "voldsforebyggelse",
        "name": "Voldsforebyggelse",
        "category": Competence.Category.CONFLICT,
        "description": "Forebyggelse af vold og trusler i botilbud.",
        "validity_months": "24",
        "refresher_rule": "Opfølgning hvert andet år.",
    }
    data.update(fields)
    return data


def _edit_url(competence: Competence) -> str:
    return reverse("competences:competence_edit", args=[competence.pk])


def _krap() -> Competence:
    return factories.competence("krap", name="KRAP", validity_months=36)


# ---- creating ------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_competence_from_the_catalogue(world: World) -> None:
    client = client_for(world.coordinator)
    listing = client.get(LIST).content.decode()
    assert f'href="{CREATE}"' in listing
    page = client.get(CREATE).content.decode()
    assert "Ny kompetence" in page
    assert "Gyldighed (måneder)" in page

    response = client.post(CREATE, _data())

    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == LIST
    competence = Competence.objects.get()
    assert (competence.code, competence.name, competence.category, competence.validity_months) == (
        "voldsforebyggelse",
        "Voldsforebyggelse",
        Competence.Category.CONFLICT,
        24,
    )
    assert competence.refresher_rule == "Opfølgning hvert andet år."
    entry = AuditEntry.objects.get(action="competences.competence.created")
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "competences.competence",
        str(competence.pk),
        world.coordinator.pk,
    )
    assert entry.before is None
    assert entry.after["code"] == "voldsforebyggelse"
    assert entry.after["validity_months"] == 24
    assert "name" in entry.data["fields"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Kompetencen Voldsforebyggelse er gemt."]
    listing = client.get(LIST).content.decode()
    assert "Voldsforebyggelse" in listing
    assert _edit_url(competence) not in listing  # the shared catalogue is changed by an administrator
    assert _edit_url(competence) in client_for(world.admin).get(LIST).content.decode()


def test_a_blank_validity_means_the_competence_never_expires(world: World) -> None:
    response = client_for(world.coordinator).post(CREATE, _data(validity_months=""))
    assert response.status_code == 302
    assert Competence.objects.get().validity_months is None
    assert "Udløber ikke" in client_for(world.coordinator).get(LIST).content.decode()


def test_the_code_is_stored_in_small_letters(world: World) -> None:
    assert client_for(world.coordinator).post(CREATE, _data(code="Vold-2025")).status_code == 302
    assert Competence.objects.get().code == "vold-2025"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": ""}, "code", "Kode skal udfyldes."),
        ({"code": "vold og trusler"}, "code", "Kode: brug kun a-z (ikke æ, ø, å), tal og enkelte bindestreger"),
        ({"code": "housing_first"}, "code", "Kode: brug kun a-z"),
        ({"code": "-"}, "code", "Kode: brug kun a-z"),
        ({"code": "1"}, "code", "mindst ét bogstav"),
        ({"code": "vold--trusler"}, "code", "Kode: brug kun a-z"),
        ({"code": "-vold"}, "code", "Kode: brug kun a-z"),
        ({"name": ""}, "name", "Navn skal udfyldes."),
        ({"category": ""}, "category", "Kategori skal udfyldes."),
        ({"validity_months": "0"}, "validity_months", "Gyldighed (måneder) skal være mellem 1 og 600."),
        ({"validity_months": "601"}, "validity_months", "Gyldighed (måneder) skal være mellem 1 og 600."),
        ({"validity_months": "-3"}, "validity_months", "Gyldighed (måneder) skal være mellem 1 og 600."),
        ({"validity_months": "to år"}, "validity_months", "Gyldighed (måneder): skriv et helt antal måneder."),
    ],
)
def test_bad_input_gets_a_danish_message_naming_the_field(
    db: None, fields: dict[str, str], field: str, message: str
) -> None:
    form = CompetenceForm(_data(**fields))
    assert not form.is_valid()
    assert [e for e in form.errors[field] if message in e], form.errors
    assert len(form.errors[field]) == 1, form.errors  # one message, not Django's own as well
    assert any(message in line for line in form.error_summary())


def test_a_page_with_bad_input_lists_the_errors_and_saves_nothing(world: World) -> None:
    page = client_for(world.coordinator).post(CREATE, _data(name="", validity_months="0")).content.decode()
    summary = page.split('id="form-errors"')[1].split("</div>")[0]
    assert "Kompetencen er ikke gemt." in summary
    assert "Navn skal udfyldes." in summary
    assert "Gyldighed (måneder) skal være mellem 1 og 600." in summary
    assert not Competence.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="competences.competence").exists()


def test_a_taken_code_names_the_competence_that_has_it(world: World) -> None:
    _krap()
    client = client_for(world.coordinator)
    for code in ("krap", "KRAP"):
        response = client.post(CREATE, _data(code=code, name="KRAP-opfølgning"))
        assert response.status_code == 200
        assert "Koden »krap« bruges allerede af KRAP." in response.content.decode()
    assert Competence.objects.count() == 1


def test_a_second_competence_with_the_same_name_in_other_case_is_refused(world: World) -> None:
    _krap()
    client = client_for(world.coordinator)
    for name in ("KRAP", "krap", " Krap "):
        response = client.post(CREATE, _data(code="krap-2", name=name))
        assert response.status_code == 200, name
        assert "Navnet »" in response.content.decode()
        assert "« bruges allerede af KRAP." in response.content.decode()
    assert Competence.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        # The import reads "KRAP (2 dage)" as KRAP: the two could not be told apart.
        ({"name": "KRAP (2 dage)"}, "name", "Navnet »KRAP (2 dage)« kan ikke skelnes fra KRAP (krap)"),
        ({"name": "Low  Arousal [intern]"}, "name", "kan ikke skelnes fra Low Arousal (low-arousal)"),
        # A row naming the other's code would match both.
        ({"name": "Low-Arousal"}, "name", "kan ikke skelnes fra Low Arousal (low-arousal)"),
        ({"code": "low arousal"}, "code", "Kode: brug kun a-z"),
    ],
)
def test_a_competence_the_import_could_not_tell_from_another_is_refused(
    world: World, fields: dict[str, str], field: str, message: str
) -> None:
    _krap()
    factories.competence("low-arousal", name="Low Arousal")
    form = CompetenceForm(_data(**fields))
    assert not form.is_valid()
    assert any(message in e for e in form.errors[field]), form.errors


def test_a_code_that_is_another_competences_name_is_refused(world: World) -> None:
    factories.competence("recovery-grund", name="Recovery")
    form = CompetenceForm(_data(code="recovery", name="Recovery-orienteret praksis"))
    assert not form.is_valid()
    assert form.errors["code"] == [
        "Koden »recovery« er navnet på Recovery, så importen af kompetencebeviser kunne ikke skelne dem."
    ]


def test_the_messages_in_english(world: World) -> None:
    _krap()
    with translation.override("en"):
        form = CompetenceForm(_data(code="krap", name="krap", validity_months="0"))
        assert not form.is_valid()
        assert form.errors["code"] == ["The code “krap” is already used by KRAP."]
        assert form.errors["name"] == ["The name “krap” is already used by KRAP."]
        assert form.errors["validity_months"] == ["Validity (months) must be between 1 and 600."]
        assert action_label("competences.competence.created") == "Competence created in the catalogue"


# ---- editing -------------------------------------------------------------------------------------


def test_editing_a_competence_is_audited_with_before_and_after(world: World) -> None:
    krap = _krap()
    client = client_for(world.admin)
    assert client.get(_edit_url(krap)).status_code == 200
    response = client.post(
        _edit_url(krap),
        _data(code="krap", name="KRAP – Kognitiv, Ressourcefokuseret og Anerkendende Pædagogik", validity_months=""),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == LIST
    krap.refresh_from_db()
    assert krap.name == "KRAP – Kognitiv, Ressourcefokuseret og Anerkendende Pædagogik"
    assert krap.validity_months is None
    entry = AuditEntry.objects.get(action="competences.competence.updated")
    assert entry.object_id == str(krap.pk)
    assert (entry.before["name"], entry.after["name"]) == ("KRAP", krap.name)
    assert (entry.before["validity_months"], entry.after["validity_months"]) == (36, None)
    assert entry.data["fields"] == ["description", "name", "refresher_rule", "validity_months"]


def test_the_code_cannot_be_changed_on_edit(world: World) -> None:
    krap = _krap()
    client = client_for(world.admin)
    page = client.get(_edit_url(krap)).content.decode()
    assert 'name="code" value="krap"' in page
    assert "disabled" in page.split('name="code"')[1].split(">")[0]
    assert "Koden kan ikke ændres" in page
    response = client.post(_edit_url(krap), _data(code="noget-andet", name="KRAP"))
    assert response.status_code == 302
    krap.refresh_from_db()
    assert krap.code == "krap"
    assert not Competence.objects.filter(code="noget-andet").exists()
    assert "code" not in AuditEntry.objects.get(action="competences.competence.updated").data["fields"]


def test_an_edit_may_keep_its_own_name_and_may_not_take_anothers(world: World) -> None:
    krap = _krap()
    factories.competence("low-arousal", name="Low Arousal")
    client = client_for(world.admin)
    assert client.post(_edit_url(krap), _data(name="krap")).status_code == 302  # its own name in other case
    taken = client.post(_edit_url(krap), _data(name="LOW AROUSAL"))
    assert "Navnet »LOW AROUSAL« bruges allerede af Low Arousal." in taken.content.decode()
    assert "› krap</nav>" in taken.content.decode()  # the name as saved, not the refused one
    krap.refresh_from_db()
    assert krap.name == "krap"


def test_changing_the_validity_says_that_registered_certificates_keep_their_expiry(world: World) -> None:
    krap = _krap()
    acquired = dt.date(2024, 3, 1)
    expires = krap.expiry_for(acquired)
    holding = factories.holding(world.dolmer_staff[0], krap, acquired, expires)
    client = client_for(world.admin)
    assert "beholder deres udløbsdato" in client.get(_edit_url(krap)).content.decode()  # the help text

    response = client.post(_edit_url(krap), _data(code="krap", name="KRAP", validity_months="12"), follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "Kompetencen KRAP er gemt."
    assert shown[1].startswith("Kompetencebeviser, der allerede er registreret, beholder deres udløbsdato.")
    holding.refresh_from_db()
    assert holding.expires_on == expires  # 36 months, as when it was registered
    krap.refresh_from_db()
    assert krap.expiry_for(acquired) != expires  # a certificate registered now would get 12 months
    # Without a change of validity, nothing to say.
    response = client.post(
        _edit_url(krap), _data(code="krap", name="KRAP", validity_months="12", description="x"), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Kompetencen KRAP er gemt."]


# ---- who may -------------------------------------------------------------------------------------


def test_roles_that_may_not_change_the_catalogue_get_403_and_see_no_links(world: World) -> None:
    krap = _krap()
    urls = [CREATE, _edit_url(krap)]
    for user in (world.finance, world.manager, world.employee_user, world.analyst, world.grantor_user):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
            assert client.post(url, _data(code="ny", name="Ny")).status_code == 403, (user.username, url)
    for user in (world.manager, world.employee_user):  # they read the catalogue
        listing = client_for(user).get(LIST).content.decode()
        assert "KRAP" in listing
        assert CREATE not in listing
        assert _edit_url(krap) not in listing
    assert Client().get(CREATE).status_code == 302  # to the login page
    krap.refresh_from_db()
    assert (Competence.objects.count(), krap.name) == (1, "KRAP")
    assert not AuditEntry.objects.filter(action__startswith="competences.competence").exists()


def test_the_catalogue_is_shared_so_coordinators_add_to_it_and_only_the_admin_changes_it(world: World) -> None:
    """Competences belong to no municipality: any coordinator may add one, but a change of name or
    validity would change every municipality's catalogue, so only an administrator edits; an unknown
    one is a 404."""
    krap = _krap()
    for user in (world.coordinator, world.other_coordinator, world.admin):
        client = client_for(user)
        assert client.get(CREATE).status_code == 200
        assert f'href="{CREATE}"' in client.get(LIST).content.decode()
    for user in (world.coordinator, world.other_coordinator):
        client = client_for(user)
        assert client.get(_edit_url(krap)).status_code == 403
        assert client.post(_edit_url(krap), _data(code="krap", name="KRAP 2.0")).status_code == 403
        assert _edit_url(krap) not in client.get(LIST).content.decode()
    krap.refresh_from_db()
    assert krap.name == "KRAP"
    assert client_for(world.admin).get(_edit_url(krap)).status_code == 200
    missing = reverse("competences:competence_edit", args=[krap.pk + 1000])
    assert client_for(world.admin).get(missing).status_code == 404


# ---- in a browser --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_adds_a_competence_in_the_browser(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    _krap()
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}{LIST}")
    follow(page, "#new-competence")
    assert violations(page, "new competence") == []

    page.fill("#id_code", "krap")
    page.fill("#id_name", "Voldsforebyggelse")
    page.select_option("#id_category", Competence.Category.CONFLICT)
    page.fill("#id_validity_months", "24")
    follow(page, "#competence-form button[type=submit]")
    assert "Koden »krap« bruges allerede af KRAP." in page.inner_text("#form-errors")
    assert violations(page, "new competence with errors") == []

    page.fill("#id_code", "voldsforebyggelse")
    follow(page, "#competence-form button[type=submit]")
    assert "Kompetencen Voldsforebyggelse er gemt." in page.inner_text("main")
    assert "Voldsforebyggelse" in page.inner_text("main table")
    assert Competence.objects.get(code="voldsforebyggelse").validity_months == 24
    # The catalogue filters in the page by every word typed (to check whether a competence exists).
    rows = page.locator("#competence-table tbody tr")
    assert rows.count() == 2
    page.fill("#competence-filter", "konflikt VOLD")
    assert [r.inner_text().split()[0] for r in rows.all() if r.is_visible()] == ["Voldsforebyggelse"]
    assert page.inner_text("#competence-filter-count") == "Viser 1 af 2."
    assert violations(page, "catalogue filtered") == []
