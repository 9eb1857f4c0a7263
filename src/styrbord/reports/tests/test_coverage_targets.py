"""Status on shared competence targets in a region: the analysts' committee item, from aggregates only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from styrbord.accounts.suppression import reference_date
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date
from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.structure import Paragraph
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx
from styrbord.reports.tests.conftest import docx_to_pdf, pdf_text, save_page_images
from styrbord.requirements.models import Population, Rule, ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World


@pytest.fixture
def targets(world: World) -> dict[str, Any]:
    """Region Midtjylland: 75 % of everyone with KRAP. Norddjurs 20 people (15 hold it), Randers 6 (3),
    Syddjurs 2 (1). Norddjurs also has its own target."""
    today = local_today()
    krap = factories.competence("krap-doc", name="KRAP")
    long_ago = today - dt.timedelta(days=400)
    extra = [factories.employee(name=f"Dolmer-ekstra {i}") for i in range(15)]
    for person in extra:
        factories.employment(person, world.dolmer)
    for person in [*world.dolmer_staff, *extra[:11], world.glesborg_staff[0], world.syddjurs_staff[0]]:
        factories.holding(person, krap, long_ago)
    randers = factories.facility("Randers Bosted", "0730")
    for i in range(6):
        person = factories.employee(name=f"Randers-medarbejder {i}")
        factories.employment(person, randers)
        if i < 3:
            factories.holding(person, krap, long_ago)
    region = world.dolmer.municipality.region
    regional = requirement(
        [krap],
        scope_level=ScopeLevel.REGION,
        region=region,
        rule=Rule.PERCENT_PEOPLE,
        target="75",
        population=Population.ALL_STAFF,
        name="75 % med KRAP",
        deadline=today + dt.timedelta(days=365),
        source_reference="Regionens strategi for det specialiserede socialområde",
    )
    own = requirement(
        [krap], scope_level=ScopeLevel.MUNICIPALITY, municipality=world.dolmer.municipality, name="Norddjurs' eget krav"
    )
    return {"region": region, "regional": regional, "own": own, "today": today}


def _item(world: World, targets: dict[str, Any], user: Any, region: Any = None):  # type: ignore[no-untyped-def]
    region = region or targets["region"]
    request = services.make_request("coverage_targets", f"region:{region.code}", str(targets["today"].year), {}, user)
    return services.build_document(request)


def _text(item) -> str:  # type: ignore[no-untyped-def]
    return " ".join(f"{b.lead} {b.text}" for s in item.all_sections() for b in s.blocks if isinstance(b, Paragraph))


def _rows(item, caption_start: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    table = next(t for t in item.tables() if t.caption.startswith(caption_start))
    return {cells[0]: cells[1:] for _, cells in table.formatted_rows()}


def test_the_administrator_reads_every_municipality_against_the_regional_target(
    world: World, targets: dict[str, Any]
) -> None:
    item = _item(world, targets, world.admin)
    assert item.heading == f"Orientering om status på fælles kompetencemål i {targets['region']}"
    assert item.municipality == str(targets["region"])
    rows = _rows(item, "75 % med KRAP: dækning pr. kommune")
    assert rows["Norddjurs"] == ["20", "75,0 %", "Opfyldt"]
    assert rows["Randers"] == ["6", "50,0 %", "Under målet"]
    assert rows["Syddjurs"] == ["2", "50,0 %", "Under målet"]
    assert rows["I alt"] == ["28", "67,9 %", "Tæt på målet"]  # 19 of 28, within 10 points of 75
    text = _text(item)
    assert "opfylder 67,9 pct. af de 28 personer i målgruppen kravet" in text
    assert "1 af de 3 kommuner, der kan vises tal for, har nået målet" in text
    assert "Regionens strategi for det specialiserede socialområde" in text
    assert "Målet er nået for 0 af 1 nationale og regionale mål" in item.summary[0]
    assert "Kommunerne har desuden 1 eget kompetencekrav." in item.summary[0]
    own = _rows(item, "Kommunernes egne kompetencekrav")
    assert own["Norddjurs"] == ["Norddjurs' eget krav", "100 %", "75,0 %", "20"]
    assert len(item.charts()) == 1


def test_an_analyst_gets_small_municipalities_hidden_and_no_names(world: World, targets: dict[str, Any]) -> None:
    item = _item(world, targets, world.analyst)
    rows = _rows(item, "75 % med KRAP: dækning pr. kommune")
    # Syddjurs (2) is hidden, and Randers (6, of whom 3 meet it) so that 28 - 20 - 6 cannot give it
    # away; Norddjurs' share too, or its 5 missing and the region's 9 would tell that 4 people in
    # Syddjurs and Randers together miss it.
    assert rows["Syddjurs"] == ["..", "..", "Skjult"]
    assert rows["Randers"] == ["..", "..", "Skjult"]
    assert rows["Norddjurs"] == ["20", "..", "Skjult"]
    assert rows["I alt"][0] == "28"
    text = _text(item)
    assert "færre end 5 personer er skjult og vist som »..«" in text
    assert "Andelene for de enkelte kommuner kan ikke vises uden at afsløre tal for færre end 5 personer." in text
    everything = text + " ".join(" ".join(c) for t in item.tables() for _, c in t.formatted_rows())
    assert "Randers-medarbejder" not in everything
    assert "Dolmer-ekstra" not in everything
    # A month end's figures, as on /krav/samlet/: the document names that day and the rule.
    month_end = reference_date(targets["today"], suppress=True)
    assert f"pr. {format_date(month_end)}" in text
    assert "Samlede tal opgøres pr. månedens udgang." in text
    assert "Samlede tal opgøres" not in _text(_item(world, targets, world.admin))


def test_only_analysts_and_administrators_of_the_region_may_make_it(world: World, targets: dict[str, Any]) -> None:
    other = world.kbh_facility.municipality.region
    with pytest.raises(ReportError):
        _item(world, targets, world.analyst, region=other)  # another region: as if it did not exist
    for user in (world.coordinator, world.finance, world.manager, world.grantor_user):
        with pytest.raises(ReportError):
            _item(world, targets, user)
    with pytest.raises(ReportError, match="ingen aktive kompetencekrav"):
        _item(world, targets, world.national_analyst, region=other)


def test_the_document_opens_in_libreoffice_with_its_chart_and_the_workbook_reads_back(
    world: World, targets: dict[str, Any], tmp_path: Path, soffice_profile: Path
) -> None:
    import io

    from openpyxl import load_workbook

    item = _item(world, targets, world.analyst)
    pdf = docx_to_pdf(render_docx(item), tmp_path, soffice_profile, "kompetencemaal")
    text = pdf_text(pdf, layout=True)
    assert "Kommune" in text
    assert "Norddjurs" in text
    assert "Figur 1: Dækning over tid: 75 % med KRAP" in text
    assert save_page_images(pdf, "coverage-targets-docx")
    workbook = load_workbook(io.BytesIO(render_xlsx(_item(world, targets, world.analyst))), read_only=True)
    sheet = workbook["75 % med KRAP"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["Syddjurs", "..", "..", "Skjult"] in values


def test_the_file_name_spells_danish_letters_as_danes_do_without_them(world: World, targets: dict[str, Any]) -> None:
    request = services.make_request(
        "coverage_targets", f"region:{targets['region'].code}", str(targets["today"].year), {}, world.admin
    )
    item = services.build_document(request)
    name = services.filename_for(item, "pdf", request)
    assert name.startswith("orientering-om-status-paa-faelles-kompetencemaal-i-region-midtjylland-")
    assert name.endswith(f"-{targets['today'].isoformat()}.pdf")
