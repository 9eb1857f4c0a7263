"""How a booking's cost line was worked out, kept as data and written out in the reader's language.

The costing service describes each line as terms (``{"kind": "backfill", "terms": [[2, "7.4",
"312.50", "1.20"]]}``); the line stores them next to the Danish text it writes for the records
(``basis``), and a page shows ``describe`` of the terms, so an English page reads "2 days x 7.4 h x
DKK 312.50 x 1.20" where a Danish one reads "2 dage x 7,4 t x 312,50 kr. x 1,20". Amounts travel as
strings, so the JSON keeps them exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from styrbord.lib.costs import CostCategory
from styrbord.lib.formatting import format_number, format_ore, in_record_language, natural_places

Terms = dict[str, Any]


def _hours(value: Decimal) -> str:
    """Hours as in a hand calculation: 7,4 and 6, not 7,40 and 6,00."""
    return format_number(value, natural_places(value))


def _days(count: int) -> str:
    return ngettext("%(count)s dag", "%(count)s dage", count) % {"count": count}


def _grouped(terms: Sequence[Sequence[Any]], write: Any) -> str:
    """'2 dage x 7,4 t x ... + 7,4 t x ...': a term that recurs is counted, not repeated."""
    parts = []
    for count, *values in terms:
        text = write(*(Decimal(v) for v in values))
        parts.append(_("%(days)s x %(term)s") % {"days": _days(count), "term": text} if count > 1 else text)
    return " + ".join(parts)


def _vat(terms: Mapping[str, Any]) -> str:
    return _(" x 1,25 (moms, privat tilbud)") if terms.get("vat") else ""


def describe(terms: Mapping[str, Any]) -> str:
    """The terms as text in the active language."""
    kind = terms.get("kind")
    if kind == "fee":
        return _("%(fee)s pr. deltager ekskl. moms") % {"fee": format_ore(Decimal(terms["fee"]))} + _vat(terms)
    if kind == "inhouse":
        people = int(terms["participants"])
        return _("%(days)s x %(fee)s%(vat)s / %(participants)s") % {
            "days": _days(int(terms["days"])),
            "fee": format_ore(Decimal(terms["day_fee"])),
            "vat": _vat(terms),
            "participants": ngettext("%(count)s deltager", "%(count)s deltagere", people) % {"count": people},
        }
    if kind == "backfill":
        return _grouped(
            terms["terms"],
            lambda h, w, f: (
                _("%(hours)s t x %(wage)s x %(factor)s")
                % {"hours": _hours(h), "wage": format_ore(w), "factor": format_number(f, 2)}
            ),
        )
    if kind == "veu":
        return _("VEU: %(terms)s") % {
            "terms": _grouped(
                terms["terms"], lambda h, r: _("%(hours)s t x %(rate)s") % {"hours": _hours(h), "rate": format_ore(r)}
            )
        }
    if kind == "category":
        return str(CostCategory(terms["category"]).label)
    return ""


def record(terms: Mapping[str, Any]) -> str:
    """The terms as the records write them (Danish, whoever is signed in)."""
    with in_record_language():
        return describe(terms)


def grouped_terms(terms: Sequence[tuple[Decimal, ...]]) -> list[list[Any]]:
    """Day terms counted: ``[(7.4, 312.5, 1.2), (7.4, 312.5, 1.2)]`` -> ``[[2, "7.4", "312.5", "1.2"]]``."""
    counts: dict[tuple[Decimal, ...], int] = {}
    for term in terms:
        counts[term] = counts.get(term, 0) + 1
    return [[count, *(str(v) for v in term)] for term, count in counts.items()]
