"""Posting on the ledger: commitments, actuals, income, reversals and corrections.

Every posting that uses up a grant locks the grant row first (``lock_grants``) and only then
reads the balance and inserts, inside one transaction. That is what keeps two finance officers
charging the same grant at the same moment from both seeing the same remaining amount and
together overdrawing it (a lost update). PostgreSQL: SELECT ... FOR UPDATE makes the second
transaction wait for the first to commit. SQLite has no row locks; there the IMMEDIATE
transaction mode (settings) takes the write lock at BEGIN, which serialises writers the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from styrbord.audit.services import log_action
from styrbord.funding.models import Grant, LedgerEntry
from styrbord.funding.services.errors import FundingError, lazy_date, lazy_kr
from styrbord.lib.costs import REFUND_CATEGORIES, CostCategory
from styrbord.lib.formatting import RecordMessage
from styrbord.lib.money import ZERO, to_money

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

    AnyUser = User | AnonymousUser | None

Kind = LedgerEntry.Kind
Balance = LedgerEntry.Balance

# The texts the ledger writes itself (kept in Danish, shown in the reader's language).
REPLACED_BY_POSTING = RecordMessage(gettext_noop("Afløst af bogføring"))
REVERSAL = RecordMessage(gettext_noop("Tilbageførsel: %(reason)s"))
REOPENED = RecordMessage(gettext_noop("Genåbnet, da den afløsende bogføring blev tilbageført"))
CORRECTION_OF_AMOUNT = RecordMessage(gettext_noop("Korrektion af beløb"))
CORRECTION = RecordMessage(gettext_noop("Korrektion: %(reason)s"))


def category_label(category: str) -> str:
    return str(dict(CostCategory.choices).get(category, category))


def lock_grants(grant_ids: Iterable[int]) -> dict[int, Grant]:
    """Lock the grant rows (in id order, so two transactions locking the same grants never deadlock)."""
    ids = sorted(set(grant_ids))
    rows = Grant.objects.select_for_update(of=("self",)).select_related("pool").filter(pk__in=ids).order_by("pk")
    grants = {g.pk: g for g in rows}
    if len(grants) != len(ids):
        raise FundingError(_("Tilsagnet findes ikke."))
    return grants


def used_amount(grant: Grant) -> Decimal:
    """Actual spending plus open commitments (planned and committed) on the grant."""
    total = LedgerEntry.objects.filter(grant=grant, balance__in=LedgerEntry.SPENDING).aggregate(s=Sum("amount"))["s"]
    return to_money(total or ZERO)


def ensure_headroom(grant: Grant, delta: Decimal) -> None:
    """Refuse a posting that would make actual + open commitments exceed the grant. Call with the grant locked."""
    if delta <= 0:
        return
    remaining = grant.amount - used_amount(grant)
    if delta > remaining:
        raise FundingError.of(
            gettext_noop("Tilsagnet %(grant)s har %(remaining)s tilbage; %(amount)s ville overtrække det med %(over)s"),
            grant=str(grant),
            remaining=lazy_kr(max(remaining, ZERO), 2),
            amount=lazy_kr(delta, 2),
            over=lazy_kr(delta - remaining, 2),
        ).at("amount")


def ensure_open(grant: Grant) -> None:
    if not grant.is_open_for_charges:
        raise FundingError.of(
            gettext_noop("Tilsagnet %(grant)s er ikke åbent for posteringer (status: %(status)s)."),
            grant=str(grant),
            status=Grant.Status(grant.status).label,
        ).at("grant")


def ensure_sign(category: str, amount: Decimal) -> None:
    """A cost is posted positive and a refund negative, never 0: the ledger is append-only, so a
    wrong posting is reversed (with its own trail), not offset by one of the opposite sign. The
    page's form says the same; this holds it for the API and every other caller."""
    if category in REFUND_CATEGORIES and amount >= 0:
        raise FundingError(_("En refusion bogføres som et negativt beløb, f.eks. -1.250,00.")).at("amount")
    if category not in REFUND_CATEGORIES and amount <= 0:
        raise FundingError(_("Beløbet skal være større end 0. En forkert postering rettes ved at tilbageføre den.")).at(
            "amount"
        )


def ensure_covered(grant: Grant, category: str) -> None:
    if not grant.pool.covers(category):
        raise FundingError(
            _("Puljen %(pool)s dækker ikke udgiftsarten %(category)s.")
            % {"pool": grant.pool.name, "category": category_label(category)}
        ).at("category")


def ensure_in_period(grant: Grant, day: dt.date) -> None:
    pool = grant.pool
    if not pool.contains(day):
        raise FundingError.of(
            gettext_noop("Datoen %(day)s ligger uden for projektperioden %(start)s – %(end)s for puljen %(pool)s."),
            day=lazy_date(day),
            start=lazy_date(pool.period_start),
            end=lazy_date(pool.period_end),
            pool=pool.name,
        ).at("posted_on")


def _audit_data(entry: LedgerEntry, **extra: Any) -> dict[str, Any]:
    return {
        "grant": entry.grant_id,
        "kind": entry.kind,
        "balance": entry.balance,
        "category": entry.category,
        "amount": entry.amount,
        "posted_on": entry.posted_on,
        **extra,
    }


def _links(entry: LedgerEntry) -> dict[str, Any]:
    """What an entry that follows another (its reversal, correction, or the posting that replaces
    it) carries over: the booking, its cost line and the person."""
    return {
        "booking_id": entry.booking_id,
        "booking_cost_id": entry.booking_cost_id,
        "employee_id": entry.employee_id,
    }


def _create(grant: Grant, user: AnyUser, **fields: Any) -> LedgerEntry:
    created_by = user if user is not None and user.is_authenticated else None
    return LedgerEntry.objects.create(grant=grant, created_by=created_by, **fields)


def commit(
    grant: Grant,
    category: str,
    amount: Decimal,
    posted_on: dt.date,
    user: AnyUser,
    *,
    planned: bool = False,
    text: str = "",
) -> LedgerEntry:
    """Commit part of a grant (disponering) for a cost not tied to a booking."""
    amount = to_money(amount)
    ensure_sign(category, amount)
    with transaction.atomic():
        grant = lock_grants([grant.pk])[grant.pk]
        ensure_open(grant)
        ensure_covered(grant, category)
        ensure_in_period(grant, posted_on)
        ensure_headroom(grant, amount)
        entry = _create(
            grant,
            user,
            kind=Kind.COMMITMENT,
            balance=Balance.FORECAST if planned else Balance.COMMITTED,
            category=category,
            amount=amount,
            posted_on=posted_on,
            text=text,
        )
        log_action(entry, "funding.ledger.committed", user, _audit_data(entry))
    return entry


def post_actual(
    grant: Grant,
    category: str,
    amount: Decimal,
    posted_on: dt.date,
    user: AnyUser,
    *,
    text: str = "",
    releases: LedgerEntry | None = None,
) -> LedgerEntry:
    """Post an actual cost (bogføring). ``releases``: the open commitment it replaces, reversed in the same step."""
    amount = to_money(amount)
    ensure_sign(category, amount)
    with transaction.atomic():
        grant = lock_grants([grant.pk])[grant.pk]
        ensure_open(grant)
        ensure_covered(grant, category)
        ensure_in_period(grant, posted_on)
        links: dict[str, Any] = {}
        if releases is not None:
            if releases.grant_id != grant.pk or releases.balance not in LedgerEntry.OPEN_COMMITMENTS:
                raise FundingError(_("Kun en åben disponering på samme tilsagn kan afløses af en bogføring."))
            _reverse(releases, grant, user, REPLACED_BY_POSTING())
            links = {**_links(releases), "replaces": releases}
        # The released commitment's reversal is already in the ledger: the headroom counts it once.
        ensure_headroom(grant, amount)
        entry = _create(
            grant,
            user,
            kind=Kind.ACTUAL,
            balance=Balance.ACTUAL,
            category=category,
            amount=amount,
            posted_on=posted_on,
            text=text,
            **links,
        )
        log_action(entry, "funding.ledger.posted", user, _audit_data(entry, releases=releases.pk if releases else None))
    return entry


def record_income(grant: Grant, amount: Decimal, received_on: dt.date, user: AnyUser, *, text: str = "") -> LedgerEntry:
    """Record money received from the grantor (e.g. paid quarterly in advance)."""
    amount = to_money(amount)
    if amount == 0:
        raise FundingError(_("Angiv et beløb, der ikke er 0."))
    with transaction.atomic():
        grant = lock_grants([grant.pk])[grant.pk]
        entry = _create(
            grant, user, kind=Kind.INCOME, balance=Balance.INCOME, amount=amount, posted_on=received_on, text=text
        )
        log_action(entry, "funding.ledger.income_recorded", user, _audit_data(entry))
    return entry


def _reverse(entry: LedgerEntry, grant: Grant, user: AnyUser, reason: str) -> LedgerEntry:
    """The reversal itself; the caller holds the grant lock and runs in a transaction."""
    if entry.kind == Kind.REVERSAL:
        raise FundingError(_("En tilbageførsel kan ikke tilbageføres. Bogfør en ny postering i stedet."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise FundingError(_("Posteringen er allerede tilbageført."))
    if entry.balance in LedgerEntry.SPENDING:
        # Reversing a refund (a negative amount) uses up the grant again.
        ensure_headroom(grant, -entry.amount)
    # The reversal keeps the cost date of the entry it cancels, so both fall in the same period and
    # month; when it was made is in created_at.
    reversal = _create(
        grant,
        user,
        kind=Kind.REVERSAL,
        balance=entry.balance,
        category=entry.category,
        amount=-entry.amount,
        posted_on=entry.posted_on,
        text=REVERSAL(reason=reason)[:300],
        reverses=entry,
        **_links(entry),
    )
    log_action(reversal, "funding.ledger.reversed", user, _audit_data(reversal, reverses=entry.pk, reason=reason))
    return reversal


def reverse_entry(entry: LedgerEntry, user: AnyUser, reason: str) -> LedgerEntry:
    """Cancel an entry by posting its opposite. The entry itself is never changed."""
    reason = (reason or "").strip()
    if not reason:
        raise FundingError(_("Skriv en begrundelse for tilbageførslen."))
    with transaction.atomic():
        grant = lock_grants([entry.grant_id])[entry.grant_id]
        reversal = _reverse(entry, grant, user, reason)
        if entry.replaces_id is not None:
            _reopen(entry.replaces, grant, user)  # type: ignore[arg-type]
        return reversal


def _reopen(commitment: LedgerEntry, grant: Grant, user: AnyUser) -> LedgerEntry:
    """An invoice that replaced a commitment is reversed: the cost is expected again, so the
    commitment is opened anew (its own reversal stays; the ledger is never edited)."""
    ensure_headroom(grant, commitment.amount)
    reopened = _create(
        grant,
        user,
        kind=Kind.COMMITMENT,
        balance=commitment.balance,
        category=commitment.category,
        amount=commitment.amount,
        posted_on=commitment.posted_on,
        text=REOPENED()[:300],
        **_links(commitment),
    )
    log_action(reopened, "funding.ledger.reopened", user, _audit_data(reopened, reopens=commitment.pk))
    return reopened


def correct_entry(
    entry: LedgerEntry, new_amount: Decimal, user: AnyUser, reason: str = ""
) -> tuple[LedgerEntry, LedgerEntry]:
    """Correct an amount: reverse the entry and post the right amount as a correction (one transaction)."""
    new_amount = to_money(new_amount)
    if new_amount == entry.amount:
        raise FundingError(_("Det nye beløb er det samme som det gamle."))
    # The corrected amount obeys the rule a new posting does: a cost above 0, a refund below it.
    if entry.balance == Balance.INCOME:
        if new_amount == 0:
            raise FundingError(_("Angiv et beløb, der ikke er 0. En forkert postering rettes ved at tilbageføre den."))
    else:
        ensure_sign(entry.category, new_amount)
    reason = (reason or "").strip() or CORRECTION_OF_AMOUNT()
    with transaction.atomic():
        grant = lock_grants([entry.grant_id])[entry.grant_id]
        reversal = _reverse(entry, grant, user, reason)
        if entry.balance in LedgerEntry.SPENDING:
            ensure_headroom(grant, new_amount)
        correction = _create(
            grant,
            user,
            kind=Kind.CORRECTION,
            balance=entry.balance,
            category=entry.category,
            amount=new_amount,
            posted_on=entry.posted_on,
            text=CORRECTION(reason=reason)[:300],
            corrects=entry,
            **_links(entry),
        )
        log_action(
            correction,
            "funding.ledger.corrected",
            user,
            _audit_data(correction, corrects=entry.pk, old_amount=entry.amount),
            before={"amount": entry.amount},
            after={"amount": new_amount},
        )
    return reversal, correction
