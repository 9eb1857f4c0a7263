"""Pages per role: anonymous, wrong role, other tenant (404) and the right role; booking through the UI."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.organisations.models import StaffingPeriod
from styrbord.staff.models import Employment
from styrbord.testing import factories
from styrbord.testing.fixtures import Clock, World
from styrbord.training import services
from styrbord.training.models import Booking, BookingStatus, CourseInterest, Initiative, InitiativeYear

from . import helpers

# The sessions here run in spring 2026: the tests book before, and move the clock to register attendance.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_courses")]


@pytest.fixture
def booked(world: World) -> Booking:
    session = helpers.session(helpers.course(name="KRAP grundforløb"), days=[dt.date(2026, 3, 2)], capacity=5)
    return services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)


def _login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_anonymous_users_are_sent_to_the_login_page(client: Client, booked: Booking) -> None:
    for url in (
        reverse("training:course_list"),
        reverse("training:session_detail", args=[booked.session_id]),
        reverse("training:booking_detail", args=[booked.pk]),
        reverse("training:my_bookings"),
        reverse("training:absence"),
        reverse("training:my_calendar"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]


def test_the_catalogue_shows_courses_to_staff_roles_but_not_to_analysts_or_grantors(
    world: World, client: Client, booked: Booking
) -> None:
    url = reverse("training:course_list")
    for user in (world.coordinator, world.manager, world.employee_user, world.finance):
        response = _login(client, user).get(url)
        assert response.status_code == 200
        assert "KRAP grundforløb" in response.content.decode()
    for user in (world.analyst, world.grantor_user):
        assert _login(client, user).get(url).status_code == 403


def test_a_booking_is_visible_in_its_tenant_and_a_404_outside_it(world: World, client: Client, booked: Booking) -> None:
    url = reverse("training:booking_detail", args=[booked.pk])
    for user in (world.admin, world.coordinator, world.finance, world.manager, world.employee_user):
        response = _login(client, user).get(url)
        assert response.status_code == 200, user
        assert "6 t x 300,00 kr. x 1,00" in response.content.decode()  # 30 t/uge
    assert _login(client, world.other_coordinator).get(url).status_code == 404
    glesborg_manager = factories.user("facility_manager", facilities=[world.glesborg])
    assert _login(client, glesborg_manager).get(url).status_code == 404
    other_employee = factories.user("employee", employee=world.dolmer_staff[1])
    assert _login(client, other_employee).get(url).status_code == 404
    assert _login(client, world.analyst).get(url).status_code == 403
    assert AuditEntry.objects.filter(action="training.booking.viewed", subject_employee_id=booked.employee_id).exists()


def test_an_employee_cannot_change_a_booking_and_a_manager_can_cancel_one(
    world: World, client: Client, booked: Booking
) -> None:
    url = reverse("training:booking_action", args=[booked.pk, "cancel"])
    assert _login(client, world.employee_user).post(url, {"version": booked.version}).status_code == 403
    assert _login(client, world.other_coordinator).post(url, {"version": booked.version}).status_code == 404
    response = _login(client, world.manager).post(url, {"version": booked.version})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED


def test_a_cancellation_that_costs_a_fee_is_confirmed_on_the_page(
    world: World, client: Client, booked: Booking
) -> None:
    from styrbord.training.models import CancellationRule

    CancellationRule.objects.create(provider=booked.session.course.provider, days_before=3650, fee_percent=100)
    manager = _login(client, world.manager)
    page = manager.get(reverse("training:booking_detail", args=[booked.pk])).content.decode()
    assert 'name="accept_fee" value="1" required' in page
    assert "Afbestil mod et gebyr på" in page
    url = reverse("training:booking_action", args=[booked.pk, "cancel"])
    one_click = manager.post(url, {"version": booked.version}, follow=True)
    assert "Sæt hak ved gebyret, og afbestil igen." in one_click.content.decode()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.BOOKED
    confirmed = manager.post(url, {"version": booked.version, "accept_fee": "1"}, follow=True)
    assert "Afbestillingsgebyret er" in confirmed.content.decode()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED


def test_a_stale_form_gets_the_danish_conflict_message(
    world: World, client: Client, booked: Booking, clock: Clock
) -> None:
    clock.to(dt.date(2026, 3, 2))
    services.mark_attended(booked)  # changed behind the form's back: its version is now stale
    url = reverse("training:booking_action", args=[booked.pk, "complete"])
    response = _login(client, world.manager).post(url, {"version": booked.version}, follow=True)
    assert "ændret i mellemtiden" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.ATTENDED


def test_my_bookings_lists_only_my_own(world: World, client: Client, booked: Booking, clock: Clock) -> None:
    services.book(world.dolmer_staff[1], helpers.session(helpers.course(name="Low Arousal")))
    content = _login(client, world.employee_user).get(reverse("training:my_bookings")).content.decode()
    assert "KRAP grundforløb" in content
    assert "<td>Tilmeldt</td>" in content
    clock.to(dt.date(2026, 3, 10))  # the course is over, and nobody has registered it yet
    content = _login(client, world.employee_user).get(reverse("training:my_bookings")).content.decode()
    assert "<td>Tilmeldt, deltagelse ikke registreret</td>" in content
    own = _login(client, world.employee_user).get(reverse("training:booking_list")).content.decode()
    assert "Dine egne bookinger." in own
    assert "Bookingerne på dine medarbejdere" not in own
    assert "Low Arousal" not in content


def test_a_manager_books_own_staff_but_cannot_pick_another_facilitys(world: World, client: Client) -> None:
    session = helpers.session(days=[dt.date(2026, 3, 2)])
    url = reverse("training:session_detail", args=[session.pk])
    own = Employment.objects.get(employee=world.dolmer_staff[1])
    other = Employment.objects.get(employee=world.glesborg_staff[0])
    client = _login(client, world.manager)
    response = client.post(url, {"employment": other.pk, "status": "booked"})
    assert response.status_code == 200
    assert not Booking.objects.exists()
    response = client.post(url, {"employment": own.pk, "status": "booked"})
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.employee, booking.status, booking.created_by) == (world.dolmer_staff[1], "booked", world.manager)


def test_travel_and_materials_are_typed_the_danish_way(world: World, client: Client) -> None:
    session = helpers.session(days=[dt.date(2026, 3, 2)])
    own = Employment.objects.get(employee=world.dolmer_staff[1])
    client = _login(client, world.manager)
    form = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert 'name="travel_amount" inputmode="decimal"' in form  # a text box: number boxes refuse "230,50"

    response = client.post(
        reverse("training:session_detail", args=[session.pk]),
        {"employment": own.pk, "status": "booked", "travel_amount": "1.230,50", "materials_amount": "75,25"},
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.travel_amount, booking.materials_amount) == (Decimal("1230.50"), Decimal("75.25"))


def test_once_a_session_has_begun_the_booking_forms_offer_a_seat_only(
    world: World, client: Client, clock: Clock
) -> None:
    """A late registration of someone taking part, yes; a planned seat on a course under way, no."""
    session = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)], capacity=5)
    own = Employment.objects.get(employee=world.dolmer_staff[1])
    url = reverse("training:session_detail", args=[session.pk])
    group_url = reverse("training:session_book_group", args=[session.pk])
    manager = _login(client, world.manager)
    assert 'value="planned"' in manager.get(url).content.decode().split('id="book-form"', 1)[1]
    clock.to(dt.date(2026, 3, 3))
    manager = _login(client, world.manager)

    form = manager.get(url).content.decode().split('id="book-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="planned"' not in form
    assert "Holdet er begyndt, så en plads kan kun tilmeldes, ikke planlægges." in form
    refused = manager.post(url, {"employment": own.pk, "status": "planned"}).content.decode()
    assert "Holdet er begyndt, så en plads kan ikke længere planlægges." in refused
    assert not session.bookings.exists()
    group = manager.get(group_url).content.decode()
    assert 'value="planned"' not in group
    assert 'id="status-help"' in group
    assert manager.post(url, {"employment": own.pk, "status": "booked"}).status_code == 302
    assert session.bookings.get().status == BookingStatus.BOOKED


def test_a_clash_is_shown_as_a_danish_message_on_the_session_page(world: World, client: Client) -> None:
    employment = Employment.objects.get(employee=world.dolmer_staff[1])
    services.book(employment.employee, helpers.session(helpers.course(name="KRAP"), days=[dt.date(2026, 3, 2)]))
    session = helpers.session(days=[dt.date(2026, 3, 2)])
    response = _login(client, world.manager).post(
        reverse("training:session_detail", args=[session.pk]), {"employment": employment.pk, "status": "booked"}
    )
    assert "Medarbejderen er allerede booket på KRAP den 02-03-2026." in response.content.decode()


def test_a_booking_under_minimum_staffing_is_warned_before_it_is_confirmed(world: World, client: Client) -> None:
    world.dolmer.minimum_staff = 3
    world.dolmer.save()
    session = helpers.session(days=[dt.date(2026, 3, 2)])
    url = reverse("training:session_detail", args=[session.pk])
    employment = Employment.objects.get(employee=world.dolmer_staff[1])
    client = _login(client, world.manager)
    first = client.post(url, {"employment": employment.pk, "status": "booked"})
    content = first.content.decode()
    assert first.status_code == 200
    assert 'id="staffing-warning"' in content
    assert "02-03-2026: Dolmer Have har kun 2 på arbejde (minimum 3)." in content
    assert "Book alligevel" in content
    assert not Booking.objects.exists()
    key = re.search(r'name="confirm_understaffing" value="([0-9a-f]+)"', content).group(1)  # type: ignore[union-attr]
    # The confirmation is for that person: another one chosen after the warning is checked again.
    other = Employment.objects.get(employee=world.dolmer_staff[2])
    again = client.post(url, {"employment": other.pk, "status": "booked", "confirm_understaffing": key})
    assert 'id="staffing-warning"' in again.content.decode()
    assert not Booking.objects.exists()
    second = client.post(url, {"employment": employment.pk, "status": "booked", "confirm_understaffing": key})
    assert second.status_code == 302
    booking = Booking.objects.get()
    assert booking.staffing_warning is True
    detail = client.get(reverse("training:booking_detail", args=[booking.pk])).content.decode()
    assert "under minimumsbemandingen" in detail
    listing = client.get(url).content.decode()
    assert "Under minimumsbemanding" in listing


def test_the_session_page_shows_the_waiting_list_and_the_demand_list(world: World, client: Client) -> None:
    course = helpers.course()
    CourseInterest.objects.create(employee=world.dolmer_staff[2], course=course, note="Gerne")
    session = helpers.session(course, capacity=1)
    services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.dolmer_staff[1], session, status=BookingStatus.BOOKED)
    content = _login(client, world.manager).get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert world.dolmer_staff[1].name in content.split("Venteliste")[1]
    assert f"{world.dolmer_staff[2].name} – Gerne" in content
    # A manager elsewhere sees neither the participants nor the interested.
    glesborg_manager = factories.user("facility_manager", facilities=[world.glesborg])
    other = _login(client, glesborg_manager).get(reverse("training:session_detail", args=[session.pk]))
    assert world.dolmer_staff[0].name not in other.content.decode()
    assert world.dolmer_staff[2].name not in other.content.decode()


def test_a_former_employees_course_wish_is_no_demand(world: World, client: Client) -> None:
    """Someone who has left keeps their wish on record until the retention period ends, but it is
    not demand: not on the course's or the session's demand list, not in the catalogue's count."""
    course = helpers.course(name="KRAP-forløb")
    session = helpers.session(course, capacity=5)
    former = factories.employee(name="Tidligere Medarbejder")
    factories.employment(former, world.dolmer, start_date=dt.date(2019, 1, 1), end_date=dt.date(2024, 12, 31))
    CourseInterest.objects.create(employee=former, course=course, note="Gerne")
    CourseInterest.objects.create(employee=world.dolmer_staff[2], course=course, note="Også mig")
    _login(client, world.manager)

    for url in (
        reverse("training:course_detail", args=[course.pk]),
        reverse("training:session_detail", args=[session.pk]),
    ):
        content = client.get(url).content.decode()
        assert f"{world.dolmer_staff[2].name} – Også mig" in content
        assert "Tidligere Medarbejder" not in content
    catalogue = client.get(reverse("training:course_list")).context["courses"]
    assert next(c for c in catalogue if c.pk == course.pk).demand == 1
    assert [i.employee for i in services.interested_without_booking(session)] == [world.dolmer_staff[2]]


def test_a_session_counts_planned_bookings_beside_the_seats_taken(world: World, client: Client) -> None:
    session = helpers.session(helpers.course(), capacity=25)
    services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.dolmer_staff[1], session, status=BookingStatus.PLANNED)
    services.book(world.dolmer_staff[2], session, status=BookingStatus.PLANNED)

    content = _login(client, world.manager).get(reverse("training:session_detail", args=[session.pk])).content.decode()

    tile = content.split('<span class="value">1 / 25</span>', 1)[1].split("</div>", 1)[0]
    assert "Optagne pladser<br>og 2 planlagte, endnu ikke tilmeldt" in tile
    assert 'class="stacked card" id="book-form"' in content


def test_an_employee_puts_themself_on_the_demand_list(world: World, client: Client) -> None:
    course = helpers.course()
    response = _login(client, world.employee_user).post(
        reverse("training:add_interest", args=[course.pk]), {"note": "Til foråret"}
    )
    assert response.status_code == 302
    assert CourseInterest.objects.get().employee == world.dolmer_staff[0]


def test_a_coordinator_creates_a_session_from_a_list_of_days(world: World, client: Client) -> None:
    course = helpers.course()
    response = _login(client, world.coordinator).post(
        reverse("training:session_create", args=[course.pk]),
        {"name": "Hold 1", "place": "Grenaa", "capacity": "12", "days": "2026-09-01\n02-09-2026 6,5\n"},
    )
    assert response.status_code == 302
    session = course.sessions.get()
    assert list(session.days.values_list("date", "hours")) == [
        (dt.date(2026, 9, 1), Decimal("7.40")),
        (dt.date(2026, 9, 2), Decimal("6.50")),
    ]
    assert (session.first_day, session.last_day) == (dt.date(2026, 9, 1), dt.date(2026, 9, 2))
    bad = client.post(reverse("training:session_create", args=[course.pk]), {"capacity": "1", "days": "1. marts"})
    assert "Linje 1: 1. er ikke en dato" in bad.content.decode()
    for days, message in [
        ("02-09-2026 NaN", "Linje 1: timer skal være mellem 0 og 24."),  # was a server error
        ("02-09-2026\n02-09-9999", "Linje 2: datoen skal ligge mellem 01-01-1900 og 31-12-2199."),  # was saved
    ]:
        refused = client.post(reverse("training:session_create", args=[course.pk]), {"capacity": "1", "days": days})
        assert refused.status_code == 200
        assert message in refused.content.decode()
    # Every bad line is named at once, not only the first.
    several = client.post(
        reverse("training:session_create", args=[course.pk]),
        {"capacity": "1", "days": "2027-05-31 30\n32-05-2027\n2027-06-01\n2027-06-01"},
    ).content.decode()
    for message in (
        "Linje 1: timer skal være mellem 0 og 24.",
        "Linje 2: 32-05-2027 er ikke en dato",
        "Linje 4: datoen står der allerede.",
    ):
        assert message in several
    assert "Linje 3" not in several
    assert course.sessions.count() == 1
    assert _login(client, world.manager).get(reverse("training:session_create", args=[course.pk])).status_code == 403


def test_the_absence_view_shows_training_leave_and_the_minimum(world: World, client: Client) -> None:
    world.dolmer.minimum_staff = 2
    world.dolmer.save()
    session = helpers.session(helpers.course(name="KRAP"), days=[dt.date(2026, 3, 2)])
    services.book(world.dolmer_staff[0], session)
    services.book(world.dolmer_staff[1], session)
    url = reverse("training:absence") + f"?facility={world.dolmer.pk}&month=2026-03"
    content = _login(client, world.manager).get(url).content.decode()
    row = content.split("02-03-2026")[1].split("</tr>")[0]
    both = sorted(p.name for p in world.dolmer_staff[:2])
    assert f"<strong>KRAP</strong> (2): {both[0]}, {both[1]}" in row  # grouped by course, names sorted
    assert "Under minimum" in row
    # A month alone shows the manager's own facility in that month.
    alone = client.get(reverse("training:absence") + "?month=2026-03").content.decode()
    assert "<strong>KRAP</strong> (2)" in alone.split("02-03-2026")[1].split("</tr>")[0]
    refused = _login(client, world.other_coordinator).get(url)
    assert refused.status_code == 200  # the form refuses the facility, and says so
    assert world.dolmer_staff[0].name not in refused.content.decode()
    assert "Marker en gyldig valgmulighed" in refused.content.decode()
    assert _login(client, world.employee_user).get(url).status_code == 403


def test_the_absence_month_downloads_as_xlsx_for_the_rota(world: World, client: Client) -> None:
    """A row per day: who is on which course and who is on leave, what remains, the minimum and
    whether it is broken; the names make it an export that is logged. Another municipality's
    facility is not found, and an employee may not export."""
    import io

    from openpyxl import load_workbook

    from styrbord.staff.models import Absence

    world.dolmer.minimum_staff = 2
    world.dolmer.save()
    session = helpers.session(helpers.course(name="KRAP"), days=[dt.date(2026, 3, 2)])
    services.book(world.dolmer_staff[0], session)
    Absence.objects.create(
        employee=world.dolmer_staff[1],
        kind=Absence.Kind.HOLIDAY,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 2),
    )
    query = f"?facility={world.dolmer.pk}&month=2026-03"
    manager = _login(client, world.manager)
    page = manager.get(reverse("training:absence") + query).content.decode()
    url = reverse("training:absence_xlsx")
    assert f'id="absence-xlsx" href="{url}?facility={world.dolmer.pk}&amp;month=2026-03"' in page
    response = manager.get(url + query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="fravaer-dolmer-have-2026-03.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Dato", "Ugedag", "Helligdag", "Ansatte")
    assert len(rows) == 1 + 31
    monday = rows[2]  # 2 March 2026
    assert monday[0].date() == dt.date(2026, 3, 2)
    assert monday[1] == "man."  # as the page heads its rows
    assert monday[4] == f"KRAP: {world.dolmer_staff[0].name}"
    assert monday[5] == f"Ferie: {world.dolmer_staff[1].name}"
    assert (monday[3], monday[6], monday[7], monday[8]) == (3, 1, 2, "ja")
    assert rows[3][4] is None  # 3 March: nobody away
    logged = AuditEntry.objects.filter(action="training.absence.exported", kind=AuditEntry.Kind.EXPORT)
    assert {e.subject_employee_id for e in logged} == {world.dolmer_staff[0].pk, world.dolmer_staff[1].pk}

    assert _login(client, world.other_coordinator).get(url + query).status_code == 404
    assert _login(client, world.employee_user).get(url + query).status_code == 403


def test_the_absence_view_holds_each_day_to_its_own_minimum(world: World, client: Client) -> None:
    """Weekends and a period with 1:1 support have their own minimum, day by day."""
    world.dolmer.minimum_staff = 2
    world.dolmer.minimum_staff_weekend = 1
    world.dolmer.save()
    StaffingPeriod.objects.create(
        facility=world.dolmer,
        start_date=dt.date(2026, 3, 9),
        end_date=dt.date(2026, 3, 10),
        minimum=3,
        reason="Ny beboer med 1:1-støtte",
    )
    url = reverse("training:absence") + f"?facility={world.dolmer.pk}&month=2026-03"
    content = _login(client, world.manager).get(url).content.decode()
    assert "2 medarbejdere på arbejde på hverdage, 1 i weekender og på helligdage" in content
    assert "3 fra 09-03-2026 til og med 10-03-2026 (Ny beboer med 1:1-støtte)" in content

    def minimum(day: str) -> str:
        row = content.split(f"</span> {day}</td>")[1].split("</tr>")[0]
        return row.rsplit('<td class="num">', 1)[1].split("<")[0].strip()

    # Friday, Saturday, Monday (the period), Wednesday
    assert [minimum(d) for d in ("06-03-2026", "07-03-2026", "09-03-2026", "11-03-2026")] == ["2", "1", "3", "2"]
    # The fixture's Dolmer Have has three staff and nobody away: at the period's minimum, not under.
    assert len(world.dolmer_staff) == 3
    assert "Under minimum" not in content.split("</span> 09-03-2026</td>")[1].split("</tr>")[0]
    # Each row names its weekday; weekend rows are marked (their own minimum applies).
    assert (
        '<tr class="day weekend">\n    <td class="nowrap"><span class="weekday">lør.</span> 07-03-2026</td>' in content
    )
    assert '<span class="weekday">man.</span> 09-03-2026' in content


def test_the_absence_view_names_public_holidays_and_staffs_them_as_weekends(world: World, client: Client) -> None:
    world.dolmer.minimum_staff, world.dolmer.minimum_staff_weekend = 2, 1
    world.dolmer.save()
    url = reverse("training:absence") + f"?facility={world.dolmer.pk}&month=2026-12"
    content = _login(client, world.manager).get(url).content.decode()
    christmas = content.split("</span> 25-12-2026")[1].split("</tr>")[0]
    assert '<span class="small holiday">Juledag</span>' in christmas
    assert christmas.rsplit('<td class="num">', 1)[1].split("<")[0].strip() == "1"
    assert '<tr class="day weekend">\n    <td class="nowrap"><span class="weekday">fre.</span> 25-12-2026' in content
    eve = content.split("</span> 24-12-2026")[1].split("</tr>")[0]
    assert "holiday" not in eve
    assert eve.rsplit('<td class="num">', 1)[1].split("<")[0].strip() == "2"


def test_the_initiative_page_shows_the_seed_table(world: World, client: Client) -> None:
    initiative = Initiative.objects.create(name="Sikkerhedsassistenter", municipality=world.dolmer.municipality)
    for year in range(2025, 2029):
        InitiativeYear.objects.create(
            initiative=initiative,
            year=year,
            fte=Decimal("5"),
            annual_wage_per_fte=Decimal("600000"),
            other_operating=Decimal("1000000"),
        )
    url = reverse("training:initiative_detail", args=[initiative.pk])
    content = _login(client, world.coordinator).get(url).content.decode()
    table = content.split('id="consequence-table"')[1]
    assert table.count(">3,0<") == 4
    assert table.count(">1,0<") == 4
    assert table.count(">4,0<") == 4
    assert _login(client, world.other_coordinator).get(url).status_code == 404
    assert _login(client, world.manager).get(url).status_code == 403


def test_the_team_day_page_costs_a_day_for_the_contact_staff(world: World, client: Client) -> None:
    url = reverse("training:team_day") + f"?facility={world.dolmer.pk}&hours=7.4&day=2026-03-02"
    content = _login(client, world.manager).get(url).content.decode()
    # All three Dolmer staff at 300 kr.: 7,4 + 7,4 + 6 (30 t/uge) = 20,8 t x 300 = 6.240 kr.
    assert 'id="team-day-wages">6.240 kr.<' in content
    # Hours as Danes write them give the same answer.
    danish = _login(client, world.manager).get(url.replace("hours=7.4", "hours=7%2C4")).content.decode()
    assert 'id="team-day-wages">6.240 kr.<' in danish


def test_the_team_day_page_answers_at_once_for_the_first_facility_today(world: World, client: Client) -> None:
    content = _login(client, world.manager).get(reverse("training:team_day")).content.decode()

    assert 'name="hours" value="7,4"' in content
    assert f'name="day" value="{local_today().isoformat()}"' in content
    # Dolmer's contact persons, staff 1 (30 t/uge: 6 t) and 3 (7,4 t), at 300 kr.: 13,4 t x 300 = 4.020 kr.
    assert 'id="team-day-wages">4.020 kr.<' in content


def test_the_cost_overview_splits_committed_forecast_and_actual(world: World, client: Client) -> None:
    session = helpers.session(helpers.course(fee_per_participant=Decimal("1000.00")), days=[dt.date(2026, 3, 2)])
    services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.dolmer_staff[1], session)
    content = _login(client, world.finance).get(reverse("training:cost_overview") + "?year=2026").content.decode()
    fee_row = content.split("Kursusgebyr")[1].split("</tr>")[0]
    assert fee_row.count(">1.000,00<") == 2  # one committed, one forecast (exact: the header says kr.)
    assert ">2.000,00<" in fee_row
    assert 'Disponeret <span class="unit">(kr.)</span>' in content


def test_the_cost_overview_exports_as_xlsx_for_the_chosen_year_and_facility(world: World, client: Client) -> None:
    """The same table as a spreadsheet: amounts as numbers to the øre, a total row; a facility
    outside the user's scope is not counted. An analyst (no bookings) is refused."""
    import io

    from openpyxl import load_workbook

    session = helpers.session(helpers.course(fee_per_participant=Decimal("1000.50")), days=[dt.date(2026, 3, 2)])
    services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.glesborg_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.syddjurs_staff[0], session, status=BookingStatus.BOOKED)  # another municipality
    finance = _login(client, world.finance)
    page = finance.get(reverse("training:cost_overview"), {"year": "2026"}).content.decode()
    url = reverse("training:cost_overview_xlsx")
    assert f'id="costs-xlsx" href="{url}?year=2026"' in page

    def sheet(params: dict[str, str]) -> list[tuple[object, ...]]:
        response = finance.get(url, params)
        assert response.status_code == 200
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    rows = sheet({"year": "2026"})
    assert rows[0] == ("Kategori", "Disponeret (kr.)", "Forventet (kr.)", "Afholdt (kr.)", "I alt (kr.)")
    fee = next(r for r in rows if r[0] == "Kursusgebyr")
    assert (Decimal(str(fee[1])), Decimal(str(fee[4]))) == (Decimal("2001.00"), Decimal("2001.00"))
    assert rows[-1][0] == "I alt"
    assert Decimal(str(rows[-1][4])) == sum((Decimal(str(r[4])) for r in rows[1:-1]), Decimal(0))
    only_dolmer = sheet({"year": "2026", "facility": str(world.dolmer.pk)})
    assert Decimal(str(next(r for r in only_dolmer if r[0] == "Kursusgebyr")[1])) == Decimal("1000.50")
    assert sheet({"year": "2025"})[1:] == [("I alt", 0, 0, 0, 0)]
    client.force_login(world.analyst)
    assert client.get(url).status_code == 403


SUB_MENU = (
    "training:course_list",
    "training:provider_list",
    "training:my_bookings",
    "training:booking_list",
    "training:absence",
    "training:cost_overview",
    "training:team_day",
    "training:initiative_list",
)


@pytest.mark.parametrize(
    ("user", "current"),
    [
        ("coordinator", "training:absence"),
        ("manager", "training:course_list"),
        ("employee_user", "training:my_bookings"),
    ],
)
def test_the_course_sub_menu_marks_the_open_page_and_offers_only_pages_the_user_may_open(
    world: World, client: Client, user: str, current: str
) -> None:
    from styrbord.accounts.route_policy import may_open

    client.force_login(getattr(world, user))
    html = client.get(reverse(current)).content.decode()
    menu = html.split('class="actions subnav"', 1)[1].split("</nav>", 1)[0]
    assert menu.count('aria-current="page"') == 1
    assert f'href="{reverse(current)}" aria-current="page"' in menu
    offered = {name for name in SUB_MENU if f'href="{reverse(name)}"' in menu}
    person = getattr(world, user)
    # "Mine kurser" only for a login that is an employee (neither the coordinator nor the manager is one).
    expected = {n for n in SUB_MENU if may_open(person, n) and (n != "training:my_bookings" or person.employee_id)}
    assert offered == expected
    assert current in offered
    assert ("training:my_bookings" in offered) == (user == "employee_user")


def test_a_manager_books_several_of_their_staff_at_once_after_confirming_the_staffing(
    world: World, client: Client
) -> None:
    """Dolmer Have has three staff and a minimum of two: booking two leaves one. The page lists
    only the manager's own staff, not the people already booked; the first post shows the broken
    minimum and books nothing; the confirmed post books both. Someone from another facility
    cannot be slipped in, and an analyst may not open the page."""
    from styrbord.training.models import CourseCompetence

    world.dolmer.minimum_staff = 2
    world.dolmer.minimum_staff_weekend = 2
    world.dolmer.save()
    low_arousal = factories.competence("low-arousal-group", name="Low Arousal")
    course = helpers.course(name="Low Arousal")
    CourseCompetence.objects.create(course=course, competence=low_arousal)
    factories.holding(world.dolmer_staff[1], low_arousal, dt.date(2025, 1, 10))
    session = helpers.session(course, days=[dt.date(2026, 3, 2)], capacity=5)
    services.book(world.dolmer_staff[2], session, status=BookingStatus.PLANNED)  # already on it
    url = reverse("training:session_book_group", args=[session.pk])
    manager = _login(client, world.manager)
    assert f'href="{url}"' in manager.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    # Who already holds the competence is shown, and one click ticks those who lack it.
    first = Employment.objects.get(employee=world.dolmer_staff[0])
    offered = manager.get(url).content.decode()
    assert offered.count("Har den allerede") == 1
    assert f'id="tick-missing" href="?valgt={first.pk}"' in offered
    assert f'value="{first.pk}" id="e-{first.pk}" checked' in manager.get(f"{url}?valgt={first.pk}").content.decode()

    page = manager.get(url).content.decode()
    listed = page.split('id="candidates"', 1)[1].split("</table>", 1)[0]
    assert world.dolmer_staff[0].name in listed
    assert world.dolmer_staff[1].name in listed
    assert world.dolmer_staff[2].name not in listed  # booked already
    assert world.glesborg_staff[0].name not in listed

    two = [str(e.pk) for e in Employment.objects.filter(employee__in=world.dolmer_staff[:2])]
    held = manager.post(url, {"employments": two, "status": BookingStatus.BOOKED})
    assert held.status_code == 200
    text = held.content.decode()
    assert 'id="staffing-warning"' in text
    assert "02-03-2026: Dolmer Have har kun 0 på arbejde (minimum 2)." in text
    key = re.search(r'name="confirm_understaffing" value="([0-9a-f]+)"', text).group(1)  # type: ignore[union-attr]
    assert session.bookings.count() == 1
    # "Book alligevel" after ticking others than those the warning was about: the check runs again.
    one = [str(Employment.objects.get(employee=world.dolmer_staff[0]).pk)]
    changed = manager.post(url, {"employments": one, "status": BookingStatus.BOOKED, "confirm_understaffing": key})
    assert 'id="staffing-warning"' in changed.content.decode()
    assert session.bookings.count() == 1

    done = manager.post(url, {"employments": two, "status": BookingStatus.BOOKED, "confirm_understaffing": key})
    assert done.status_code == 302
    assert set(session.bookings.values_list("employee_id", flat=True)) == {e.pk for e in world.dolmer_staff}

    other = Employment.objects.get(employee=world.glesborg_staff[0])
    refused = manager.post(url, {"employments": [str(other.pk)], "status": BookingStatus.BOOKED})
    assert refused.status_code == 200
    assert not session.bookings.filter(employee=world.glesborg_staff[0]).exists()

    client.force_login(world.analyst)
    assert client.get(url).status_code == 403


def test_a_group_booking_says_who_hr_has_on_leave_as_the_single_booking_does(world: World, client: Client) -> None:
    session = helpers.session(helpers.course(), days=[dt.date(2026, 3, 2)], capacity=5)
    away, present = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:2])
    away.status = Employment.Status.LEAVE
    away.save(update_fields=["status"])
    url = reverse("training:session_book_group", args=[session.pk])
    done = _login(client, world.manager).post(
        url, {"employments": [str(away.pk), str(present.pk)], "status": BookingStatus.BOOKED}, follow=True
    )
    page = done.content.decode()
    assert "2 medarbejdere er booket." in page
    assert f"{away.employee.name} står som på orlov i HR-data." in page
    assert f"{present.employee.name} står som på orlov" not in page


def test_the_group_booking_offers_only_people_employed_through_the_whole_session(world: World, client: Client) -> None:
    session = helpers.session(helpers.course(), days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)], capacity=5)
    leaving = Employment.objects.get(employee=world.dolmer_staff[0])
    leaving.end_date = dt.date(2026, 3, 2)  # the first of the two days is the last working day
    leaving.save(update_fields=["end_date"])
    url = reverse("training:session_book_group", args=[session.pk])
    page = _login(client, world.manager).get(f"{url}?valgt={leaving.pk}").content.decode()
    listed = page.split('id="candidates"', 1)[1].split("</table>", 1)[0]
    assert world.dolmer_staff[0].name not in listed  # not offered, and not ticked from a gap list
    assert world.dolmer_staff[1].name in listed
    # ... and the page says so, rather than booking the rest as if the list had been taken whole.
    notice = page.split('id="not-offered"', 1)[1].split("</div>", 1)[0]
    assert f"{world.dolmer_staff[0].name} fra listen kan ikke bookes på holdet" in notice
    glesborg = Employment.objects.get(employee=world.glesborg_staff[0])  # outside the manager's scope
    tampered = _login(client, world.manager).get(f"{url}?valgt={glesborg.pk}&valgt=9{'9' * 30}").content.decode()
    assert 'id="not-offered"' not in tampered


def test_the_group_booking_says_who_cannot_go_and_does_not_tick_them_with_those_missing_it(
    world: World, client: Client
) -> None:
    """Leave on the course day, another course that day, or a seat on another session of the same
    course: said on the person's row and left out of "Vælg de N", instead of the whole group being
    refused after the submit. Others' leave or courses on other days say nothing."""
    from styrbord.staff.models import Absence
    from styrbord.training.models import CourseCompetence

    today = local_today()
    day = today + dt.timedelta(days=40)
    competence = factories.competence("krap-group-notes", name="KRAP")
    course = helpers.course(name="KRAP grundkursus")
    CourseCompetence.objects.create(course=course, competence=competence)
    session = helpers.session(course, days=[day, day + dt.timedelta(days=1)], capacity=9)
    earlier = helpers.session(course, days=[day - dt.timedelta(days=20)], capacity=9)
    other_course = helpers.session(helpers.course(name="Førstehjælp"), days=[day + dt.timedelta(days=1)], capacity=9)
    away, booked_other, clashing = world.dolmer_staff
    Absence.objects.create(employee=away, kind=Absence.Kind.LEAVE, start_date=day, end_date=day + dt.timedelta(days=9))
    Absence.objects.create(  # another time: no note
        employee=booked_other,
        kind=Absence.Kind.HOLIDAY,
        start_date=day + dt.timedelta(days=3),
        end_date=day + dt.timedelta(days=5),
    )
    services.book(booked_other, earlier, status=BookingStatus.BOOKED)
    services.book(clashing, other_course, status=BookingStatus.BOOKED)
    free = world.glesborg_staff[0]
    on_leave = world.glesborg_staff[1]  # "Orlov" in the HR file: a status without dates
    Employment.objects.filter(employee=on_leave).update(status=Employment.Status.LEAVE)
    url = reverse("training:session_book_group", args=[session.pk])
    page = _login(client, world.coordinator).get(url).content.decode()
    rows = {
        name: page.split(name, 1)[1].split("</tr>", 1)[0]
        for name in (away.name, booked_other.name, clashing.name, free.name)
    }
    assert f"Fravær (orlov) den {day:%d-%m-%Y}" in rows[away.name]
    assert f"Tilmeldt kurset på holdet, der begynder {earlier.first_day:%d-%m-%Y}" in rows[booked_other.name]
    assert f"Booket på Førstehjælp den {day + dt.timedelta(days=1):%d-%m-%Y}" in rows[clashing.name]
    assert "badge-warn" not in rows[free.name]
    leave_row = page.split(on_leave.name, 1)[1].split("</tr>", 1)[0]
    assert "Står som på orlov i HR-data" in leave_row
    # "Vælg de N" ticks only those who can go (and lack the competence).
    ticked = page.split('id="tick-missing" href="?', 1)[1].split('"', 1)[0]
    chosen = {int(v) for v in ticked.replace("&amp;", "&").replace("valgt=", "").split("&")}
    employments = dict(
        Employment.objects.filter(employee__in=[away, booked_other, clashing, free]).values_list("employee_id", "pk")
    )
    assert employments[free.pk] in chosen
    assert not chosen & {employments[p.pk] for p in (away, booked_other, clashing)}
    assert Employment.objects.get(employee=on_leave).pk not in chosen
    # Booked one at a time, the page books (the leave may end before the course) and says it.
    single = _login(client, world.coordinator).post(
        reverse("training:session_detail", args=[session.pk]),
        {"employment": Employment.objects.get(employee=on_leave).pk, "status": "booked"},
        follow=True,
    )
    assert f"{on_leave.name} står som på orlov i HR-data." in single.content.decode()
    session.bookings.all().delete()
    # The checks on booking say the same thing.
    refused = _login(client, world.coordinator).post(
        url, {"employments": [str(employments[away.pk])], "status": BookingStatus.BOOKED}
    )
    assert "fravær (orlov)" in refused.content.decode()
    assert not session.bookings.exists()


def test_the_booking_list_shows_what_is_planned_and_confirms_a_selection_all_or_none(
    world: World, client: Client
) -> None:
    """Unfiltered: planned bookings on coming sessions in the user's scope. Confirming a selection
    confirms all or none (a booking cancelled meanwhile stops the set and is named); a full
    session puts the rest on the waiting list; an id outside the scope is refused."""
    today = local_today()
    coming = helpers.session(helpers.course(name="KRAP"), days=[today + dt.timedelta(days=30)], capacity=1)
    past = helpers.session(helpers.course(name="Gammelt hold"), days=[today - dt.timedelta(days=30)])
    first = services.book(world.dolmer_staff[0], coming)
    second = services.book(world.glesborg_staff[0], coming)
    services.book(world.dolmer_staff[1], past, on=today - dt.timedelta(days=60))  # planned before it began
    services.book(world.dolmer_staff[2], coming, status=BookingStatus.BOOKED)  # takes the one seat
    outside = services.book(world.syddjurs_staff[0], coming)
    url = reverse("training:booking_list")
    coordinator = _login(client, world.coordinator)

    page = coordinator.get(url).content.decode()
    table = page.split('id="bookings"', 1)[1].split("</table>", 1)[0]
    assert f'id="b-{first.pk}"' in table
    assert f'id="b-{second.pk}"' in table
    assert "Gammelt hold" not in table  # a past session
    assert world.dolmer_staff[2].name not in table  # booked already
    assert world.syddjurs_staff[0].name not in table  # another municipality
    assert "2 bookinger." in page
    ticked = coordinator.get(url, {"status": "planned", "alle": "1"}).content.decode()
    assert f'id="b-{first.pk}" aria-label="{world.dolmer_staff[0].name}" checked' in ticked

    # Cancelled meanwhile: nothing is confirmed, and the message names the person.
    services.cancel(second)
    response = coordinator.post(url, {"booking": [first.pk, second.pk]}, follow=True)
    assert f"{world.glesborg_staff[0].name}: Kun en planlagt booking kan tilmeldes. Ingen er tilmeldt." in (
        response.content.decode()
    )
    first.refresh_from_db()
    assert first.status == BookingStatus.PLANNED
    # Outside the scope: refused, nothing done.
    refused = coordinator.post(url, {"booking": [first.pk, outside.pk]}, follow=True).content.decode()
    assert "uden for dit omfang" in refused
    # An id no database column can hold (a tampered form) is one that does not exist, not a 500.
    tampered = coordinator.post(url, {"booking": [first.pk, "9" * 20]}, follow=True).content.decode()
    assert "findes ikke eller er uden for dit omfang" in tampered
    first.refresh_from_db()
    assert first.status == BookingStatus.PLANNED
    # The session is full: the confirmed booking waits for a seat, and the message says so.
    done = coordinator.post(url, {"booking": [first.pk], "tilbage": "status=planned"})
    assert done.status_code == 302
    assert done["Location"] == f"{url}?status=planned"
    first.refresh_from_db()
    assert first.status == BookingStatus.WAITLISTED
    assert "1 kom på venteliste, fordi holdet er fuldt." in coordinator.get(done["Location"]).content.decode()


def test_the_booking_list_filters_exports_and_stays_read_only_for_finance(world: World, client: Client) -> None:
    import io

    from openpyxl import load_workbook

    session = helpers.session(helpers.course(name="Low Arousal"), days=[dt.date(2026, 3, 2)])
    booked = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.glesborg_staff[0], session, status=BookingStatus.BOOKED)
    url = reverse("training:booking_list")
    finance = _login(client, world.finance)
    query = {"status": "booked", "facility": str(world.dolmer.pk), "fra": "2026-01-01", "q": "arousal"}
    page = finance.get(url, query).content.decode()
    assert "1 booking." in page
    assert world.dolmer_staff[0].name in page
    assert 'name="booking"' not in page  # no checkboxes: finance may not confirm
    assert 'id="confirm-form"' not in page  # nor a form to send (it would answer 403)
    assert finance.post(url, {"booking": [booked.pk]}).status_code == 403

    export = finance.get(reverse("training:booking_list_xlsx"), query)
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Medarbejder", "Tilbud", "Kursus")
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [(world.dolmer_staff[0].name, "Dolmer Have", "Tilmeldt")]
    assert AuditEntry.objects.filter(
        action="training.bookings.exported", subject_employee_id=world.dolmer_staff[0].pk
    ).exists()
    assert _login(client, world.analyst).get(url).status_code == 403


def test_a_download_never_gives_other_rows_than_its_refused_filter_asked_for(world: World, client: Client) -> None:
    """The page refused another facility as a filter; its XLSX answered with all of one's own rows.
    Now a filter the page refuses gives no file, and a facility outside the scope is missing."""
    session = helpers.session(helpers.course(), days=[dt.date(2026, 3, 2)], capacity=5)
    services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    manager = _login(client, world.manager)
    outside = {"facility": str(world.glesborg.pk), "status": "", "fra": "2026-01-01"}
    refused = manager.get(reverse("training:booking_list_xlsx"), outside)
    assert refused.status_code == 400
    assert "Content-Disposition" not in refused
    assert 'id="filter-problems"' in refused.content.decode()
    own = manager.get(reverse("training:booking_list_xlsx"), {**outside, "facility": str(world.dolmer.pk)})
    assert own.status_code == 200
    assert own["Content-Disposition"].startswith("attachment")
    for name in ("training:cost_overview", "training:cost_overview_xlsx"):
        assert manager.get(reverse(name), {"facility": str(world.glesborg.pk)}).status_code == 404
        assert manager.get(reverse(name), {"facility": str(world.dolmer.pk)}).status_code == 200
    for name in ("competences:expiring", "competences:expiring_export"):
        assert manager.get(reverse(name), {"tilbud": str(world.glesborg.pk)}).status_code == 404
        assert manager.get(reverse(name), {"tilbud": str(world.dolmer.pk)}).status_code == 200


def test_a_team_days_session_page_shows_the_day_price_not_a_participant_fee(world: World, client: Client) -> None:
    """A walk read "0 kr. Pris pr. deltager" on a team day the catalogue priced at 6.000 kr. a day."""
    from styrbord.training.models import Course

    team_day = helpers.course(
        kind=Course.Kind.IN_HOUSE_TEAM_DAY, fee_per_participant=Decimal("0"), fee_per_inhouse_day=Decimal("6000.00")
    )
    session = helpers.session(team_day, days=[dt.date(2026, 3, 2)])
    page = _login(client, world.coordinator).get(reverse("training:session_detail", args=[session.pk])).content.decode()
    price = page.split('id="day-price"', 1)[1].split("</div>", 1)[0]
    assert "6.000 kr." in price
    assert "Pris pr. dag for hele holdet" in price
    assert "Pris pr. deltager" not in page
    course = helpers.session(helpers.course(fee_per_participant=Decimal("2400.00")), days=[dt.date(2026, 3, 2)])
    other = client.get(reverse("training:session_detail", args=[course.pk])).content.decode()
    assert 'id="day-price"' not in other
    assert "Pris pr. deltager ekskl. moms" in other
