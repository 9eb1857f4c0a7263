"""The seed-000 release document: the case's figures and recommendations, in Word, PDF and XLSX."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from styrbord.funding.models import AppropriationLine
from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.html import render_pdf
from styrbord.reports.documents.word import render_docx
from styrbord.reports.documents.workbook import render_xlsx
from styrbord.reports.tests.conftest import SeedCase, docx_to_pdf, pdf_text, save_page_images, squash

RECOMMENDATION_DOLMER = (
    "der gives tillægsbevilling på 0,700 mio. kr. i 2025 til såvel indtægter som udgifter til det eksternt "
    "finansierede projekt ”Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud” til Dolmer Have "
    "under Socialområdet på Voksen- og Plejeudvalgets område. Udgifterne finansieres af tilskuddet, og "
    "bevillingen er dermed samlet set budgetneutral."
)
# The seed's second paragraph word for word (its ”…” quotes around the project name added).
SEED_CASE_TEXT = (
    "Socialpsykiatri og rusmidler har ansøgt og fået tilsagn om midler fra puljen ”Kompetenceudvikling af "
    "medarbejdere på socialpsykiatriske botilbud” under Social- og Boligstyrelsen. Tilskuddet udgør i alt "
    "1,022 mio. kr. i projektperioden, der løber fra 1. januar 2025 til 31. december 2027. Midlerne fordeler "
    "sig med 0,700 mio. kr. til Dolmer Have og 0,322 mio. kr. til Bofællesskaberne Glesborg. Indtægterne fra "
    "de eksterne projektmidler modsvares af tilsvarende udgifter til kompetenceudvikling, og bevillingen er "
    "derfor samlet set budgetneutral."
)
RECOMMENDATION_GLESBORG = RECOMMENDATION_DOLMER.replace("0,700", "0,322").replace(
    "Dolmer Have", "Bofællesskaberne Glesborg"
)


def _item(seed_case: SeedCase):  # type: ignore[no-untyped-def]
    request = services.make_request("pool_release", f"pool:{seed_case.pool.pk}", "2025-2027")
    return services.build_document(request)


def test_it_writes_one_recommendation_per_recipient_exactly_as_the_seed_case(seed_case: SeedCase) -> None:
    item = _item(seed_case)
    assert item.recommendations == [RECOMMENDATION_DOLMER, RECOMMENDATION_GLESBORG]
    assert item.recommender == "Velfærdsdirektøren"
    assert item.case_number == "24/9263"
    assert item.route == "VPU, ØK, KB"
    assert item.legal_basis == "Lov om kommunernes styrelse § 40."
    appropriation = next(t for t in item.tables() if t.caption == "Tillægsbevilling til indtægter og udgifter")
    assert appropriation.note == "Udgifterne finansieres af tilskuddet."  # not "af kassen": it is budget-neutral
    assert item.decision is not None
    assert item.decision.heading == "Beslutning i Voksen- og Plejeudvalget den 18-12-2024"
    assert item.decision.lines == ["Ad. 1 Tiltrådt.", "Ad. 2 Tiltrådt."]


def test_it_states_total_grantor_and_split_in_the_case_text(seed_case: SeedCase) -> None:
    text = " ".join(b.text for b in _item(seed_case).sections[0].blocks if hasattr(b, "text"))
    assert "Socialpsykiatri og rusmidler har ansøgt og fået tilsagn om midler fra puljen" in text
    assert "under Social- og Boligstyrelsen" in text
    assert SEED_CASE_TEXT in text


def test_the_docx_opens_in_libreoffice_with_the_seed_figures(
    seed_case: SeedCase, tmp_path: Path, soffice_profile: Path
) -> None:
    pdf = docx_to_pdf(render_docx(_item(seed_case)), tmp_path, soffice_profile, "frigivelse")
    text = pdf_text(pdf)
    for expected in (
        "Frigivelse af puljer til kompetenceudvikling i socialpsykiatriske botilbud",
        "24/9263 · Åben sag · Beslutningssag",
        "Sagsgang VPU, ØK, KB",
        SEED_CASE_TEXT,
        "Lovgrundlag Lov om kommunernes styrelse § 40.",
        "Velfærdsdirektøren indstiller, at:",
        "1. " + RECOMMENDATION_DOLMER,
        "2. " + RECOMMENDATION_GLESBORG,
        "Beslutning i Voksen- og Plejeudvalget den 18-12-2024 Ad. 1 Tiltrådt. Ad. 2 Tiltrådt.",
        "Norddjurs Kommune",
        "Side 1 af",
    ):
        assert squash(expected) in text, expected
    images = save_page_images(pdf, "pool-release-docx")
    assert images


def test_the_pdf_has_the_same_text_as_the_word_file(seed_case: SeedCase, tmp_path: Path) -> None:
    pdf = tmp_path / "frigivelse.pdf"
    pdf.write_bytes(render_pdf(_item(seed_case)))
    text = pdf_text(pdf)
    assert squash(RECOMMENDATION_DOLMER) in text
    assert squash(RECOMMENDATION_GLESBORG) in text
    assert "Side 1 af" in text
    save_page_images(pdf, "pool-release-pdf")


def test_the_xlsx_appendix_holds_the_split_in_exact_kroner(seed_case: SeedCase) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(_item(seed_case))))
    assert book.sheetnames[0] == "Oplysninger"
    split = book["Fordeling"]
    rows = list(split.iter_rows(values_only=True))
    assert rows[0] == ("Modtager", "Tilsagn (kr.)", "Andel (%)")
    assert rows[1] == ("Dolmer Have", 700000, 68.5)  # 68.4931…, to one decimal as the document shows it
    assert rows[2][:2] == ("Bofællesskaberne Glesborg", 322000)
    assert rows[3][:2] == ("I alt", 1022000)
    economy = list(book["Tillægsbevilling"].iter_rows(values_only=True))
    assert economy[0] == ("Kr.", "2025 (kr.)")  # the document's "Mio. kr." table, in exact kroner here
    assert ("Netto", 0) in [r[:2] for r in economy]


def test_it_refuses_a_budget_neutral_release_that_does_not_balance(seed_case: SeedCase) -> None:
    AppropriationLine.objects.create(
        appropriation=seed_case.appropriation,
        year=2025,
        direction=AppropriationLine.Direction.EXPENDITURE,
        amount=Decimal("1000.00"),
        grant=seed_case.dolmer_grant,
    )
    with pytest.raises(ReportError, match="budgetneutral"):
        _item(seed_case)


def test_a_user_reading_the_site_in_english_still_gets_a_danish_document(
    seed_case: SeedCase, tmp_path: Path, soffice_profile: Path
) -> None:
    with translation.override("en"):
        item = _item(seed_case)
        pdf = tmp_path / "frigivelse-en.pdf"
        pdf.write_bytes(render_pdf(item))
        book = openpyxl.load_workbook(io.BytesIO(render_xlsx(item)))
    assert item.recommendations == [RECOMMENDATION_DOLMER, RECOMMENDATION_GLESBORG]
    text = pdf_text(pdf)
    assert SEED_CASE_TEXT in text
    assert "Beslutning i Voksen- og Plejeudvalget den 18-12-2024" in text
    assert "DKK" not in text
    assert "Total" not in text
    assert [r[0] for r in book["Fordeling"].iter_rows(values_only=True)][-1] == "I alt"


def test_a_user_reading_the_site_in_english_gets_the_reason_in_english(seed_case: SeedCase) -> None:
    seed_case.pool.grants.update(status="rejected")
    with translation.override("en"), pytest.raises(ReportError, match="has no grants to release"):
        _item(seed_case)
    with pytest.raises(ReportError, match="har ingen tilsagn at frigive"):
        _item(seed_case)


def test_a_municipal_budget_pool_is_not_released_as_external_project_money(seed_case: SeedCase, client) -> None:  # type: ignore[no-untyped-def]
    """A budget pool gave 'har fået tilsagn om 0,200 mio. kr. fra Favrskov Kommune' and 'eksterne
    projektmidler'; its page promised the grantor's prior approval and repayment."""
    from styrbord.funding.models import Pool
    from styrbord.reports.doctypes.base import ReportError

    Pool.objects.filter(pk=seed_case.pool.pk).update(kind=Pool.Kind.MUNICIPAL_BUDGET)
    with pytest.raises(ReportError) as caught:
        _item(seed_case)
    assert "er en kommunal budgetpulje" in str(caught.value)
    from styrbord.testing.fixtures import client_for

    page = client_for(_finance()).get(f"/oekonomi/puljer/{seed_case.pool.pk}/")
    text = page.content.decode()
    assert "tilskudsgivers forudgående godkendelse" not in text
    assert "tilbagebetales" not in text


def _finance():  # type: ignore[no-untyped-def]
    from styrbord.accounts.models import Role, User

    return User.objects.filter(role=Role.FINANCE).first() or User.objects.filter(is_superuser=True).first()
