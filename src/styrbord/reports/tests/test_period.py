"""A document's period as the form and the command line take it: years or two dates, Danish first."""

from __future__ import annotations

import datetime as dt

import pytest

from styrbord.reports.doctypes.base import Period, ReportError


@pytest.mark.parametrize(
    ("text", "start", "end", "canonical"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025"),
        ("2025-2027", dt.date(2025, 1, 1), dt.date(2027, 12, 31), "2025-2027"),
        ("01-01-2025:30-06-2025", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "01-01-2025:30-06-2025"),
        ("1-7-2025 : 31-12-2025", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "01-07-2025:31-12-2025"),
        ("01-01-2025–30-06-2025", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "01-01-2025:30-06-2025"),
        ("2025-01-01:2025-06-30", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "01-01-2025:30-06-2025"),
        ("01-01-2025:31-12-2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025"),
    ],
)
def test_a_period_is_read_in_danish_or_iso_and_written_back_danish(
    text: str, start: dt.date, end: dt.date, canonical: str
) -> None:
    period = Period.parse(text)

    assert (period.start, period.end, period.text) == (start, end, canonical)
    assert Period.parse(period.text) == period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31-02-2025:01-03-2025", "Ukendt periode 31-02-2025:01-03-2025. Skriv et år (2025)"),
        ("30-06-2025:01-01-2025", "Perioden slutter før den begynder: 30-06-2025:01-01-2025."),
        ("2027-2025", "Perioden slutter før den begynder: 2027-2025."),
        ("sidste år", "Ukendt periode sidste år."),
    ],
)
def test_a_bad_period_gets_a_danish_message_that_quotes_it(text: str, message: str) -> None:
    with pytest.raises(ReportError) as info:
        Period.parse(text)
    assert message in str(info.value)
