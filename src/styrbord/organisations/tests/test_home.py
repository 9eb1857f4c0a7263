"""The landing page lists what the role may open, with a line on what each page is for."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_a_coordinator_is_offered_the_facilities_and_the_municipality_overview(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    response = client.get("/")
    assert response.status_code == 200
    urls = [e["url"] for e in response.context["entries"]]
    assert "/tilbud/" in urls
    facilities = next(e for e in response.context["entries"] if e["url"] == "/tilbud/")
    assert "årsværk" in facilities["description"]
    assert response.context["municipality_overview"] == "/tilbud/kommune/"
    assert "Norddjurs Kommune" in response.content.decode()


def test_a_facility_manager_gets_no_municipality_overview(world: Any) -> None:
    client = Client()
    client.force_login(world.manager)
    response = client.get("/")
    assert response.context["municipality_overview"] is None
    assert "Dolmer Have" in response.content.decode()


def test_the_landing_page_needs_a_login(db: Any) -> None:
    assert Client().get("/").status_code == 302
