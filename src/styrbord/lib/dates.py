"""Date helpers: local (Europe/Copenhagen) dates and report periods.

Times are stored in UTC; a date a person sees is always the local date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone, translation

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")

# The dates Styrbord takes from people, forms and files. A mistyped year (0024, 20224) or a
# payroll system's "no end" (31-12-9999) is no date anyone plans by, and date arithmetic (a
# certificate's expiry, a month series, a forecast) must never run off the calendar's end.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
# Payroll systems (SD, KMD, SAP) write an open end as the calendar's last day.
OPEN_END_YEAR = 9999


def in_calendar(day: dt.date) -> bool:
    """Whether ``day`` lies within the dates Styrbord accepts (EARLIEST to LATEST)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return EARLIEST <= day <= LATEST


def local_now() -> dt.datetime:
    """The current time in Copenhagen."""
    return timezone.now().astimezone(LOCAL_TZ)


def local_today() -> dt.date:
    """Today's date in Copenhagen (not in UTC: around midnight they differ)."""
    return local_now().date()


def to_local(value: dt.datetime) -> dt.datetime:
    """Convert an aware UTC datetime to Copenhagen time."""
    return value.astimezone(LOCAL_TZ)


def start_of_local_day(day: dt.date) -> dt.datetime:
    """The aware instant when ``day`` starts in Copenhagen (DST-correct)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months, clamping to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = month_last_day(year, month)
    return dt.date(year, month, min(day.day, last))


def month_last_day(year: int, month: int) -> int:
    """Number of days in the month."""
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


def month_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """First day of each month from ``start``'s month to ``end``'s month, inclusive."""
    current = start.replace(day=1)
    while current <= end:
        yield current
        current = add_months(current, 1)


def month_ends(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Last day of each month from ``start``'s month to ``end``'s month, inclusive."""
    for first in month_starts(start, end):
        yield first.replace(day=month_last_day(first.year, first.month))


def years_between(born_year: int, on: dt.date) -> int:
    """Age in whole years when only the birth year is known (as of 1 July)."""
    return on.year - born_year - (1 if on < dt.date(on.year, 7, 1) else 0)


def daterange(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Each date from start to end inclusive."""
    for n in range((end - start).days + 1):
        yield start + dt.timedelta(days=n)


@lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("DK", years=year, language=language).items())


def public_holiday(day: dt.date, language: str | None = None) -> str | None:
    """The name of the Danish public holiday (helligdag) on ``day``, or None: 'Juledag'.

    The official ones from the ``holidays`` package (Store bededag ended in 2024); staffing
    treats them as Sundays. ``language`` 'da' (default: the active one) or 'en'."""
    lang = (language or translation.get_language() or "da").split("-")[0]
    return _holidays(day.year, "da" if lang == "da" else "en_US").get(day)


def staffed_as_weekend(day: dt.date) -> bool:
    """Saturdays, Sundays and public holidays: the days a facility's weekend minimum holds."""
    return day.weekday() >= 5 or public_holiday(day, "da") is not None


def public_holidays(first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """The Danish public holidays from ``first`` to ``last``, both included."""
    days = (d for year in range(first.year, last.year + 1) for d in _holidays(year, "da"))
    return frozenset(d for d in days if first <= d <= last)
