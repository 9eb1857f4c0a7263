"""The ledger as a sheet, shared by the grant page's download (``posteringer.xlsx``) and the
"Posteringer" sheet of the grantor package: every posting with the balance it counts in (Forbrug,
Disponeret, Planlagt, Modtaget), the posting a reversal or correction follows, and one total per
balance (per grant in the package), so the sheet reconciles with the balances to the øre.

Who made a posting is the municipality's own bookkeeping: its staff see their colleague's name; a
reader outside it (a grantor) sees the organisation that posted (``names_people``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import RETRIEVE, can
from styrbord.funding.models import LedgerEntry
from styrbord.lib.formatting import shown_record_text
from styrbord.lib.money import ZERO
from styrbord.lib.spreadsheets import Sheet

# What ``author`` reads: the user and their organisation, and the grant's recipient municipality.
AUTHOR_RELATIONS = (
    "created_by__municipality",
    "created_by__region",
    "grant__facility__municipality",
    "grant__municipality",
)
COLUMN_WIDTHS = [8, 12, 18, 16, 22, 16, 48, 10, 10, 11, 24]
AMOUNT_COLUMN = 5
RECIPIENT_WIDTH = 30


def entries_with_reversal_flag(queryset: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """Entries annotated with ``is_reversed`` (a reversal of them exists)."""
    return queryset.annotate(is_reversed=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"))))


def names_people(user: Any) -> bool:
    """Whether ``user`` sees who in the municipality made each posting (the policy row
    ``ledger_author``); a grantor sees the organisation instead."""
    return can(user, RETRIEVE, "ledger_author")


def organisation(entry: LedgerEntry) -> str:
    """The organisation that made the posting: the poster's municipality (or region), else the
    municipality of the grant's recipient (an administrator without one). "" for a system posting."""
    user = entry.created_by
    if user is None:
        return ""
    if user.municipality_id is not None:  # type: ignore[attr-defined]
        return str(user.municipality)  # type: ignore[attr-defined]
    if user.region_id is not None:  # type: ignore[attr-defined]
        return str(user.region)  # type: ignore[attr-defined]
    grant = entry.grant
    municipality = grant.facility.municipality if grant.facility_id is not None else grant.municipality  # type: ignore[union-attr]
    return str(municipality) if municipality is not None else ""


def author(entry: LedgerEntry, *, people: bool) -> str:
    """Who made the posting as ``people`` readers see it: the person, or the organisation."""
    if entry.created_by is None:
        return ""
    return str(entry.created_by) if people else organisation(entry)


def headers() -> list[str]:
    return [
        _("Nr."),
        _("Dato"),
        _("Type"),
        _("Saldo"),
        _("Udgiftsart"),
        _("Beløb (kr.)"),
        _("Tekst"),
        _("Tilbagefører nr."),
        _("Korrigerer nr."),
        _("Tilbageført"),
        _("Oprettet af"),
    ]


def entry_row(entry: LedgerEntry, *, people: bool) -> list[Any]:
    """One posting; its text (and a reversal's reason) in the reader's language."""
    return [
        entry.pk,
        entry.posted_on,
        entry.get_kind_display(),
        entry.get_balance_display(),
        entry.get_category_display() if entry.category else "",
        entry.amount,
        shown_record_text(entry.text),
        entry.reverses_id,
        entry.corrects_id,
        _("ja") if getattr(entry, "is_reversed", False) else "",
        author(entry, people=people),
    ]


def balance_totals(entries: Iterable[LedgerEntry]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in entries:
        totals[entry.balance] = totals.get(entry.balance, ZERO) + entry.amount
    return totals


def total_rows(totals: dict[str, Decimal]) -> list[list[Any]]:
    """One total per balance that has postings: income and spending added together would mean nothing."""
    rows: list[list[Any]] = []
    for balance, label in LedgerEntry.Balance.choices:
        if balance in totals:
            rows.append(
                [
                    "",
                    None,
                    "",
                    label,
                    "",
                    totals[balance],
                    _("I alt, %(balance)s") % {"balance": label},
                    None,
                    None,
                    "",
                    "",
                ]
            )
    return rows


def ledger_sheet(entries: Iterable[LedgerEntry], *, people: bool) -> tuple[Sheet, int]:
    """One grant's postings (in the order given) and their total per balance; and how many postings."""
    entry_list = list(entries)
    rows = [entry_row(e, people=people) for e in entry_list]
    rows += total_rows(balance_totals(entry_list))
    return (
        Sheet(_("Posteringer"), headers(), rows, money_columns={AMOUNT_COLUMN}, column_widths=COLUMN_WIDTHS),
        len(entry_list),
    )


def ledger_sheet_by_recipient(entries: Iterable[LedgerEntry], *, people: bool) -> Sheet:
    """Several grants' postings, grouped by grant in the order given, with the recipient first:
    each grant's postings end with its total per balance, and with more than one grant the sheet
    ends with the total per balance over all of them."""
    rows: list[list[Any]] = []
    everything: dict[str, Decimal] = {}
    groups = 0
    for _grant_id, group in groupby(entries, key=lambda e: e.grant_id):
        grant_entries = list(group)
        recipient = grant_entries[0].grant.recipient_name
        totals = balance_totals(grant_entries)
        for balance, amount in totals.items():
            everything[balance] = everything.get(balance, ZERO) + amount
        rows += [[recipient, *entry_row(e, people=people)] for e in grant_entries]
        rows += [[recipient, *row] for row in total_rows(totals)]
        groups += 1
    if groups > 1:
        rows += [[_("Alle modtagere"), *row] for row in total_rows(everything)]
    return Sheet(
        _("Posteringer"),
        [_("Modtager"), *headers()],
        rows,
        money_columns={AMOUNT_COLUMN + 1},
        column_widths=[RECIPIENT_WIDTH, *COLUMN_WIDTHS],
    )
