"""The one formatting helper: Danish (and English) numbers, money and dates via Babel.

Matches the municipal documents: "1.022.000 kr.", "1,022 mio. kr.", "18-12-2024", "75 %".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import pyphen
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from django.utils import translation

from styrbord.lib.dates import to_local

_BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}


def _locale(locale: str | None) -> str:
    lang = (locale or translation.get_language() or "da").split("-")[0]
    return _BABEL_LOCALES.get(lang, "da_DK")


def natural_places(value: Decimal | float | int) -> int:
    """The decimals a value shows written plainly: 7,4 not 7,40; 100 not 100,00; 62,5."""
    normal = Decimal(str(value)).normalize()
    return max(0, -int(normal.as_tuple().exponent))


def format_number(value: Decimal | int, places: int = 0, locale: str | None = None) -> str:
    """Group thousands and show a fixed number of decimals: 1.234,50."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    # Rounded half up, as the money helper and the ledger round (Babel alone rounds half to even:
    # 168.764,50 kr. read "168.764 kr." on one page and "168.765 kr." on another).
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # -100,50 kr. in millions is 0,000, never "-0,000"
    return _babel_decimal(number, format=pattern, locale=_locale(locale), decimal_quantization=True)


def format_kr(value: Decimal | int, places: int = 0, locale: str | None = None) -> str:
    """Whole kroner by default, as in committee texts: '572.449 kr.'."""
    number = format_number(value, places, locale)
    if _locale(locale).startswith("da"):
        return f"{number} kr."
    return f"DKK {number}"


def format_price(value: Decimal | int, locale: str | None = None) -> str:
    """Kroner, with øre only when there are any: '2.400 kr.', '2.450,50 kr.' (never rounded away:
    a shortfall of 0,40 kr. is not '0 kr.')."""
    amount = Decimal(value)
    return format_kr(amount, 0 if amount == amount.to_integral_value() else 2, locale)


def format_ore(value: Decimal, locale: str | None = None) -> str:
    """Exact amount with øre: '127,03 kr.'."""
    return format_kr(value, places=2, locale=locale)


def format_mio(value: Decimal | int, places: int = 3, locale: str | None = None) -> str:
    """Millions as committees write them: 1022000 -> '1,022 mio. kr.'."""
    number = format_number(Decimal(value) / Decimal(1_000_000), places, locale)
    if _locale(locale).startswith("da"):
        return f"{number} mio. kr."
    return f"DKK {number} million"


def format_percent(value: Decimal | float | int, places: int = 0, locale: str | None = None) -> str:
    """A share given in percent points: 75 -> '75 %' (Danish puts a space before %)."""
    number = format_number(Decimal(str(value)), places, locale)
    if _locale(locale).startswith("da"):
        return f"{number} %"
    return f"{number}%"


def format_date(value: dt.date | dt.datetime | None, locale: str | None = None) -> str:
    """Dates as the documents write them: 18-12-2024 (English: 18 Dec 2024)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date() if value.tzinfo else value.date()
    if _locale(locale).startswith("da"):
        return value.strftime("%d-%m-%Y")
    # CLDR's month abbreviations (Babel), as the charts' axes use: "07 Sept 2026" in both places.
    return _babel_date(value, format="dd MMM y", locale="en_GB")


def format_date_long(value: dt.date, locale: str | None = None) -> str:
    """A date in running text, as case texts write it: 1. januar 2025 (English: 1 January 2025)."""
    if _locale(locale).startswith("da"):
        return _babel_date(value, format="d. MMMM y", locale="da_DK")
    return _babel_date(value, format="d MMMM y", locale="en_GB")


def format_weekday(value: dt.date, locale: str | None = None) -> str:
    """The abbreviated weekday, as a staffing plan heads its rows: 'lør.' (English: 'Sat')."""
    return _babel_date(value, format="EEE", locale=_locale(locale))


def format_datetime(value: dt.datetime | None, locale: str | None = None) -> str:
    """A stored UTC time shown in Copenhagen: 18-12-2024 14:05."""
    if value is None:
        return ""
    local = to_local(value) if value.tzinfo else value
    return f"{format_date(local.date(), locale)} {local:%H:%M}"


# Text the product itself writes into a record (a ledger posting, a booking's note) is Danish,
# whoever is signed in: the record outlives the session, and an English session would otherwise
# leave "Reversal: ..." among the Danish postings of the books for good.
RECORD_LANGUAGE = "da"


def in_record_language() -> translation.override:
    """Build or render what goes to a Danish authority or committee (a case item, the evidence
    sheet for the Socialtilsyn) in Danish: numbers, dates and labels alike."""
    return translation.override(RECORD_LANGUAGE)


def record_text(message: str, **values: object) -> str:
    """A message (and its %-placeholders) as the records write it, in RECORD_LANGUAGE."""
    with in_record_language():
        text = translation.gettext(message)
        return text % {key: str(value) for key, value in values.items()} if values else text


_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s")


class RecordMessage:
    """A text the system writes into a record (a ledger entry, a booking's note), such as
    "Tilbageførsel: %(reason)s". The record keeps it in RECORD_LANGUAGE; ``shown_record_text``
    gives it back in the reader's language. Define one at module level, with its message marked
    ``gettext_noop`` so it is translated, and write it with ``message(reason=...)``."""

    registered: list[RecordMessage] = []

    def __init__(self, message: str) -> None:
        self.message = message
        pattern = "".join(
            f"(?P<{part}>.+?)" if n % 2 else re.escape(part) for n, part in enumerate(_PLACEHOLDER_RE.split(message))
        )
        self.pattern = re.compile(pattern, re.DOTALL)
        self.placeholders = _PLACEHOLDER_RE.findall(message)
        RecordMessage.registered.append(self)

    def __call__(self, **values: object) -> str:
        return record_text(self.message, **values)

    def __repr__(self) -> str:
        return f"RecordMessage({self.message!r})"


def shown_record_text(text: str) -> str:
    """A stored record text in the reader's language: a system message (and the system messages in
    its placeholders, e.g. the reason of a reversal) translated, anything a person typed as it is.

    The record itself stays in RECORD_LANGUAGE; this is only how a page or a download shows it."""
    if not text or translation.get_language() == RECORD_LANGUAGE:
        return text
    for record in RecordMessage.registered:
        found = record.pattern.fullmatch(text)
        if found is None:
            continue
        shown = translation.gettext(record.message)
        if not record.placeholders:
            return shown
        return shown % {name: shown_record_text(value) for name, value in found.groupdict().items()}
    return text


_GROUPED_THOUSANDS_RE = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_GROUPED_THOUSANDS_COMMA_RE = re.compile(r"^-?\d{1,3}(,\d{3})+$")


_PLAIN_DECIMAL_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")


@lru_cache(maxsize=4096)
def parse_decimal(text: str, english: bool = False) -> Decimal:
    """A number as Danes write it: '1.234,50' -> 1234.50, '37,0' -> 37.0, '37.5' -> 37.5, '1.234'
    -> 1234 (Danish thousands). Files (the HR import) are read so, whatever the user's language.

    ``english`` reads what a person types on an English page: a comma before groups of three digits
    is a thousands separator ('2,400' -> 2400, '1,500.50' -> 1500.50); '7.4' stays 7.4, and a lone
    comma before one or two digits ('7,4') is still a decimal comma. Both separators together are
    read by their order in either language."""
    value = text.strip().replace("\xa0", "").replace(" ", "")
    if not value:
        raise ValueError("empty")
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        if english and _GROUPED_THOUSANDS_COMMA_RE.match(value):
            value = value.replace(",", "")
        elif value.count(",") > 1:
            raise ValueError(text)
        else:
            value = value.replace(",", ".")
    elif _GROUPED_THOUSANDS_RE.match(value) and not (english and value.count(".") == 1):
        value = value.replace(".", "")
    if not _PLAIN_DECIMAL_RE.match(value):  # no "1e5", "0x10", "NaN" or "Infinity": digits as typed
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        raise ValueError(text) from None


def parse_typed_decimal(text: str) -> Decimal:
    """A number typed into a form, read by the conventions of the page's language (see
    ``parse_decimal``): "1,500" is 1.500 kr. on an English page and 1,5 on a Danish one."""
    return parse_decimal(text, english=(translation.get_language() or "da").startswith("en"))


SOFT_HYPHEN = "\u00ad"
HYPHENATE_FROM = 12  # letters: shorter words fit any column whole
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _danish_hyphenator() -> pyphen.Pyphen:
    # At least four letters on each side: "Vedligeholdelses-træning", never "Ve-dligeholdelses…".
    return pyphen.Pyphen(lang="da_DK", left=4, right=4)


def soft_hyphens(text: str) -> str:
    """Long words with soft hyphens where Danish hyphenation allows a break (pyphen's da_DK
    patterns), so a narrow column breaks "Vedligeholdelses-træning" with a hyphen instead of
    cutting a word anywhere. Invisible unless the line breaks there; copied text is unchanged
    in most programs. The names it is used on (requirements, courses) are Danish data in both
    site languages."""
    hyphenator = _danish_hyphenator()

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        return hyphenator.inserted(word, hyphen=SOFT_HYPHEN) if len(word) >= HYPHENATE_FROM else word

    return _WORD.sub(one, text)
