"""Finding columns by header, spotting CPR columns, and reading typed values from a row.

``Columns`` wraps one table's header: it finds a column by any of its accepted names and
reads a cell as text, decimal, date or yes/no, adding a row-level error when it cannot.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from styrbord.lib.cpr import contains_cpr
from styrbord.lib.dates import EARLIEST, LATEST, OPEN_END_YEAR, in_calendar
from styrbord.lib.formatting import format_date, format_number, natural_places, parse_decimal
from styrbord.staff.importing.errors import IssueList
from styrbord.staff.importing.reading import Table
from styrbord.staff.importing.values import (
    NoSuchDateError,
    looks_like_cpr,
    normalise_header,
    parse_bool,
    parse_date,
)

T = TypeVar("T")

CPR_HEADERS = frozenset(
    normalise_header(h)
    for h in ("CPR", "CPR-nr", "CPR nr.", "CPR-nummer", "CPRnr", "Personnummer", "Person nr", "Personnr", "cpr_nr")
)
# How many rows are looked at to decide whether a column holds CPR numbers.
CPR_SAMPLE_ROWS = 50
CPR_SHARE = 0.8

# Messages for cells that cannot be read (module constants: a file has hundreds of thousands of cells).
BAD_DATE = gettext_noop("Ugyldig dato; skriv f.eks. 01-02-2024, 01.02.2024 eller 2024-02-01.")
NO_SUCH_DATE = gettext_noop("Datoen %(date)s findes ikke.")
BAD_NUMBER = gettext_noop("Ugyldigt tal; skriv f.eks. 37 eller 1.234,50.")
BAD_YES_NO = gettext_noop("Skriv ja eller nej (eller 1 eller 0).")
BAD_INTEGER = gettext_noop("Ugyldigt heltal.")
OUT_OF_CALENDAR = gettext_noop("Datoen skal ligge mellem %(earliest)s og %(latest)s.")  # as lib.fields
BETWEEN = gettext_noop("Tallet skal være mellem %(lowest)s og %(highest)s.")
NOT_NEGATIVE = gettext_noop("Tallet må ikke være negativt.")
NOT_BELOW = gettext_noop("Tallet må ikke være under %(lowest)s.")
NOT_ABOVE = gettext_noop("Tallet må ikke være over %(highest)s.")
TOO_MANY_DIGITS = gettext_noop("Tallet er for stort (højst %(digits)s cifre før kommaet).")
WAGE_TOO_HIGH = gettext_noop(
    "Timelønnen %(value)s kr. ligner ikke en timeløn (forventet mellem %(lowest)s og %(highest)s kr.). "
    "Er det en måneds- eller årsløn?"
)
WAGE_TOO_LOW = gettext_noop(
    "Timelønnen %(value)s kr. er for lav til en timeløn (forventet mellem %(lowest)s og %(highest)s kr., eller 0 "
    "for en ulønnet ansættelse). Står kommaet forkert?"
)

# What an hour of a municipal employee's work plausibly costs, overhead included (pension,
# holiday pay, ATP and the like, about 25 % on top of the wage). The lowest: a young trainee or
# student worker (elev, studentermedhjælp) at some 60-70 kr. an hour with overhead; the highest:
# a municipal director or chief physician at 1,2-1,5 mio. kr. a year, some 1.000 kr. an hour with
# overhead, and a hired locum doctor at up to about 1.500 kr. an hour. Outside 50-2.000 kr. the
# figure is almost certainly a monthly or yearly wage (a monthly wage is at least 12.000 kr.) or
# a misplaced comma. 0 is accepted: an unpaid placement (ulønnet praktik) costs no wage.
PLAUSIBLE_HOURLY_WAGE = (Decimal("50"), Decimal("2000"))


def _plain(value: Decimal) -> str:
    return format_number(value, natural_places(value), "da")


@dataclass(frozen=True)
class NumberRule:
    """What a model's decimal field accepts: its digits and places, and the bounds its check
    constraints put on it (``field__gte`` / ``field__lte`` in an AND condition). Checked at the
    cell, so a value the database would refuse is a row error, never a failed apply."""

    lowest: Decimal | None
    highest: Decimal | None
    max_digits: int
    decimal_places: int
    # A plausible range besides the database's bounds (e.g. ``PLAUSIBLE_HOURLY_WAGE``), with the
    # messages for a value above and below it; 0 always passes (nothing paid).
    plausible: tuple[Decimal, Decimal] | None = None
    above_plausible: str = ""
    below_plausible: str = ""

    @classmethod
    def of(cls, model: type[models.Model], name: str) -> NumberRule:
        field: Any = model._meta.get_field(name)
        lowest: Decimal | None = None
        highest: Decimal | None = None
        for constraint in model._meta.constraints:
            condition = getattr(constraint, "condition", None)
            if not isinstance(constraint, models.CheckConstraint) or not isinstance(condition, models.Q):
                continue
            if condition.negated or condition.connector != models.Q.AND:
                continue
            for child in condition.children:
                if not isinstance(child, tuple) or not isinstance(child[1], (int, Decimal)):
                    continue
                lookup, bound = child[0], Decimal(child[1])
                if lookup == f"{name}__gte":
                    lowest = bound if lowest is None else max(lowest, bound)
                elif lookup == f"{name}__lte":
                    highest = bound if highest is None else min(highest, bound)
        return cls(lowest, highest, field.max_digits, field.decimal_places)

    def rounded(self, value: Decimal) -> Decimal:
        """To the field's places, as PostgreSQL stores it (a payroll's cost per hour has four)."""
        if natural_places(value) <= self.decimal_places:
            return value
        return value.quantize(Decimal(1).scaleb(-self.decimal_places), ROUND_HALF_UP)

    def problem(self, value: Decimal) -> tuple[str, dict[str, Any]] | None:
        """The msgid and parameters of what is wrong with ``value`` (rounded), or None."""
        low, high = self.lowest, self.highest
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                return BETWEEN, {"lowest": _plain(low), "highest": _plain(high)}
            if low is not None:
                return (NOT_NEGATIVE, {}) if low == 0 else (NOT_BELOW, {"lowest": _plain(low)})
            return NOT_ABOVE, {"highest": _plain(high)}  # type: ignore[arg-type]
        if self.plausible is not None and value != 0:
            lowest, highest = self.plausible
            if value < lowest or value > highest:
                params = {
                    "value": format_number(value, 2, "da"),
                    "lowest": _plain(lowest),
                    "highest": _plain(highest),
                }
                return (self.above_plausible if value > highest else self.below_plausible), params
        whole = self.max_digits - self.decimal_places
        if abs(value) >= Decimal(10) ** whole:
            return TOO_MANY_DIGITS, {"digits": whole}
        return None


# An HR file repeats the same hours, wages and years thousands of times (Decimal is immutable).
parse_cell_decimal = lru_cache(maxsize=8192)(parse_decimal)


@lru_cache(maxsize=1024)
def parse_int(text: str) -> int:
    """A whole number, written as Danish decimals allow ("1.970", "37,0")."""
    value = parse_cell_decimal(text)
    if value != value.to_integral_value():
        raise ValueError(text)
    return int(value)


@lru_cache(maxsize=8192)
def _read_number(rule: NumberRule, text: str) -> tuple[Decimal, tuple[str, dict[str, Any]] | None] | None:
    """``text`` as a number rounded to the field's places, with what ``rule`` finds wrong with it
    (None when nothing is); None when ``text`` is no number. A file repeats the same hours and
    wages thousands of times: parsing, rounding and checking each text once costs less than
    rounding every cell. Cached by the text, not the value, so that "37,0" and "37,00" (equal
    Decimals) each keep their own places, as when they were read one by one."""
    try:
        value = parse_cell_decimal(text)
    except (ValueError, ArithmeticError):
        return None
    value = rule.rounded(value)
    return value, rule.problem(value)


class Columns:
    """Column lookup and typed cell reading for one table."""

    def __init__(self, table: Table, errors: IssueList) -> None:
        self.table = table
        self.errors = errors
        self.index = {normalise_header(h): i for i, h in enumerate(table.headers) if h}

    def find(self, *names: str) -> int | None:
        for name in names:
            found = self.index.get(normalise_header(name))
            if found is not None:
                return found
        return None

    def require(self, *groups: tuple[str, ...]) -> dict[str, int] | None:
        """Indexes of required columns (first name of each group is the key), or None after an error."""
        found: dict[str, int] = {}
        missing = []
        for names in groups:
            index = self.find(*names)
            if index is None:
                missing.append(names[0])
            else:
                found[names[0]] = index
        if missing:
            self.errors.add(
                self.table.file,
                self.table.header_row,
                ", ".join(missing),
                "",
                gettext_noop("Påkrævede kolonner mangler: %(columns)s."),
                columns=", ".join(missing),
            )
            return None
        return found

    def duplicate_headers(self) -> None:
        seen: dict[str, str] = {}
        for header in self.table.headers:
            key = normalise_header(header)
            if key and key in seen:
                self.errors.add(
                    self.table.file,
                    self.table.header_row,
                    header,
                    "",
                    gettext_noop("Kolonnen %(column)s findes to gange."),
                    column=header,
                )
            seen[key] = header

    # --- reading cells ---

    def text(self, cells: list[str], index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def typed(
        self,
        raw: str,
        row: int,
        index: int | None,
        parse: Callable[[str], T],
        msgid: str,
        required: bool = False,
        where: str | None = None,
    ) -> T | None:
        """``raw`` (the stripped text of column ``index``) read by ``parse``; None and a row error when
        it cannot be, None when it is empty (an error too when ``required``). An unmapped column
        (``index`` None, ``raw`` "") gives None: the import keeps what Styrbord has. ``where`` is
        the column as the error names it, when not its header (a column read by several fields
        names the field too: "Stilling (Faggruppe)")."""
        if not raw:
            if required and index is not None:
                self.errors.add(
                    self.table.file, row, self._where(index, where), "", gettext_noop("Feltet skal udfyldes.")
                )
            return None
        try:
            return parse(raw)
        except NoSuchDateError:  # the format is right, the day is not (31-02-2022)
            self.errors.add(self.table.file, row, self._where(index, where), raw, NO_SUCH_DATE, date=raw)
            return None
        except (ValueError, ArithmeticError):
            self.errors.add(self.table.file, row, self._where(index, where), raw, msgid)
            return None

    def _where(self, index: int | None, where: str | None) -> str:
        return where if where is not None else self.table.column(index or 0)

    def number(
        self, raw: str, row: int, index: int | None, rule: NumberRule, where: str | None = None
    ) -> Decimal | None:
        """A decimal the model's field and check constraints accept; a row error (and None) otherwise.
        An empty or unmapped cell gives None: the import keeps what Styrbord has."""
        if not raw:
            return None
        read = _read_number(rule, raw)
        if read is None:
            self.errors.add(self.table.file, row, self._where(index, where), raw, BAD_NUMBER)
            return None
        value, problem = read
        if problem is None:
            return value
        msgid, params = problem
        self.errors.add(self.table.file, row, self._where(index, where), raw, msgid, **params)
        return None

    def date(
        self, cells: list[str], row: int, index: int | None, required: bool = False, open_end: bool = False
    ) -> dt.date | None:
        return self.day(self.text(cells, index), row, index, required, open_end)

    def day(
        self,
        raw: str,
        row: int,
        index: int | None,
        required: bool = False,
        open_end: bool = False,
        where: str | None = None,
    ) -> dt.date | None:
        """A date within the calendar Styrbord plans by (``lib.dates``); an error outside it. With
        ``open_end`` (an end date) payroll's "no end", 31-12-9999, is read as no end (None)."""
        value = self.typed(raw, row, index, parse_date, BAD_DATE, required, where)
        if value is None or in_calendar(value):
            return value
        if open_end and value.year == OPEN_END_YEAR:
            return None
        self.errors.add(
            self.table.file,
            row,
            self._where(index, where),
            raw,
            OUT_OF_CALENDAR,
            earliest=format_date(EARLIEST, "da"),
            latest=format_date(LATEST, "da"),
        )
        return None

    def decimal(self, cells: list[str], row: int, index: int | None, rule: NumberRule | None = None) -> Decimal | None:
        if rule is not None:
            return self.number(self.text(cells, index), row, index, rule)
        return self.typed(self.text(cells, index), row, index, parse_cell_decimal, BAD_NUMBER)

    def boolean(self, cells: list[str], row: int, index: int | None) -> bool | None:
        return self.typed(self.text(cells, index), row, index, parse_bool, BAD_YES_NO)

    def integer(self, cells: list[str], row: int, index: int | None) -> int | None:
        return self.typed(self.text(cells, index), row, index, parse_int, BAD_INTEGER)


def sample_rows(table: Table) -> list[tuple[int, list[str]]]:
    """Peek at the first rows without losing them: they are put back in front of ``table.rows``."""
    sample = list(itertools.islice(table.rows, CPR_SAMPLE_ROWS))
    table.rows = itertools.chain(sample, table.rows)
    return sample


def cpr_columns(table: Table) -> list[int]:
    """Indexes of columns holding CPR numbers: by header (CPR, CPR-nr, Personnummer ...) or by
    their values (at least 80 % of the first filled cells are ddmmyy-xxxx with a real date)."""
    found = [i for i, h in enumerate(table.headers) if normalise_header(h) in CPR_HEADERS]
    sample = sample_rows(table)
    for index in range(len(table.headers)):
        if index in found:
            continue
        values = [cells[index].strip() for _, cells in sample if index < len(cells) and cells[index].strip()]
        if values and sum(1 for v in values if looks_like_cpr(v)) >= CPR_SHARE * len(values):
            found.append(index)
    return sorted(found)


UNUSED_CPR = gettext_noop(
    "Kolonnen %(column)s ligner CPR-numre; den indlæses ikke, medmindre du vælger den som CPR-nummer "
    "(så gemmes kun en pseudonym nøgle, aldrig nummeret)."
)
# Over 48 hours a week on average is beyond the Working Time Directive: most likely a typo (38 for
# 83, a month's hours). Still read (a doctor's contract may say so), but said.
LONG_WEEK = Decimal("48")
LONG_WEEK_WARNING = gettext_noop(
    "Over 48 timer om ugen er mere end arbejdstidsdirektivets gennemsnit; tjek, om det er en tastefejl. "
    "Rækken indlæses."
)


def notice_long_week(
    warnings: IssueList, table: Table, row: int, column: int | str | None, hours: Decimal | None
) -> None:
    """A week of over 48 hours, said at the column (its index, or its name as messages give it)."""
    if hours is not None and column is not None and hours > LONG_WEEK:
        where = column if isinstance(column, str) else table.column(column)
        warnings.add(table.file, row, where, format_number(hours, natural_places(hours)), LONG_WEEK_WARNING)


# A CPR number written into a person's name or education (one row, not a whole column of them):
# refused, as the API and the forms refuse it; the report shows the number masked.
NAME_WITH_CPR = gettext_noop("Navnet må ikke indeholde et CPR-nummer.")
TEXT_WITH_CPR = gettext_noop("Feltet må ikke indeholde et CPR-nummer.")


def refuse_cpr_in_person(
    errors: IssueList, table: Table, row: int, texts: Iterable[tuple[str | None, int | str | None, bool]]
) -> bool:
    """Add an error for each (text, column, is the name) that holds a CPR number; True if none did.
    The column is its index, or the name the error gives it (a shared column's "Stilling (Faggruppe)");
    None for a field without one."""
    clean = True
    for text, column, is_name in texts:
        if column is not None and contains_cpr(text):
            where = column if isinstance(column, str) else table.column(column)
            errors.add(table.file, row, where, text, NAME_WITH_CPR if is_name else TEXT_WITH_CPR)
            clean = False
    return clean


CPR_IN_OTHER_FIELD = gettext_noop(
    "Kolonnen %(column)s ligner CPR-numre og kan ikke indlæses som et andet felt, for CPR-numre gemmes aldrig. "
    "Vælg den som CPR-nummer, eller vælg en anden kolonne."
)


def notice_unused_cpr(table: Table, columns: Iterable[int], warnings: IssueList) -> None:
    """A column of CPR numbers the import does not use: said (by its header, never its values)."""
    for index in columns:
        warnings.add(table.file, table.header_row, table.column(index), "", UNUSED_CPR, column=table.column(index))


def refuse_cpr_if_policy(table: Table, columns: Iterable[int], errors: IssueList) -> bool:
    """Under CPR_POLICY="reject", a CPR column is an error. Returns True when refused."""
    refused = False
    if settings.CPR_POLICY == "reject":
        for index in columns:
            errors.add(
                table.file,
                table.header_row,
                table.column(index),
                "",
                gettext_noop(
                    "Filen indeholder CPR-numre (kolonnen %(column)s). CPR-numre må ikke indlæses i Styrbord; "
                    "fjern kolonnen og brug et medarbejder-id i stedet."
                ),
                column=table.column(index),
            )
            refused = True
    return refused


def drain(rows: Iterator[tuple[int, list[str]]]) -> int:
    """Read the rest of a table (so a corrupt end is still found) and count the rows."""
    return sum(1 for _ in rows)
