"""Hand-calculated cost cases, to the øre."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from styrbord.lib.costs import CostCategory
from styrbord.staff.models import JobGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import Clock
from styrbord.training import services
from styrbord.training.models import BackfillFactor, BookingCost, BookingStatus, CancellationRule, CostStage, Course
from styrbord.training.services.costing import booking_costs, total

from . import helpers

# The sessions here run in spring 2026: the tests book before, and move the clock to register attendance.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_courses")]


def _amounts(lines: list, category: str) -> dict[int, Decimal]:
    return {line.year: line.amount for line in lines if line.category == category}


@pytest.fixture
def dolmer() -> object:
    facility = factories.facility("Dolmer Have")
    BackfillFactor.objects.create(facility=facility, valid_from=dt.date(2025, 1, 1), factor=Decimal("1.20"))
    return facility


def test_a_full_time_booking_costs_fee_plus_hours_times_wage_times_factor(dolmer: object) -> None:
    employment = factories.employment(facility_obj=dolmer, hourly_wage="312.50", weekly_hours="37")
    session = helpers.session(helpers.course(fee_per_participant=Decimal("2400.00")))
    booking = services.book(employment.employee, session, status=BookingStatus.BOOKED)
    lines = booking_costs(booking)
    backfill = next(line for line in lines if line.category == CostCategory.BACKFILL)
    # 7,4 t x 312,50 kr. x 1,20 = 2.775,00 kr.
    assert backfill.amount == Decimal("2775.00")
    assert backfill.basis == "7,4 t x 312,50 kr. x 1,20"
    assert _amounts(lines, CostCategory.FEE) == {2026: Decimal("2400.00")}
    assert total(lines) == Decimal("5175.00")
    assert {line.stage for line in lines} == {CostStage.COMMITTED}
    assert not any(line.category == CostCategory.VEU_REFUND for line in lines)  # a social educator


def test_a_part_timer_is_backfilled_for_their_average_day_only(dolmer: object) -> None:
    employment = factories.employment(facility_obj=dolmer, hourly_wage="312.50", weekly_hours="30")
    session = helpers.session(helpers.course(), days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
    booking = services.book(employment.employee, session)
    lines = booking_costs(booking)
    # 30 t / 5 = 6 t a day; 2 dage x 6 t x 312,50 kr. x 1,20 = 4.500,00 kr.
    assert _amounts(lines, CostCategory.BACKFILL) == {2026: Decimal("4500.00")}
    assert lines[1].basis == "2 dage x 6 t x 312,50 kr. x 1,20"
    assert {line.stage for line in lines} == {CostStage.FORECAST}  # planned


def test_an_unskilled_worker_on_an_amu_course_earns_veu_at_the_days_rate(dolmer: object) -> None:
    employment = factories.employment(
        facility_obj=dolmer, job_group=JobGroup.SOSU_HELPER, hourly_wage="250.00", weekly_hours="37"
    )
    amu = helpers.course(kind=Course.Kind.AMU, veu_eligible=True, fee_per_participant=Decimal("0.00"))
    session = helpers.session(amu, days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
    booking = services.book(employment.employee, session, status=BookingStatus.BOOKED)
    lines = booking_costs(booking)
    # VEU 2026: 14,8 t x 137,43 kr. = 2.033,964 -> 2.033,96 kr. (negative: a refund)
    assert _amounts(lines, CostCategory.VEU_REFUND) == {2026: Decimal("-2033.96")}
    # Backfill: 14,8 t x 250,00 x 1,20 = 4.440,00; no fee.
    assert total(lines) == Decimal("4440.00") - Decimal("2033.96")


def test_a_nurse_or_a_person_with_a_higher_education_gets_no_veu(dolmer: object) -> None:
    amu = helpers.course(kind=Course.Kind.AMU, veu_eligible=True)
    nurse = factories.employment(facility_obj=dolmer, job_group=JobGroup.NURSE)
    educated = factories.employment(
        factories.employee(education="Professionsbachelor, sygeplejerske"),
        dolmer,
        job_group=JobGroup.CARE_ASSISTANT,
    )
    assistant = factories.employment(
        factories.employee(education="Pædagogisk assistent"), dolmer, job_group=JobGroup.PEDAGOGICAL_ASSISTANT
    )
    session = helpers.session(amu)
    costs = {
        e.pk: booking_costs(services.book(e.employee, session, status=BookingStatus.BOOKED))
        for e in (nurse, educated, assistant)
    }
    assert not _amounts(costs[nurse.pk], CostCategory.VEU_REFUND)
    assert not _amounts(costs[educated.pk], CostCategory.VEU_REFUND)
    assert _amounts(costs[assistant.pk], CostCategory.VEU_REFUND) == {2026: Decimal("-1016.98")}  # 7,4 x 137,43


def test_a_session_over_new_year_uses_each_days_rate_and_factor(dolmer: object) -> None:
    BackfillFactor.objects.create(
        facility=dolmer, valid_from=dt.date(2025, 1, 1) + dt.timedelta(days=365), factor=Decimal("1.25")
    )
    employment = factories.employment(facility_obj=dolmer, job_group=JobGroup.SOSU_ASSISTANT, hourly_wage="300.00")
    amu = helpers.course(kind=Course.Kind.AMU, veu_eligible=True, fee_per_participant=Decimal("1000.00"))
    session = helpers.session(amu, days=[dt.date(2025, 12, 30), dt.date(2026, 1, 5)])
    booking = services.book(employment.employee, session, status=BookingStatus.BOOKED)
    lines = booking_costs(booking)
    # 2025: 7,4 x 300 x 1,20 = 2.664,00; 2026: 7,4 x 300 x 1,25 = 2.775,00
    assert _amounts(lines, CostCategory.BACKFILL) == {2025: Decimal("2664.00"), 2026: Decimal("2775.00")}
    # VEU 2025: 7,4 x 131,49 = 973,026 -> 973,03; 2026: 7,4 x 137,43 = 1.016,982 -> 1.016,98
    assert _amounts(lines, CostCategory.VEU_REFUND) == {2025: Decimal("-973.03"), 2026: Decimal("-1016.98")}
    # The fee falls in the year the session starts.
    assert _amounts(lines, CostCategory.FEE) == {2025: Decimal("1000.00")}


def test_the_2024_veu_rate_is_127_03_per_hour(dolmer: object) -> None:
    employment = factories.employment(
        facility_obj=dolmer, job_group=JobGroup.CARE_ASSISTANT, start_date=dt.date(2020, 1, 1)
    )
    amu = helpers.course(kind=Course.Kind.AMU, veu_eligible=True)
    session = helpers.session(amu, days=[dt.date(2024, 12, 20), dt.date(2025, 1, 6)])
    booking = services.book(employment.employee, session, status=BookingStatus.BOOKED)
    # 7,4 x 127,03 = 940,022 -> 940,02; 7,4 x 131,49 = 973,026 -> 973,03
    assert _amounts(booking_costs(booking), CostCategory.VEU_REFUND) == {
        2024: Decimal("-940.02"),
        2025: Decimal("-973.03"),
    }


def test_cancelling_inside_the_providers_terms_costs_the_rules_percentage(dolmer: object) -> None:
    course = helpers.course(fee_per_participant=Decimal("2400.00"))
    CancellationRule.objects.create(provider=course.provider, days_before=14, fee_percent=Decimal("100"))
    CancellationRule.objects.create(provider=course.provider, days_before=30, fee_percent=Decimal("50"))
    session = helpers.session(course, days=[dt.date(2026, 3, 2)])
    people = [factories.employment(facility_obj=dolmer) for _ in range(3)]
    bookings = [services.book(e.employee, session, status=BookingStatus.BOOKED) for e in people]
    early = services.cancel(bookings[0], on=dt.date(2026, 1, 20)).booking  # 41 days before
    middle = services.cancel(bookings[1], on=dt.date(2026, 2, 10)).booking  # 20 days before
    late = services.cancel(bookings[2], on=dt.date(2026, 2, 20)).booking  # 10 days before
    assert early.cancellation_fee == Decimal("0.00")
    assert middle.cancellation_fee == Decimal("1200.00")
    assert late.cancellation_fee == Decimal("2400.00")
    rows = list(BookingCost.objects.filter(booking=late))
    assert [(r.category, r.stage, r.amount) for r in rows] == [
        (CostCategory.CANCELLATION, CostStage.ACTUAL, Decimal("2400.00"))
    ]
    assert not BookingCost.objects.filter(booking=early).exists()


def test_a_course_rule_replaces_the_providers_rules(dolmer: object) -> None:
    course = helpers.course(fee_per_participant=Decimal("1000.00"))
    CancellationRule.objects.create(provider=course.provider, days_before=30, fee_percent=Decimal("100"))
    CancellationRule.objects.create(course=course, days_before=7, fee_percent=Decimal("25"))
    session = helpers.session(course, days=[dt.date(2026, 3, 2)])
    booking = services.book(factories.employment(facility_obj=dolmer).employee, session, status=BookingStatus.BOOKED)
    fee, rule = services.cancellation_fee_for(booking, dt.date(2026, 2, 27))
    assert fee == Decimal("250.00")
    assert rule is not None
    assert rule.course_id == course.pk


def test_stages_follow_the_booking_through_its_life(dolmer: object, clock: Clock) -> None:
    session = helpers.session(helpers.course(), days=[dt.date(2026, 3, 2)])
    booking = services.book(factories.employment(facility_obj=dolmer).employee, session)
    assert set(BookingCost.objects.filter(booking=booking).values_list("stage", flat=True)) == {CostStage.FORECAST}
    services.confirm(booking)
    assert set(BookingCost.objects.filter(booking=booking).values_list("stage", flat=True)) == {CostStage.COMMITTED}
    booking.refresh_from_db()
    clock.to(dt.date(2026, 3, 2))
    services.complete(booking)
    assert set(BookingCost.objects.filter(booking=booking).values_list("stage", flat=True)) == {CostStage.ACTUAL}


def test_an_in_house_day_is_shared_equally_and_rebalanced_when_someone_joins(dolmer: object) -> None:
    team_day = helpers.course(
        kind=Course.Kind.IN_HOUSE_TEAM_DAY, fee_per_participant=Decimal("0"), fee_per_inhouse_day=Decimal("10000.00")
    )
    session = helpers.session(team_day, days=[dt.date(2026, 3, 2)])
    people = [factories.employment(facility_obj=dolmer) for _ in range(3)]
    first = services.book(people[0].employee, session)
    alone = BookingCost.objects.get(booking=first, category=CostCategory.FEE)
    assert (alone.amount, alone.basis) == (Decimal("10000.00"), "1 dag x 10.000,00 kr. / 1 deltager")
    services.book(people[1].employee, session)
    services.book(people[2].employee, session)
    fees = sorted(BookingCost.objects.filter(category=CostCategory.FEE).values_list("amount", flat=True))
    # 10.000 / 3 = 3.333,33 + 3.333,33 + 3.333,34 (the øre goes to one of them, never lost)
    assert fees == [Decimal("3333.33"), Decimal("3333.33"), Decimal("3333.34")]
    assert set(BookingCost.objects.filter(category=CostCategory.FEE).values_list("basis", flat=True)) == {
        "1 dag x 10.000,00 kr. / 3 deltagere"
    }


def _team_day(dolmer: object, people: int) -> tuple[object, list]:
    team_day = helpers.course(
        kind=Course.Kind.IN_HOUSE_TEAM_DAY, fee_per_participant=Decimal("0"), fee_per_inhouse_day=Decimal("10000.00")
    )
    session = helpers.session(team_day, days=[dt.date(2026, 3, 2)])
    return session, [factories.employment(facility_obj=dolmer) for _ in range(people)]


def _cost_rewrites(work: object) -> int:
    """How many times ``work()`` rewrote a booking's cost rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        work()  # type: ignore[operator]
    return sum(1 for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "training_bookingcost"'))


def test_a_group_on_a_team_day_has_its_shared_price_worked_out_once(dolmer: object) -> None:
    """Booking 40 people one by one on a team day rewrote the costs of everyone already on it each
    time (820 rewrites); an accepted plan of 116 seats took 12 s. Now each seat is written once,
    when the group is on, and every share is of the final price."""
    session, people = _team_day(dolmer, 8)
    rewrites = _cost_rewrites(lambda: services.book_group(session, people, status=BookingStatus.PLANNED))
    assert rewrites == 8  # one by one: 1 + 2 + ... + 8 = 36
    fees = sorted(BookingCost.objects.filter(category=CostCategory.FEE).values_list("amount", flat=True))
    assert fees == [Decimal("1250.00")] * 8
    assert set(BookingCost.objects.filter(category=CostCategory.FEE).values_list("basis", flat=True)) == {
        "1 dag x 10.000,00 kr. / 8 deltagere"
    }


def test_costs_deferred_in_a_block_are_written_when_it_ends_and_not_when_it_fails(dolmer: object) -> None:
    from django.db import transaction

    from styrbord.training.services import session_costs_deferred

    session, people = _team_day(dolmer, 3)
    with session_costs_deferred():
        first = services.book(people[0].employee, session)
        with session_costs_deferred():  # nested: the outer block writes
            services.book(people[1].employee, session)
        assert not BookingCost.objects.filter(booking__session=session).exists()
    assert BookingCost.objects.get(booking=first, category=CostCategory.FEE).amount == Decimal("5000.00")

    class StopError(Exception):
        pass

    def book_and_fail() -> None:
        with transaction.atomic(), session_costs_deferred():
            services.book(people[2].employee, session)
            raise StopError

    with pytest.raises(StopError):
        book_and_fail()
    # Rolled back with its booking; the two left still share the day, and a new booking outside
    # a block is written at once, as before.
    assert BookingCost.objects.get(booking=first, category=CostCategory.FEE).amount == Decimal("5000.00")
    services.book(people[2].employee, session)
    fees = BookingCost.objects.filter(booking__session=session, category=CostCategory.FEE)
    assert sorted(fees.values_list("amount", flat=True)) == [Decimal("3333.33"), Decimal("3333.33"), Decimal("3333.34")]


def test_a_private_facility_pays_the_vat_a_municipality_recovers() -> None:
    private = factories.facility("Privat Bosted", operator_kind="private")
    municipal = factories.facility("Kommunalt Bosted")
    course = helpers.course(fee_per_participant=Decimal("2000.00"), vat_liable=True)
    session = helpers.session(course)
    p = services.book(factories.employment(facility_obj=private).employee, session, status=BookingStatus.BOOKED)
    m = services.book(factories.employment(facility_obj=municipal).employee, session, status=BookingStatus.BOOKED)
    assert _amounts(booking_costs(p), CostCategory.FEE) == {2026: Decimal("2500.00")}
    assert _amounts(booking_costs(m), CostCategory.FEE) == {2026: Decimal("2000.00")}


def test_travel_materials_and_other_refunds_are_added_and_subtracted(dolmer: object) -> None:
    session = helpers.session(helpers.course(fee_per_participant=Decimal("0")))
    employment = factories.employment(facility_obj=dolmer, hourly_wage="0")
    booking = services.book(employment.employee, session, travel_amount="350.50", materials_amount="99.95")
    booking.other_refund_amount = Decimal("200.00")
    lines = booking_costs(booking)
    assert total(lines) == Decimal("250.45")


def test_the_basis_is_stored_in_danish_and_shown_in_the_readers_language(dolmer: object) -> None:
    """The booking page in English read "2 dage x 6 t x 312,50 kr. x 1,20" next to "DKK 4,500.00"."""
    from django.test import Client
    from django.utils import translation

    employment = factories.employment(facility_obj=dolmer, hourly_wage="312.50", weekly_hours="30")
    session = helpers.session(
        helpers.course(fee_per_participant=Decimal("2400.00")), days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    )
    booking = services.book(employment.employee, session, status=BookingStatus.BOOKED, travel_amount=Decimal("120"))
    backfill = BookingCost.objects.get(booking=booking, category=CostCategory.BACKFILL)
    assert backfill.basis == "2 dage x 6 t x 312,50 kr. x 1,20"  # the record
    with translation.override("en"):
        assert backfill.basis_text == "2 days x 6 h x DKK 312.50 x 1.20"
        fee = BookingCost.objects.get(booking=booking, category=CostCategory.FEE)
        assert fee.basis_text == "DKK 2,400.00 per participant excl. VAT"
        assert BookingCost.objects.get(booking=booking, category=CostCategory.TRAVEL).basis_text == "Travel"
    with translation.override("da"):
        assert backfill.basis_text == backfill.basis
    # A line written before the terms were kept shows its stored text.
    BookingCost.objects.filter(pk=backfill.pk).update(basis_terms={})
    backfill.refresh_from_db()
    with translation.override("en"):
        assert backfill.basis_text == "2 dage x 6 t x 312,50 kr. x 1,20"
    # The page.
    client = Client()
    client.force_login(_superuser())
    client.cookies["django_language"] = "en"
    page = client.get(f"/kurser/booking/{booking.pk}/").content.decode()
    assert "DKK 2,400.00 per participant excl. VAT" in page


def _superuser() -> object:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("cost-admin", "a@example.org", "x-password-123456")


def test_a_no_show_on_a_team_day_shares_the_days_price_so_the_shares_add_up_to_it(dolmer: object, clock) -> None:  # type: ignore[no-untyped-def]
    """A no-show kept a 13-way share while the 12 who came shared by 12: a 6.000 kr. day cost the
    grant 6.461,54 kr. Everyone who held a seat shares the day, by one divisor."""
    session, people = _team_day(dolmer, 3)
    bookings = [services.book(p.employee, session, status=BookingStatus.BOOKED) for p in people]
    clock.to(dt.date(2026, 3, 3))
    outcomes = {b.pk: (o, b.version) for b, o in zip(bookings, ("completed", "completed", "no_show"), strict=True)}

    services.register_attendance(session, outcomes)

    fees = BookingCost.objects.filter(booking__session=session, category=CostCategory.FEE)
    assert sum(f.amount for f in fees) == Decimal("10000.00")
    assert sorted(f.amount for f in fees) == [Decimal("3333.33"), Decimal("3333.33"), Decimal("3333.34")]
    assert {f.basis for f in fees} == {"1 dag x 10.000,00 kr. / 3 deltagere"}
