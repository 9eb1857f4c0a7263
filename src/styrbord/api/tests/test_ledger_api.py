"""Posting to the ledger through the API holds the same rules as the page's form."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.funding.models import LedgerEntry
from styrbord.funding.tests import helpers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "amount", "message"),
    [
        ("materials", "0", "Beløbet skal være større end 0."),
        ("materials", "-50.00", "Beløbet skal være større end 0."),
        ("veu_refund", "100.00", "En refusion bogføres som et negativt beløb"),
    ],
)
def test_a_zero_or_wrong_signed_posting_is_refused_as_on_the_page(
    world: Any, api_as: Any, category: str, amount: str, message: str
) -> None:
    """The API posted 0, a negative cost (an offset, not a reversal) and a positive refund."""
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    posted_on = grant.pool.period_start.isoformat()
    for kind in ("actual", "commitment"):
        response = api_as(world.finance).post(
            "/ledger",
            {
                "grant": grant.pk,
                "kind": kind,
                "category": category,
                "amount": amount,
                "posted_on": posted_on,
                "text": "",
            },
        )
        assert response.status_code == 422, response.content.decode()
        assert message in response.json()["detail"][0]["msg"]
        # at the amount, not "__all__" (an integrator's walk)
        assert response.json()["detail"][0]["loc"] == ["body", "payload", "amount"]
    assert not LedgerEntry.objects.filter(grant=grant).exists()
    ok = api_as(world.finance).post(
        "/ledger",
        {
            "grant": grant.pk,
            "kind": "actual",
            "category": "veu_refund",
            "amount": "-100.00",
            "posted_on": posted_on,
            "text": "",
        },
    )
    assert ok.status_code == 201, ok.content.decode()


def test_the_grantor_reads_the_accounts_without_the_people_and_reads_are_logged(world: Any, api_as: Any) -> None:
    """The grantor's token listed 587 postings with the employee and booking of each (per-person
    wage costs), and nobody's ledger reads were in the audit log."""
    from styrbord.audit.models import AuditEntry
    from styrbord.funding.services.booking_charges import charge_booking

    pool = helpers.pool(grantor=world.grantor_user.grantor)
    grant = helpers.grant(pool, world.dolmer, amount="100000")
    booking = helpers.booking(world.dolmer_staff[0], {"fee": "2400", "backfill": "5000"})
    charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)
    seen = api_as(world.grantor_user).get("/ledger", grant=grant.pk)
    assert seen.status_code == 200, seen.content.decode()
    rows = seen.json()["items"]
    assert rows
    assert all(r["employee"] is None and r["booking"] is None for r in rows)
    own = api_as(world.finance).get("/ledger", grant=grant.pk).json()["items"]
    assert {r["employee"] for r in own} == {world.dolmer_staff[0].pk}
    assert AuditEntry.objects.filter(
        action__startswith="api.funding.ledgerentry", subject_employee_id=world.dolmer_staff[0].pk
    ).exists()


def test_the_grantor_cannot_find_postings_by_booking(world: Any, api_as: Any) -> None:
    """``?booking=`` gave the grantor a seat's postings (fee, backfill, travel) by walking booking
    ids, although its rows hide the booking: the seat's backfill is a person's wage cost."""
    from styrbord.funding.services.booking_charges import charge_booking

    pool = helpers.pool(grantor=world.grantor_user.grantor)
    grant = helpers.grant(pool, world.dolmer, amount="100000")
    booking = helpers.booking(world.dolmer_staff[0], {"fee": "2400", "backfill": "5000"})
    charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)

    refused = api_as(world.grantor_user).get("/ledger", booking=booking.pk)
    exported = api_as(world.grantor_user).get("/ledger/export.csv", booking=booking.pk)
    finance = api_as(world.finance).get("/ledger", booking=booking.pk)

    assert refused.status_code == 422, refused.content.decode()
    assert refused.json()["detail"][0]["loc"] == ["query", "booking"]
    assert "kan ikke finde bogføringer efter booking" in refused.json()["detail"][0]["msg"]
    assert exported.status_code == 422
    assert finance.status_code == 200
    assert {r["booking"] for r in finance.json()["items"]} == {booking.pk}
