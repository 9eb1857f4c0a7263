"""Small helpers for writing Danish case text from figures (all formatting via lib.formatting)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from styrbord.lib import formatting


def join_da(items: Sequence[str]) -> str:
    """ "A, B og C" as Danish prose lists things."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def year_span(years: Sequence[int]) -> str:
    """Years as running text, runs joined: [2022, 2023, 2024, 2025] -> "2022-2025", [2022, 2024] ->
    "2022 og 2024", [2022, 2023, 2026] -> "2022-2023 og 2026"."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return join_da([f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs])


def long_date(day: dt.date) -> str:
    """A date in running text, as the seed documents write it: "1. januar 2025"."""
    return formatting.format_date_long(day)


def quoted(name: str) -> str:
    """A project or pool name in Danish quotation marks, as the documents write it: ”…”."""
    return f"”{name.strip()}”"


# Below this, an amount in millions says too little ("0,000 mio. kr." for 369 kr.): kroner instead.
MIO_FROM = Decimal("10000")


def mio(amount: Decimal | int) -> str:
    """1022000 -> "1,022 mio. kr."; 50000 -> "0,050 mio. kr."; 369 -> "369 kr."."""
    if abs(Decimal(amount)) < MIO_FROM:
        return formatting.format_kr(amount)
    return formatting.format_mio(amount)


def kr(amount: Decimal | int) -> str:
    """572449 -> "572.449 kr."."""
    return formatting.format_kr(amount)


def pct(value: Decimal | float | int, places: int = 0) -> str:
    """44 -> "44 pct." (committee prose writes pct.; tables use the % sign)."""
    return f"{formatting.format_number(Decimal(str(value)), places)} pct."


def paragraphs(text: str) -> list[str]:
    """Split a stored text field into paragraphs on blank lines."""
    parts = [" ".join(p.split()) for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [p for p in parts if p]


def genitive(name: str) -> str:
    """Danish genitive: "Voksen- og Plejeudvalget" -> "Voksen- og Plejeudvalgets"."""
    if not name or name.endswith(("s", "x", "z")):
        return name
    return name + "s"


def people(count: int) -> str:
    """ "1 medarbejder", "3 medarbejdere"."""
    return f"{count} medarbejder" if count == 1 else f"{count} medarbejdere"
