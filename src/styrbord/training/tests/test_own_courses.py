"""An employee's own courses: the booking list shows her own coming bookings (a walk found "0
bookinger" under the coordinator's default filter), "Mine kurser" lists the same and her course
wishes, and a wish can be withdrawn by her alone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.accounts.models import Role
from styrbord.audit.models import AuditEntry
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.training import services
from styrbord.training.models import Booking, BookingStatus, CourseInterest

from . import helpers

# The clock is on 02-02-2026: the coming sessions are in spring 2026.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_courses")]


def _login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _rows(page: str, table_id: str) -> list[str]:
    """The body rows of a table, as their HTML."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)


@pytest.fixture
def own(world: World) -> dict[str, Booking]:
    """The employee's (Dolmer-medarbejder 1's) bookings, and a colleague's on the same sessions."""
    me, colleague = world.dolmer_staff[0], world.dolmer_staff[1]
    april = helpers.session(helpers.course(name="KRAP grundforløb"), days=[dt.date(2026, 4, 13)], capacity=5)
    march = helpers.session(helpers.course(name="Low Arousal"), days=[dt.date(2026, 3, 9)], capacity=1)
    may = helpers.session(
        helpers.course(name="Neuropædagogik"), days=[dt.date(2026, 5, 4), dt.date(2026, 5, 5)], capacity=5
    )
    june = helpers.session(helpers.course(name="Aflyst for mig"), days=[dt.date(2026, 6, 1)], capacity=5)
    january = helpers.session(helpers.course(name="Førstehjælp"), days=[dt.date(2026, 1, 12)], capacity=5)
    services.book(colleague, march, status=BookingStatus.BOOKED)  # takes the one seat
    bookings = {
        "booked": services.book(me, april, status=BookingStatus.BOOKED),
        "waitlisted": services.book(me, march, status=BookingStatus.BOOKED),
        "planned": services.book(me, may),
        "cancelled": services.book(me, june),
        "held": services.book(me, january, status=BookingStatus.BOOKED),  # over, not yet registered
        "colleague": services.book(colleague, april, status=BookingStatus.PLANNED),
    }
    services.cancel(bookings["cancelled"])
    assert bookings["waitlisted"].status == BookingStatus.WAITLISTED
    return bookings


def test_an_employee_s_booking_list_shows_her_own_coming_bookings_soonest_first(
    world: World, client: Client, own: dict[str, Booking]
) -> None:
    """Unfiltered: her planned, booked and waitlisted bookings on sessions not over, soonest
    first; not a cancelled or a past one, never a colleague's, and no coordinator filters."""
    response = _login(client, world.employee_user).get(reverse("training:booking_list"))
    page = response.content.decode()

    assert [b.pk for b in response.context["bookings"]] == [
        own["waitlisted"].pk,
        own["booked"].pk,
        own["planned"].pk,
    ]
    rows = _rows(page, "bookings")
    assert ["Low Arousal" in rows[0], "KRAP grundforløb" in rows[1], "Neuropædagogik" in rows[2]] == [True] * 3
    assert ["På venteliste" in rows[0], "Tilmeldt" in rows[1], "Planlagt" in rows[2]] == [True] * 3
    assert "3 bookinger." in page
    assert "Dolmer-medarbejder 2" not in page
    assert "Aflyst for mig" not in page  # cancelled
    assert "Førstehjælp" not in page  # over
    # Her own filters only: what to show and a course; none of the coordinator's.
    for name in ("status", "q"):
        assert f'name="{name}"' in page
    for name in ("facility", "fra", "ophoer", "afholdt", "begyndt"):
        assert f'name="{name}"' not in page
    assert "Kun efter ansættelsens ophør" not in page


def test_all_of_an_employee_s_bookings_are_hers_alone_whatever_the_query_asks(
    world: World, client: Client, own: dict[str, Booking]
) -> None:
    employee = _login(client, world.employee_user)
    everything = employee.get(reverse("training:booking_list"), {"status": "alle"})
    # The coming first (soonest first), then the earlier ones: all hers, the cancelled one too.
    assert [b.pk for b in everything.context["bookings"]] == [
        own["waitlisted"].pk,
        own["booked"].pk,
        own["planned"].pk,
        own["cancelled"].pk,
        own["held"].pk,
    ]
    assert "Tilmeldt, deltagelse ikke registreret" in everything.content.decode()
    # One status, and a course.
    assert [
        b.pk for b in employee.get(reverse("training:booking_list"), {"status": "planned"}).context["bookings"]
    ] == [own["planned"].pk]
    assert [b.pk for b in employee.get(reverse("training:booking_list"), {"q": "krap"}).context["bookings"]] == [
        own["booked"].pk
    ]
    # A coordinator's filters in the address change nothing, and never show a colleague's.
    coordinator_query = {"status": "planned", "facility": str(world.dolmer.pk), "fra": "2026-01-01", "ophoer": "on"}
    shown = employee.get(reverse("training:booking_list"), coordinator_query).context["bookings"]
    assert [b.pk for b in shown] == [own["planned"].pk]
    for query in ({}, {"status": "alle"}, {"status": "planned"}, coordinator_query):
        listed = employee.get(reverse("training:booking_list"), query).context["bookings"]
        assert {b.employee_id for b in listed} == {world.dolmer_staff[0].pk}


def test_mine_kurser_lists_the_same_coming_bookings_then_the_earlier_ones(
    world: World, client: Client, own: dict[str, Booking]
) -> None:
    employee = _login(client, world.employee_user)
    listed = employee.get(reverse("training:booking_list")).context["bookings"]
    mine = employee.get(reverse("training:my_bookings"))
    assert [b.pk for b in mine.context["coming"]] == [b.pk for b in listed]
    assert [b.pk for b in mine.context["earlier"]] == [own["cancelled"].pk, own["held"].pk]
    page = mine.content.decode()
    assert "Low Arousal" in _rows(page, "coming")[0]
    assert "Dolmer-medarbejder 2" not in page


def test_the_coordinator_s_booking_list_keeps_its_worklist_and_filters(
    world: World, client: Client, own: dict[str, Booking]
) -> None:
    """Unchanged for the other roles: unfiltered, the planned bookings on coming sessions of
    everyone in scope, with the coordinator's filters."""
    response = _login(client, world.coordinator).get(reverse("training:booking_list"))
    page = response.content.decode()
    assert {b.pk for b in response.context["bookings"]} == {own["planned"].pk, own["colleague"].pk}
    for name in ("status", "facility", "fra", "q", "ophoer", "afholdt", "begyndt"):
        assert f'name="{name}"' in page
    assert "Bookingerne på dine medarbejdere" in page
    assert "Dolmer-medarbejder 2" in page


@pytest.fixture
def wished(world: World, client: Client) -> CourseInterest:
    """The employee wishes a course through its page, as the walk did."""
    course = helpers.course(name="Marte Meo")
    helpers.session(course, days=[dt.date(2026, 9, 14)], capacity=10)
    response = _login(client, world.employee_user).post(
        reverse("training:add_interest", args=[course.pk]), {"note": "Gerne i efteråret"}
    )
    assert response.status_code == 302
    return CourseInterest.objects.get(course=course)


def test_an_employee_finds_her_course_wish_on_mine_kurser_and_on_the_course_page(
    world: World, client: Client, wished: CourseInterest
) -> None:
    employee = _login(client, world.employee_user)
    mine = employee.get(reverse("training:my_bookings")).content.decode()
    [row] = _rows(mine, "wishes")
    assert "Marte Meo" in row
    assert "Gerne i efteråret" in row
    assert f"{dt.date(2026, 2, 2):%d-%m-%Y}" in row  # when she wished it
    assert "Ikke booket endnu." in row
    assert 'Næste hold begynder <span class="nowrap">14-09-2026</span>.' in row
    withdraw = reverse("training:withdraw_interest", args=[wished.pk])
    assert f'action="{withdraw}"' in row
    assert "csrfmiddlewaretoken" in row
    assert "Træk ønsket tilbage" in row

    course_page = employee.get(reverse("training:course_detail", args=[wished.course_id])).content.decode()
    own = course_page.split('id="own-interest"', 1)[1].split("</div>", 1)[0]
    assert 'Du ønskede kurset <span class="nowrap">02-02-2026</span>.' in own
    assert f'action="{withdraw}"' in own
    assert "Jeg vil gerne på kurset" not in course_page  # she is not offered to wish it twice


def test_an_employee_withdraws_her_wish_and_it_leaves_the_coordinator_s_demand_list(
    world: World, client: Client, wished: CourseInterest
) -> None:
    course = wished.course
    name = world.dolmer_staff[0].name
    coordinator = _login(client, world.coordinator)
    assert (
        f"{name} – Gerne i efteråret"
        in coordinator.get(reverse("training:course_detail", args=[course.pk])).content.decode()
    )
    assert (
        next(c for c in coordinator.get(reverse("training:course_list")).context["courses"] if c.pk == course.pk).demand
        == 1
    )

    employee = _login(client, world.employee_user)
    withdraw = reverse("training:withdraw_interest", args=[wished.pk])
    assert employee.get(withdraw).status_code == 405  # a link cannot withdraw it
    response = employee.post(withdraw, {"tilbage": "kursus"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("training:course_detail", args=[course.pk])
    page = response.content.decode()
    assert "Dit ønske om Marte Meo er trukket tilbage." in page
    assert "Jeg vil gerne på kurset" in page  # she may wish it again
    assert not CourseInterest.objects.filter(pk=wished.pk).exists()
    entry = AuditEntry.objects.get(action="training.courseinterest.deleted")
    assert (entry.subject_employee_id, entry.actor_id, entry.data) == (
        world.dolmer_staff[0].pk,
        world.employee_user.pk,
        {"course": course.pk},
    )
    assert 'id="no-wishes"' in employee.get(reverse("training:my_bookings")).content.decode()

    coordinator = _login(client, world.coordinator)
    course_page = coordinator.get(reverse("training:course_detail", args=[course.pk])).content.decode()
    assert name not in course_page
    assert (
        next(c for c in coordinator.get(reverse("training:course_list")).context["courses"] if c.pk == course.pk).demand
        == 0
    )


def test_only_the_person_who_wished_a_course_can_withdraw_the_wish(
    world: World, client: Client, wished: CourseInterest
) -> None:
    withdraw = reverse("training:withdraw_interest", args=[wished.pk])
    colleague = factories.user(Role.EMPLOYEE, "kollega", employee=world.dolmer_staff[1])
    assert _login(client, colleague).post(withdraw).status_code == 404
    assert _login(client, world.coordinator).post(withdraw).status_code == 404  # a coordinator has no wish of her own
    assert CourseInterest.objects.filter(pk=wished.pk).exists()
    assert "Marte Meo" not in _login(client, colleague).get(reverse("training:my_bookings")).content.decode()
    assert not AuditEntry.objects.filter(action="training.courseinterest.deleted").exists()


def test_a_wish_a_booking_met_is_neither_listed_nor_withdrawn(
    world: World, client: Client, wished: CourseInterest
) -> None:
    session = wished.course.sessions.get()
    booking = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    employee = _login(client, world.employee_user)
    mine = employee.get(reverse("training:my_bookings"))
    assert mine.context["wishes"] == []
    assert [b.pk for b in mine.context["coming"]] == [booking.pk]
    assert employee.post(reverse("training:withdraw_interest", args=[wished.pk])).status_code == 404
    assert CourseInterest.objects.filter(pk=wished.pk, fulfilled_by=session).exists()
