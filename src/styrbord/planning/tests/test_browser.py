"""In a real browser: the coordinator runs a scenario, watches its progress (HTMX polling) and sees
the plan with the binding reason of the unmet target, then compares two runs side by side."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.planning import services
from styrbord.planning.models import PlanRun
from styrbord.planning.tests.data import planning_setup
from styrbord.testing.fixtures import SIDEWAYS_OVERFLOW, login


@pytest.fixture
def queued_tasks(settings: Any) -> None:
    """Enqueued tasks wait (nobody works the queue): the test decides when the run is solved."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "planning", "reports"]}
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_coordinator_runs_a_scenario_and_sees_the_plan(
    live_server: Any, page: Any, world: Any, queued_tasks: None
) -> None:
    setup = planning_setup(world)
    login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/planlaegning/{setup.scenario.pk}/")
    with page.expect_navigation():
        page.click("button:has-text('Kør planlægningen')")

    # The run is queued; the status card polls while it waits.
    run = PlanRun.objects.get(scenario=setup.scenario)
    assert page.url.endswith(f"/planlaegning/koersel/{run.pk}/")
    status = page.locator("#run-status")
    assert status.get_attribute("hx-trigger") == "every 1s"
    assert page.locator("#run-status progress").count() == 1

    # A worker solves it; the polling page notices and reloads with the result.
    services.execute_run(run.pk)
    page.wait_for_selector("text=Planen blev beregnet", timeout=20_000)
    assert page.locator("#run-status").get_attribute("hx-trigger") is None
    content = page.content()
    assert "Konflikthåndtering for alle" in content
    assert "Penge (budget)" in content  # why the target is not met
    assert "Dolmer Have" in content
    assert page.locator("#plan-accept").count() == 1  # to the confirmation step
    # On a tablet the tables fold their secondary columns instead of scrolling sideways.
    page.set_viewport_size({"width": 768, "height": 1000})
    tables = page.locator(".table-wrap")
    assert tables.count() >= 3
    for i in range(tables.count()):
        assert tables.nth(i).evaluate(SIDEWAYS_OVERFLOW) <= 1, f"run table {i} scrolls sideways on a tablet"
    assert "Penge (budget)" in page.locator("td:visible", has_text="Nås ikke").first.inner_text()
    page.set_viewport_size({"width": 1280, "height": 1000})

    # The confirmation step lists the sessions with their new seats; the people fold out.
    with page.expect_navigation():
        page.click("#plan-accept")
    sessions = page.locator("#accept-sessions")
    assert sessions.is_visible()
    rows = sessions.locator("tbody tr")
    assert rows.count() == run.assignments.filter(existing=False).values("session").distinct().count() > 0
    assert "Konflikthåndtering – Hold 1" in rows.first.inner_text()
    name = run.assignments.filter(existing=False).order_by("session__first_day").first().employee.name  # type: ignore[union-attr]
    person = sessions.locator("li", has_text=name)
    assert not person.is_visible()  # folded: the page stays short
    rows.first.locator("summary").click()
    assert person.is_visible()
    assert page.locator("button:has-text('Godkend og opret')").is_visible()
    page.set_viewport_size({"width": 768, "height": 1000})
    tables = page.locator(".table-wrap")
    assert tables.count() == 2  # who pays, the sessions
    for i in range(tables.count()):
        assert tables.nth(i).evaluate(SIDEWAYS_OVERFLOW) <= 1, f"confirmation table {i} scrolls sideways on a tablet"
    page.set_viewport_size({"width": 1280, "height": 1000})

    # A second run, and the two side by side, on a tablet, under a name as long as real ones.
    setup.scenario.name = "Plan 2027 med puljemidlerne fra Social- og Boligstyrelsen (24/9263)"
    setup.scenario.save(update_fields=["name"])
    other = PlanRun.objects.create(scenario=setup.scenario, parameters=services.parameters_of(setup.scenario))
    services.execute_run(other.pk)
    page.goto(f"{live_server.url}/planlaegning/{setup.scenario.pk}/")
    page.check(f"input[name=koersel][value='{run.pk}']")
    page.check(f"input[name=koersel][value='{other.pk}']")
    with page.expect_navigation():
        page.click("button:has-text('Sammenlign valgte')")
    compared = page.content()
    assert f"#{run.number}" in compared
    assert f"#{other.number}" in compared
    assert "Konflikthåndtering for alle" in compared
    page.set_viewport_size({"width": 768, "height": 1000})
    tables = page.locator(".table-wrap")
    assert tables.count() == 3  # totals, coverage by the deadline, staffing per facility
    for i in range(tables.count()):
        assert tables.nth(i).evaluate(SIDEWAYS_OVERFLOW) <= 1, f"table {i} scrolls sideways on a tablet"
