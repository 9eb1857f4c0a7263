"""The log's "Handling" filter finds a change by the fields it changed, not only by its action.

A walk looked for education changes with "uddannelse" and found nothing: they are logged as
"Medarbejderens oplysninger ændret" (``staff.employee.updated``), naming the fields in the details.
The filter now also finds the entries that changed a field whose name (Danish, English or the code
name) holds the text, for any model, in each way the trail records a field change.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from styrbord.audit import search
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action

pytestmark = pytest.mark.django_db


def _found(client: Any, text: str, language: str = "da") -> list[int]:
    """The ids of the entries the log lists for the filter ``text``."""
    client.cookies["django_language"] = language
    response = client.get("/audit/", {"action": text})
    assert response.status_code == 200
    return sorted(entry.pk for entry in response.context["page"])


@pytest.fixture
def entries(world: Any) -> dict[str, int]:
    person, other = world.dolmer_staff[0], world.dolmer_staff[1]
    changed = AuditEntry.Kind.CHANGE
    log_access(world.coordinator, "staff.employee.updated", [person.pk], {"fields": ["education"]}, kind=changed)
    log_access(
        world.manager,
        "staff.employee.updated",
        [other.pk],
        {"fields": ["education_relevant"], "education_relevant": True},
        kind=changed,
    )
    log_access(world.coordinator, "staff.employee.updated", [other.pk], {"fields": ["email"]}, kind=changed)
    log_access(world.coordinator, "staff.employee.viewed", [person.pk, other.pk])
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"fields": ["places"]})
    found = {e.action + ":" + ",".join(e.data.get("fields", [])): e.pk for e in AuditEntry.objects.all()}
    return {
        "education": found["staff.employee.updated:education"],
        "relevant": found["staff.employee.updated:education_relevant"],
        "email": found["staff.employee.updated:email"],
        "places": found["organisations.facility.updated:places"],
    }


def test_uddannelse_finds_the_education_changes_and_nothing_else(world, client, entries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    education = sorted([entries["education"], entries["relevant"]])
    assert _found(client, "uddannelse") == education
    assert _found(client, "Uddannelse") == education  # any case
    assert _found(client, "education", "en") == education  # the English name, on the English page
    assert _found(client, "education", "da") == education  # and in Danish, which also calls it that
    assert _found(client, "relevant uddannelse") == [entries["relevant"]]
    assert _found(client, "e-mail") == [entries["email"]]


def test_every_field_is_found_by_its_names_not_only_education(world, client, entries) -> None:  # type: ignore[no-untyped-def]
    """A facility's field, by its Danish and English name: the names come from the models."""
    client.force_login(world.admin)
    facility_places = world.dolmer._meta.get_field("places")
    assert _found(client, str(facility_places.verbose_name)) == [entries["places"]]
    assert _found(client, "places") == [entries["places"]]


def test_the_action_filter_still_finds_by_action(world, client, entries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    assert len(_found(client, "oplysninger ændret")) == 3  # the readable name
    assert len(_found(client, "employee.viewed")) == 2  # part of the id


def test_a_change_in_the_admin_is_found_by_the_field_whose_value_differs(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.dolmer_staff[0]
    before = {"education": "Pædagog", "email": "a@example.org", "birth_year": None}
    education = log_action(
        person,
        "staff.employee.updated",
        world.admin,
        {"via": "admin"},
        before=before,
        after={**before, "education": "Sygeplejerske"},
    )
    log_action(
        person,
        "staff.employee.updated",
        world.admin,
        {"via": "admin"},
        before=before,
        after={**before, "email": "b@example.org"},
    )
    # Created with no education: a null is no value, before as after (SQLite reads it as 'null').
    log_action(person, "staff.employee.created", world.admin, {"via": "admin"}, after={"education": None})
    client.force_login(world.admin)
    assert _found(client, "uddannelse") == [education.pk]


def test_a_personal_field_the_admin_hides_and_a_field_cleared_are_found(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.dolmer_staff[0]
    hidden = {"name": "«skjult»"}
    named = log_action(
        person,
        "staff.employee.updated",
        world.admin,
        {"via": "admin", "changed_personal_fields": ["name"]},
        before=hidden,
        after=hidden,
    )
    cleared = log_action(
        person,
        "staff.employee.anonymised",
        world.admin,
        {"reason": "anmodning", "cleared_fields": ["staff.employee.education"]},
    )
    client.force_login(world.admin)
    assert _found(client, "navn") == [named.pk]
    assert _found(client, "uddannelse") == [cleared.pk]


def test_a_view_naming_a_field_changed_nothing(world, client) -> None:  # type: ignore[no-untyped-def]
    """Only change entries change fields: a view (the bulk of the log) is passed over."""
    log_access(world.coordinator, "staff.employee.viewed", [world.dolmer_staff[0].pk], {"fields": ["education"]})
    client.force_login(world.admin)
    assert _found(client, "uddannelse") == []


def test_a_field_named_by_another_model_is_not_found_on_this_one(world, client) -> None:  # type: ignore[no-untyped-def]
    """ "fields": ["education"] on a facility's entry is not an employee's education."""
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"fields": ["education"]})
    client.force_login(world.admin)
    assert _found(client, "uddannelse") == []


def test_short_text_finds_by_action_only() -> None:
    assert search.fields_named("ud") == []
    assert search.changed_field_q("ud") is None
    named = {(f.label, f.name) for f in search.fields_named("uddannelse")}
    assert {("staff.employee", "education"), ("staff.employee", "education_relevant")} <= named


def test_the_page_says_the_filter_finds_fields(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    html = client.get("/audit/").content.decode()
    assert re.search(r"changed field", html)


def test_the_pages_are_numbered_above_and_below_the_log_in_either_language(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A walk found no page numbers (they were only at the foot of a hundred rows): "Side N af M"
    stands above the log too when there is more than one page."""
    from styrbord.audit import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for field in ("places", "name", "phone", "email", "address"):
        log_action(world.dolmer, "organisations.facility.updated", world.admin, {"fields": [field]})
    client.force_login(world.admin)
    danish = client.get("/audit/", {"side": 2}).content.decode()
    assert danish.count("<span>Side 2 af 3</span>") == 2
    client.cookies["django_language"] = "en"
    assert client.get("/audit/", {"side": 3}).content.decode().count("<span>Page 3 of 3</span>") == 2
    monkeypatch.setattr(views, "PAGE_SIZE", 100)
    assert client.get("/audit/").content.decode().count("<span>Page 1 of 1</span>") == 1  # one page: at the foot only
