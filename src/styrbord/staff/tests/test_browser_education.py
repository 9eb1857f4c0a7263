"""In a real browser: a coordinator corrects a person's education on the profile, then marks an
education relevant for the whole municipality on "Uddannelser" (WCAG checked on both)."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.audit.models import AuditEntry
from styrbord.staff.models import Employee
from styrbord.testing.accessibility import violations
from styrbord.testing.fixtures import World, follow, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_sets_an_education_and_marks_it_relevant_for_the_municipality(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    Employee.objects.filter(pk__in=[p.pk for p in world.dolmer_staff]).update(education="Pædagog")
    Employee.objects.filter(pk__in=[p.pk for p in world.syddjurs_staff]).update(education="Pædagog")
    person = world.glesborg_staff[0]
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/medarbejdere/{person.pk}/")

    # The form waits behind "Ret uddannelse"; a CPR number typed in is refused with a message.
    assert not page.locator("#id_education").is_visible()
    page.click("#education-edit summary")
    page.fill("#id_education", "Pædagog 010190-1234")
    follow(page, "#education-form button[type=submit]")
    assert page.locator("#id_education").is_visible()  # still open, at the message
    assert "Feltet må ikke indeholde et CPR-nummer." in page.inner_text("#education-form")
    assert violations(page, "profile with the education form's errors") == []

    page.fill("#id_education", "Pædagog")
    follow(page, "#education-form button[type=submit]")
    assert "Uddannelsen er gemt." in page.inner_text(".messages")
    assert "Pædagog (ikke relevant)" in page.inner_text("#master-data")

    # From the profile to every education of the municipality: four pedagogues there, none relevant.
    follow(page, "#education-list-link")
    assert page.locator("h1").inner_text() == "Uddannelser"
    assert "Relevant uddannelse" in page.inner_text("#import-note")
    row = page.locator("#education-table tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "Pædagog"
    assert row.locator("td").nth(1).inner_text() == "4"
    assert violations(page, "Uddannelser") == []
    row.locator("select").select_option(label="Ja")
    follow(page, "#education-form button[type=submit]")

    assert "Relevant uddannelse er ændret for 4 personer." in page.inner_text(".messages")
    assert page.inner_text("#relevant-count") == "4"
    norddjurs = {*(p.pk for p in world.dolmer_staff), person.pk}
    assert set(Employee.objects.filter(education_relevant=True).values_list("pk", flat=True)) == norddjurs
    logged = AuditEntry.objects.filter(action="staff.employee.updated")
    assert sorted(logged.values_list("subject_employee_id", flat=True)) == sorted([person.pk, *norddjurs])
