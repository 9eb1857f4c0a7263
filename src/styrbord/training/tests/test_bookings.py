"""Booking workflows: lifecycle, waiting list, clashes, completion and staffing warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from styrbord.competences.models import CompetenceHolding
from styrbord.organisations.models import StaffingPeriod
from styrbord.staff.models import Absence, Employment
from styrbord.testing import factories
from styrbord.testing.fixtures import Clock, World
from styrbord.training import services
from styrbord.training.models import BookingStatus, CourseCompetence, CourseInterest
from styrbord.training.services import BookingCandidate, BookingError, staffing_warnings

from . import helpers

# The sessions here run in spring 2026: the tests book before, and move the clock to register attendance.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_courses")]


def test_a_cancelled_seat_goes_to_the_first_person_on_the_waiting_list() -> None:
    facility = factories.facility()
    session = helpers.session(capacity=1)
    people = [factories.employment(facility_obj=facility).employee for _ in range(3)]
    seat = services.book(people[0], session, status=BookingStatus.BOOKED)
    first_waiting = services.book(people[1], session, status=BookingStatus.BOOKED)
    second_waiting = services.book(people[2], session, status=BookingStatus.BOOKED)
    assert (first_waiting.status, second_waiting.status) == (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED)
    result = services.cancel(seat, on=dt.date(2025, 12, 1))
    assert result.promoted is not None
    assert result.promoted.pk == first_waiting.pk
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == BookingStatus.BOOKED
    assert second_waiting.status == BookingStatus.WAITLISTED
    assert services.seats_taken(session) == 1


def test_a_free_seat_skips_a_waiting_person_whose_employment_ends_before_the_session() -> None:
    facility = factories.facility()
    session = helpers.session(capacity=1)  # one day, 02-03-2026
    people = [factories.employment(facility_obj=facility).employee for _ in range(3)]
    seat = services.book(people[0], session, status=BookingStatus.BOOKED)
    resigned = services.book(people[1], session, status=BookingStatus.BOOKED)
    next_in_line = services.book(people[2], session, status=BookingStatus.BOOKED)
    Employment.objects.filter(employee=people[1]).update(end_date=dt.date(2026, 2, 27))  # resigned since

    result = services.cancel(seat, on=dt.date(2025, 12, 1))

    assert result.promoted is not None
    assert result.promoted.pk == next_in_line.pk
    resigned.refresh_from_db()
    assert resigned.status == BookingStatus.WAITLISTED  # left for the manager to cancel


def test_a_planned_booking_of_someone_who_has_resigned_since_cannot_be_confirmed() -> None:
    session = helpers.session(capacity=5)  # one day, 02-03-2026
    staying = factories.employment().employee
    resigned = factories.employment().employee
    planned = [services.book(person, session) for person in (staying, resigned)]
    Employment.objects.filter(employee=resigned).update(end_date=dt.date(2026, 2, 27))

    with pytest.raises(BookingError, match="Ansættelsen ophører den 27-02-2026, før holdets sidste dag den 02-03-2026"):
        services.confirm_many(planned)

    assert {b.status for b in session.bookings.all()} == {BookingStatus.PLANNED}  # all or none
    assert services.confirm(planned[0]).status == BookingStatus.BOOKED


def test_cancelling_a_planned_booking_promotes_nobody_and_costs_nothing() -> None:
    session = helpers.session(capacity=1)
    facility = factories.facility()
    seat = services.book(factories.employment(facility_obj=facility).employee, session, status=BookingStatus.BOOKED)
    planned = services.book(factories.employment(facility_obj=facility).employee, session)
    waiting = services.book(factories.employment(facility_obj=facility).employee, session, status=BookingStatus.BOOKED)
    result = services.cancel(planned, on=dt.date(2026, 3, 1))
    assert result.promoted is None
    assert result.booking.cancellation_fee == Decimal("0.00")
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITLISTED
    assert seat.status == BookingStatus.BOOKED


def test_confirming_a_planned_booking_on_a_full_session_waitlists_it() -> None:
    session = helpers.session(capacity=1)
    facility = factories.facility()
    planned = services.book(factories.employment(facility_obj=facility).employee, session)
    services.book(factories.employment(facility_obj=facility).employee, session, status=BookingStatus.BOOKED)
    assert services.confirm(planned).status == BookingStatus.WAITLISTED


def test_once_a_session_has_begun_a_seat_can_be_booked_but_not_planned_or_waited_for(clock: Clock) -> None:
    """From the first day, a plan or a waiting list for the course means nothing: a new booking is
    for someone who takes part, and only while a seat is free. Confirming a plan's seat (booking it
    after the fact) follows the same rule, and a seat freed on the first day goes to nobody."""
    facility = factories.facility()
    people = [factories.employment(facility_obj=facility).employee for _ in range(5)]
    session = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)], capacity=2)
    planned = services.book(people[0], session)
    seat = services.book(people[1], session, status=BookingStatus.BOOKED)
    clock.to(dt.date(2026, 3, 2))

    with pytest.raises(BookingError) as error:
        services.book(people[2], session)
    assert error.value.message == (
        "Holdet er begyndt 02-03-2026, så en plads kan ikke længere planlægges. "
        "Tilmeld deltageren, hvis vedkommende deltager."
    )
    assert services.book(people[2], session, status=BookingStatus.BOOKED).status == BookingStatus.BOOKED  # late
    with pytest.raises(BookingError) as error:
        services.book(people[3], session, status=BookingStatus.BOOKED)
    full = "Holdet er begyndt 02-03-2026 og er fuldt. Et hold, der er begyndt, har ingen venteliste."
    assert error.value.message == full
    with pytest.raises(BookingError) as error:
        services.confirm(planned)
    assert error.value.message == full
    assert not session.bookings.filter(status=BookingStatus.WAITLISTED).exists()

    assert services.cancel(seat).promoted is None  # a free seat now, but the course is under way
    assert services.confirm(planned).status == BookingStatus.BOOKED  # the plan's person did take part
    clock.to(dt.date(2026, 3, 20))  # and after the course, the same
    with pytest.raises(BookingError, match="kan ikke længere planlægges"):
        services.book(people[4], session)


def test_a_status_reads_as_it_stands_on_the_day(clock: Clock) -> None:
    """A seat on a course that is over and not registered, or a plan's seat on one that has begun,
    does not read as if nothing had happened since it was booked."""
    session = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)], capacity=5)
    planned = services.book(factories.employment().employee, session)
    booked = services.book(factories.employment().employee, session, status=BookingStatus.BOOKED)
    attended = services.book(factories.employment().employee, session, status=BookingStatus.BOOKED)
    assert (planned.status_now, booked.status_now) == ("Planlagt", "Tilmeldt")
    clock.to(dt.date(2026, 3, 2))
    attended = services.mark_attended(attended)
    assert (planned.status_now, booked.status_now, attended.status_now) == (
        "Planlagt, men holdet er begyndt",
        "Tilmeldt",
        "Deltaget",
    )
    clock.to(dt.date(2026, 3, 4))
    assert (booked.status_now, attended.status_now) == (
        "Tilmeldt, deltagelse ikke registreret",
        "Deltaget, gennemførelse ikke registreret",
    )
    assert planned.status_now == "Planlagt, men holdet er slut"  # not "begyndt" once it is over
    services.complete(booked)
    booked.refresh_from_db()
    assert booked.status_now == "Gennemført"


def test_a_stale_version_is_refused() -> None:
    booking = services.book(factories.employment().employee, helpers.session())
    services.confirm(booking, expected_version=booking.version)
    with pytest.raises(BookingError, match="ændret i mellemtiden"):
        services.cancel(booking, expected_version=booking.version)


def test_a_booking_that_clashes_with_another_booking_is_refused_with_the_date() -> None:
    employee = factories.employment().employee
    services.book(employee, helpers.session(helpers.course(name="KRAP grundkursus"), days=[dt.date(2026, 3, 2)]))
    other = helpers.session(days=[dt.date(2026, 3, 1), dt.date(2026, 3, 2)])
    with pytest.raises(BookingError) as error:
        services.book(employee, other)
    assert error.value.message == "Medarbejderen er allerede booket på KRAP grundkursus den 02-03-2026."


def test_a_cancelled_booking_does_not_clash() -> None:
    employee = factories.employment().employee
    first = services.book(employee, helpers.session(days=[dt.date(2026, 3, 2)]))
    services.cancel(first)
    assert services.book(employee, helpers.session(days=[dt.date(2026, 3, 2)])).status == BookingStatus.PLANNED


def test_a_booking_during_leave_is_refused_but_leave_between_session_days_is_fine() -> None:
    employee = factories.employment().employee
    Absence.objects.create(
        employee=employee, kind=Absence.Kind.HOLIDAY, start_date=dt.date(2026, 3, 3), end_date=dt.date(2026, 3, 10)
    )
    with pytest.raises(BookingError, match="fravær \\(ferie\\) den 03-03-2026"):
        services.book(employee, helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)]))
    long_programme = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 11)])
    assert services.book(employee, long_programme).pk


def test_a_booking_after_the_employment_ends_is_refused() -> None:
    employment = factories.employment(end_date=dt.date(2026, 3, 2))
    with pytest.raises(BookingError, match="ophører den 02-03-2026"):
        services.book(employment.employee, helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)]))
    ended = factories.employment(status=Employment.Status.ENDED)
    with pytest.raises(BookingError, match="aktiv ansættelse"):
        services.book(ended.employee, helpers.session())


def test_a_missing_prerequisite_is_refused_unless_an_earlier_booking_grants_it() -> None:
    basic = factories.competence("krap-basis", name="KRAP basis")
    advanced = helpers.course(name="KRAP videregående")
    advanced.prerequisites.add(basic)
    granting = helpers.course(name="KRAP grundkursus")
    CourseCompetence.objects.create(course=granting, competence=basic)
    employee = factories.employment().employee
    late = helpers.session(advanced, days=[dt.date(2026, 6, 1)])
    with pytest.raises(BookingError, match="mangler forudsætningen: KRAP basis"):
        services.book(employee, late)
    services.book(employee, helpers.session(granting, days=[dt.date(2026, 3, 2)]))
    assert services.book(employee, late).pk


def test_completion_creates_a_holding_acquired_on_the_last_day_with_the_courses_validity(clock: Clock) -> None:
    conflict = factories.competence("konflikthaandtering", validity_months=24)
    krap = factories.competence("krap", validity_months=None)
    course = helpers.course()
    CourseCompetence.objects.create(course=course, competence=conflict, validity_months=12)
    CourseCompetence.objects.create(course=course, competence=krap)
    session = helpers.session(course, days=[dt.date(2026, 3, 2), dt.date(2026, 4, 14)])
    booking = services.book(factories.employment().employee, session, status=BookingStatus.BOOKED)
    clock.to(dt.date(2026, 4, 14))
    services.mark_attended(booking)
    holdings = {h.competence.code: h for h in services.complete(booking)}
    assert holdings["konflikthaandtering"].acquired_on == dt.date(2026, 4, 14)
    assert holdings["konflikthaandtering"].expires_on == conflict.expiry_for(dt.date(2026, 4, 14)).replace(year=2027)
    assert holdings["konflikthaandtering"].expires_on == dt.date(2027, 4, 14)
    assert holdings["krap"].expires_on is None
    assert CompetenceHolding.objects.filter(employee=booking.employee, source="course").count() == 2
    assert holdings["krap"].is_valid_on(dt.date(2030, 1, 1))
    # The evidence names the course, the session (its first day, having no name) and the provider.
    assert holdings["krap"].evidence == f"Kursus: {course.name} – 02-03-2026, {course.provider.name}"


def test_a_named_sessions_evidence_uses_its_name(clock: Clock) -> None:
    course = helpers.course(name="Low Arousal i praksis")
    CourseCompetence.objects.create(course=course, competence=factories.competence("low-arousal"))
    session = helpers.session(course, name="Forår 2026")
    booking = services.book(factories.employment().employee, session, status=BookingStatus.BOOKED)
    clock.to(dt.date(2026, 3, 2))
    (holding,) = services.complete(booking)
    assert holding.evidence == f"Kursus: Low Arousal i praksis – Forår 2026, {course.provider.name}"


def test_completion_without_a_course_override_uses_the_competences_validity(clock: Clock) -> None:
    conflict = factories.competence(validity_months=24)
    course = helpers.course()
    CourseCompetence.objects.create(course=course, competence=conflict)
    booking = services.book(factories.employment().employee, helpers.session(course), status=BookingStatus.BOOKED)
    clock.to(dt.date(2026, 3, 2))
    (holding,) = services.complete(booking)
    assert holding.expires_on == conflict.expiry_for(dt.date(2026, 3, 2))


def test_only_a_booked_or_attended_booking_can_be_completed() -> None:
    booking = services.book(factories.employment().employee, helpers.session())
    with pytest.raises(BookingError, match="Kun en tilmeldt"):
        services.complete(booking)


def test_booking_fulfils_the_persons_course_interest() -> None:
    employee = factories.employment().employee
    course = helpers.course()
    interest = CourseInterest.objects.create(employee=employee, course=course, note="Gerne i foråret")
    session = helpers.session(course)
    other = factories.employment().employee
    CourseInterest.objects.create(employee=other, course=course)
    assert {i.employee_id for i in services.interested_without_booking(session)} == {employee.pk, other.pk}
    services.book(employee, session)
    interest.refresh_from_db()
    assert interest.fulfilled_by == session
    assert [i.employee_id for i in services.interested_without_booking(session)] == [other.pk]


def test_a_booking_that_leaves_the_facility_under_minimum_staffing_is_flagged() -> None:
    facility = factories.facility(minimum_staff=2)
    staff = [factories.employment(facility_obj=facility) for _ in range(3)]
    session = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
    first = services.book(staff[0].employee, session)
    assert first.staffing_warning is False  # 3 - 1 = 2 remain
    Absence.objects.create(employee=staff[2].employee, start_date=dt.date(2026, 3, 3), end_date=dt.date(2026, 3, 3))
    warnings = staffing_warnings(BookingCandidate(staff[1], session))
    # 2 March: 3 - 2 = 1 < 2; 3 March: 3 - 3 = 0 < 2
    assert [(w.date, w.remaining, w.minimum) for w in warnings] == [
        (dt.date(2026, 3, 2), 1, 2),
        (dt.date(2026, 3, 3), 0, 2),
    ]
    second = services.book(staff[1].employee, session)
    assert second.staffing_warning is True
    # The saved booking is not counted twice.
    assert len(staffing_warnings(second)) == 2
    assert staffing_warnings(first)[0].remaining == 1


def test_the_staffing_check_holds_each_day_to_its_own_minimum() -> None:
    """Two at work on weekdays, one at weekends, three on a Monday with 1:1 support."""
    facility = factories.facility(minimum_staff=2, minimum_staff_weekend=1)
    StaffingPeriod.objects.create(
        facility=facility, start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 9), minimum=3, reason="1:1"
    )
    staff = [factories.employment(facility_obj=facility) for _ in range(3)]
    saturday, monday, tuesday = dt.date(2026, 3, 7), dt.date(2026, 3, 9), dt.date(2026, 3, 10)
    session = helpers.session(days=[saturday, monday, tuesday])
    assert facility.minimums([saturday, monday, tuesday]) == {saturday: 1, monday: 3, tuesday: 2}
    first = services.book(staff[0].employee, session)
    assert [(w.date, w.remaining, w.minimum) for w in staffing_warnings(first)] == [(monday, 2, 3)]
    warnings = staffing_warnings(BookingCandidate(staff[1], session))
    assert [(w.date, w.remaining, w.minimum) for w in warnings] == [(monday, 1, 3), (tuesday, 1, 2)]


def test_a_facility_without_any_minimum_gives_no_staffing_warning() -> None:
    facility = factories.facility(minimum_staff=0)
    staff = [factories.employment(facility_obj=facility) for _ in range(2)]
    session = helpers.session(days=[dt.date(2026, 3, 7), dt.date(2026, 3, 9)])
    services.book(staff[0].employee, session)
    assert staffing_warnings(BookingCandidate(staff[1], session)) == []


def test_completing_a_booking_raises_the_facilitys_coverage_of_the_requirement(clock: Clock) -> None:
    from styrbord.requirements.coverage import coverage_for
    from styrbord.requirements.tests.helpers import requirement

    facility = factories.facility()
    staff = [factories.employment(facility_obj=facility) for _ in range(4)]
    conflict = factories.competence("konflikt-dk", validity_months=24)
    course = helpers.course()
    CourseCompetence.objects.create(course=course, competence=conflict)
    req = requirement([conflict], facility=facility)
    session = helpers.session(course, days=[dt.date(2026, 3, 2)])
    on = dt.date(2026, 3, 10)

    def row():  # type: ignore[no-untyped-def]
        [only] = coverage_for([req], on=on, facilities=[facility])
        return (only.in_scope, only.compliant)

    assert row() == (4, 0)
    bookings = [services.book(e.employee, session, status=BookingStatus.BOOKED) for e in staff[:2]]
    assert row() == (4, 0)  # booked is not yet held
    clock.to(dt.date(2026, 3, 2))
    services.complete(bookings[0])
    assert row() == (4, 1)
    services.complete(bookings[1])
    assert row() == (4, 2)
    assert coverage_for([req], on=dt.date(2026, 3, 1), facilities=[facility])[0].compliant == 0  # not before


def test_a_group_is_booked_all_or_none_and_a_refusal_names_the_person() -> None:
    """Three people on one session; the second has leave on a course day: no one is booked (no
    bookings, no audit entries), and the message says who and why."""
    from styrbord.audit.models import AuditEntry

    facility = factories.facility()
    staff = [factories.employment(facility_obj=facility) for _ in range(3)]
    session = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)], capacity=10)
    Absence.objects.create(
        employee=staff[1].employee,
        kind=Absence.Kind.HOLIDAY,
        start_date=dt.date(2026, 3, 3),
        end_date=dt.date(2026, 3, 3),
    )
    # The third is booked on another course the same day: both refusals are named at once.
    elsewhere = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    services.book(staff[2].employee, elsewhere, status="booked")
    audited = AuditEntry.objects.filter(action="training.booking.created").count()
    with pytest.raises(BookingError) as error:
        services.book_group(session, staff)
    refused = sorted([staff[1], staff[2]], key=lambda e: (e.facility.name, e.employee.name, e.pk))
    assert [p.split(":")[0] for p in error.value.problems[:-1]] == [e.employee.name for e in refused]
    assert f"{staff[1].employee.name}: Medarbejderen har fravær (ferie) den 03-03-2026." in error.value.problems
    assert any(
        p.startswith(f"{staff[2].employee.name}: Medarbejderen er allerede booket") for p in error.value.problems
    )
    assert error.value.problems[-1] == "Ingen er booket."
    assert error.value.message.endswith("Ingen er booket.")
    assert not session.bookings.exists()
    assert AuditEntry.objects.filter(action="training.booking.created").count() == audited

    services.cancel(elsewhere.bookings.get())
    outcome = services.book_group(session, [staff[0], staff[2]])
    assert outcome.booked
    assert {b.employee_id for b in outcome.bookings} == {staff[0].employee_id, staff[2].employee_id}
    assert session.bookings.count() == 2
    with pytest.raises(BookingError, match="Vælg mindst én medarbejder"):
        services.book_group(session, [])


def test_a_group_is_checked_against_minimum_staffing_together_and_books_only_when_confirmed() -> None:
    """Four staff, a minimum of two: one away leaves three, two away leave two, but three away
    leave one. Each alone is fine; together they break the minimum, so nothing is booked until
    the user confirms, and then every booking of the group carries the warning."""
    facility = factories.facility(minimum_staff=2, minimum_staff_weekend=2)
    staff = [factories.employment(facility_obj=facility) for _ in range(4)]
    session = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    for person in staff[:3]:
        assert staffing_warnings(BookingCandidate(person, session)) == []

    held = services.book_group(session, staff[:3], BookingStatus.BOOKED)
    assert not held.booked
    assert held.bookings == []
    assert [(w.date, w.facility_name, w.remaining, w.minimum) for w in held.warnings] == [
        (dt.date(2026, 3, 2), facility.name, 1, 2)
    ]
    assert not session.bookings.exists()

    confirmed = services.book_group(session, staff[:3], BookingStatus.BOOKED, confirm_understaffing=True)
    assert confirmed.booked
    assert len(confirmed.bookings) == 3
    assert all(b.staffing_warning for b in session.bookings.all())  # the first two as well


def test_a_group_larger_than_the_free_seats_fills_them_and_waits_for_the_rest() -> None:
    facility = factories.facility()
    staff = [factories.employment(facility_obj=facility) for _ in range(3)]
    session = helpers.session(capacity=2)
    outcome = services.book_group(session, staff, BookingStatus.BOOKED)
    assert outcome.booked
    assert outcome.waitlisted == 1
    assert services.seats_taken(session) == 2


def test_the_group_staffing_check_gives_each_booking_what_the_single_check_gives() -> None:
    """group_staffing_warnings (one pass for the group) must agree with staffing_warnings (one
    booking at a time), across two facilities, leave on one day and a minimum that differs by day."""
    from styrbord.training.services.staffing import group_staffing_warnings

    house = factories.facility(minimum_staff=2, minimum_staff_weekend=1)
    other = factories.facility(minimum_staff=1, minimum_staff_weekend=1)
    staff = [factories.employment(facility_obj=house) for _ in range(4)]
    staff += [factories.employment(facility_obj=other) for _ in range(2)]  # one booked leaves one: fine
    session = helpers.session(days=[dt.date(2026, 3, 6), dt.date(2026, 3, 7)], capacity=10)  # Friday, Saturday
    Absence.objects.create(employee=staff[3].employee, start_date=dt.date(2026, 3, 6), end_date=dt.date(2026, 3, 6))
    outcome = services.book_group(session, [staff[0], staff[1], staff[4]], confirm_understaffing=True)
    one_by_one = {b.pk: staffing_warnings(b) for b in outcome.bookings}
    assert group_staffing_warnings(session, outcome.bookings) == one_by_one
    assert any(one_by_one.values())  # the case has warnings to agree on
    assert not all(one_by_one.values())  # and a booking without
    assert {b.pk: b.staffing_warning for b in session.bookings.all()} == {k: bool(v) for k, v in one_by_one.items()}


def test_an_internal_session_of_a_facility_takes_no_one_from_another_municipality(world: World) -> None:
    """Holbæk's coordinator booked a person on Norddjurs' team day at Dolmer Have through the API."""
    from styrbord.lib.dates import local_today

    session = helpers.session(days=[local_today() + dt.timedelta(days=20)], capacity=10)
    session.facility = world.dolmer
    session.save(update_fields=["facility"])
    with pytest.raises(BookingError) as caught:
        services.book(world.syddjurs_staff[0], session, status=BookingStatus.BOOKED)
    assert caught.value.message.startswith("Holdet er et internt hold for Dolmer Have i Norddjurs Kommune")
    # The municipality's own people may join, also from its other facilities.
    assert services.book(world.glesborg_staff[0], session, status=BookingStatus.BOOKED).pk
