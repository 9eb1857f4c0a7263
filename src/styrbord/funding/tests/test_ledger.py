"""The ledger: postings, reversals, corrections, income, balances, and the append-only guard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from styrbord.audit.models import AuditEntry
from styrbord.funding.models import AppendOnlyError, LedgerEntry
from styrbord.funding.services import FundingError
from styrbord.funding.services.balances import balances_for
from styrbord.funding.services.ledger import commit, correct_entry, post_actual, record_income, reverse_entry
from styrbord.funding.tests import helpers
from styrbord.lib.costs import CostCategory
from styrbord.lib.money import ZERO

D = Decimal
DAY = dt.date(2025, 6, 2)


@pytest.fixture
def grant(world):  # type: ignore[no-untyped-def]
    return helpers.grant(helpers.pool(), world.dolmer, amount="10000")


def test_commitments_actuals_and_income_land_in_their_balances(grant, world) -> None:  # type: ignore[no-untyped-def]
    commitment = commit(grant, CostCategory.FEE, D("2400"), DAY, world.finance)
    commit(grant, CostCategory.FEE, D("1000"), DAY, world.finance, planned=True)
    post_actual(grant, CostCategory.FEE, D("2500"), DAY, world.finance, releases=commitment)
    record_income(grant, D("2500"), dt.date(2025, 1, 2), world.finance, text="1. kvartal")
    b = balances_for(grant)
    assert (b.forecast, b.committed, b.actual, b.income) == (D("1000"), ZERO, D("2500"), D("2500"))
    assert b.remaining == D("6500.00")
    assert AuditEntry.objects.filter(action__startswith="funding.ledger.").count() == 5  # incl. the release


def test_it_refuses_to_overdraw_a_grant_with_a_danish_message(grant, world) -> None:  # type: ignore[no-untyped-def]
    commit(grant, CostCategory.FEE, D("9000"), DAY, world.finance)
    with pytest.raises(FundingError) as error:
        commit(grant, CostCategory.FEE, D("1000.01"), DAY, world.finance)
    assert "1.000,00 kr. tilbage" in error.value.message
    assert "overtrække" in error.value.message
    commit(grant, CostCategory.FEE, D("1000"), DAY, world.finance)
    assert balances_for(grant).remaining == ZERO


def test_an_invoice_replacing_a_commitment_may_use_what_it_frees_but_no_more(grant, world) -> None:  # type: ignore[no-untyped-def]
    """10.000 kr.: 3.000 committed for a course, 6.000 spent elsewhere, 1.000 left. The course's
    invoice may be up to 4.000 (the freed 3.000 and the 1.000 left); the freed amount counts once."""
    course = commit(grant, CostCategory.FEE, D("3000"), DAY, world.finance)
    post_actual(grant, CostCategory.FEE, D("6000"), DAY, world.finance)
    with pytest.raises(FundingError) as error:
        post_actual(grant, CostCategory.FEE, D("4000.01"), DAY, world.finance, releases=course)
    assert "har 4.000,00 kr. tilbage; 4.000,01 kr. ville overtrække det med 0,01 kr." in error.value.message
    assert balances_for(grant).committed == D("3000")  # nothing half-done: the commitment is still open
    post_actual(grant, CostCategory.FEE, D("4000"), DAY, world.finance, releases=course)
    assert balances_for(grant).remaining == ZERO


def test_reversing_an_invoice_that_replaced_a_commitment_opens_the_commitment_again(grant, world) -> None:  # type: ignore[no-untyped-def]
    """The invoice was wrong and is reversed: the course is still to be paid, so its 3.000 kr. are
    committed again (a new entry; the ledger is never edited), not lost from the balances."""
    course = commit(grant, CostCategory.FEE, D("3000"), DAY, world.finance, text="Kursusgebyr, hold 1")
    invoice = post_actual(grant, CostCategory.FEE, D("3200"), DAY, world.finance, releases=course)
    assert invoice.replaces == course
    assert (balances_for(grant).committed, balances_for(grant).actual) == (ZERO, D("3200"))

    reverse_entry(invoice, world.finance, "Forkert faktura")

    b = balances_for(grant)
    assert (b.committed, b.actual, b.remaining) == (D("3000"), ZERO, D("7000"))
    reopened = LedgerEntry.objects.filter(kind="commitment").exclude(pk=course.pk).get()
    assert (reopened.amount, reopened.category, reopened.posted_on) == (D("3000"), CostCategory.FEE, DAY)
    assert reopened.text == "Genåbnet, da den afløsende bogføring blev tilbageført"
    assert AuditEntry.objects.filter(action="funding.ledger.reopened").count() == 1


def test_it_refuses_a_category_the_pool_does_not_cover_and_a_date_outside_the_period(grant, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FundingError) as error:
        commit(grant, CostCategory.MATERIALS, D("100"), DAY, world.finance)
    assert "dækker ikke udgiftsarten Materialer" in error.value.message
    with pytest.raises(FundingError) as error:
        post_actual(grant, CostCategory.FEE, D("100"), dt.date(2028, 1, 3), world.finance)
    assert "03-01-2028 ligger uden for projektperioden 01-01-2025 – 31-12-2027" in error.value.message
    assert not LedgerEntry.objects.exists()


def test_a_reversal_cancels_an_entry_once_and_cannot_itself_be_reversed(grant, world) -> None:  # type: ignore[no-untyped-def]
    entry = post_actual(grant, CostCategory.FEE, D("2400"), DAY, world.finance)
    with pytest.raises(FundingError):
        reverse_entry(entry, world.finance, "")
    reversal = reverse_entry(entry, world.finance, "Faktura krediteret")
    assert (reversal.kind, reversal.amount, reversal.reverses, reversal.posted_on) == (
        "reversal",
        D("-2400"),
        entry,
        DAY,
    )
    with pytest.raises(FundingError, match="allerede tilbageført"):
        reverse_entry(entry, world.finance, "igen")
    with pytest.raises(FundingError, match="kan ikke tilbageføres"):
        reverse_entry(reversal, world.finance, "igen")
    assert balances_for(grant).actual == ZERO
    assert LedgerEntry.objects.count() == 2  # nothing edited, nothing deleted


def test_a_correction_is_a_reversal_plus_a_new_entry(grant, world) -> None:  # type: ignore[no-untyped-def]
    entry = post_actual(grant, CostCategory.TRAVEL, D("400"), DAY, world.finance)
    reversal, correction = correct_entry(entry, D("450"), world.finance, "Forkert beløb")
    assert reversal.reverses == entry
    assert correction.corrects == entry
    assert (correction.kind, correction.balance, correction.amount) == ("correction", "actual", D("450"))
    assert balances_for(grant).actual == D("450")
    with pytest.raises(FundingError):
        correct_entry(correction, D("20000"), world.finance)  # would overdraw
    assert balances_for(grant).actual == D("450")  # the failed correction left nothing behind


def test_the_ledger_writes_its_own_texts_in_danish_whoever_posts(grant, world) -> None:  # type: ignore[no-untyped-def]
    """A posting text is part of the books: an English session must not leave "Reversal: ..."
    among Danish postings. (The reason itself is the user's own words, kept as typed.)"""
    commitment = commit(grant, CostCategory.FEE, D("300"), DAY, world.finance)
    entry = post_actual(grant, CostCategory.FEE, D("400"), DAY, world.finance)
    with translation.override("en"):
        assert translation.get_language() == "en"
        post_actual(grant, CostCategory.FEE, D("300"), DAY, world.finance, releases=commitment)
        reversal, correction = correct_entry(entry, D("450"), world.finance)
    texts = set(LedgerEntry.objects.filter(kind__in=["reversal", "correction"]).values_list("text", flat=True))
    assert texts == {
        "Tilbageførsel: Afløst af bogføring",
        "Tilbageførsel: Korrektion af beløb",
        "Korrektion: Korrektion af beløb",
    }
    assert (reversal.text, correction.text) == ("Tilbageførsel: Korrektion af beløb", "Korrektion: Korrektion af beløb")


def test_ledger_entries_cannot_be_edited_or_deleted_through_the_application(grant, world) -> None:  # type: ignore[no-untyped-def]
    entry = commit(grant, CostCategory.FEE, D("100"), DAY, world.finance)
    entry.amount = D("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("100")


@pytest.mark.postgres
def test_postgresql_refuses_raw_updates_and_deletes_of_ledger_rows(grant, world) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    entry = commit(grant, CostCategory.FEE, D("100"), DAY, world.finance)
    for sql in (
        "UPDATE funding_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM funding_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("100")


operations = st.lists(
    st.tuples(
        st.sampled_from(["commit", "plan", "actual", "income", "reverse", "correct"]),
        st.decimals(min_value=D("-500"), max_value=D("4000"), places=2, allow_nan=False, allow_infinity=False),
        st.integers(min_value=0, max_value=50),
    ),
    max_size=25,
)


@given(operations)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_ledger_balance_always_equals_the_sum_of_its_entries(world, ops) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        grant = helpers.grant(helpers.pool(), world.dolmer, amount="10000")
        for op, amount, pick in ops:
            entries = list(LedgerEntry.objects.filter(grant=grant).order_by("pk"))
            target = entries[pick % len(entries)] if entries else None
            try:
                with transaction.atomic():
                    if op in ("commit", "plan"):
                        commit(grant, CostCategory.FEE, amount, DAY, world.finance, planned=op == "plan")
                    elif op == "actual":
                        post_actual(grant, CostCategory.BACKFILL, amount, DAY, world.finance)
                    elif op == "income":
                        record_income(grant, amount, DAY, world.finance)
                    elif op == "reverse" and target is not None:
                        reverse_entry(target, world.finance, "test")
                    elif op == "correct" and target is not None:
                        correct_entry(target, amount, world.finance)
            except FundingError:
                pass  # refused operations (overdraw, double reversal ...) leave nothing behind
        entries = list(LedgerEntry.objects.filter(grant=grant))
        b = balances_for(grant)
        assert b.entries_total == sum((e.amount for e in entries), ZERO)
        for balance in LedgerEntry.Balance.values:
            assert getattr(b, balance) == sum((e.amount for e in entries if e.balance == balance), ZERO)
        # Never overdrawn, and every reversed entry is cancelled exactly.
        assert b.remaining >= 0
        for e in entries:
            if e.kind == "reversal":
                assert e.amount == -e.reverses.amount  # type: ignore[union-attr]
        transaction.set_rollback(True)
