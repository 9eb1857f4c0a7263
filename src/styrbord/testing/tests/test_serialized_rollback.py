"""Serialized rollback still restores the reference data once Playwright has started (regression).

A CI run on PostgreSQL found no municipalities in a transactional test: Playwright's sync API
leaves its event loop running in the test thread for the rest of the session, and Django then
handed out new database connections without the data serialized when the test database was
created, so no transactional test after the first browser test on a worker got it back.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test import TransactionTestCase

from styrbord.organisations.models import Municipality, Region


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_after_a_browser_test_gets_the_reference_data_back(
    django_db_setup: None, browser: Any
) -> None:
    # The test database is created first (as on a worker whose first tests use the database
    # but no browser), then ``browser`` starts Playwright, whose loop is now this thread's
    # running loop: as for every test after the first browser test on a worker.
    assert hasattr(connections["default"], "_test_serialized_contents"), (
        "the connection the tests use lost the data serialized when the test database was created"
    )

    class Between(TransactionTestCase):
        """What pytest-django runs around a ``django_db(transaction=True, serialized_rollback=True)`` test."""

        serialized_rollback = True

    between = Between("__init__")
    between._fixture_teardown()  # the end of one transactional test: every table flushed
    assert not Municipality.objects.exists()
    between._fixture_setup()  # the start of the next: the serialized data restored
    assert Municipality.objects.count() == 98
    assert Region.objects.count() == 5
