"""Charging bookings to grants: splits by share, pool rules, re-charging and posting actuals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from styrbord.audit.models import AuditEntry
from styrbord.funding.models import FundingSplit, LedgerEntry, Pool
from styrbord.funding.services import FundingError
from styrbord.funding.services.balances import balances_for
from styrbord.funding.services.booking_charges import charge_booking, post_booking_actuals, recharge_booking
from styrbord.funding.services.ledger import reverse_entry
from styrbord.funding.tests import helpers
from styrbord.lib.money import ZERO
from styrbord.training.models import BookingCost, BookingStatus, CostStage

D = Decimal
COSTS = {"fee": "2400.00", "backfill": "4440.50", "travel": "300.00", "veu_refund": "-1200.25"}


@pytest.fixture
def setup(world):  # type: ignore[no-untyped-def]
    state = helpers.grant(helpers.pool(name="Statspulje"), world.dolmer, amount="700000")
    fund = helpers.grant(
        helpers.pool(
            name="Kompetencefonden",
            kind=Pool.Kind.CO_FINANCED_FUND,
            co_financing_share=D("80"),
            ceiling_per_person_year=D("5000"),
            eligible_categories=["fee", "backfill"],
        ),
        world.dolmer,
        amount="100000",
    )
    booking = helpers.booking(world.dolmer_staff[0], COSTS)
    return state, fund, booking


def total_of(grant) -> Decimal:  # type: ignore[no-untyped-def]
    return balances_for(grant).used


def test_a_seat_split_over_two_pools_follows_each_pools_rules_and_adds_up(setup, world) -> None:  # type: ignore[no-untyped-def]
    state, fund, booking = setup
    result = charge_booking(booking, [(state, 50), (fund, 50)], world.finance, skip_ineligible=True)
    booking_total = sum((D(v) for v in COSTS.values()), ZERO)  # 5.940,25
    # Every line is split exactly; what no pool pays is uncovered (own budget).
    assert result.charged + result.uncovered == booking_total
    assert total_of(state) == D("2970.13")  # half of everything (refund included)
    # The fund covers fee and backfill (and the VEU refund, which offsets backfill) at 80 %, no travel.
    assert total_of(fund) == D("2256.10")  # 80 % of (1.200 + 2.220,25 - 600,13)
    assert set(FundingSplit.objects.filter(booking=booking).values_list("grant_id", "share")) == {
        (state.pk, D("50.00")),
        (fund.pk, D("50.00")),
    }
    entries = LedgerEntry.objects.filter(booking=booking)
    assert {e.balance for e in entries} == {"committed"}
    assert all(e.employee_id == booking.employee_id and e.posted_on == dt.date(2025, 3, 3) for e in entries)
    assert AuditEntry.objects.filter(action="funding.booking.charged", object_id=str(booking.pk)).exists()


def test_an_ineligible_category_is_refused_unless_left_uncovered(setup, world) -> None:  # type: ignore[no-untyped-def]
    _state, fund, booking = setup
    with pytest.raises(FundingError) as error:
        charge_booking(booking, [(fund, 100)], world.finance)
    assert error.value.message == "Puljen Kompetencefonden dækker ikke udgiftsarten Transport (300,00 kr.)."
    assert not LedgerEntry.objects.exists()


def test_the_ceiling_per_person_per_year_counts_other_bookings_of_the_same_pool(setup, world) -> None:  # type: ignore[no-untyped-def]
    _state, fund, booking = setup
    charge_booking(booking, [(fund, 100)], world.finance, skip_ineligible=True)
    assert total_of(fund) == D("4512.20")  # 80 % of 5.640,25
    second = helpers.booking(world.dolmer_staff[0], {"fee": "2400.00"})
    charge_booking(second, [(fund, 100)], world.finance)
    assert total_of(fund) == D("5000.00")  # capped at 5.000 kr. for the person in 2025
    other_person = helpers.booking(world.dolmer_staff[1], {"fee": "2400.00"})
    charge_booking(other_person, [(fund, 100)], world.finance)
    assert total_of(fund) == D("6920.00")


def test_charging_again_reverses_the_open_commitments_first(setup, world) -> None:  # type: ignore[no-untyped-def]
    state, fund, booking = setup
    charge_booking(booking, [(state, 100)], world.finance)
    first_total = total_of(state)
    BookingCost.objects.filter(booking=booking, category="travel").delete()
    result = recharge_booking(booking, world.finance)
    assert result is not None
    assert len(result.reversed) == 4
    assert total_of(state) == first_total - D("300.00")
    # Moving the seat to another pool leaves nothing on the first.
    charge_booking(booking, [(fund, 100)], world.finance, skip_ineligible=True)
    assert total_of(state) == ZERO
    assert LedgerEntry.objects.filter(booking=booking, kind="reversal").count() == 7


def test_actuals_replace_the_commitments_once_the_course_is_held(setup, world) -> None:  # type: ignore[no-untyped-def]
    state, _fund, booking = setup
    charge_booking(booking, [(state, 100)], world.finance)
    with pytest.raises(FundingError, match="Kun afholdte"):
        post_booking_actuals(booking, world.finance)
    booking.status = BookingStatus.ATTENDED
    booking.save()
    BookingCost.objects.filter(booking=booking).delete()
    BookingCost.objects.create(booking=booking, category="fee", stage=CostStage.ACTUAL, year=2025, amount=D("2400"))
    post_booking_actuals(booking, world.finance)
    b = balances_for(state)
    assert (b.committed, b.actual) == (ZERO, D("2400.00"))
    # The commitments' reversals say why they went (for the grantor's auditor).
    texts = set(LedgerEntry.objects.filter(booking=booking, kind="reversal").values_list("text", flat=True))
    assert texts == {"Tilbageførsel: Afløst af de faktiske udgifter"}
    with pytest.raises(FundingError, match="allerede bogført"):
        charge_booking(booking, [(state, 100)], world.finance)
    for entry in LedgerEntry.objects.filter(booking=booking, kind="actual"):
        reverse_entry(entry, world.finance, "Forkert tilsagn")
    charge_booking(booking, [(state, 100)], world.finance)
    assert balances_for(state).committed == D("2400.00")


def test_posting_a_seat_cancelled_without_a_fee_releases_its_commitments(setup, world) -> None:  # type: ignore[no-untyped-def]
    """The grant's warning says to post a cancelled booking so what it held is released; for a seat
    cancelled free of charge (no cost lines) that was refused ('ingen udgifter at fordele')."""
    state, _fund, booking = setup
    charge_booking(booking, [(state, 100)], world.finance)
    assert balances_for(state).committed > 0
    booking.status = BookingStatus.CANCELLED
    booking.save()
    BookingCost.objects.filter(booking=booking).delete()  # no fee: the cancelled seat costs nothing
    post_booking_actuals(booking, world.finance)
    b = balances_for(state)
    assert (b.committed, b.forecast, b.actual) == (ZERO, ZERO, ZERO)
    texts = set(LedgerEntry.objects.filter(booking=booking, kind="reversal").values_list("text", flat=True))
    assert texts == {"Tilbageførsel: Frigivet: pladsen blev afbestilt uden udgift"}
    with pytest.raises(FundingError, match="hverken udgifter eller disponeringer"):
        post_booking_actuals(booking, world.finance)


def test_a_grant_pays_only_for_its_own_recipients_staff_and_never_beyond_its_amount(setup, world) -> None:  # type: ignore[no-untyped-def]
    state, _fund, _booking = setup
    glesborg_booking = helpers.booking(world.glesborg_staff[0], {"fee": "2400"})
    with pytest.raises(
        FundingError, match="kan ikke betale for en plads for en medarbejder på Bofællesskaberne Glesborg"
    ):
        charge_booking(glesborg_booking, [(state, 100)], world.finance)
    small = helpers.grant(helpers.pool(name="Lille pulje"), world.dolmer, amount="1000")
    with pytest.raises(FundingError, match="overtrække"):
        charge_booking(helpers.booking(world.dolmer_staff[1], {"fee": "2400"}), [(small, 100)], world.finance)


def test_a_charge_may_use_all_that_is_left_of_a_grant_and_not_an_oere_more(world) -> None:  # type: ignore[no-untyped-def]
    """A seat of 2.400 kr. on a grant with 2.400 kr. left is charged; one with 2.399,99 kr. left is
    refused, and the message gives the amount truly left (the new entries were counted twice before,
    refusing any charge above half of what was left)."""
    exact = helpers.grant(helpers.pool(name="Præcis"), world.dolmer, amount="2400")
    charge_booking(helpers.booking(world.dolmer_staff[1], {"fee": "2400"}), [(exact, 100)], world.finance)
    assert balances_for(exact).remaining == ZERO
    short = helpers.grant(helpers.pool(name="Kort"), world.dolmer, amount="2399.99")
    with pytest.raises(FundingError) as error:
        charge_booking(helpers.booking(world.dolmer_staff[2], {"fee": "2400"}), [(short, 100)], world.finance)
    assert "har 2.399,99 kr. tilbage; 2.400,00 kr. ville overtrække det med 0,01 kr." in error.value.message
    assert not LedgerEntry.objects.filter(grant=short).exists()


def test_a_booking_outside_the_project_period_cannot_be_charged(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer)
    late = helpers.booking(world.dolmer_staff[0], {"fee": "100"}, session_obj=helpers.session([dt.date(2028, 2, 1)]))
    with pytest.raises(FundingError, match="uden for projektperioden"):
        charge_booking(late, [(grant, 100)], world.finance)


def test_refreshed_costs_are_charged_again_and_the_old_entries_reversed(setup, world) -> None:  # type: ignore[no-untyped-def]
    """Training rewrote a charged booking's cost lines and the ledger kept the old amounts: a
    walk confirmed a seat and the grant still showed it as forecast. Now the booking is charged
    again with its split; the old entries stay (append-only) and are reversed, and a refresh that
    changes nothing writes nothing."""
    from styrbord.training.models import BookingCost
    from styrbord.training.services.costing import refresh_booking_costs

    state, _fund, booking = setup
    charge_booking(booking, [(state, 100)], world.finance)
    first = set(LedgerEntry.objects.filter(booking=booking).values_list("pk", flat=True))
    refresh_booking_costs(booking, world.coordinator)  # the real lines differ from the helper's
    assert set(LedgerEntry.objects.filter(reverses__in=first).values_list("reverses_id", flat=True)) == first
    open_entries = LedgerEntry.objects.filter(booking=booking, reversals__isnull=True).exclude(kind="reversal")
    assert open_entries.exists()
    current = set(BookingCost.objects.filter(booking=booking).values_list("pk", flat=True))
    assert {e.booking_cost_id for e in open_entries} <= current
    assert balances_for(state).open_commitments == sum(e.amount for e in open_entries)
    assert {e.created_by for e in open_entries} == {world.coordinator}
    written = LedgerEntry.objects.count()
    refresh_booking_costs(booking, world.coordinator)
    assert LedgerEntry.objects.count() == written
    assert connection.vendor in ("sqlite", "postgresql")


def test_a_charged_seat_follows_its_booking_confirmed_cancelled_and_shared(world) -> None:  # type: ignore[no-untyped-def]
    """A walk confirmed a charged seat with the provider, and the grant still held it as forecast;
    it cancelled one, and the grant still held its money; a team day got another participant, and
    the first seat's grant kept the whole day's price. The grant now follows each change."""
    from styrbord.training import services
    from styrbord.training.models import Course

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="700000")
    seat = services.book(world.dolmer_staff[0], helpers.session([dt.date(2027, 3, 3)]), user=world.coordinator)
    charge_booking(seat, [(grant, 100)], world.finance)
    planned = balances_for(grant)
    assert (planned.forecast > 0, planned.committed) == (True, ZERO)

    services.confirm(seat, world.coordinator)
    confirmed = balances_for(grant)
    assert (confirmed.forecast, confirmed.committed) == (ZERO, planned.forecast)

    seat.refresh_from_db()
    services.cancel(seat, world.coordinator, expected_version=seat.version)
    released = balances_for(grant)
    assert (released.open_commitments, released.actual) == (ZERO, ZERO)
    assert LedgerEntry.objects.filter(booking=seat, text__startswith="Tilbageførsel: Frigivet").exists()

    team_day = helpers.session([dt.date(2027, 4, 5)])
    Course.objects.filter(pk=team_day.course_id).update(
        kind=Course.Kind.IN_HOUSE_TEAM_DAY, fee_per_participant=D("0"), fee_per_inhouse_day=D("6000.00")
    )
    team_day.refresh_from_db()
    first = services.book(world.dolmer_staff[1], team_day, user=world.coordinator)
    charge_booking(first, [(grant, 100)], world.finance)
    fee = LedgerEntry.objects.filter(booking=first, category="fee", reversals__isnull=True).exclude(kind="reversal")
    assert [e.amount for e in fee] == [D("6000.00")]
    services.book(world.dolmer_staff[2], team_day, user=world.coordinator)
    assert [e.amount for e in fee.all()] == [D("3000.00")]


def test_a_grant_that_cannot_take_a_seats_new_cost_keeps_the_old_charge_and_says_so(world) -> None:  # type: ignore[no-untyped-def]
    """The grant was closed after the seat was charged: confirming the seat still confirms it, the
    grant keeps what it held, and the audit trail names the refusal."""
    from styrbord.funding.models import Grant
    from styrbord.training import services

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="700000")
    seat = services.book(world.dolmer_staff[0], helpers.session([dt.date(2027, 3, 3)]), user=world.coordinator)
    charge_booking(seat, [(grant, 100)], world.finance)
    held = balances_for(grant)
    Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.CLOSED)
    services.confirm(seat, world.coordinator)
    seat.refresh_from_db()
    assert seat.status == BookingStatus.BOOKED
    assert balances_for(grant) == held  # still the forecast it was charged with
    refused = AuditEntry.objects.get(action="funding.booking.recharge_refused")
    assert "ikke åbent for posteringer" in refused.data["error"]
    assert refused.actor_id == world.coordinator.pk
    # Kept on the seat's split too, worded in each language, so the grant's page can list the seat.
    split = FundingSplit.objects.get(booking=seat)
    assert split.recharge_refused_at is not None
    assert split.recharge_refusal == {
        "da": f"Tilsagnet {grant} er ikke åbent for posteringer (status: Afsluttet).",
        "en": f"The grant {grant} is not open for entries (status: Closed).",
    }


def test_registering_attendance_leaves_the_grants_ledger_alone(world, clock) -> None:  # type: ignore[no-untyped-def]
    """Attendance moves a seat's costs from committed to the actual stage, which only finance's
    posting books: the walk saw every registered seat reversed and charged again with the same
    amounts (about 25 lines for 4 seats). The grant already holds what the seat costs."""
    from styrbord.training import services

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="700000")
    session = helpers.session([dt.date(2027, 3, 3)])
    seat = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED, user=world.coordinator)
    charge_booking(seat, [(grant, 100)], world.finance)
    before = list(LedgerEntry.objects.filter(booking=seat).order_by("pk").values_list("pk", "amount", "balance"))
    held = balances_for(grant)
    clock.to(dt.date(2027, 3, 4))
    seat.refresh_from_db()

    services.register_attendance(session, {seat.pk: ("completed", seat.version)}, world.coordinator)

    after = list(LedgerEntry.objects.filter(booking=seat).order_by("pk").values_list("pk", "amount", "balance"))
    assert after == before
    assert balances_for(grant).committed == held.committed
    # A real change still moves the grant: the seat's travel is added.
    seat.refresh_from_db()
    seat.travel_amount = D("300.00")
    seat.save()
    from styrbord.training.services.costing import refresh_booking_costs

    refresh_booking_costs(seat, world.coordinator)
    assert balances_for(grant).committed == held.committed + D("300.00")
