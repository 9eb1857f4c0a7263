"""Look up versioned rates: the backfill factor of a facility and the VEU rate on a day."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from decimal import Decimal

from django.db.models import Q

from styrbord.organisations.models import Facility
from styrbord.training.models import BackfillFactor, VeuRate


class RateTable:
    """Rows (valid_from, value) sorted by date; ``on(day)`` is the newest value valid on the day."""

    def __init__(self, rows: list[tuple[dt.date, Decimal]]) -> None:
        self.rows = sorted(rows)
        self._dates = [r[0] for r in self.rows]

    def on(self, day: dt.date) -> Decimal | None:
        index = bisect_right(self._dates, day)
        return self.rows[index - 1][1] if index else None


def veu_rates() -> RateTable:
    """All VEU hourly rates (a handful of rows)."""
    return RateTable(list(VeuRate.objects.values_list("valid_from", "hourly_rate")))


class BackfillFactors:
    """A facility's own versioned factors, then the default rows, then the facility's fixed field."""

    def __init__(self, facility: Facility) -> None:
        own: list[tuple[dt.date, Decimal]] = []
        default: list[tuple[dt.date, Decimal]] = []
        rows = BackfillFactor.objects.filter(Q(facility__isnull=True) | Q(facility=facility))
        for facility_id, valid_from, factor in rows.values_list("facility_id", "valid_from", "factor"):
            (own if facility_id is not None else default).append((valid_from, factor))
        self.own = RateTable(own)
        self.default = RateTable(default)
        self.fallback = facility.backfill_factor

    def on(self, day: dt.date) -> Decimal:
        found = self.own.on(day)
        if found is None:
            found = self.default.on(day)
        return Decimal(found if found is not None else self.fallback)
