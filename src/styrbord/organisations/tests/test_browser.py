"""In a real browser: a facility manager sees their own facility's staff, and nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from styrbord.lib.dates import local_today

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


def log_in(page: Any, base_url: str, username: str) -> None:
    """Submit the login form (pressing Enter in the password field, not the header's buttons)."""
    page.goto(f"{base_url}/konto/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "test-password-123")
    with page.expect_navigation():
        page.press("#id_password", "Enter")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_facility_manager_sees_only_their_staff_and_other_facilities_answer_404(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    log_in(page, live_server.url, world.manager.username)
    response = page.goto(f"{live_server.url}/tilbud/{world.dolmer.pk}/")
    assert response.status == 200
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Dolmer Have"
    staff_table = page.inner_text("#staff ~ .table-wrap")
    for person in world.dolmer_staff:
        assert person.name in staff_table
    body = page.inner_text("body")
    for person in world.glesborg_staff + world.syddjurs_staff + world.kbh_staff:
        assert person.name not in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "facility_page.png"), full_page=True)

    for other in (world.glesborg, world.syddjurs_facility, world.kbh_facility):
        assert page.goto(f"{live_server.url}/tilbud/{other.pk}/").status == 404

    # The facility list offers only the manager's own facility.
    page.goto(f"{live_server.url}/tilbud/")
    links = page.locator("table a").all_inner_texts()
    assert links == ["Dolmer Have"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_facility_page_switches_to_english_and_fits_a_tablet(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    log_in(page, live_server.url, world.coordinator.username)
    page.set_viewport_size({"width": 768, "height": 1024})  # an iPad in portrait
    page.goto(f"{live_server.url}/tilbud/{world.dolmer.pk}/")
    assert page.get_attribute("html", "lang") == "da"
    # The page itself does not scroll sideways on a tablet; wide tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_navigation():
        page.click("header button[name=language][value=en]")
    assert page.url == f"{live_server.url}/tilbud/{world.dolmer.pk}/"
    assert page.get_attribute("html", "lang") == "en"
    header = page.inner_text("header")
    assert "Log out" in header
    assert "Facilities" in header
    assert page.inner_text("h1") == "Dolmer Have"

    with page.expect_navigation():
        page.click("header button[name=language][value=da]")
    assert page.get_attribute("html", "lang") == "da"
    assert "Log ud" in page.inner_text("header")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_loads_every_resource_it_asks_for(page: Any, live_server: Any, reference_data: None, world: Any) -> None:
    """No 404 behind the scenes (the browser's icon included): the console stays clean."""
    failed: list[tuple[int, str]] = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    log_in(page, live_server.url, world.manager.username)
    page.goto(f"{live_server.url}/tilbud/{world.dolmer.pk}/")
    page.wait_for_load_state("networkidle")
    assert failed == []
    icon = page.get_attribute("link[rel=icon]", "href")
    assert icon is not None
    assert page.request.get(f"{live_server.url}{icon}").status == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_facility_manager_adds_a_period_with_a_higher_minimum_from_the_facility_page(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    log_in(page, live_server.url, world.manager.username)
    page.goto(f"{live_server.url}/tilbud/{world.dolmer.pk}/")
    with page.expect_navigation():
        page.click("#edit-minimum-staffing")
    assert page.inner_text("h1") == "Minimumsbemanding"
    page.fill("#id_minimum_staff", "2")
    page.fill("#id_minimum_staff_weekend", "1")
    # The empty row at the end adds a period; a wrong one is refused with the row named.
    # A period to come, whatever day the suite runs (a period that has ended is not shown).
    first = local_today() + dt.timedelta(days=60)
    last, before = first + dt.timedelta(days=28), first - dt.timedelta(days=9)
    page.fill("#id_perioder-0-start_date", first.isoformat())
    page.fill("#id_perioder-0-end_date", before.isoformat())
    page.fill("#id_perioder-0-minimum", "3")
    page.fill("#id_perioder-0-reason", "Ny beboer med 1:1-støtte")
    with page.expect_navigation():
        page.click("button:has-text('Gem minimumsbemanding')")
    assert "Række 1, til og med: Perioden slutter, før den begynder" in page.inner_text("#staffing-periods")
    page.fill("#id_perioder-0-end_date", last.isoformat())
    with page.expect_navigation():
        page.click("button:has-text('Gem minimumsbemanding')")
    assert page.url.endswith(f"/tilbud/{world.dolmer.pk}/")
    assert "Minimumsbemandingen er gemt." in page.inner_text("body")
    facts = page.inner_text("dl")
    assert "2 medarbejdere på arbejde på hverdage, 1 i weekender og på helligdage" in facts
    assert f"3 fra {first:%d-%m-%Y} til og med {last:%d-%m-%Y} (Ny beboer med 1:1-støtte)" in facts
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "minimum_staffing.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_staff_table_filters_in_the_page_by_every_word_typed(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    requests: list[str] = []
    log_in(page, live_server.url, world.manager.username)
    page.goto(f"{live_server.url}/tilbud/{world.dolmer.pk}/")
    page.on("request", lambda request: requests.append(request.url))
    rows = page.locator("#staff-table tbody tr")
    assert rows.count() == 3
    page.fill("#staff-filter", "DOLMER medarbejder 2")
    visible = [r.inner_text() for r in rows.all() if r.is_visible()]
    assert len(visible) == 1
    assert visible[0].startswith("Dolmer-medarbejder 2")
    assert page.inner_text("#staff-filter-count") == "Viser 1 af 3."
    page.fill("#staff-filter", "")
    assert sum(1 for r in rows.all() if r.is_visible()) == 3
    assert page.inner_text("#staff-filter-count") == ""
    # Filtered in the page: nothing typed leaves the browser (the favicon may load late).
    assert [url for url in requests if "/static/" not in url] == []
