"""In a real browser: a coordinator opens the heat map, a gap list and downloads it as XLSX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from styrbord.lib.dates import local_today
from styrbord.requirements.models import Population, Rule, ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World, follow, login


@pytest.mark.browser
def test_a_coordinator_opens_the_heat_map_a_gap_list_and_downloads_the_xlsx(
    transactional_db: Any, live_server: Any, page: Any, world: World
) -> None:
    today = local_today()
    krap = factories.competence("krap-browser", name="KRAP")
    factories.holding(world.dolmer_staff[0], krap, today - dt.timedelta(days=100))
    requirement(
        [krap],
        scope_level=ScopeLevel.MUNICIPALITY,
        municipality=world.dolmer.municipality,
        rule=Rule.PERCENT_PEOPLE,
        target="75",
        population=Population.CONTACT_PERSONS,
        name="Kontaktpersoner specialiseret",
        deadline=today + dt.timedelta(days=120),
    )
    login(page, live_server.url, "koordinator")
    assert "/konto/login/" not in page.url

    page.goto(f"{live_server.url}/krav/")
    heat = page.locator("#heatmap")
    assert heat.locator("text=Dolmer Have").count() == 1
    assert heat.locator("td[data-status='bad']").count() >= 1

    page.click("#heatmap >> text=Dolmer Have")
    page.wait_for_selector("[data-vega-spec][data-rendered]", timeout=20000)
    assert page.locator(".chart-canvas svg").count() >= 1
    assert page.locator("[data-error]").count() == 0

    follow(page, "text=Mangelliste")
    rows = page.locator("#gap-table tbody tr")
    assert rows.count() == 1
    assert "Dolmer-medarbejder 3" in rows.first.inner_text()
    # The list is sorted by name; clicking the header reverses it, and the export keeps the order.
    page.click("#gap-table thead >> text=Navn")
    page.wait_for_url("**sort=-navn**")
    assert page.locator("#gap-table thead th[aria-sort='descending']").count() == 1
    assert "sort=-navn" in (page.get_attribute("#export-xlsx", "href") or "")

    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Navn"
    assert [(r[0], r[3], r[4]) for r in values[1:]] == [
        ("Dolmer-medarbejder 3", "Kontaktpersoner specialiseret", "Mangler")
    ]


@pytest.mark.browser
def test_the_requirement_form_shows_only_the_fields_the_choices_need(
    transactional_db: Any, live_server: Any, page: Any, world: World
) -> None:
    factories.competence("konflikt-form", name="Konflikthåndtering")
    login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/krav/nyt/")

    def shown() -> set[str]:
        names = ("region", "municipality", "facility", "unit", "effective_from", "months")
        return {n for n in names if page.locator(f"#field-{n}").is_visible()}

    assert shown() == {"municipality"}  # a municipality requirement for all staff, every person
    page.select_option("#id_scope_level", "facility")
    assert shown() == {"facility"}
    page.select_option("#id_population", "new_staff")
    page.select_option("#id_rule", "renew_every")
    assert shown() == {"facility", "effective_from", "months"}
    # Saved without the months: the error shows, and so does its field whatever is chosen.
    page.fill("#id_name", "Fornyelse")
    page.check("#field-competences input[type=checkbox] >> nth=0")
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    page.locator("#field-months [role=alert]").wait_for(state="visible", timeout=10_000)
    page.select_option("#id_rule", "every_person")
    assert page.locator("#field-months").is_visible()


@pytest.mark.browser
def test_an_analyst_follows_a_regional_target_from_the_menu_down_to_one_municipality(
    transactional_db: Any, live_server: Any, page: Any, world: World
) -> None:
    today = local_today()
    krap = factories.competence("krap-region", name="KRAP")
    extra = [factories.employee(name=f"Dolmer-ekstra {i}") for i in range(12)]
    for person in extra:
        factories.employment(person, world.dolmer)
    for person in [world.dolmer_staff[0], *extra[:6]]:
        factories.holding(person, krap, today - dt.timedelta(days=100))
    requirement(
        [krap],
        scope_level=ScopeLevel.REGION,
        region=world.dolmer.municipality.region,
        rule=Rule.PERCENT_PEOPLE,
        target="75",
        name="Regionalt mål: KRAP",
        deadline=today + dt.timedelta(days=365),
    )
    login(page, live_server.url, "analytiker")
    page.click("header >> text=Kompetencedækning")
    page.wait_for_url("**/krav/samlet/**")
    table = page.locator("#aggregate-table")
    # Norddjurs: 15 at Dolmer Have (7 hold KRAP) and 2 at Glesborg; Syddjurs: 2 people, hidden with
    # what of the other row would give it away. The region's total stays: 7 of 19.
    assert table.locator("tbody tr").count() == 2
    assert table.locator("tbody tr", has_text="..").count() == 2
    assert table.locator("tfoot").inner_text().split("\t")[1:3] == ["19", "36,8 %"]
    page.wait_for_selector("[data-vega-spec][data-rendered]", timeout=20000)
    assert page.locator("[data-error]").count() == 0

    page.click("#aggregate-table >> text=Norddjurs")
    page.wait_for_url("**kommune=**")
    assert page.locator("#aggregate-table thead").inner_text().startswith("Tilbud")
    assert page.locator("#aggregate-table tbody tr").count() == 2
    assert "41,2 %" in page.locator("#aggregate-total").inner_text()  # 7 of 17
    assert "Dolmer-medarbejder" not in page.content()
    page.set_viewport_size({"width": 768, "height": 1000})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
