"""In a real browser: a coordinator imports the certificates of a spreadsheet from the catalogue page;
the upload page, the error report and the preview meet WCAG 2.1 AA (axe-core)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from styrbord.competences.models import CompetenceHolding
from styrbord.testing import factories
from styrbord.testing.accessibility import violations
from styrbord.testing.fixtures import World, follow, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_imports_a_list_of_certificates_from_the_catalogue(
    page: Any, live_server: Any, reference_data: None, world: World, tmp_path: Path
) -> None:
    factories.competence("low-arousal", validity_months=36, name="Low Arousal")
    person = world.glesborg_staff[0]
    person.person_key = "0707:2001"
    person.save()
    bad = tmp_path / "beviser.csv"
    bad.write_bytes("Medarbejdernr;Kompetence;Opnået\r\n2001;Low Arousal;31-02-2024\r\n".encode("cp1252"))
    good = tmp_path / "beviser-rettet.csv"
    good.write_bytes("Medarbejdernr;Kompetence;Opnået\r\n2001;Low Arousal;28-02-2024\r\n".encode("cp1252"))
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/kompetencer/")
    follow(page, "#import-holdings")
    assert "Kompetence, Opnået" in page.inner_text("#import-columns")
    assert violations(page, "certificate upload") == []

    page.set_input_files("#id_file", str(bad))
    follow(page, "#upload-form button[type=submit]")
    assert "Filen blev afvist: 1 fejl." in page.inner_text("#import-errors")
    assert "31-02-2024" in page.inner_text("table[aria-label=Fejl]")
    assert violations(page, "certificate error report") == []

    page.set_input_files("#id_file", str(good))
    follow(page, "#upload-form button[type=submit]")
    assert page.locator("#preview-rows tbody tr").count() == 1
    assert person.name in page.inner_text("#preview-rows")
    assert violations(page, "certificate preview") == []
    follow(page, "#apply-form button")

    assert "1 kompetencebevis tilføjet" in page.inner_text("body")
    assert page.locator("#import-history tbody tr").count() == 1
    assert CompetenceHolding.objects.get().employee_id == person.pk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_tells_what_a_lists_own_name_means_and_imports_it(
    page: Any, live_server: Any, reference_data: None, world: World, tmp_path: Path
) -> None:
    """The list calls KRAP by the course provider's name: the check page asks, the choice is saved
    for the municipality, the file is checked again and imported; the saved name is listed."""
    krap = factories.competence("krap", name="KRAP")
    person = world.glesborg_staff[0]
    person.person_key = "0707:2001"
    person.save()
    listed = tmp_path / "beviser.csv"
    listed.write_bytes(
        "Medarbejdernr;Kompetence;Opnået\r\n2001;KRAP-grundkursus v/ Kursushuset;28-02-2024\r\n".encode("cp1252")
    )
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/kompetencer/import/")
    page.set_input_files("#id_file", str(listed))
    follow(page, "#upload-form button[type=submit]")

    assert "KRAP-grundkursus v/ Kursushuset" in page.inner_text("#unknown-names")
    assert violations(page, "certificate names form") == []
    page.locator("#names-form select").select_option(str(krap.pk))
    follow(page, "#names-form button[type=submit]")

    assert "1 navn er gemt" in page.inner_text("body")
    assert page.locator("#unknown-names").count() == 0
    assert page.locator("#preview-rows tbody tr").count() == 1
    follow(page, "#apply-form button")
    assert CompetenceHolding.objects.get().competence_id == krap.pk
    assert "KRAP-grundkursus v/ Kursushuset" in page.inner_text("#saved-names-table")
    assert violations(page, "certificate upload with saved names") == []
