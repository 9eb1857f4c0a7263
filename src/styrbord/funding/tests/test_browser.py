"""In a real browser: a finance officer opens the pools, a grant's ledger with its burn-down chart,
and reverses an entry."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.funding.models import LedgerEntry
from styrbord.testing.fixtures import SIDEWAYS_OVERFLOW, follow, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_finance_officer_follows_a_grant_and_reverses_an_entry(
    live_server: Any, page: Any, world: Any, funded: Any
) -> None:
    login(page, live_server.url, "oekonomi")
    page.goto(f"{live_server.url}/oekonomi/")
    assert page.locator("h1").inner_text() == "Puljer og økonomi"
    page.click("text=Dolmer Have")
    page.wait_for_selector("[data-vega-spec][data-rendered]", timeout=20000)
    assert page.locator(".chart-canvas svg").count() >= 1
    assert page.locator("[data-error]").count() == 0

    entry = LedgerEntry.objects.filter(grant=funded.dolmer_grant, category="fee").first()
    assert entry is not None
    follow(page, f"#entry-{entry.pk} >> text=Tilbagefør")
    page.fill("#id_reason", "Forkert tilsagn")
    with page.expect_navigation():
        page.click("button[type=submit] >> text=Tilbagefør")
    assert "Posteringen er tilbageført." in page.content()
    assert page.locator(f"#entry-{entry.pk} .badge-warn").inner_text() == "tilbageført"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 768])
def test_the_ledger_fits_a_tablet_by_folding_balance_and_author_into_cells(
    live_server: Any, page: Any, world: Any, funded: Any, width: int
) -> None:
    entry = LedgerEntry.objects.filter(grant=funded.dolmer_grant).first()
    assert entry is not None
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "oekonomi")
    page.goto(f"{live_server.url}/oekonomi/tilsagn/{funded.dolmer_grant.pk}/")
    ledger = page.locator(".table-wrap", has=page.locator(f"#entry-{entry.pk}"))
    headers = ledger.locator("thead th:visible").all_inner_texts()
    row = page.locator(f"#entry-{entry.pk}")
    if width == 768:
        assert "Saldo" not in headers
        assert "Oprettet" not in headers
        assert ledger.evaluate(SIDEWAYS_OVERFLOW) <= 1
        assert "Saldo: " in row.inner_text()
        assert f"#{entry.pk} · " in row.inner_text()
    else:
        assert "Saldo" in headers
        assert "Oprettet" in headers
        assert "Saldo: " not in row.inner_text()
