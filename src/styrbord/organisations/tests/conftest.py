"""A fixture for transactional tests: the reference data that migrations load.

Transactional tests empty every table afterwards; when a test before this one did so, the
regions, municipalities and code lists are loaded again here (idempotent).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """Regions, municipalities and facility code lists, as migration 0002 loads them."""
    migration = import_module("styrbord.organisations.migrations.0002_load_reference_data")
    migration.load(apps, None)
