"""Cell values as municipalities write them: Danish decimals and dates, yes/no, and CPR numbers.

Parsers return the value or raise ``ValueError``; callers turn that into a row-level error.
Results are cached because an HR file repeats the same dates and hours thousands of times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings

_CPR_FULL_RE = re.compile(r"^\s*(\d{2})(\d{2})(\d{2})-?(\d{4})\s*$")
_DATE_RE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")

TRUE_WORDS = frozenset({"1", "ja", "j", "x", "sand", "true", "yes", "y", "aktiv", "primær", "primaer"})
FALSE_WORDS = frozenset({"0", "nej", "n", "falsk", "false", "no", "inaktiv", "-"})


def normalise_header(text: str) -> str:
    """Compare headers loosely: case, spaces, dashes, underscores and dots do not matter."""
    return re.sub(r"[\s\-_.]+", "", text.strip().lower().lstrip("\ufeff"))


class NoSuchDateError(ValueError):
    """Written as a date, with a month from 1 to 12 and a day from 1 to 31, but that month has no
    such day (31-02-2022, 29-02-2023, 31-04-2024). A day of 32 or month 13 stays a plain
    ``ValueError`` (a typo or the wrong order, as 2024-13-01 for 13 January)."""


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12 and 1 <= day <= 31 and year >= 1:
            raise NoSuchDateError(text) from None
        raise


@lru_cache(maxsize=8192)
def parse_date(text: str) -> dt.date:
    """'01-02-2024', '01.02.2024', '1/2/2024' (day first) and ISO '2024-02-01' -> 1 February 2024.

    ``NoSuchDateError`` (a ``ValueError``) when the format is right but the month has no such day."""
    value = text.strip()
    match = _DATE_RE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _day(year, month, day, text)
    match = _ISO_DATE_RE.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _day(year, month, day, text)
    raise ValueError(text)


@lru_cache(maxsize=256)
def parse_bool(text: str) -> bool:
    """Ja/nej, 1/0, x, true/false (and English)."""
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS or value == "":
        return False
    raise ValueError(text)


def looks_like_cpr(text: str) -> bool:
    """A ddmmyy-xxxx number (dash optional) whose first six digits are a real date."""
    match = _CPR_FULL_RE.match(text)
    if not match:
        return False
    return _cpr_birth_date(*match.groups()) is not None


def _cpr_birth_date(dd: str, mm: str, yy: str, serial: str) -> dt.date | None:
    """The birth date a CPR number encodes (century from the 7th digit), or None if impossible."""
    seventh = int(serial[0])
    year = int(yy)
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:  # 5-8
        century = 2000 if year <= 57 else 1800
    try:
        return dt.date(century + year, int(mm), int(dd))
    except ValueError:
        return None


def cpr_birth_year(text: str) -> int | None:
    """The birth year of a valid CPR number (only the year is kept, never the number)."""
    match = _CPR_FULL_RE.match(text)
    if not match:
        return None
    born = _cpr_birth_date(*match.groups())
    return born.year if born else None


def pseudonymise_cpr(text: str) -> str:
    """The pseudonymous person key of a CPR number: HMAC-SHA256 keyed with PERSON_KEY_SECRET (64 hex).

    The same CPR number always gives the same key, so re-imports find the same person; without
    the secret the key cannot be turned back into the number.
    """
    match = _CPR_FULL_RE.match(text)
    if not match:
        raise ValueError("not a CPR number")
    digits = "".join(match.groups())
    secret = str(settings.PERSON_KEY_SECRET).encode()
    return hmac.new(secret, digits.encode(), hashlib.sha256).hexdigest()
