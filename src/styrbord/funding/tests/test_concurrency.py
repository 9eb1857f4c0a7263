"""Two people charging the same grant at once never overdraw it or lose an update: 24 parallel
connections charge 700 kr. each on a 10.000 kr. grant; exactly 14 succeed and the balance is exact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from styrbord.funding.tests.concurrency import charge_in_parallel, make_grant, result

WORKERS = 24
D = Decimal


def check(outcome: dict) -> None:  # type: ignore[type-arg]
    assert outcome["outcomes"] == {"charged": 14, "refused": WORKERS - 14}, outcome
    assert outcome["entries"] == 14
    assert D(outcome["committed"]) == D("9800.00")
    assert D(outcome["remaining"]) == D("200.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_charges_on_postgresql_never_overdraw_the_grant() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    grant_id = make_grant(D("10000.00"))
    outcomes = charge_in_parallel(grant_id, WORKERS, D("700.00"))
    check(result(grant_id, outcomes))


@pytest.mark.slow
def test_parallel_charges_on_sqlite_never_overdraw_the_grant(tmp_path: Path) -> None:
    """SQLite, with threads, needs a file database: pytest-django's SQLite test database lives in
    memory (a shared-cache in-memory database takes table locks that are not retried, so concurrent
    writers fail with 'database table is locked' instead of waiting). Changing the test database for
    the whole session (django_db_modify_db_settings) would slow every other test and depends on which
    test sets the session database up first. So this test runs the same threaded charge in a fresh
    process against its own SQLite file, with the project's real settings (WAL, IMMEDIATE
    transactions, busy timeout), migrated from scratch, and checks the JSON it prints. It does not
    touch the test database at all, so it runs under either test database.
    """
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["STYRBORD_DATA_DIR"] = str(tmp_path)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "styrbord.funding.tests.concurrency",
            "--sqlite",
            str(tmp_path / "concurrency.sqlite3"),
            "--workers",
            str(WORKERS),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    check(json.loads(completed.stdout.strip().splitlines()[-1]))
