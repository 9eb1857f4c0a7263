"""The competence catalogue over the API: the catalogue page's form, rules and messages."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.competences.models import Competence
from styrbord.testing import factories

pytestmark = pytest.mark.django_db

NEW = {"code": "voldsforebyggelse", "name": "Voldsforebyggelse", "category": "conflict", "validity_months": 24}


def test_a_coordinator_adds_a_competence_by_the_pages_rules(world: Any, api_as: Any) -> None:
    factories.competence("krap", name="KRAP")
    api = api_as(world.coordinator)
    created = api.post("/competences", NEW)
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "voldsforebyggelse"
    refused = {
        "housing_first": "Kode: brug kun a-z",
        "krap": "Koden »krap« bruges allerede af KRAP.",
    }
    for code, message in refused.items():
        response = api.post("/competences", {**NEW, "code": code, "name": f"Andet navn {code}"})
        assert response.status_code == 422, code
        (error,) = response.json()["detail"]
        assert error["loc"] == ["body", "payload", "code"]
        assert message in error["msg"]
    same_name = api.post("/competences", {**NEW, "code": "krap-2", "name": "KRAP (2 dage)"})
    assert same_name.status_code == 422
    assert same_name.json()["detail"][0]["loc"] == ["body", "payload", "name"]
    assert "kan ikke skelnes fra KRAP (krap)" in same_name.json()["detail"][0]["msg"]
    too_long = api.post("/competences", {**NEW, "code": "vold-2", "name": "Vold 2", "validity_months": 601})
    assert "Gyldighed (måneder) skal være mellem 1 og 600." in too_long.json()["detail"][0]["msg"]
    assert Competence.objects.count() == 2


def test_only_an_administrator_changes_a_competence_and_never_its_code(world: Any, api_as: Any) -> None:
    krap = factories.competence("krap", name="KRAP", validity_months=36)
    version = api_as(world.admin).get(f"/competences/{krap.pk}").json()["version"]
    assert (
        api_as(world.coordinator).patch(f"/competences/{krap.pk}", {"version": version, "name": "K"}).status_code == 403
    )
    changed = api_as(world.admin).patch(f"/competences/{krap.pk}", {"version": version, "validity_months": None})
    assert changed.status_code == 200, changed.content
    krap.refresh_from_db()
    assert (krap.code, krap.name, krap.validity_months) == ("krap", "KRAP", None)
