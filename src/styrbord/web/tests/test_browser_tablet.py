"""In a real browser on a 768 px tablet (and a 390 px phone): the demo's pages, as the coordinator, the facility
manager, the finance officer and the analyst see them, without a table that scrolls sideways,
and meeting WCAG 2.1 AA (axe-core) at that width too.

Wide tables fold their secondary columns under the name (``wide-only``/``narrow-only``). Two
tables may scroll by design: the coverage heat map (facilities × requirements) and the workforce
tables by year. Everything else must fit.
"""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.demo.services import build_demo
from styrbord.funding.models import Grant, Pool
from styrbord.organisations.models import Facility
from styrbord.planning.models import PlanRun
from styrbord.testing.accessibility import violations
from styrbord.testing.fixtures import DEMO_TEST_DAY, SIDEWAYS_OVERFLOW

TODAY = DEMO_TEST_DAY
# Built for that day and looked at on it, whatever the calendar says.
pytestmark = pytest.mark.usefixtures("on_demo_day")
# (page, table) pairs that scroll by design; the table is named by its first header.
SCROLLS_BY_DESIGN = {("/krav/", "Tilbud"), ("/personale/", "Faggruppe")}
PROBE = f"""() => [...document.querySelectorAll('.table-wrap')].map(el => [
    ({SIDEWAYS_OVERFLOW})(el), (el.querySelector('caption, th') || {{innerText: ''}}).innerText.trim()])"""


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/konto/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "styrbord-demo")
    with page.expect_navigation():
        page.click("main button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_demo_table_scrolls_sideways_on_a_tablet(live_server: Any, page: Any, reference_data: None) -> None:
    build_demo(2024, TODAY)
    dolmer = Facility.objects.get(name="Dolmer Have")
    pool = Pool.objects.order_by("pk").first()
    grant = Grant.objects.filter(facility=dolmer).first()
    runs = list(PlanRun.objects.filter(status=PlanRun.Status.DONE).values_list("pk", flat=True))
    assert pool is not None
    assert grant is not None
    assert len(runs) >= 2
    compare = "/planlaegning/sammenlign/?" + "&".join(f"koersel={pk}" for pk in runs[:2])
    pages = {
        "koordinator": [
            "/",
            "/tilbud/",
            "/krav/",
            "/krav/liste/",
            "/kompetencer/udloeber/",
            "/personale/",
            "/kurser/",
            "/kurser/bookinger/",
            "/oekonomi/",
            "/planlaegning/",
            f"/planlaegning/koersel/{runs[0]}/",
            compare,
        ],
        "leder-dolmer": [f"/tilbud/{dolmer.pk}/", f"/krav/tilbud/{dolmer.pk}/mangler/", "/kompetencer/udloeber/"],
        "oekonomi": ["/oekonomi/", f"/oekonomi/puljer/{pool.pk}/", f"/oekonomi/tilsagn/{grant.pk}/"],
        "analytiker": ["/", "/krav/samlet/", f"/krav/samlet/?kommune={dolmer.municipality_id}", "/rapporter/"],
    }
    page.set_viewport_size({"width": 768, "height": 1000})
    too_wide = []
    found: list[str] = []
    for username, urls in pages.items():
        page.context.clear_cookies()
        _login(page, live_server.url, username)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, (username, url)
            page.wait_for_load_state("networkidle")  # parts fetched after the page (charts) are in
            found += violations(page, f"{username} {url} at 768 px")  # WCAG AA at tablet width too
            assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 1, (username, url)
            for overflow, table in page.evaluate(PROBE):
                if overflow > 1 and (url.split("?")[0], table) not in SCROLLS_BY_DESIGN:
                    too_wide.append((username, url, table, overflow))
    assert too_wide == []
    assert found == [], "\n".join(found)
    # The heat map scrolls by design: its facility column stays put, so that every row still says
    # whose figures it shows once the table is scrolled to its last requirement.
    page.context.clear_cookies()
    _login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/krav/")
    frame = page.locator(".table-wrap:has(#heatmap)")
    frame.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert frame.evaluate("el => el.scrollLeft") > 100
    frame_left = frame.evaluate("el => el.getBoundingClientRect().left")
    for header in page.locator("#heatmap tbody th").all():
        box = header.bounding_box()
        assert box is not None
        assert abs(box["x"] - frame_left) <= 2, header.inner_text()
    # On a 390 px phone the page itself never scrolls sideways (tables scroll inside their frame):
    # a facility's facts, a pool's terms and a long filter box pushed it to 472 px.
    page.set_viewport_size({"width": 390, "height": 844})
    wide_pages = []
    for username, urls in pages.items():
        page.context.clear_cookies()
        _login(page, live_server.url, username)
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            extra = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            if extra > 1:
                wide_pages.append((username, url, extra))
    assert wide_pages == []
