"""A pool with two supplementary appropriations: the release document is about one of them, chosen
by the person (the first, the original release, when nobody chooses), and every figure, the heading
and the recommendations come from that one's lines; read back from the Word file."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import docx
import pytest
from django.urls import reverse
from django.utils import translation

from styrbord.funding.models import Appropriation, AppropriationLine
from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.word import render_docx
from styrbord.reports.tests.conftest import SeedCase
from styrbord.testing.fixtures import World, client_for

D = Decimal
INCOME, EXPENDITURE = AppropriationLine.Direction.INCOME, AppropriationLine.Direction.EXPENDITURE
ORIGINAL_HEADING = "Frigivelse af puljer til kompetenceudvikling i socialpsykiatriske botilbud"
POOL_HEADING = "Frigivelse af puljemidler til kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud"
LATER_TITLE = "Tillægsbevilling til Bofællesskaberne Glesborg 2026-2027"


@pytest.fixture
def later(seed_case: SeedCase) -> Appropriation:
    """Decided after the release: 0,050 mio. kr. more for Glesborg in 2026 against as much income, and
    0,020 mio. kr. in 2027 paid by the municipality (not budget-neutral); Dolmer Have is not in it."""
    appropriation = Appropriation.objects.create(
        municipality=seed_case.appropriation.municipality,
        title=LATER_TITLE,
        kind=Appropriation.Kind.SUPPLEMENTARY,
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2025, 6, 11),
        case_number="25/1234",
        decision="Tiltrådt.",
        budget_neutral=False,
        pool=seed_case.pool,
    )
    for year, direction, amount in (
        (2026, INCOME, "50000"),
        (2026, EXPENDITURE, "50000"),
        (2027, EXPENDITURE, "20000"),
    ):
        AppropriationLine.objects.create(
            appropriation=appropriation,
            year=year,
            direction=direction,
            amount=D(amount),
            grant=seed_case.glesborg_grant,
        )
    return appropriation


def _document(seed_case: SeedCase, chosen: Appropriation | None) -> tuple[Any, Any]:
    options = {"appropriation": str(chosen.pk)} if chosen is not None else {}
    request = services.make_request("pool_release", f"pool:{seed_case.pool.pk}", "2025-2027", options)
    item = services.build_document(request)
    return item, docx.Document(io.BytesIO(render_docx(item)))


def _table(document: Any, first_cell: str) -> list[list[str]]:
    for table in document.tables:
        rows = [[cell.text.replace("\xa0", " ").strip() for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == first_cell:
            return rows
    raise AssertionError(f"no table headed {first_cell!r}")


def _mio(text: str) -> Decimal:
    return D(text.replace(".", "").replace(",", "."))


def _expected(appropriation: Appropriation) -> tuple[dict[str, dict[int, Decimal]], dict[int, Decimal]]:
    """Expenditure per recipient and year, and income per year, straight from the lines (in millions)."""
    spent: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    received: dict[int, Decimal] = defaultdict(Decimal)
    for line in appropriation.lines.select_related("grant__facility"):
        if line.direction == INCOME:
            received[line.year] += line.amount / 1_000_000
        else:
            spent[line.grant.recipient_name][line.year] += line.amount / 1_000_000  # type: ignore[union-attr]
    return spent, received


@pytest.mark.parametrize("choice", ["none", "original", "later"])
def test_table_2_heading_and_recommendations_are_the_chosen_appropriations_own(
    seed_case: SeedCase, later: Appropriation, choice: str
) -> None:
    chosen = {"none": None, "original": seed_case.appropriation, "later": later}[choice]
    about = chosen or seed_case.appropriation  # nobody chose: the original release
    other = later if about == seed_case.appropriation else seed_case.appropriation
    item, document = _document(seed_case, chosen)

    table = _table(document, "Mio. kr.")
    years = [int(y) for y in table[0][1:]]
    spent, received = _expected(about)
    assert years == sorted({y for per_year in spent.values() for y in per_year} | set(received))
    rows = {row[0]: [_mio(cell) for cell in row[1:]] for row in table[2:]}
    assert [row[0] for row in table[2:]] == [*spent, "Udgifter i alt", "Indtægter i alt", "Netto"]
    for recipient, per_year in spent.items():
        assert rows[recipient] == [per_year.get(y, D(0)).quantize(D("0.001")) for y in years]
    total = [sum((p.get(y, D(0)) for p in spent.values()), D(0)) for y in years]
    assert rows["Udgifter i alt"] == [t.quantize(D("0.001")) for t in total]
    assert rows["Indtægter i alt"] == [(-received.get(y, D(0))).quantize(D("0.001")) for y in years]
    assert rows["Netto"] == [
        (t - received.get(y, D(0))).quantize(D("0.001")) for t, y in zip(total, years, strict=True)
    ]
    everything = "\n".join(
        [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    assert "-0,000" not in everything

    heading = ORIGINAL_HEADING if about == seed_case.appropriation else POOL_HEADING
    assert item.heading == heading
    assert document.core_properties.title == heading
    assert heading in everything
    assert other.title not in everything
    assert item.case_number == about.case_number
    assert len(item.recommendations) == len(spent) == len(item.decision.lines)
    for recipient, recommendation in zip(spent, item.recommendations, strict=True):
        assert recipient in recommendation


def test_the_later_appropriation_says_what_it_grants_and_how_it_is_paid(
    seed_case: SeedCase, later: Appropriation
) -> None:
    item, document = _document(seed_case, later)
    assert item.recommendations == [
        "der gives tillægsbevilling på 0,050 mio. kr. i 2026 og 0,020 mio. kr. i 2027 til udgifter samt 0,050 mio. kr. "
        "i 2026 til indtægter til det eksternt finansierede projekt ”Kompetenceudvikling af medarbejdere på "
        "socialpsykiatriske botilbud” til Bofællesskaberne Glesborg under Socialområdet på Voksen- og "
        "Plejeudvalgets område. Nettoudgiften finansieres af kassen."
    ]
    table = _table(document, "Mio. kr.")
    assert table[0] == ["Mio. kr.", "2026", "2027"]
    assert table[-2] == ["Indtægter i alt", "-0,050", "0,000"]  # no income in 2027: 0,000, not -0,000
    assert table[-1] == ["Netto", "0,000", "0,020"]
    split = _table(document, "Modtager")
    assert [row[0] for row in split[1:]] == ["Bofællesskaberne Glesborg", "I alt"]  # Dolmer Have has no line in it
    assert item.summary[0].endswith("Sagen frigiver 0,070 mio. kr. af midlerne som tillægsbevillinger.")
    assert item.decision is not None
    assert item.decision.heading == "Beslutning i Voksen- og Plejeudvalget den 11-06-2025"


def test_an_appropriation_of_another_pool_is_refused(seed_case: SeedCase, later: Appropriation, world: World) -> None:
    from styrbord.funding.tests import helpers

    other_pool = helpers.pool(world.grantor, name="Anden pulje", municipality=seed_case.pool.municipality)
    stranger = Appropriation.objects.create(
        municipality=seed_case.appropriation.municipality,
        title="Anden bevilling",
        decision_body="Økonomiudvalget",
        decision_date=dt.date(2025, 1, 1),
        pool=other_pool,
    )
    with pytest.raises(ReportError) as caught:
        _document(seed_case, stranger)
    message = str(caught.value)
    assert f"Den valgte tillægsbevilling (nr. {stranger.pk}) hører ikke til puljen" in message
    assert f"{LATER_TITLE} (11-06-2025) (nr. {later.pk})" in message
    with translation.override("en"), pytest.raises(ReportError, match=r"\(no. \d+\) does not belong to the pool"):
        _document(seed_case, stranger)


def test_the_reports_page_offers_the_pools_appropriations_and_passes_the_choice_on(
    world: World, seed_case: SeedCase, later: Appropriation
) -> None:
    client = client_for(world.finance)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert f'<option value="{later.pk}">Tillægsbevilling: {LATER_TITLE} (11-06-2025)</option>' in page
    assert f'<option value="{seed_case.appropriation.pk}">' in page
    params = {"document_type": "pool_release", "scope": f"pool:{seed_case.pool.pk}", "period": "2025-2027"}
    preview = client.get(reverse("reports:report_preview"), params | {"appropriation": str(later.pk)})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert POOL_HEADING in html
    assert "Dolmer Have" not in html.split("Tillægsbevilling til indtægter og udgifter")[1]
    assert f'name="appropriation" value="{later.pk}"' in html  # the download keeps the choice
    original = client.get(reverse("reports:report_preview"), params).content.decode()
    assert ORIGINAL_HEADING in original


def test_the_walks_small_appropriation_is_shown_exactly_and_never_as_minus_zero(seed_case: SeedCase) -> None:
    """2026 Indtægt 100,50 and Udgift 100,50 on Dolmer Have: in millions it read "0,000", its income
    "-0,000", beside a Glesborg 0,322 that was not in it at all."""
    small = Appropriation.objects.create(
        municipality=seed_case.appropriation.municipality,
        title="Lille tillæg",
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2026, 1, 14),
        budget_neutral=True,
        pool=seed_case.pool,
    )
    for direction in (INCOME, EXPENDITURE):
        AppropriationLine.objects.create(
            appropriation=small, year=2026, direction=direction, amount=D("100.50"), grant=seed_case.dolmer_grant
        )
    item, document = _document(seed_case, small)
    assert _table(document, "Kr.") == [
        ["Kr.", "2026"],
        ["Udgifter", "Udgifter"],
        ["Dolmer Have", "100,50"],
        ["Udgifter i alt", "100,50"],
        ["Indtægter i alt", "-100,50"],
        ["Netto", "0,00"],
    ]
    assert item.recommendations[0].startswith(
        "der gives tillægsbevilling på 100,50 kr. i 2026 til såvel indtægter som udgifter til det eksternt"
    )
    assert item.recommendations[0].endswith("og bevillingen er dermed samlet set budgetneutral.")
    assert len(item.recommendations) == 1
    assert item.heading == POOL_HEADING
    # Nobody chose: still the original release, whatever was decided since.
    original, _ = _document(seed_case, None)
    assert original.heading == ORIGINAL_HEADING
    assert original.case_number == "24/9263"
