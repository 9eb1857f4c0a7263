"""The economic-consequences table of an initiative, as in seed 002 (4,0 mio. kr. and 5,0 FTE a year)."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from styrbord.organisations.models import Region
from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.html import render_pdf
from styrbord.reports.documents.structure import BulletList
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx
from styrbord.reports.tests.conftest import docx_to_pdf, pdf_text, require_tool, save_page_images
from styrbord.testing.fixtures import World
from styrbord.training.models import Initiative, InitiativeYear

SEED_002_NAME = "Uddannelse af sikkerhedsassistenter og forebyggelsesinstruktører"


@pytest.fixture
def initiative(world: World) -> Initiative:
    initiative = Initiative.objects.create(
        name=SEED_002_NAME,
        description="Tre årsværk til undervisere af sikkerhedsassistenter og to årsværk til specialinstruktører.",
        region=Region.objects.get(code="1084"),
        source="Region Hovedstaden, initiativ 2.6",
        financing="Sundhedskassen X\n\n  Den regionale udviklingskasse \nDet sociale område",
    )
    for year in range(2025, 2029):
        InitiativeYear.objects.create(
            initiative=initiative,
            year=year,
            fte=Decimal("5.0"),
            annual_wage_per_fte=Decimal("600000.00"),
            other_operating=Decimal("1000000.00"),
        )
    return initiative


def _item(initiative: Initiative, **options: str):  # type: ignore[no-untyped-def]
    request = services.make_request("initiative_economy", f"initiative:{initiative.pk}", "2025-2028", options)
    return services.build_document(request)


def test_the_table_reads_like_the_budget_proposal(initiative: Initiative) -> None:
    item = _item(initiative)
    assert item.title_label == "Forslag til budgetinitiativ i budget 2025-2028"
    assert item.municipality == "Region Hovedstaden"
    economy, staff = item.economy.tables  # type: ignore[union-attr]
    assert [c.label for c in economy.columns] == ["Økonomi (mio. kr.)", "2025", "2026", "2027", "2028"]
    formatted = [cells for _, cells in economy.formatted_rows()]
    assert formatted == [
        ["Løn (til evt. nye årsværk)", "3,0", "3,0", "3,0", "3,0"],
        ["Øvrig drift", "1,0", "1,0", "1,0", "1,0"],
        ["Udgifter i alt", "4,0", "4,0", "4,0", "4,0"],
    ]
    assert [cells for _, cells in staff.formatted_rows()] == [
        ["Årsværk (hvis der skal ansættes nye)", "5,0", "5,0", "5,0", "5,0"]
    ]
    assert "Initiativet koster 4,0 mio. kr. om året i 2025-2028 og svarer til 5,0 årsværk om året." in item.summary[0]
    (sources,) = [b for b in item.economy.blocks if isinstance(b, BulletList)]  # type: ignore[union-attr]
    assert sources.items == ["Sundhedskassen X", "Den regionale udviklingskasse", "Det sociale område"]


def test_an_initiative_without_financing_sources_has_no_financing_block(initiative: Initiative) -> None:
    initiative.financing = "  \n "
    initiative.save()
    item = _item(initiative)
    assert not [b for b in item.economy.blocks if isinstance(b, BulletList)]  # type: ignore[union-attr]


def test_the_docx_opens_in_libreoffice_with_the_table_rows(
    initiative: Initiative, tmp_path: Path, soffice_profile: Path
) -> None:
    pdf = docx_to_pdf(render_docx(_item(initiative)), tmp_path, soffice_profile, "initiativ")
    text = pdf_text(pdf, layout=True)
    for expected in (
        "Økonomi (mio. kr.) 2025 2026 2027 2028",
        "Løn (til evt. nye årsværk) 3,0 3,0 3,0 3,0",
        "Øvrig drift 1,0 1,0 1,0 1,0",
        "Udgifter i alt 4,0 4,0 4,0 4,0",
        "Årsværk (hvis der skal ansættes nye) 5,0 5,0 5,0 5,0",
        "Finansiering:",
        "Sundhedskassen X",
        "Den regionale udviklingskasse",
        "Det sociale område",
    ):
        assert expected in text, expected
    # The financing sources follow the tables, as in the seed.
    assert text.index("Finansiering:") > text.index("Årsværk (hvis der skal ansættes nye)")
    assert save_page_images(pdf, "initiative-economy-docx")
    html_pdf = tmp_path / "initiativ-html.pdf"
    html_pdf.write_bytes(render_pdf(_item(initiative)))
    assert "Udgifter i alt 4,0 4,0 4,0 4,0" in pdf_text(html_pdf, layout=True)
    save_page_images(html_pdf, "initiative-economy-pdf")


def test_the_appendix_holds_exact_kroner(initiative: Initiative) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(_item(initiative))))
    rows = list(book["Økonomi"].iter_rows(values_only=True))
    assert rows[0] == ("Økonomi (kr.)", "2025 (kr.)", "2026 (kr.)", "2027 (kr.)", "2028 (kr.)")
    assert rows[3] == ("Udgifter i alt", 4000000, 4000000, 4000000, 4000000)


def test_an_initiative_without_years_is_refused_in_danish(world: World) -> None:
    empty = Initiative.objects.create(name="Tomt", municipality=world.dolmer.municipality)
    with pytest.raises(ReportError, match="ingen år"):
        _item(empty)


def test_a_coordinator_sees_regional_initiatives_but_not_another_municipalitys(
    world: World, initiative: Initiative
) -> None:
    other = Initiative.objects.create(name="Syddjurs-initiativ", municipality=world.syddjurs_facility.municipality)
    visible = set(services.scope_queryset(world.coordinator, services.ScopeKind.INITIATIVE))
    assert initiative in visible
    assert other not in visible


# --- whose paper it is, its recommendation, and the two tables' columns ---------------------------------------


def test_a_municipal_coordinator_writes_a_regions_initiative_on_their_own_letterhead(
    world: World, initiative: Initiative, tmp_path: Path
) -> None:
    """The Norddjurs coordinator's paper about Region Hovedstaden's (shared) initiative is Norddjurs'
    paper, and says whose initiative it is; without a user (the command line) it is the owner's."""
    request = services.make_request(
        "initiative_economy", f"initiative:{initiative.pk}", "2025-2028", {}, world.coordinator
    )
    assert request.scope.municipality == world.coordinator.municipality
    item = services.build_document(request)
    assert item.municipality == "Norddjurs Kommune"
    assert item.summary[0].endswith("Initiativet hører under Region Hovedstaden.")
    pdf = tmp_path / "initiativ.pdf"
    pdf.write_bytes(render_pdf(item))
    assert pdf_text(pdf).startswith("Norddjurs Kommune ")
    own = _item(initiative)
    assert own.municipality == "Region Hovedstaden"
    assert "hører under" not in own.summary[0]


def test_the_decision_case_has_its_recommendation_without_a_committee(initiative: Initiative) -> None:
    """A "Beslutningssag" with no "Indstilling" asks nothing of anyone: the recommendation names no
    committee, so it is there whether or not one is typed."""
    item = _item(initiative)
    assert item.case_type == "Beslutningssag"
    assert item.recommendations == [
        "initiativet ”Uddannelse af sikkerhedsassistenter og forebyggelsesinstruktører” med udgifter på "
        "16,000 mio. kr. i 2025-2028 indgår i de videre budgetforhandlinger."
    ]
    document = docx.Document(io.BytesIO(render_docx(item)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Administrationen indstiller, at:" in text


def _right_edges(pdf: Path, word: str) -> list[float]:
    """The right edge (points) of every occurrence of ``word`` in the PDF, from poppler's word boxes."""
    out = subprocess.run(
        [require_tool("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode()
    return [
        float(m[1])
        for m in re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>', out)
        if m[2] == word
    ]


@pytest.mark.parametrize("other_operating", ["1000000.00", "1234567000.00"])
def test_the_economy_and_staff_tables_have_their_years_one_above_the_other(
    initiative: Initiative, tmp_path: Path, soffice_profile: Path, other_operating: str
) -> None:
    """The PDF laid each table out by itself (2025 of Personale stood left of 2025 of Økonomi); both
    renderers now share one layout for the two, also when Økonomi's figures are much longer."""
    initiative.years.update(other_operating=Decimal(other_operating))
    item = _item(initiative)
    pdf = tmp_path / "initiativ.pdf"
    pdf.write_bytes(render_pdf(item))
    for year in ("2025", "2026", "2027", "2028"):
        edges = _right_edges(pdf, year)
        assert len(edges) >= 2, (year, edges)
        assert abs(edges[0] - edges[1]) < 0.5, (year, edges)  # the two header cells, right-aligned
    document = docx.Document(io.BytesIO(render_docx(item)))
    grids = [[col.get(qn("w:w")) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))] for table in document.tables]
    assert len(grids) == 2
    assert grids[0] == grids[1]
    word_pdf = docx_to_pdf(render_docx(item), tmp_path, soffice_profile, "initiativ-word")
    for year in ("2025", "2028"):
        edges = _right_edges(word_pdf, year)
        assert abs(edges[0] - edges[1]) < 0.5, (year, edges)
