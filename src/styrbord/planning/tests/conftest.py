"""Fixtures for the planning tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run enqueued tasks at once, whatever backend the settings chose."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "planning", "reports"],
        }
    }


@pytest.fixture(autouse=True)
def _on_the_planning_worlds_day(request: pytest.FixtureRequest) -> Any:
    """Tests with the shared ``world`` run on 01-12-2026, the 'plan from' of ``data.planning_setup``,
    whatever the calendar says: a run never plans a course that has begun, so on a later day its
    sessions (February and March 2027) would drop out of the plan. The clock ticks from there."""
    if "world" not in request.fixturenames:
        yield
        return
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=True):
        yield
