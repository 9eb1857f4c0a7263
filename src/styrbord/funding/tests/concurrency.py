"""Charging one grant from many threads at once, each thread on its own database connection.

Used in-process on PostgreSQL, and as ``python -m styrbord.funding.tests.concurrency --sqlite PATH``
in a subprocess for SQLite (see test_concurrency.py for why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

DAY = dt.date(2025, 6, 2)


def charge_in_parallel(grant_id: int, workers: int, amount: Decimal) -> Counter[str]:
    """Start ``workers`` threads together; each commits ``amount`` on the grant. Returns outcome counts."""
    from django.db import connection

    from styrbord.funding.models import Grant
    from styrbord.funding.services import FundingError
    from styrbord.funding.services.ledger import commit
    from styrbord.lib.costs import CostCategory

    barrier = threading.Barrier(workers)
    outcomes: Counter[str] = Counter()
    guard = threading.Lock()

    def work(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            grant = Grant.objects.get(pk=grant_id)  # each thread reads the grant on its own connection
            commit(grant, CostCategory.FEE, amount, DAY, None, text=f"Tråd {n}")
            outcome = "charged"
        except FundingError:
            outcome = "refused"
        except Exception as error:
            outcome = f"error: {error!r}"
        finally:
            connection.close()  # the thread's own connection
        with guard:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def make_grant(amount: Decimal) -> int:
    """A pool and a grant to a fresh facility in Norddjurs."""
    from styrbord.funding.models import Grant, Pool
    from styrbord.organisations.models import Facility, Grantor, Municipality, Region

    # An earlier transactional test's flush may have emptied the reference data that migrations load
    # (serialized rollback does not restore it once a session-scoped browser has swapped the main
    # thread's connection objects), so the municipality is made here if it is missing.
    municipality = Municipality.objects.filter(code="0707").first()
    if municipality is None:
        region = Region.objects.get_or_create(code="1082", defaults={"name": "Region Midtjylland"})[0]
        municipality = Municipality.objects.create(code="0707", name="Norddjurs", region=region)
    facility = Facility.objects.create(name="Samtidighedstilbud", municipality=municipality)
    pool = Pool.objects.create(
        grantor=Grantor.objects.get_or_create(name="Social- og Boligstyrelsen")[0],
        name="Samtidighedspuljen",
        total=amount,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2027, 12, 31),
        eligible_categories=["fee"],
    )
    return Grant.objects.create(pool=pool, facility=facility, amount=amount).pk


def result(grant_id: int, outcomes: Counter[str]) -> dict[str, Any]:
    from styrbord.funding.models import Grant, LedgerEntry
    from styrbord.funding.services.balances import balances_for

    grant = Grant.objects.get(pk=grant_id)
    balances = balances_for(grant)
    return {
        "outcomes": dict(outcomes),
        "entries": LedgerEntry.objects.filter(grant=grant).count(),
        "committed": str(balances.committed),
        "remaining": str(balances.remaining),
    }


def main(argv: list[str]) -> None:
    """Run against a fresh file-based SQLite database (migrated here) and print the result as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", required=True)
    parser.add_argument("--workers", type=int, default=24)
    parser.add_argument("--grant", default="10000.00")
    parser.add_argument("--amount", default="700.00")
    args = parser.parse_args(argv)
    os.environ.pop("DATABASE_URL", None)
    os.environ["STYRBORD_ENV"] = "test"
    os.environ["STYRBORD_SQLITE_PATH"] = args.sqlite
    os.environ["DJANGO_SETTINGS_MODULE"] = "styrbord.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    grant_id = make_grant(Decimal(args.grant))
    outcomes = charge_in_parallel(grant_id, args.workers, Decimal(args.amount))
    print(json.dumps(result(grant_id, outcomes)))


if __name__ == "__main__":
    main(sys.argv[1:])
