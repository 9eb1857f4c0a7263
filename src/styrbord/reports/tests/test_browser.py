"""In a real browser: a coordinator previews the seed-000 release, orders the Word file, watches the
job finish (HTMX polling) and downloads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from styrbord.reports.tests.conftest import ARTIFACTS, build_seed_case
from styrbord.testing.fixtures import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_previews_orders_and_downloads_a_release(
    live_server: Any, page: Any, world: Any, media: Path, immediate_tasks: None
) -> None:
    seed = build_seed_case(world)
    login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/rapporter/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-page.png"), full_page=True)
    page.select_option("#id_document_type", "pool_release")
    page.select_option("#id_scope", f"pool:{seed.pool.pk}")
    page.fill("#id_period", "2025-2027")
    with page.expect_navigation():
        page.click("text=Vis dokument")
    paper = page.locator(".doc-paper")
    assert "Velfærdsdirektøren indstiller, at:" in paper.inner_text()
    assert "0,700 mio. kr." in paper.inner_text().replace("\xa0", " ")
    page.screenshot(path=str(ARTIFACTS / "pool-release-preview.png"), full_page=False)

    page.click("button[value=docx]")
    page.wait_for_selector("#job-status a.button", timeout=30000)
    with page.expect_download() as download:
        page.click("#job-status a.button")
    assert download.value.suggested_filename.endswith(".docx")
