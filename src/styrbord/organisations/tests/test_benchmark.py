"""`styrbord bench pages` runs end to end on small data (a smoke test, not a timed test)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from styrbord.demo.generate import generate


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_pages_serves_every_page_over_http_and_reports_ratios(
    capsys: pytest.CaptureFixture[str], reference_data: None
) -> None:
    generate(300, seed=1, today=dt.date(2026, 11, 23))
    call_command("bench", "pages", "--requests", "2", "--warmup", "1")
    result = json.loads(capsys.readouterr().out)
    assert result["benchmark"] == "pages"
    assert result["data"]["employees"] == 300
    pages = result["pages"]
    assert set(pages) == {
        "baseline",
        "baseline_anonymous",
        "landing_page",
        "facility_list",
        "facility_detail",
        "facility_detail_largest",
        "municipality_overview",
    }
    assert pages["baseline"]["queries"] >= 1
    # The app's work is part of each request's time, page by page, also when two pages share a URL
    # (on data this small the median and the largest facility can be the same one).
    for name, page in pages.items():
        assert 0 < page["server_ms"] <= page["median_ms"] + 0.01, name
    for name in ("facility_list", "facility_detail", "municipality_overview"):
        assert pages[name]["median_ms"] > 0
        assert pages[name]["ratio"] == pytest.approx(
            # the ratio is printed to three decimals (and the medians to two)
            pages["baseline"]["median_ms"] / pages[name]["median_ms"],
            rel=0.01,
            abs=0.0006,
        )
    assert isinstance(result["goal_met"], bool)
