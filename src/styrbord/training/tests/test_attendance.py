"""Registering who completed, took part in or missed a course that has been held, for the whole
session at once: all or nothing, in the user's scope, never before the course has happened."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from styrbord.audit.models import AuditEntry
from styrbord.competences.models import CompetenceHolding
from styrbord.lib.dates import local_today
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.training import services
from styrbord.training.models import Booking, BookingStatus, CourseCompetence
from styrbord.training.tests import helpers
from styrbord.web.dashboard import dashboard_for

pytestmark = pytest.mark.django_db


def _held(world: World, *, ended_days_ago: int = 3) -> tuple[object, dict[str, Booking]]:
    """A two-day course that ended a few days ago, granting a competence, with people from two
    facilities of Norddjurs and one from Syddjurs."""
    last = local_today() - dt.timedelta(days=ended_days_ago)
    competence = factories.competence(name="Psykopatologi")
    course = helpers.course(name="AMU: Psykiatri og psykiske lidelser")
    CourseCompetence.objects.create(course=course, competence=competence, validity_months=None)
    session = helpers.session(course, days=[last - dt.timedelta(days=1), last], capacity=10, name="December")
    bookings = {
        "anna": services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED),
        "bo": services.book(world.dolmer_staff[1], session, status=BookingStatus.BOOKED),
        "carl": services.book(world.dolmer_staff[2], session, status=BookingStatus.BOOKED),
        "glesborg": services.book(world.glesborg_staff[0], session, status=BookingStatus.BOOKED),
        "syddjurs": services.book(world.syddjurs_staff[0], session, status=BookingStatus.BOOKED),
    }
    return session, bookings


def _outcomes(bookings: dict[str, Booking], **chosen: str) -> dict[int, tuple[str, int | None]]:
    return {bookings[name].pk: (outcome, bookings[name].version) for name, outcome in chosen.items()}


def test_the_register_completes_marks_incomplete_and_no_show_and_registers_the_certificates(world: World) -> None:
    session, bookings = _held(world)
    assert services.outcomes_for(bookings["anna"], local_today()) == ["completed", "incomplete", "no_show"]
    result = services.register_attendance(
        session, _outcomes(bookings, anna="completed", bo="no_show", carl="incomplete"), world.coordinator
    )
    assert (result.completed, result.incomplete, result.no_show, result.holdings, result.total) == (1, 1, 1, 1, 3)
    statuses = {name: Booking.objects.get(pk=b.pk).status for name, b in bookings.items()}
    assert statuses == {
        "anna": BookingStatus.COMPLETED,
        "bo": BookingStatus.NO_SHOW,
        "carl": BookingStatus.INCOMPLETE,
        "glesborg": BookingStatus.BOOKED,
        "syddjurs": BookingStatus.BOOKED,
    }
    holding = CompetenceHolding.objects.get(employee=world.dolmer_staff[0])
    assert holding.acquired_on == session.last_day  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="training.booking.completed", actor_id=world.coordinator.pk).count() == 1
    assert not CompetenceHolding.objects.filter(employee=world.dolmer_staff[2]).exists()
    # Not completed is final, but can still be completed later (an assignment handed in late).
    carl = Booking.objects.get(pk=bookings["carl"].pk)
    assert services.outcomes_for(carl, local_today()) == ["completed"]
    services.complete(carl, world.coordinator)
    assert CompetenceHolding.objects.filter(employee=world.dolmer_staff[2]).count() == 1


def test_a_course_not_completed_is_final_it_no_longer_waits_nor_promises_the_competence(world: World) -> None:
    from styrbord.requirements.planned import EXPECTED_STATUSES
    from styrbord.training.models import CostStage

    session, bookings = _held(world)
    today = local_today()
    assert dashboard_for(world.manager, today).awaiting_attendance == 3
    services.register_attendance(session, _outcomes(bookings, carl="incomplete"), world.manager)
    carl = Booking.objects.get(pk=bookings["carl"].pk)
    assert carl.status_on(today) == "Deltaget, ikke gennemført"
    # Off the "awaiting registration" list, not expected to bring the competence, its costs incurred.
    assert dashboard_for(world.manager, today).awaiting_attendance == 2
    assert carl.status not in EXPECTED_STATUSES
    assert set(carl.costs.values_list("stage", flat=True)) == {CostStage.ACTUAL}
    assert AuditEntry.objects.filter(action="training.booking.incomplete", actor_id=world.manager.pk).count() == 1
    # Only a seat taken or attended can end so, and only once the course is over.
    with pytest.raises(services.BookingError):
        services.mark_incomplete(carl)
    running = helpers.session(days=[today - dt.timedelta(days=1), today + dt.timedelta(days=1)], capacity=5)
    on_running = services.book(world.dolmer_staff[0], running, status=BookingStatus.BOOKED)
    with pytest.raises(services.BookingError) as caught:
        services.mark_incomplete(on_running)
    assert caught.value.message.startswith(f"Holdet slutter først {today + dt.timedelta(days=1):%d-%m-%Y}.")
    # Someone seen on the course while it ran is asked about once it is over: completed or not.
    attended = services.mark_attended(on_running)
    assert services.outcomes_for(attended, today + dt.timedelta(days=1)) == ["completed", "incomplete"]
    # The booking page offers it too.
    client = Client()
    client.force_login(world.manager)
    page = client.get(f"/kurser/booking/{bookings['bo'].pk}/").content.decode()
    assert f"/kurser/booking/{bookings['bo'].pk}/incomplete/" in page


def test_one_booking_that_cannot_take_its_outcome_leaves_the_whole_session_unregistered(world: World) -> None:
    session, bookings = _held(world)
    chosen = _outcomes(bookings, anna="completed", bo="completed", carl="no_show")
    services.mark_no_show(Booking.objects.get(pk=bookings["bo"].pk), None)  # changed since the page was shown
    with pytest.raises(services.BookingError) as caught:
        services.register_attendance(session, chosen, world.coordinator)
    assert caught.value.message.startswith(f"{world.dolmer_staff[1].name}: Bookingen er ændret i mellemtiden")
    assert caught.value.message.endswith("Der er ikke registreret noget for holdet.")
    assert Booking.objects.get(pk=bookings["anna"].pk).status == BookingStatus.BOOKED
    assert Booking.objects.get(pk=bookings["carl"].pk).status == BookingStatus.BOOKED
    assert not CompetenceHolding.objects.filter(employee=world.dolmer_staff[0]).exists()
    assert not AuditEntry.objects.filter(action="training.booking.completed").exists()


def test_nothing_is_registered_before_the_course_has_happened(world: World) -> None:
    today = local_today()
    running = helpers.session(days=[today - dt.timedelta(days=1), today + dt.timedelta(days=1)], capacity=5)
    coming = helpers.session(days=[today + dt.timedelta(days=7)], capacity=5)
    on_running = services.book(world.dolmer_staff[0], running, status=BookingStatus.BOOKED)
    on_coming = services.book(world.dolmer_staff[1], coming, status=BookingStatus.BOOKED)
    # While a course runs: attended or no-show, not completed (the certificate would be dated ahead).
    assert services.outcomes_for(on_running, today) == ["attended", "no_show"]
    assert services.outcomes_for(on_coming, today) == []
    with pytest.raises(services.BookingError) as caught:
        services.complete(on_running)
    last = today + dt.timedelta(days=1)
    assert caught.value.message == (
        f"Holdet slutter først {last:%d-%m-%Y}. Det kan registreres, om kurset er gennemført, fra den dag."
    )
    with pytest.raises(services.BookingError) as caught:
        services.mark_no_show(on_coming)
    assert caught.value.message.startswith(f"Holdet begynder først {today + dt.timedelta(days=7):%d-%m-%Y}.")
    with pytest.raises(services.BookingError):
        services.mark_attended(on_coming)
    assert Booking.objects.get(pk=on_coming.pk).status == BookingStatus.BOOKED
    services.mark_attended(on_running)  # the first day has come
    client = Client()
    client.force_login(world.coordinator)
    page = client.get(f"/kurser/hold/{coming.pk}/deltagelse/").content.decode()
    assert f"Holdet begynder først {today + dt.timedelta(days=7):%d-%m-%Y}." in page
    assert "Der er ikke noget at registrere endnu." in page
    assert 'type="submit"' not in page.split('id="attendance-form"', 1)[1]


def test_the_landing_page_and_the_booking_list_point_to_courses_held_without_registration(world: World) -> None:
    _session, bookings = _held(world)
    _recent, fresh = _held(world, ended_days_ago=0)  # ends today: not yet overdue
    today = local_today()
    assert dashboard_for(world.coordinator, today).awaiting_attendance == 4  # Norddjurs only
    assert dashboard_for(world.manager, today).awaiting_attendance == 3  # Dolmer Have only
    assert dashboard_for(world.finance, today).awaiting_attendance == 0
    services.register_attendance(_session, _outcomes(bookings, anna="completed"), world.coordinator)  # type: ignore[arg-type]
    assert dashboard_for(world.coordinator, today).awaiting_attendance == 3
    client = Client()
    client.force_login(world.coordinator)
    page = client.get("/").content.decode()
    tile = page.split('id="awaiting-attendance-count"', 1)[1].split("</a>", 1)[0]
    assert 'href="/kurser/bookinger/?afholdt=on"' in page
    assert '<span class="value">3</span>' in tile
    assert "bookinger på afholdte hold mangler registrering af deltagelse" in tile
    listing = client.get("/kurser/bookinger/?afholdt=on").content.decode()
    assert "3 bookinger." in listing
    listed = {int(pk) for pk in re.findall(r'href="/kurser/booking/(\d+)/"', listing)}
    # Not the registered one, not another municipality's, not the course that ends today.
    assert listed == {bookings[name].pk for name in ("bo", "carl", "glesborg")}
    assert not listed & {b.pk for b in fresh.values()}


def test_the_register_page_shows_the_users_own_people_and_saves_all_at_once(world: World) -> None:
    session, bookings = _held(world)
    client = Client()
    client.force_login(world.manager)  # Dolmer Have
    detail = client.get(f"/kurser/hold/{session.pk}/").content.decode()  # type: ignore[attr-defined]
    assert 'id="register-attendance"' in detail
    assert "Holdet er afholdt, men 3 deltagere står stadig som tilmeldt eller deltaget." in detail
    url = f"/kurser/hold/{session.pk}/deltagelse/"  # type: ignore[attr-defined]
    page = client.get(url).content.decode()
    for name in ("anna", "bo", "carl"):
        assert bookings[name].employee.name in page
    assert bookings["glesborg"].employee.name not in page  # another facility
    assert re.search(rf'name="outcome_{bookings["anna"].pk}"', page)
    assert "Gennemført registrerer kompetencebeviset (Psykopatologi)" in page
    form = {f"version_{b.pk}": b.version for b in bookings.values()}
    form |= {f"outcome_{bookings['anna'].pk}": "completed", f"outcome_{bookings['bo'].pk}": "no_show"}
    form |= {f"outcome_{bookings['carl'].pk}": ""}
    # A booking outside the manager's scope, slipped into the form, is not touched.
    form |= {f"outcome_{bookings['glesborg'].pk}": "completed"}
    response = client.post(url, form, follow=True)
    assert response.redirect_chain[-1][0] == f"/kurser/hold/{session.pk}/"  # type: ignore[attr-defined]
    text = response.content.decode()
    assert "Registreret for 2: 1 gennemført, 1 udeblevet." in text
    assert "1 kompetencebevis er registreret." in text
    assert Booking.objects.get(pk=bookings["carl"].pk).status == BookingStatus.BOOKED
    assert Booking.objects.get(pk=bookings["glesborg"].pk).status == BookingStatus.BOOKED
    # Nothing chosen: said, nothing saved.
    response = client.post(url, {f"version_{bookings['carl'].pk}": bookings["carl"].version})
    assert "Vælg, hvad der skal registreres, for mindst én deltager." in response.content.decode()
    # A stale page: the error names the person, and nothing of the page is saved.
    stale = {f"outcome_{bookings['carl'].pk}": "completed", f"version_{bookings['carl'].pk}": 0}
    Booking.objects.filter(pk=bookings["carl"].pk).update(version=5)
    response = client.post(url, stale)
    assert f"{bookings['carl'].employee.name}: Bookingen er ændret i mellemtiden" in response.content.decode()
    assert Booking.objects.get(pk=bookings["carl"].pk).status == BookingStatus.BOOKED


def test_the_register_is_for_those_who_handle_bookings(world: World) -> None:
    session, _bookings = _held(world)
    url = f"/kurser/hold/{session.pk}/deltagelse/"  # type: ignore[attr-defined]
    for user in (world.employee_user, world.finance, world.analyst):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code in (403, 404), user
    client = Client()
    client.force_login(world.manager)
    assert client.get("/kurser/hold/999999/deltagelse/").status_code == 404


def test_the_register_speaks_english(world: World) -> None:
    session, _bookings = _held(world)
    client = Client()
    client.force_login(world.coordinator)
    client.cookies["django_language"] = "en"
    page = client.get(f"/kurser/hold/{session.pk}/deltagelse/").content.decode()  # type: ignore[attr-defined]
    assert "Register attendance" in page
    assert "Completed" in page
    assert "No-show" in page
    assert "Took part, not completed" in page


def test_the_api_registers_a_session_all_or_none_in_scope(world: World) -> None:
    from styrbord.api.tests.conftest import ApiClient

    session, bookings = _held(world)
    api = ApiClient(world.manager)  # Dolmer Have
    url = f"/sessions/{session.pk}/attendance"  # type: ignore[attr-defined]

    def item(name: str, outcome: str, version: int | None = None) -> dict[str, object]:
        booking = bookings[name]
        return {"booking": booking.pk, "outcome": outcome, "version": booking.version if version is None else version}

    # Another facility's booking: refused as unknown, nothing registered.
    response = api.post(url, {"bookings": [item("anna", "completed"), item("glesborg", "completed")]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        f"Booking {bookings['glesborg'].pk} findes ikke på holdet eller er uden for dit omfang."
    )
    assert Booking.objects.get(pk=bookings["anna"].pk).status == BookingStatus.BOOKED
    # A stale version: the person is named, nothing registered.
    response = api.post(url, {"bookings": [item("anna", "completed"), item("bo", "no_show", version=7)]})
    assert response.status_code == 422
    assert f"{world.dolmer_staff[1].name}: Bookingen er ændret i mellemtiden" in response.json()["detail"][0]["msg"]
    assert Booking.objects.get(pk=bookings["anna"].pk).status == BookingStatus.BOOKED
    response = api.post(
        url, {"bookings": [item("anna", "completed"), item("bo", "no_show"), item("carl", "incomplete")]}
    )
    assert response.status_code == 200, response.content.decode()
    assert response.json() == {"completed": 1, "incomplete": 1, "attended": 0, "no_show": 1, "holdings": 1}
    assert Booking.objects.get(pk=bookings["carl"].pk).status == BookingStatus.INCOMPLETE
    assert Booking.objects.get(pk=bookings["bo"].pk).status == BookingStatus.NO_SHOW
    # Roles that do not handle bookings are refused.
    assert ApiClient(world.finance).post(url, {"bookings": [item("carl", "completed")]}).status_code == 403


def test_a_seat_on_a_course_that_is_over_is_registered_not_cancelled(world: World) -> None:
    """After the last day the booking page offers the outcomes and no 'Afbestil' (which quoted a
    cancellation fee for a course already held); the service refuses it too, pointing to the register."""
    session, bookings = _held(world)
    bo = Booking.objects.get(pk=bookings["bo"].pk)
    client = Client()
    client.force_login(world.manager)
    page = client.get(f"/kurser/booking/{bo.pk}/").content.decode()
    assert f"/kurser/booking/{bo.pk}/no_show/" in page
    assert f"/kurser/booking/{bo.pk}/cancel/" not in page
    assert "Afbestilling i dag koster" not in page
    with pytest.raises(services.BookingError) as caught:
        services.cancel(bo)
    assert caught.value.message.startswith(
        f"Holdet sluttede {session.last_day:%d-%m-%Y}, så pladsen kan ikke afbestilles."
    )  # type: ignore[attr-defined]
    assert Booking.objects.get(pk=bo.pk).status == BookingStatus.BOOKED
    # Until then it can: on the last day someone may still give the seat up.
    assert services.cancel(bo, on=session.last_day).booking.status == BookingStatus.CANCELLED  # type: ignore[attr-defined]


def test_a_register_with_nobody_left_to_register_says_so_instead_of_registered_for_0(world: World) -> None:
    session, bookings = _held(world)
    services.register_attendance(
        session, _outcomes(bookings, anna="completed", bo="completed", carl="no_show"), world.coordinator
    )
    client = Client()
    client.force_login(world.manager)  # Dolmer Have: all three registered (maybe in another tab)
    response = client.post(f"/kurser/hold/{session.pk}/deltagelse/", {})  # type: ignore[attr-defined]
    text = response.content.decode()
    assert response.status_code == 200
    assert "Der er ikke noget at registrere på holdet." in text
    assert "Registreret for 0" not in text


def test_the_certificate_evidence_is_written_in_danish_whoever_registers_it(world: World) -> None:
    """A coordinator on an English page completed an unnamed session: the certificate read
    'Kursus: ... – 02 Mar 2026', half English in a Danish record."""
    from django.utils import translation

    session, bookings = _held(world)
    session.name = ""  # type: ignore[attr-defined]
    session.save(update_fields=["name"])  # type: ignore[attr-defined]
    with translation.override("en"):
        services.complete(Booking.objects.get(pk=bookings["anna"].pk), world.coordinator)
    holding = CompetenceHolding.objects.get(employee=world.dolmer_staff[0])
    assert f"– {session.first_day:%d-%m-%Y}," in holding.evidence  # type: ignore[attr-defined]
