"""Danish numbers and dates exactly as the municipal documents write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from styrbord.lib.dates import add_months
from styrbord.lib.formatting import (
    format_date,
    format_datetime,
    format_kr,
    format_mio,
    format_ore,
    format_percent,
    format_weekday,
)


@pytest.fixture(autouse=True)
def _danish() -> Iterator[None]:
    """These tests read the default language: start from Danish whatever an earlier test in
    the same process left active (the test client keeps the language of its last request)."""
    with translation.override("da"):
        yield


def test_kroner_are_grouped_with_dots() -> None:
    assert format_kr(Decimal("1022000")) == "1.022.000 kr."
    assert format_kr(Decimal("572449")) == "572.449 kr."
    assert format_ore(Decimal("127.03")) == "127,03 kr."


def test_millions_as_in_committee_items() -> None:
    assert format_mio(Decimal("1022000")) == "1,022 mio. kr."
    assert format_mio(Decimal("700000")) == "0,700 mio. kr."
    assert format_mio(Decimal("3000000"), places=1) == "3,0 mio. kr."


def test_dates_use_dashes() -> None:
    assert format_date(dt.date(2024, 12, 18)) == "18-12-2024"


def test_english_dates_abbreviate_months_as_the_charts_do() -> None:
    """CLDR's abbreviations (Babel), which the charts' axes use too: tables said "01 Sep 2026"
    under a chart that said "Sept 2026"."""
    from styrbord.lib.charts import EN_TIME_LOCALE

    assert format_date(dt.date(2026, 9, 1), locale="en") == "01 Sept 2026"
    assert format_date(dt.date(2024, 12, 18), locale="en") == "18 Dec 2024"
    assert EN_TIME_LOCALE["shortMonths"][8] == "Sept"


def test_weekdays_are_abbreviated_as_in_a_staffing_plan() -> None:
    saturday = dt.date(2026, 3, 7)
    assert format_weekday(saturday) == "lør."
    assert format_weekday(saturday + dt.timedelta(days=2)) == "man."
    assert format_weekday(saturday, locale="en") == "Sat"


def test_a_utc_time_is_shown_in_copenhagen_time_across_dst() -> None:
    winter = dt.datetime(2024, 12, 18, 23, 30, tzinfo=ZoneInfo("UTC"))
    summer = dt.datetime(2024, 6, 30, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert format_datetime(winter) == "19-12-2024 00:30"
    assert format_datetime(summer) == "01-07-2024 00:30"


def test_percent_has_a_space_in_danish() -> None:
    assert format_percent(75) == "75 %"
    assert format_percent(Decimal("44.4"), 1) == "44,4 %"


def test_english_formats_when_switched() -> None:
    with translation.override("en"):
        assert format_kr(Decimal("1022000")) == "DKK 1,022,000"
        assert format_date(dt.date(2024, 12, 18)) == "18 Dec 2024"


def test_adding_months_clamps_to_the_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 11, 15), 6) == dt.date(2025, 5, 15)


def test_danish_public_holidays_are_named_in_the_active_language() -> None:
    from styrbord.lib.dates import public_holiday, public_holidays

    assert public_holiday(dt.date(2026, 12, 25)) == "Juledag"
    assert public_holiday(dt.date(2026, 12, 25), "en") == "Christmas Day"
    assert public_holiday(dt.date(2026, 12, 24)) is None  # juleaften is not a public holiday
    easter_2027 = public_holidays(dt.date(2027, 3, 1), dt.date(2027, 4, 30))
    assert sorted(easter_2027) == [dt.date(2027, 3, d) for d in (25, 26, 28, 29)]


def test_natural_places_are_the_decimals_a_value_shows_written_plainly() -> None:
    from styrbord.lib.formatting import natural_places

    assert [natural_places(v) for v in (Decimal("7.40"), Decimal("100.00"), Decimal("1E+2"), 62.5, 75.0, 3)] == [
        1,
        0,
        0,
        1,
        0,
        0,
    ]
    assert natural_places(Decimal("45.64")) == 2


def test_numbers_are_read_as_typed_never_in_exponent_or_hex_form() -> None:
    from decimal import Decimal

    import pytest

    from styrbord.lib.formatting import parse_decimal

    assert parse_decimal("1.234,50") == Decimal("1234.50")
    assert parse_decimal("-7,4") == Decimal("-7.4")
    assert parse_decimal(",5") == Decimal("0.5")
    assert parse_decimal("12.") == Decimal("12")
    for typed in ("1e5", "1E5", "2,5e3", "0x10", "NaN", "Infinity", "-inf", "1_000", "--1", "1,2,3", "kr. 10"):
        with pytest.raises(ValueError) as refused:  # noqa: PT011 - its message is the text as typed
            parse_decimal(typed)
        assert str(refused.value) == typed


def test_an_amount_typed_on_an_english_page_is_read_the_english_way() -> None:
    """'2,400' typed on an English course form was saved as 2,40 kr. (the Danish decimal comma)."""
    from decimal import Decimal

    from django.utils import translation

    from styrbord.lib.formatting import parse_decimal, parse_typed_decimal
    from styrbord.lib.money import money_form_field

    english = {"2,400": "2400", "1,500.50": "1500.50", "1,234,567": "1234567", "7.4": "7.4", "1.234": "1.234"}
    for typed, value in english.items():
        assert parse_decimal(typed, english=True) == Decimal(value), typed
    # Both separators are read by their order; a lone comma before one or two digits is a decimal comma.
    assert parse_decimal("2.400,50", english=True) == Decimal("2400.50")
    assert parse_decimal("7,4", english=True) == Decimal("7.4")
    # Danish pages (and files) as before.
    assert parse_decimal("2,400") == Decimal("2.400")
    assert parse_decimal("1.234") == Decimal("1234")
    field = money_form_field("Beløb")
    with translation.override("en"):
        assert parse_typed_decimal("1,500") == Decimal("1500")
        assert field.clean("2,400") == Decimal("2400")
    with translation.override("da"):
        assert field.clean("2.400,00") == Decimal("2400.00")
        assert field.clean("1,5") == Decimal("1.5")


def test_a_float_cell_reads_positionally_in_an_import() -> None:
    from styrbord.staff.importing.reading import _cell_text

    assert _cell_text(1e-05) == "0,00001"
    assert _cell_text(28.125) == "28,125"
    assert _cell_text(1.5e20) == "150000000000000000000"


def test_a_record_text_is_kept_in_danish_and_shown_in_the_readers_language() -> None:
    from django.utils import translation

    from styrbord.lib.formatting import RecordMessage, shown_record_text

    reversal = RecordMessage("Tilbageførsel: %(reason)s")  # already translated (the ledger's own)
    with translation.override("en"):
        stored = reversal(reason="Bookingen er fordelt igen")
        assert stored == "Tilbageførsel: Bookingen er fordelt igen"  # written in Danish whoever writes it
        assert shown_record_text(stored) == "Reversal: The booking was charged again"
        assert shown_record_text("Tilbageførsel: Faktura 17 var dobbelt") == "Reversal: Faktura 17 var dobbelt"
        assert shown_record_text("Tilbageførsel:") == "Tilbageførsel:"  # not the message: no reason
        assert shown_record_text("Kørsel til Grenaa") == "Kørsel til Grenaa"
        assert shown_record_text("") == ""
    with translation.override("da"):
        assert shown_record_text(stored) == stored
    RecordMessage.registered.remove(reversal)


def test_long_words_get_soft_hyphens_at_danish_syllables_and_read_the_same() -> None:
    """The heat map's narrow columns cut "kontaktperson|erne" anywhere; now a long word breaks
    where Danish hyphenation allows, with a hyphen, and the text is otherwise unchanged."""
    from styrbord.lib.formatting import SOFT_HYPHEN, soft_hyphens

    text = "Vedligeholdelsestræning i konflikthåndtering: 75 % af kontaktpersonerne"
    hyphenated = soft_hyphens(text)
    assert hyphenated.replace(SOFT_HYPHEN, "") == text
    assert "s\u00adtræ\u00adning" in hyphenated  # may break as "Vedligeholdelses-træning"
    assert "kontakt\u00adper" in hyphenated
    assert soft_hyphens("75 % af alle i Grenaa") == "75 % af alle i Grenaa"  # short words stay whole
    # Never a break with fewer than four letters before or after it in a word.
    for word in hyphenated.split():
        if SOFT_HYPHEN in word:
            letters = word.strip(":").split(SOFT_HYPHEN)
            assert len(letters[0]) >= 4
            assert len(letters[-1]) >= 4


def test_a_small_negative_amount_rounded_to_zero_has_no_minus() -> None:
    """-100,50 kr. in a table of millions read "-0,000" in a committee paper."""
    from styrbord.lib.formatting import format_mio, format_number

    assert format_number(Decimal("-0.0001005"), 3) == "0,000"
    assert format_mio(Decimal("-100.50")) == "0,000 mio. kr."
    assert format_number(Decimal("-0.0016"), 3) == "-0,002"


def test_amounts_are_rounded_half_up_as_the_ledger_rounds() -> None:
    """Babel alone rounds half to even: 168.764,50 kr. read "168.764 kr." on the confirmation page
    while the ledger, rounding half up, booked a figure that read "168.765 kr." elsewhere."""
    from styrbord.lib.formatting import format_number

    assert format_kr(Decimal("168764.50")) == "168.765 kr."
    assert format_kr(Decimal("168765.50")) == "168.766 kr."
    assert format_kr(Decimal("-2.5")) == "-3 kr."
    assert format_number(Decimal("0.125"), 2) == "0,13"
    assert format_percent(Decimal("62.5")) == "63 %"
    assert format_mio(Decimal("321500")) == "0,322 mio. kr."
