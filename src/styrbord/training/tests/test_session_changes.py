"""Changing and cancelling a session (ret / aflys holdet) through the pages, with what follows for
its bookings: checks on the new days, waiting-list promotion, costs, fees and who may do it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.testing.fixtures import Clock, World
from styrbord.training import services
from styrbord.training.models import Booking, BookingCost, BookingStatus, CancellationRule, Session

from . import helpers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_courses")]

MARCH_2 = dt.date(2026, 3, 2)


def _login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _change(client: Client, session: Session, **fields: str) -> str:
    data = {"name": session.name, "place": session.place, "capacity": str(session.capacity), "days": "02-03-2026"}
    data.update(fields)
    response = client.post(reverse("training:session_update", args=[session.pk]), data)
    if response.status_code == 302:
        return ""
    assert response.status_code == 200
    return response.content.decode()


def _backfill(booking: Booking) -> Decimal:
    return BookingCost.objects.get(booking=booking, category="backfill").amount


def test_new_days_must_fit_everyone_booked_and_the_costs_follow(world: World, client: Client) -> None:
    own = helpers.session(
        helpers.course(name="KRAP"), days=[MARCH_2], capacity=2, municipality=world.dolmer.municipality
    )
    first, second, third = world.dolmer_staff[:3]
    seat = services.book(first, own, status=BookingStatus.BOOKED)
    services.book(second, own, status=BookingStatus.BOOKED)
    waiting = services.book(third, own, status=BookingStatus.BOOKED)
    assert waiting.status == BookingStatus.WAITLISTED
    elsewhere = helpers.session(helpers.course(name="Recovery"), days=[dt.date(2026, 3, 10)])
    services.book(second, elsewhere, status=BookingStatus.BOOKED)
    assert _backfill(seat) == Decimal("1800.00")  # 6 hours away (of a 7,4 hour day) at 300 kr.
    client = _login(client, world.coordinator)

    # 10-03-2026 clashes for the second person: nothing changes, and they are named.
    page = _change(client, own, days="09-03-2026\n10-03-2026")
    assert "De nye dage passer ikke for alle på holdet, så intet er ændret." in page
    assert f"{second.name}: Medarbejderen er allerede booket på Recovery den 10-03-2026." in page
    assert list(own.days.values_list("date", flat=True)) == [MARCH_2]
    # Fewer seats than taken is refused.
    assert "Holdet har 2 optagne pladser; der kan ikke være færre pladser." in _change(client, own, capacity="1")

    # A day that fits, with other hours: the days, span and costs follow; one more seat goes to the
    # first on the waiting list.
    assert _change(client, own, days="09-03-2026 3,5", capacity="3", place="Grenaa") == ""
    own.refresh_from_db()
    assert (own.first_day, own.last_day, own.capacity, own.place) == (
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 9),
        3,
        "Grenaa",
    )
    assert list(own.days.values_list("hours", flat=True)) == [Decimal("3.50")]
    assert _backfill(seat) == Decimal("1050.00")
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.BOOKED
    entry = AuditEntry.objects.get(action="training.session.updated")
    assert entry.before["capacity"] == 2
    assert entry.after["capacity"] == 3
    # The form shows the days as typed in the box's format.
    form = client.get(reverse("training:session_update", args=[own.pk])).content.decode()
    assert "09-03-2026 3,50" in form


def test_days_already_held_cannot_change(world: World, client: Client, clock: Clock) -> None:
    session = helpers.session(days=[MARCH_2, dt.date(2026, 3, 4)], municipality=world.dolmer.municipality)
    clock.to(dt.date(2026, 3, 3))
    client = _login(client, world.coordinator)
    page = _change(client, session, days="04-03-2026")
    assert "Dage før i dag (03-03-2026) er afholdt og kan ikke ændres, tilføjes eller fjernes." in page
    assert _change(client, session, days="02-03-2026\n05-03-2026") == ""
    assert list(session.days.values_list("date", flat=True)) == [MARCH_2, dt.date(2026, 3, 5)]


def test_cancelling_a_session_cancels_every_seat_without_a_fee(world: World, client: Client) -> None:
    course = helpers.course(name="Konflikthåndtering")
    # Cancelled by the participant this late, a seat would cost the full price.
    CancellationRule.objects.create(provider=course.provider, days_before=60, fee_percent=Decimal("100"))
    session = helpers.session(course, days=[MARCH_2], capacity=1, municipality=world.dolmer.municipality)
    booked = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    waiting = services.book(world.dolmer_staff[1], session, status=BookingStatus.BOOKED)
    planned = services.book(world.glesborg_staff[0], session)
    client = _login(client, world.coordinator)
    url = reverse("training:session_cancel", args=[session.pk])

    page = client.get(url).content.decode()
    for person in (world.dolmer_staff[0], world.dolmer_staff[1], world.glesborg_staff[0]):
        assert person.name in page
    refused = client.post(url, {"reason": " "}).content.decode()
    assert "Dette felt er påkrævet." in refused or "Skriv hvorfor holdet aflyses" in refused
    assert not Session.objects.get(pk=session.pk).cancelled

    response = client.post(url, {"reason": "Udbyderen aflyste pga. for få tilmeldte."}, follow=True)
    assert "Holdet er aflyst, og 3 bookinger er afbestilt uden gebyr." in response.content.decode()
    assert "Begrundelse: Udbyderen aflyste pga. for få tilmeldte." in response.content.decode()
    for booking in (booked, waiting, planned):
        booking.refresh_from_db()
        assert (booking.status, booking.cancellation_fee) == (BookingStatus.CANCELLED, Decimal("0"))
        assert not booking.costs.exists()
    assert AuditEntry.objects.filter(action="training.session.cancelled").count() == 1
    assert AuditEntry.objects.filter(action="training.booking.cancelled").count() == 3
    with pytest.raises(services.BookingError, match=r"Holdet er aflyst\."):
        services.book(world.dolmer_staff[2], session, status=BookingStatus.BOOKED)
    # Nothing more to change or cancel.
    assert "Holdet er aflyst og kan ikke ændres." in _change(client, Session.objects.get(pk=session.pk))
    assert (
        'id="session-actions"' not in client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    )


def test_a_session_with_registered_attendance_is_not_cancelled(world: World, client: Client, clock: Clock) -> None:
    session = helpers.session(days=[MARCH_2, dt.date(2026, 3, 20)], municipality=world.dolmer.municipality)
    booking = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    clock.to(dt.date(2026, 3, 3))
    services.mark_attended(booking)
    page = _login(client, world.coordinator).post(
        reverse("training:session_cancel", args=[session.pk]), {"reason": "Underviseren er syg."}
    )
    assert "Der er registreret deltagelse for 1 person på holdet, så det kan ikke aflyses." in page.content.decode()
    assert not Session.objects.get(pk=session.pk).cancelled


def test_only_the_arranging_municipality_or_an_administrator_changes_a_session(world: World, client: Client) -> None:
    arranged = helpers.session(days=[MARCH_2], municipality=world.dolmer.municipality)
    shared = helpers.session(days=[MARCH_2])
    services.book(world.dolmer_staff[0], shared, status=BookingStatus.BOOKED)
    for view in ("training:session_update", "training:session_cancel"):
        assert _login(client, world.manager).get(reverse(view, args=[arranged.pk])).status_code == 403
        for session, why in (
            (arranged, "kun kommunens koordinatorer kan ændre eller aflyse det."),
            (shared, f"Holdet har deltagere fra {world.dolmer.municipality.name}."),
        ):
            page = _login(client, world.other_coordinator).get(reverse(view, args=[session.pk])).content.decode()
            assert why in page
            assert 'id="session-change"' not in page
            assert 'id="session-cancel"' not in page
    posted = _login(client, world.other_coordinator).post(
        reverse("training:session_cancel", args=[shared.pk]), {"reason": "Forkert hold"}
    )
    assert posted.status_code == 200
    assert not Session.objects.get(pk=shared.pk).cancelled
    # The coordinators of the municipality whose staff are booked may, and so may an administrator.
    assert _change(_login(client, world.coordinator), shared, name="Hold A") == ""
    assert _change(_login(client, world.admin), arranged, name="Hold B") == ""
    assert Session.objects.get(pk=shared.pk).name == "Hold A"
    assert Session.objects.get(pk=arranged.pk).name == "Hold B"


def test_a_new_session_on_a_public_holiday_or_weekend_is_saved_with_a_word(world: World, client: Client) -> None:
    course = helpers.course()
    response = _login(client, world.coordinator).post(
        reverse("training:session_create", args=[course.pk]),
        {"capacity": "10", "days": "24-12-2026\n25-12-2026\n26-12-2026\n27-12-2026"},
        follow=True,
    )
    content = response.content.decode()
    assert "Holdet er oprettet." in content
    assert "Kursusdagen 25-12-2026 er en helligdag (Juledag)." in content
    assert "Kursusdagen 26-12-2026 er en helligdag (Anden juledag)." in content
    assert "Kursusdagen 27-12-2026 er en søndag." in content
    assert "24-12-2026 er" not in content  # Christmas Eve is a Thursday and no public holiday


def test_a_price_with_oere_shows_them(world: World, client: Client) -> None:
    session = helpers.session(days=[MARCH_2], fee_per_participant=Decimal("2450.50"))
    whole = helpers.session(days=[MARCH_2], fee_per_participant=Decimal("2400.00"))
    client = _login(client, world.coordinator)
    assert "2.450,50 kr." in client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "2.400 kr." in client.get(reverse("training:session_detail", args=[whole.pk])).content.decode()


def test_a_no_show_held_a_seat(world: World, client: Client, clock: Clock) -> None:
    """The provider sold the seat and charged for it: '2 / 2 Optagne pladser' after one completed and
    one no-show (it read 1 / 2), and nobody can take the no-show's seat once the course has begun."""
    session = helpers.session(days=[MARCH_2, dt.date(2026, 3, 3)], capacity=2)
    done, missed = (services.book(p, session, status=BookingStatus.BOOKED) for p in world.dolmer_staff[:2])
    clock.to(dt.date(2026, 3, 2))
    services.mark_attended(done)
    services.mark_no_show(missed)
    assert services.seats_taken(session) == 2
    with pytest.raises(services.BookingError, match="fuldt"):
        services.book(world.dolmer_staff[2], session, status=BookingStatus.BOOKED)
    page = _login(client, world.coordinator).get(reverse("training:session_detail", args=[session.pk]))
    assert '<span class="value">2 / 2</span>' in page.content.decode()


def test_participants_are_told_by_e_mail_of_new_days_and_of_a_cancellation(
    world: World, client: Client, django_capture_on_commit_callbacks: object, mailoutbox: list
) -> None:
    session = helpers.session(
        helpers.course(name="Low Arousal"), days=[MARCH_2], capacity=1, municipality=world.dolmer.municipality
    )
    booked, waiting, planned = world.dolmer_staff[:3]
    for person, address in ((booked, "a@norddjurs.dk"), (waiting, "b@norddjurs.dk"), (planned, "c@norddjurs.dk")):
        person.email = address
        person.save()
    services.book(booked, session, status=BookingStatus.BOOKED)
    services.book(waiting, session, status=BookingStatus.BOOKED)  # waitlisted
    services.book(planned, session)  # planned: never confirmed to the person, not told
    client = _login(client, world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        page = client.post(
            reverse("training:session_update", args=[session.pk]),
            {"name": "", "place": "", "capacity": "1", "days": "09-03-2026"},
            follow=True,
        ).content.decode()
    assert "2 deltagere har fået besked på e-mail." in page
    assert sorted(m.to[0] for m in mailoutbox) == ["a@norddjurs.dk", "b@norddjurs.dk"]
    assert "har fået nye kursusdage: 09-03-2026." in mailoutbox[0].body
    mailoutbox.clear()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})  # the coordinator reads English
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        english = client.post(
            reverse("training:session_cancel", args=[session.pk]), {"reason": "For få tilmeldte."}, follow=True
        ).content.decode()
    assert "2 participants have been told by e-mail." in english
    assert sorted(m.to[0] for m in mailoutbox) == ["a@norddjurs.dk", "b@norddjurs.dk"]
    assert mailoutbox[0].subject == "Aflyst: Low Arousal 09-03-2026"  # Danish, whoever cancels
    assert "er aflyst. Begrundelse: For få tilmeldte." in mailoutbox[0].body


def test_a_person_is_not_given_two_seats_on_the_same_course(world: World) -> None:
    """Booked on the winter session, a person cannot be booked on the spring one as well (a second
    fee and a second cover); a plan's seat may still be planned there, but not confirmed, and the
    waiting list passes them by."""
    course = helpers.course(name="Konflikthåndtering")
    winter = helpers.session(course, days=[MARCH_2], name="Vinter")
    spring = helpers.session(course, days=[dt.date(2026, 4, 6)], name="Forår", capacity=1)
    person, other = world.dolmer_staff[:2]
    services.book(person, winter, status=BookingStatus.BOOKED)
    with pytest.raises(services.BookingError, match="allerede tilmeldt Konflikthåndtering på holdet Vinter"):
        services.book(person, spring, status=BookingStatus.BOOKED)
    planned = services.book(person, spring)  # a plan may move the seat
    with pytest.raises(services.BookingError, match="Afbestil den booking først"):
        services.confirm(planned)
    services.cancel(planned)
    # On the waiting list of the spring session, then booked on the winter one: passed over.
    services.book(other, spring, status=BookingStatus.BOOKED)
    waiting = services.book(world.dolmer_staff[2], spring, status=BookingStatus.BOOKED)
    assert waiting.status == BookingStatus.WAITLISTED
    services.book(world.dolmer_staff[2], winter, status=BookingStatus.BOOKED)
    services.cancel(spring.bookings.get(employee=other))
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITLISTED


def test_a_cancelled_session_waives_earlier_fees_and_offers_no_booking(world: World, client: Client) -> None:
    course = helpers.course(name="Psykopatologi")
    CancellationRule.objects.create(provider=course.provider, days_before=60, fee_percent=Decimal("100"))
    session = helpers.session(course, days=[MARCH_2], municipality=world.dolmer.municipality)
    early = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    services.book(world.dolmer_staff[1], session, status=BookingStatus.BOOKED)
    client = _login(client, world.coordinator)
    # One participant gives up the seat, ticking the fee the page names: the fee is said at once.
    page = client.post(
        reverse("training:booking_action", args=[early.pk, "cancel"]),
        {"version": early.version, "accept_fee": "1"},
        follow=True,
    ).content.decode()
    assert "Bookingen er afbestilt. Afbestillingsgebyret er 2.400,00 kr." in page
    early.refresh_from_db()
    assert early.cancellation_fee == Decimal("2400.00")
    # Then the provider cancels the session: that fee is waived too.
    page = client.post(
        reverse("training:session_cancel", args=[session.pk]), {"reason": "Udbyderen aflyste."}, follow=True
    ).content.decode()
    assert "Afbestillingsgebyret for 1 tidligere afbestilling er frafaldet." in page
    early.refresh_from_db()
    assert early.cancellation_fee == Decimal("0")
    assert not early.costs.exists()
    detail = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert 'id="book-form"' not in detail
    assert 'id="book-group"' not in detail
    group = client.get(reverse("training:session_book_group", args=[session.pk]), follow=True).content.decode()
    assert "Holdet er aflyst." in group
    assert 'id="book-form"' not in group


def test_new_days_under_the_minimum_staffing_are_shown_and_kept_only_when_confirmed(
    world: World, client: Client
) -> None:
    world.dolmer.minimum_staff = len(world.dolmer_staff)  # anyone away leaves Dolmer Have short
    world.dolmer.save()
    session = helpers.session(days=[MARCH_2], municipality=world.dolmer.municipality)
    booking = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED, check_staffing=False)
    client = _login(client, world.coordinator)
    page = _change(client, session, days="09-03-2026")
    assert "Advarsel: minimumsbemandingen brydes" in page
    assert "09-03-2026: Dolmer Have har kun 2 på arbejde (minimum 3)." in page
    assert "Ret alligevel" in page
    assert list(session.days.values_list("date", flat=True)) == [MARCH_2]  # nothing changed yet
    key = re.search(r'name="confirm_understaffing" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    # Confirmed for other days than those shown: checked again, not saved.
    assert "Ret alligevel" in _change(client, session, days="10-03-2026", confirm_understaffing=key)
    assert _change(client, session, days="09-03-2026", confirm_understaffing=key) == ""
    assert list(session.days.values_list("date", flat=True)) == [dt.date(2026, 3, 9)]
    booking.refresh_from_db()
    assert booking.staffing_warning
