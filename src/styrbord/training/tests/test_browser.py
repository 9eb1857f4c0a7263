"""In a real browser: a facility manager books a staff member on a two-day session, is warned that the
booking breaks the facility's minimum staffing, books anyway, and sees the full cost of the seat
including backfill wages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from styrbord.staff.models import Employment
from styrbord.testing.fixtures import login
from styrbord.training.models import BackfillFactor, Booking, BookingStatus

from . import helpers


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_books_a_staff_member_and_sees_the_full_cost(live_server: Any, page: Any, world: Any) -> None:
    world.dolmer.minimum_staff = 3  # three staff at Dolmer Have: anyone away breaks the minimum
    world.dolmer.save()
    BackfillFactor.objects.create(facility=world.dolmer, valid_from=dt.date(2025, 1, 1), factor=Decimal("1.25"))
    course = helpers.course(name="KRAP grundforløb", fee_per_participant=Decimal("2400.00"))
    session = helpers.session(course, days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)], capacity=10)
    employment = Employment.objects.get(employee=world.dolmer_staff[1])  # 37 t/uge, 300 kr./t

    login(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/kurser/hold/{session.pk}/")
    assert "KRAP grundforløb" in page.locator("h1").inner_text()
    page.select_option("#id_employment", str(employment.pk))
    page.select_option("#id_status", "booked")
    page.fill("#id_travel_amount", "300")
    with page.expect_navigation():
        page.click("#book-form button[type=submit]")

    # First submit: the warning, and nothing booked yet.
    warning = page.locator("#staffing-warning")
    assert "02-03-2026: Dolmer Have har kun 2 på arbejde (minimum 3)." in warning.inner_text()
    assert "03-03-2026: Dolmer Have har kun 2 på arbejde (minimum 3)." in warning.inner_text()
    assert not Booking.objects.exists()
    assert page.locator("#book-form button[type=submit]").inner_text() == "Book alligevel"
    with page.expect_navigation():
        page.click("#book-form button[type=submit]")
    assert "Bookingen er oprettet." in page.content()

    booking = Booking.objects.get()
    assert (booking.employee, booking.status, booking.staffing_warning) == (
        world.dolmer_staff[1],
        BookingStatus.BOOKED,
        True,
    )
    with page.expect_navigation():
        page.click(f"a[href='/kurser/booking/{booking.pk}/']")
    content = page.content()
    assert "Bookingen bringer tilbuddet under minimumsbemandingen." in content
    # Backfill: 2 days x 7,4 t x 300,00 kr. x 1,25 = 5.550,00 kr.; fee 2.400,00 kr.; travel 300,00 kr.
    rows = page.locator("table tbody tr").all_inner_texts()
    backfill = next(r for r in rows if "Vikardækning" in r)
    assert "2 dage x 7,4 t x 300,00 kr. x 1,25" in backfill
    assert "5.550,00 kr." in backfill
    assert any("2.400,00 kr." in r for r in rows)
    assert any("300,00 kr." in r and "Transport" in r for r in rows)
    assert "8.250,00 kr." in page.locator("table tfoot").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_books_two_staff_at_once_from_the_session_page(live_server: Any, page: Any, world: Any) -> None:
    """From the session, "Book flere på én gang": tick two people, see that together they break
    the minimum (nothing booked yet), book anyway, and find both among the participants."""
    world.dolmer.minimum_staff = 2
    world.dolmer.minimum_staff_weekend = 2
    world.dolmer.save()
    session = helpers.session(helpers.course(name="Low Arousal i praksis"), days=[dt.date(2026, 3, 2)], capacity=10)
    first, second = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:2])

    login(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/kurser/hold/{session.pk}/")
    with page.expect_navigation():
        page.click("#book-group")
    assert page.locator("h1").inner_text() == "Book flere medarbejdere"
    page.check(f"#e-{first.pk}")
    page.check(f"#e-{second.pk}")
    with page.expect_navigation():
        page.click("#group-book-form button[type=submit]")
    assert "Dolmer Have har kun 1 på arbejde (minimum 2)." in page.locator("#staffing-warning").inner_text()
    assert not Booking.objects.exists()
    assert page.locator(f"#e-{first.pk}").is_checked()
    assert page.locator(f"#e-{second.pk}").is_checked()
    with page.expect_navigation():
        page.click("#group-book-form button[type=submit] >> text=Book alligevel")
    assert "2 medarbejdere er booket." in page.content()
    assert set(Booking.objects.values_list("employee_id", flat=True)) == {first.employee_id, second.employee_id}
    participants = page.locator("table").nth(0).inner_text()
    assert world.dolmer_staff[0].name in participants
    assert world.dolmer_staff[1].name in participants


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_confirms_an_accepted_plan_s_bookings_from_the_booking_list(
    live_server: Any, page: Any, world: Any
) -> None:
    """Kurser → Bookinger lists the planned bookings still to be confirmed with the provider;
    "Vælg alle planlagte på siden" ticks them, and one click confirms them all."""
    from styrbord.lib.dates import local_today
    from styrbord.training import services

    day = local_today() + dt.timedelta(days=40)
    session = helpers.session(helpers.course(name="KRAP grundforløb"), days=[day], capacity=10)
    planned = [services.book(e, session) for e in world.dolmer_staff[:2]]

    login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/kurser/")
    with page.expect_navigation():
        page.click("nav.subnav >> text=Bookinger")
    assert "2 bookinger." in page.locator("#booking-count").inner_text()
    with page.expect_navigation():
        page.click("#select-all")
    with page.expect_navigation():
        page.click("#confirm-form button[type=submit]")
    assert "2 bookinger er tilmeldt." in page.content()
    assert {b.status for b in Booking.objects.filter(pk__in=[p.pk for p in planned])} == {BookingStatus.BOOKED}
    assert "0 bookinger." in page.locator("#booking-count").inner_text()  # nothing planned is left


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_registers_a_held_course_from_the_landing_page(live_server: Any, page: Any, world: Any) -> None:
    """The landing page counts bookings on courses held without registered attendance; the tile
    leads through the booking list to the session, whose register has everyone as completed: one
    change (did not turn up) and one click register the session and its certificates."""
    from styrbord.competences.models import CompetenceHolding
    from styrbord.lib.dates import local_today
    from styrbord.testing import factories
    from styrbord.training import services
    from styrbord.training.models import CourseCompetence

    last = local_today() - dt.timedelta(days=2)
    course = helpers.course(name="AMU: Psykiatri og psykiske lidelser")
    competence = factories.competence(name="Psykopatologi")
    CourseCompetence.objects.create(course=course, competence=competence)
    session = helpers.session(course, days=[last - dt.timedelta(days=1), last], capacity=10, name="December")
    booked = [services.book(e, session, status=BookingStatus.BOOKED) for e in world.dolmer_staff[:3]]

    login(page, live_server.url, "koordinator")
    assert "3" in page.locator("#awaiting-attendance-count .value").inner_text()
    with page.expect_navigation():
        page.click("#awaiting-attendance-count")
    assert "3 bookinger." in page.locator("#booking-count").inner_text()
    with page.expect_navigation():
        page.locator("table a", has_text="December").first.click()
    assert "3 deltagere står stadig som tilmeldt eller deltaget" in page.locator("#attendance-awaiting").inner_text()
    with page.expect_navigation():
        page.click("#register-attendance")
    page.select_option(f"select[name=outcome_{booked[1].pk}]", "no_show")
    with page.expect_navigation():
        page.click("#attendance-form button[type=submit]")
    assert "Registreret for 3: 2 gennemført, 1 udeblevet." in page.content()
    assert page.locator("#attendance-awaiting").count() == 0
    assert page.locator("#register-attendance").count() == 0
    statuses = [Booking.objects.get(pk=b.pk).status for b in booked]
    assert statuses == [BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.COMPLETED]
    assert CompetenceHolding.objects.filter(competence=competence).count() == 2


def test_a_coordinator_clears_a_plans_seats_on_a_course_that_has_begun(live_server: Any, page: Any, world: Any) -> None:
    """A plan's seats nobody booked with the provider hide from the booking list's default view.
    The landing page counts them; the tile lists them; one person took part and is booked, the
    other two are cancelled at no cost."""
    from styrbord.lib.dates import local_today
    from styrbord.training import services

    today = local_today()
    session = helpers.session(
        helpers.course(name="Konflikthåndtering"), days=[today - dt.timedelta(days=1), today], name="Uge 49"
    )
    planned = [services.book(e, session, on=today - dt.timedelta(days=20)) for e in world.dolmer_staff]  # a plan's

    login(page, live_server.url, "koordinator")
    assert page.locator("#planned-after-start-count .value").inner_text().strip() == "3"
    with page.expect_navigation():
        page.click("#planned-after-start-count")
    assert "3 bookinger." in page.locator("#booking-count").inner_text()
    page.check(f"#b-{planned[0].pk}")
    with page.expect_navigation():
        page.click("#confirm-selected")
    assert "1 booking er tilmeldt." in page.content()
    assert "2 bookinger." in page.locator("#booking-count").inner_text()  # the filter is kept
    page.check(f"#b-{planned[1].pk}")
    page.check(f"#b-{planned[2].pk}")
    with page.expect_navigation():
        page.click("#cancel-selected")
    assert "2 planlagte bookinger er afbestilt." in page.content()
    assert "0 bookinger." in page.locator("#booking-count").inner_text()
    statuses = [Booking.objects.get(pk=b.pk).status for b in planned]
    assert statuses == [BookingStatus.BOOKED, BookingStatus.CANCELLED, BookingStatus.CANCELLED]
    with page.expect_navigation():
        page.goto(live_server.url + "/")
    assert page.locator("#planned-after-start-count").count() == 0


# Each element's client rectangles (an inline element broken over two lines has two) and its
# height against the line height it is set in.
ONE_LINE = """els => els.map(el => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    return [el.textContent, el.getClientRects().length, el.getBoundingClientRect().height / line];
})"""


def _broken(measured: list[list[Any]]) -> list[list[Any]]:
    """The measured elements set on more than one line."""
    return [m for m in measured if m[1] != 1 or m[2] >= 1.5]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_a_booking_keeps_each_date_on_one_line_and_its_total_in_view(
    live_server: Any, page: Any, world: Any, clock: Any
) -> None:
    """At 390 px the booking page broke a date range inside a date ("16-⏎03-2027"), and its cost
    table pushed the amounts off the screen, so "I alt" showed no amount."""
    from styrbord.training import services

    clock.to(dt.date(2027, 2, 1))
    BackfillFactor.objects.create(facility=world.dolmer, valid_from=dt.date(2025, 1, 1), factor=Decimal("1.25"))
    course = helpers.course(name="Pædagogisk diplomuddannelse: Socialpædagogik og inklusion")
    session = helpers.session(course, days=[dt.date(2027, 3, 16), dt.date(2027, 3, 30)], capacity=10, name="Forår")
    booking = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED, travel_amount=Decimal("300"))

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "medarbejder")
    page.goto(f"{live_server.url}/kurser/booking/{booking.pk}/")
    dates = page.locator("#booking-period .nowrap")
    assert dates.all_inner_texts() == ["16-03-2027", "30-03-2027"]
    assert _broken(dates.evaluate_all(ONE_LINE)) == []
    # The cost table fits its frame: the total's amount is on the screen, not scrolled away.
    frame = page.locator("#booking-costs").locator("xpath=..")
    assert frame.evaluate("el => el.scrollWidth - el.clientWidth") <= 1
    total = page.locator("#booking-costs tfoot td.num")
    assert total.inner_text() == "7.200,00 kr."  # 4.500,00 backfill + 2.400,00 fee + 300,00 travel
    box = total.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390

    # The session's period and days, and the employee's own lists, keep their dates whole too.
    page.goto(f"{live_server.url}/kurser/hold/{session.pk}/")
    assert _broken(page.locator("#session-period .nowrap").evaluate_all(ONE_LINE)) == []
    for url in ("/kurser/bookinger/", "/kurser/mine/"):
        page.goto(f"{live_server.url}{url}")
        cells = page.locator("table .nowrap")
        assert "30-03-2027" in cells.all_inner_texts(), url
        assert _broken(cells.evaluate_all(ONE_LINE)) == [], url
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 1, url
