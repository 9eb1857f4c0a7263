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
