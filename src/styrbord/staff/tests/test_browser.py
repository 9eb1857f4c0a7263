"""In a real browser: a coordinator finds a person by name and opens their profile."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.testing.fixtures import World, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_finds_a_person_and_opens_the_profile_without_the_name_in_any_url(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/tilbud/")
    with page.expect_navigation():
        page.click("#find-employee")
    page.fill("#id_navn", "glesborg 2")
    with page.expect_navigation():
        page.click("#employee-search button[type=submit]")
    assert page.inner_text("#search-count") == "1 person fundet."
    assert page.locator("#search-results tbody tr").count() == 1
    with page.expect_navigation():
        page.click("#search-results >> text=Glesborg-medarbejder 2")
    assert page.locator("h1").inner_text() == "Glesborg-medarbejder 2"
    assert page.url.endswith(f"/medarbejdere/{world.glesborg_staff[1].pk}/")
    assert not [url for url in visited if "glesborg" in url.lower() or "navn=" in url]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_registers_a_certificate_from_elsewhere_and_coverage_counts_it(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    from styrbord.competences.models import CompetenceHolding
    from styrbord.testing import factories

    factories.competence(name="Low Arousal", validity_months=36)
    person = world.dolmer_staff[2]
    login(page, live_server.url, world.manager.username)
    page.goto(f"{live_server.url}/tilbud/{world.dolmer.pk}/")
    with page.expect_navigation():
        page.click(f"text={person.name}")
    with page.expect_navigation():
        page.click("#register-holding")
    page.select_option("#id_competence", label="Low Arousal (gyldig 36 mdr.)")
    page.fill("#id_acquired_on", "2025-06-01")
    page.fill("#id_evidence", "Kursusbevis fra Randers Kommune")
    with page.expect_navigation():
        page.click("#holding-form button[type=submit]")
    assert "Low Arousal er registreret." in page.inner_text("body")
    row = page.locator("#holdings-table tbody tr", has_text="Low Arousal")
    assert "01-06-2028" in row.inner_text()
    assert "Manuel registrering" in row.inner_text()
    assert CompetenceHolding.objects.filter(employee=person, competence__name="Low Arousal").count() == 1
