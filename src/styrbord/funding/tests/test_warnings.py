"""Funding warnings: repayment risk, overspend, budget deviation, deadlines, ineligible costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from styrbord.funding.models import Grant, LedgerEntry, Pool, ReportingDeadline
from styrbord.funding.services.ledger import commit, post_actual, record_income
from styrbord.funding.services.warnings import Severity, WarningKind, deadline_warnings, grant_warnings
from styrbord.funding.tests import helpers
from styrbord.lib.costs import CostCategory
from styrbord.testing.fixtures import client_for

D = Decimal


def kinds(warnings) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.kind for w in warnings]


def test_a_linear_projection_below_the_grant_warns_of_repayment(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="360000")
    # A third of the way through three years, 60.000 kr. spent: on course for 180.000 kr., half unspent.
    post_actual(grant, CostCategory.FEE, D("60000"), dt.date(2025, 6, 1), world.finance)
    warnings = grant_warnings(grant, dt.date(2025, 12, 31))
    repayment = [w for w in warnings if w.kind == WarningKind.REPAYMENT_RISK]
    assert len(repayment) == 1
    assert repayment[0].severity == Severity.CRITICAL
    assert "180.000 kr. (50 %)" in repayment[0].message
    # Commitments for the rest of the period take the risk away.
    commit(grant, CostCategory.BACKFILL, D("299600"), dt.date(2027, 3, 1), world.finance)
    assert WarningKind.REPAYMENT_RISK not in kinds(grant_warnings(grant, dt.date(2025, 12, 31)))
    # Too early to project: no warning in the first three months.
    fresh = helpers.grant(helpers.pool(name="Ny"), world.dolmer, amount="1000")
    assert grant_warnings(fresh, dt.date(2025, 2, 1)) == []


def test_after_the_period_unspent_money_must_be_repaid_unless_under_500_kr(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="10000")
    post_actual(grant, CostCategory.FEE, D("9600"), dt.date(2027, 6, 1), world.finance)
    assert WarningKind.REPAYMENT_RISK not in kinds(grant_warnings(grant, dt.date(2028, 1, 15)))  # 400 kr. waived
    other = helpers.grant(helpers.pool(name="B"), world.dolmer, amount="10000")
    post_actual(other, CostCategory.FEE, D("9000"), dt.date(2027, 6, 1), world.finance)
    [warning] = [w for w in grant_warnings(other, dt.date(2028, 1, 15)) if w.kind == WarningKind.REPAYMENT_RISK]
    assert "1.000 kr. af tilsagnet er ikke brugt og skal tilbagebetales" in warning.message


def test_after_the_period_costs_committed_in_it_are_to_be_posted_not_counted_as_repaid(world) -> None:  # type: ignore[no-untyped-def]
    # January after the period: the December course is committed, its invoices not yet posted.
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    post_actual(grant, CostCategory.FEE, D("50000"), dt.date(2027, 6, 1), world.finance)
    commit(grant, CostCategory.BACKFILL, D("30000"), dt.date(2027, 11, 1), world.finance)
    [warning] = [w for w in grant_warnings(grant, dt.date(2028, 1, 15)) if w.kind == WarningKind.REPAYMENT_RISK]
    assert warning.severity == Severity.CRITICAL
    assert warning.message == (
        "Projektperioden sluttede 31-12-2027. 50.000 kr. af tilsagnet er ikke bogført som forbrug. Heraf er "
        "30.000 kr. disponeret eller planlagt i perioden: bogfør de udgifter, der er afholdt, og frigiv resten "
        "før tilskudsregnskabet. Selv hvis alt det disponerede bogføres, skal 20.000 kr. tilbagebetales."
    )
    from django.utils import translation

    with translation.override("en"):
        [english] = [w for w in grant_warnings(grant, dt.date(2028, 1, 15)) if w.kind == WarningKind.REPAYMENT_RISK]
    assert "Even if everything committed is posted, DKK 20,000 must be repaid." in english.message
    # Everything not yet posted is committed: post it, and nothing is repaid (a warning, not critical).
    commit(grant, CostCategory.FEE, D("19800"), dt.date(2027, 12, 1), world.finance)
    [warning] = [w for w in grant_warnings(grant, dt.date(2028, 1, 15)) if w.kind == WarningKind.REPAYMENT_RISK]
    assert warning.severity == Severity.WARNING
    assert "50.000 kr. af tilsagnet er ikke bogført som forbrug, men disponeret eller planlagt" in warning.message
    assert "tilbagebetales" in warning.message
    assert "Selv hvis" not in warning.message


def test_overspend_is_flagged_when_the_grant_is_reduced_below_its_use(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="10000")
    post_actual(grant, CostCategory.FEE, D("8000"), dt.date(2025, 6, 1), world.finance)
    Grant.objects.filter(pk=grant.pk).update(amount=D("7000"))
    grant.refresh_from_db()
    [warning] = [w for w in grant_warnings(grant, dt.date(2025, 7, 1)) if w.kind == WarningKind.OVERSPEND]
    assert warning.severity == Severity.CRITICAL
    assert "8.000 kr. mod et tilsagn på 7.000 kr." in warning.message


def test_a_budget_line_deviating_beyond_the_grantors_limits_warns(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="600000")
    helpers.budget(grant, {(CostCategory.FEE, 2025): "100000", (CostCategory.BACKFILL, 2025): "400000"})
    post_actual(grant, CostCategory.FEE, D("110000"), dt.date(2025, 5, 1), world.finance)  # exactly +10 %: allowed
    post_actual(grant, CostCategory.BACKFILL, D("390000"), dt.date(2025, 5, 1), world.finance)  # -2,5 %
    deviations = [w for w in grant_warnings(grant, dt.date(2026, 2, 1)) if w.kind == WarningKind.BUDGET_DEVIATION]
    assert deviations == []
    post_actual(grant, CostCategory.FEE, D("0.01"), dt.date(2025, 5, 3), world.finance)  # 110.000,01: above 10 %
    # While 2025 runs, the change can still be approved beforehand. The warning says it is an
    # overspend ("mere end"), not just that the line deviates.
    [warning] = [w for w in grant_warnings(grant, dt.date(2025, 6, 1)) if w.kind == WarningKind.BUDGET_DEVIATION]
    assert warning.message.startswith(
        "Budgetlinjen Kursusgebyr 2025 bruger 10.000 kr. (10 %) mere end det godkendte budget (100.000 kr.)."
    )
    assert "kræver tilskudsgivers forudgående godkendelse" in warning.message
    assert warning.severity == Severity.CRITICAL
    with translation.override("en"):
        [english] = [w for w in grant_warnings(grant, dt.date(2025, 6, 1)) if w.kind == WarningKind.BUDGET_DEVIATION]
    assert english.message.startswith(
        "The budget line Course fee 2025 uses DKK 10,000 (10%) more than the approved budget (DKK 100,000)."
    )
    # Once the year is over, nothing can be approved beforehand: it is approved and explained after.
    [warning] = [w for w in grant_warnings(grant, dt.date(2026, 2, 1)) if w.kind == WarningKind.BUDGET_DEVIATION]
    assert "Budgetlinjen Kursusgebyr 2025 blev overskredet med 10.000 kr. (10 %)" in warning.message
    assert "forudgående" not in warning.message
    assert "forklares i tilskudsregnskabet" in warning.message


def test_a_closed_years_underspend_is_to_be_explained_not_approved_beforehand(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="600000")
    helpers.budget(grant, {(CostCategory.TRAVEL, 2025): "5000"})
    post_actual(grant, CostCategory.TRAVEL, D("1680"), dt.date(2025, 5, 1), world.finance)
    assert [w for w in grant_warnings(grant, dt.date(2025, 6, 1)) if w.kind == WarningKind.BUDGET_DEVIATION] == []
    [warning] = [w for w in grant_warnings(grant, dt.date(2026, 2, 1)) if w.kind == WarningKind.BUDGET_DEVIATION]
    assert warning.message.startswith(
        "Budgetlinjen Transport 2025 brugte 3.320 kr. (66 %) mindre end det godkendte budget (5.000 kr.)."
    )
    assert "forudgående" not in warning.message
    assert warning.severity == Severity.WARNING
    with translation.override("en"):
        [english] = [w for w in grant_warnings(grant, dt.date(2026, 2, 1)) if w.kind == WarningKind.BUDGET_DEVIATION]
    assert english.message.startswith(
        "The budget line Travel 2025 used DKK 3,320 (66%) less than the approved budget (DKK 5,000)."
    )


def test_report_deadlines_within_30_days_and_overdue_ones_warn(world) -> None:  # type: ignore[no-untyped-def]
    pool = helpers.pool(name="Puljen")
    kinds_ = ReportingDeadline.Kind
    ReportingDeadline.objects.create(pool=pool, kind=kinds_.STATUS_REPORT, due_date=dt.date(2026, 12, 15))
    ReportingDeadline.objects.create(pool=pool, kind=kinds_.GRANT_ACCOUNTS, due_date=dt.date(2026, 11, 1))
    ReportingDeadline.objects.create(pool=pool, kind=kinds_.STATUS_REPORT, due_date=dt.date(2027, 3, 1))
    ReportingDeadline.objects.create(
        pool=pool, kind=kinds_.STATUS_REPORT, due_date=dt.date(2026, 10, 1), done_on=dt.date(2026, 9, 30)
    )
    warnings = deadline_warnings([pool], dt.date(2026, 11, 23))
    messages = sorted((w.severity, w.message) for w in warnings)
    assert messages == [
        (Severity.CRITICAL, "Tilskudsregnskab for Puljen skulle have været indsendt 01-11-2026."),
        (Severity.WARNING, "Statusrapport for Puljen skal indsendes senest 15-12-2026 (om 22 dage)."),
    ]


def test_costs_in_a_category_the_pool_does_not_cover_are_flagged(world) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.services.booking_charges import charge_booking

    pool = helpers.pool(eligible_categories=[CostCategory.FEE, CostCategory.MATERIALS])
    grant = helpers.grant(pool, world.dolmer, amount="100000")
    post_actual(grant, CostCategory.MATERIALS, D("500"), dt.date(2025, 5, 1), world.finance)
    Pool.objects.filter(pk=pool.pk).update(eligible_categories=[CostCategory.FEE])  # the grantor narrows the rules
    booking = helpers.booking(world.dolmer_staff[0], {"fee": "2400", "travel": "300"})
    charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)
    grant.refresh_from_db()
    ineligible = [w for w in grant_warnings(grant, dt.date(2025, 5, 2)) if w.kind == WarningKind.INELIGIBLE_COST]
    assert [w.severity for w in ineligible] == [Severity.CRITICAL, Severity.INFO]
    assert "500 kr. til Materialer, som puljen ikke dækker" in ineligible[0].message
    assert "Transport på 300 kr." in ineligible[1].message
    assert LedgerEntry.objects.filter(booking=booking, category="travel").count() == 0


def test_a_refund_counts_on_the_budget_line_of_the_cost_it_refunds(world) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.services.balances import budget_vs_actual

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="10000")
    helpers.budget(grant, {(CostCategory.BACKFILL, 2025): "4000"})
    post_actual(grant, CostCategory.BACKFILL, D("5000"), dt.date(2025, 5, 1), world.finance)
    post_actual(grant, CostCategory.VEU_REFUND, D("-1200"), dt.date(2025, 5, 1), world.finance)
    post_actual(grant, CostCategory.OTHER_REFUND, D("-300"), dt.date(2025, 6, 1), world.finance)
    backfill, fee = budget_vs_actual(grant)
    assert (backfill.category, backfill.year, backfill.budget, backfill.actual) == (
        "backfill",
        2025,
        D("4000"),
        D("3800"),
    )
    # The line says the refund is in it, rather than showing less spending without a word.
    assert backfill.label == "Vikardækning (løn), efter VEU-godtgørelse"
    assert backfill.refund_total == D("-1200")
    assert (fee.category, fee.actual, fee.label) == ("fee", D("-300"), "Kursusgebyr, efter anden refusion")


def test_money_committed_for_a_seat_after_the_employment_ends_is_flagged(world) -> None:  # type: ignore[no-untyped-def]
    """The person resigned after being booked: the grant still holds the seat's money."""
    from styrbord.funding.services.booking_charges import charge_booking

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    leaving = helpers.booking(world.dolmer_staff[0], {"fee": "2400", "backfill": "5000"})
    staying = helpers.booking(world.dolmer_staff[1], {"fee": "2400"})
    for booking in (leaving, staying):
        charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)
    today = leaving.session.first_day - dt.timedelta(days=30)
    assert not [w for w in grant_warnings(grant, today) if w.kind == WarningKind.AFTER_EMPLOYMENT]

    employment = leaving.employment
    employment.end_date = leaving.session.first_day - dt.timedelta(days=1)
    employment.save(update_fields=["end_date"])

    (warning,) = [w for w in grant_warnings(grant, today) if w.kind == WarningKind.AFTER_EMPLOYMENT]
    assert warning.severity == Severity.WARNING
    assert warning.message == (
        "7.400 kr. er disponeret til 1 booking på et hold, der slutter efter ansættelsens ophør. "
        "Afbestil pladsen i tide, eller giv den til en anden."
    )
    # Who resigned is the municipality's business: a grantor reads the grant's compliance only.
    assert grant.pool.grantor == world.grantor
    kinds = {w.kind for w in grant_warnings(grant, today, user=world.grantor_user)}
    assert WarningKind.AFTER_EMPLOYMENT not in kinds
    assert WarningKind.AFTER_EMPLOYMENT in {w.kind for w in grant_warnings(grant, today, user=world.finance)}
    url = reverse("funding:grant_detail", args=[grant.pk])
    assert "Afbestil pladsen i tide" in client_for(world.finance).get(url).content.decode()
    grantor_page = client_for(world.grantor_user).get(url)
    assert grantor_page.status_code == 200
    assert "Afbestil pladsen i tide" not in grantor_page.content.decode()
    assert "Afbestil pladsen i tide" not in client_for(world.grantor_user).get("/").content.decode()


def test_money_held_for_seats_that_will_not_be_used_is_flagged_until_released(world) -> None:  # type: ignore[no-untyped-def]
    """A cancelled booking not posted yet, and a plan's seat on a course that began without it being
    booked: the grant still holds their money, so it looks more used than it is."""
    from django.utils import translation

    from styrbord.funding.services.booking_charges import charge_booking, post_booking_actuals
    from styrbord.training.models import BookingStatus, CostStage

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    course = helpers.session()  # 03-03-2025 and 04-03-2025
    planned = helpers.booking(
        world.dolmer_staff[0],
        {"fee": "2400"},
        session_obj=course,
        status=BookingStatus.PLANNED,
        stage=CostStage.FORECAST,
    )
    cancelled = helpers.booking(world.dolmer_staff[1], {"fee": "2400", "backfill": "3000"}, session_obj=course)
    kept = helpers.booking(world.dolmer_staff[2], {"fee": "2400"}, session_obj=course)
    for booking in (planned, cancelled, kept):
        charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)
    before = dt.date(2025, 3, 2)
    cancelled.status = BookingStatus.CANCELLED
    cancelled.save(update_fields=["status"])
    (warning,) = [w for w in grant_warnings(grant, before) if w.kind == WarningKind.UNUSED_SEATS]
    assert warning.severity == Severity.WARNING
    assert warning.message == (
        "5.400 kr. er stadig disponeret til pladser, der ikke bruges: 1 afbestilt booking, der ikke er bogført "
        "(bogfør den, så afbestillingsgebyret står som forbrug og resten frigives)."
    )
    started = dt.date(2025, 3, 3)
    (warning,) = [w for w in grant_warnings(grant, started) if w.kind == WarningKind.UNUSED_SEATS]
    assert warning.message == (
        "7.800 kr. er stadig disponeret til pladser, der ikke bruges: 1 afbestilt booking, der ikke er bogført "
        "(bogfør den, så afbestillingsgebyret står som forbrug og resten frigives) og 1 planlagt booking på et "
        "hold, der er begyndt uden at den er tilmeldt (tilmeld den, hvis medarbejderen deltager, ellers afbestil den)."
    )
    with translation.override("en"):
        (english,) = [w for w in grant_warnings(grant, started) if w.kind == WarningKind.UNUSED_SEATS]
    assert english.message.startswith("DKK 7,800 is still committed to seats that will not be used: 1 cancelled")
    # Posting the cancellation releases its money; booking the planned seat makes it a real one.
    post_booking_actuals(cancelled, world.finance)
    planned.status = BookingStatus.BOOKED
    planned.save(update_fields=["status"])
    assert not [w for w in grant_warnings(grant, started) if w.kind == WarningKind.UNUSED_SEATS]


def test_more_received_from_the_grantor_than_the_grant_is_flagged(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="322000")
    record_income(grant, D("322000"), dt.date(2025, 2, 14), world.finance)
    assert WarningKind.OVERPAID not in kinds(grant_warnings(grant, dt.date(2025, 3, 1)))
    record_income(grant, D("5000"), dt.date(2025, 3, 2), world.finance)  # typed twice, or paid twice
    [warning] = [w for w in grant_warnings(grant, dt.date(2025, 3, 3)) if w.kind == WarningKind.OVERPAID]
    assert warning.severity == Severity.WARNING
    assert warning.message == (
        "Der er modtaget 327.000,00 kr. fra tilskudsgiver mod et tilsagn på 322.000,00 kr.: 5.000,00 kr. for meget. "
        "Ret indtægten, hvis den er bogført forkert, ellers skal beløbet tilbagebetales."
    )
