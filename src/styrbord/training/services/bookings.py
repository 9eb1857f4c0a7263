"""Booking workflows: book, confirm, cancel (with fee and waiting-list promotion), attend,
complete (creating competence holdings) and no-show.

Every workflow that changes who holds a seat locks the session row first (then the booking),
always in that order, so concurrent calls on one session are serialised without deadlocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from styrbord.audit.services import log_action, snapshot
from styrbord.competences.models import CompetenceHolding
from styrbord.lib.collation import sort_key
from styrbord.lib.dates import add_months, local_today
from styrbord.lib.formatting import RECORD_LANGUAGE, format_date
from styrbord.lib.money import ZERO, round_money
from styrbord.organisations.services import current_employments
from styrbord.staff.models import Employee, Employment
from styrbord.training.models import (
    OPEN_STATUSES,
    SEAT_STATUSES,
    Booking,
    BookingStatus,
    CancellationRule,
    CourseInterest,
    Session,
)

from . import checks
from .costing import refresh_booking_costs, refresh_session_costs, session_costs_deferred
from .errors import BookingError
from .staffing import (
    BookingCandidate,
    StaffingWarning,
    group_staffing_warnings,
    refresh_staffing_flags,
    staffing_flags_deferred,
    staffing_warnings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

    AnyUser = User | AnonymousUser | None

AUDITED_FIELDS = ["status", "cancellation_fee", "travel_amount", "materials_amount", "staffing_warning", "version"]


@dataclass(frozen=True)
class CancelResult:
    """A cancelled booking and the waitlisted booking promoted into its seat, if any."""

    booking: Booking
    promoted: Booking | None


def _lock_session(session: Session) -> Session:
    # Locks the session row for the rest of the transaction. It prevents two races:
    # (1) two bookings taking the last free seat at the same time (over-booking), and
    # (2) two cancellations each promoting the same first person on the waiting list
    #     (or promoting two people into one freed seat).
    return Session.objects.select_for_update().select_related("course").get(pk=session.pk)


def _lock_booking(booking: Booking, expected_version: int | None) -> Booking:
    locked = (
        Booking.objects.select_for_update()
        .select_related("session__course__provider", "employee", "employment__facility")
        .get(pk=booking.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        # The version counts up on every change, the staffing flag's too (leave entered, an employment
        # ended, a minimum raised): the message says both, since the person may see no other change.
        raise BookingError(
            _(
                "Bookingen er ændret i mellemtiden, af en anden eller fordi bemandingen på kursusdagene har "
                "ændret sig. Indlæs siden igen."
            )
        )
    return locked


def _require_started(session: Session) -> None:
    """Attendance is known once the course has begun."""
    if session.first_day is None:
        raise BookingError(_("Holdet har ingen kursusdage endnu."))
    if session.first_day > local_today():
        raise BookingError(
            _("Holdet begynder først %(day)s. Deltagelse kan registreres fra den dag.")
            % {"day": format_date(session.first_day)}
        )


def _require_over(session: Session) -> dt.date:
    """The session's last day, once it has come: completion (or not) is registered from that day."""
    last = session.last_day
    if last is None:
        raise BookingError(_("Holdet har ingen kursusdage endnu."))
    if last > local_today():
        raise BookingError(
            _("Holdet slutter først %(day)s. Det kan registreres, om kurset er gennemført, fra den dag.")
            % {"day": format_date(last)}
        )
    return last


def _full_and_begun(first_day: dt.date) -> BookingError:
    return BookingError(
        _("Holdet er begyndt %(day)s og er fuldt. Et hold, der er begyndt, har ingen venteliste.")
        % {"day": format_date(first_day)}
    )


def seats_taken_by_session(session_ids: Iterable[int]) -> dict[int, int]:
    """The seats held on each session (``SEAT_STATUSES``: booked, and what a booked seat becomes),
    in one query for any number of sessions. The one count of seats: ``seats_taken`` is this for
    one session, and a booked booking goes on the waiting list when it has reached the capacity."""
    ids = set(session_ids)
    counts = dict(
        Booking.objects.filter(session_id__in=ids, status__in=SEAT_STATUSES)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    return {pk: counts.get(pk, 0) for pk in ids}


def seats_taken(session: Session) -> int:
    return seats_taken_by_session([session.pk])[session.pk]


def free_seats(session: Session, taken: int | None = None) -> int:
    """The seats still free for a booked booking (``taken``: ``seats_taken`` when already known).
    None free: a new booked booking goes on the waiting list (``book``, ``confirm``)."""
    return max(0, session.capacity - (seats_taken(session) if taken is None else taken))


def _save_status(
    booking: Booking,
    status: str,
    user: AnyUser,
    action: str,
    *,
    detail: dict[str, object] | None = None,
    **extra: object,
) -> None:
    before = snapshot(booking, AUDITED_FIELDS)
    booking.status = status
    booking.status_changed_at = timezone.now()
    booking.version += 1
    for name, value in extra.items():
        setattr(booking, name, value)
    booking.save()
    log_action(
        booking,
        action,
        user,
        {"session": booking.session_id, **(detail or {})},
        before=before,
        after=snapshot(booking, AUDITED_FIELDS),
    )


def _refresh_costs(booking: Booking, user: AnyUser) -> None:
    if booking.session.course.is_in_house:
        refresh_session_costs(booking.session, user)
    else:
        refresh_booking_costs(booking, user)


@transaction.atomic
def book(
    employee: Employee,
    session: Session,
    employment: Employment | None = None,
    status: str = BookingStatus.PLANNED,
    user: AnyUser = None,
    *,
    travel_amount: object = None,
    materials_amount: object = None,
    note: str = "",
    check_staffing: bool = True,
    on: dt.date | None = None,
) -> Booking:
    """Book a person on a session as planned or booked; a booked seat on a full session is waitlisted.

    Raises BookingError when the session is cancelled or has no days, the employment is not in
    force, the person clashes with another booking or leave, or lacks a prerequisite. Once the
    session has begun (on ``on``, by default today) a booking can only be booked, for someone
    who takes part, and only while a seat is free: a plan or a waiting list for a course under
    way or over means nothing. ``check_staffing=False`` leaves the minimum-staffing flag to a
    caller that checks a whole group at once (``book_group``).
    """
    if status not in (BookingStatus.PLANNED, BookingStatus.BOOKED):
        raise BookingError(_("En ny booking kan kun være planlagt eller tilmeldt."))
    session = _lock_session(session)
    if session.cancelled:
        raise BookingError(_("Holdet er aflyst."))
    dates = checks.session_dates(session)
    employment = checks.resolve_employment(employee, session, employment)
    checks.check_employment(employment, dates)
    checks.check_internal_session(employment, session)
    checks.check_not_already_booked(employee, session)
    if status == BookingStatus.BOOKED:
        checks.check_not_booked_on_the_course(employee, session, on or local_today())
    checks.check_clashes(employee, session, dates)
    checks.check_prerequisites(employee, session, dates[0])
    begun = session.has_started(on or local_today())
    if begun and status == BookingStatus.PLANNED:
        raise BookingError(
            _(
                "Holdet er begyndt %(day)s, så en plads kan ikke længere planlægges. "
                "Tilmeld deltageren, hvis vedkommende deltager."
            )
            % {"day": format_date(dates[0])}
        )
    now = timezone.now()
    if status == BookingStatus.BOOKED and seats_taken(session) >= session.capacity:
        if begun:
            raise _full_and_begun(dates[0])
        status = BookingStatus.WAITLISTED
    warning = check_staffing and bool(staffing_warnings(BookingCandidate(employment, session)))
    booking = Booking.objects.create(
        session=session,
        employee=employee,
        employment=employment,
        status=status,
        created_by=user if user is not None and user.is_authenticated else None,
        waitlisted_at=now if status == BookingStatus.WAITLISTED else None,
        status_changed_at=now,
        staffing_warning=warning,
        travel_amount=round_money(travel_amount) if travel_amount is not None else ZERO,  # type: ignore[arg-type]
        materials_amount=round_money(materials_amount) if materials_amount is not None else ZERO,  # type: ignore[arg-type]
        note=note,
    )
    CourseInterest.objects.filter(employee=employee, course=session.course, fulfilled_by__isnull=True).update(
        fulfilled_by=session
    )
    log_action(booking, "training.booking.created", user, {"session": session.pk, "status": status})
    _refresh_costs(booking, user)
    if check_staffing:  # the others away from the facility on these days: their flags follow
        refresh_staffing_flags([booking])
    return booking


@dataclass
class GroupBooking:
    """The outcome of ``book_group``: the bookings made, and the days the group leaves a facility
    under its minimum staffing. ``booked`` is False when those days stopped it (nothing was made)."""

    bookings: list[Booking]
    warnings: list[StaffingWarning]
    booked: bool

    @property
    def waitlisted(self) -> int:
        return sum(1 for b in self.bookings if b.status == BookingStatus.WAITLISTED)


@transaction.atomic
def book_group(
    session: Session,
    employments: Sequence[Employment],
    status: str = BookingStatus.BOOKED,
    user: AnyUser = None,
    *,
    confirm_understaffing: bool = False,
) -> GroupBooking:
    """Book several people on one session, all or none.

    Each person is checked as ``book`` checks one (employment, clash, leave, prerequisites); a
    refusal for anyone books no one, and every person refused is named at once. Minimum staffing is checked for the group
    together: five from one house on the same day can leave it short where one would not. When
    the group leaves a facility under its minimum and that is not confirmed, nothing is booked
    and the days are returned.
    """
    if not employments:
        raise BookingError(_("Vælg mindst én medarbejder."))
    bookings: list[Booking] = []
    refused: dict[int, str] = {}
    with session_costs_deferred():  # an in-house day's shared price: worked out once for the group
        for employment in sorted(
            employments, key=lambda e: (sort_key(e.facility.name), sort_key(e.employee.name), e.pk)
        ):
            try:  # each in its own savepoint, so the next is still checked after a refusal
                bookings.append(
                    book(
                        employment.employee,
                        session,
                        employment=employment,
                        status=status,
                        user=user,
                        check_staffing=False,
                    )
                )
            except BookingError as error:
                refused[employment.pk] = _("%(name)s: %(reason)s") % {
                    "name": employment.employee.name,
                    "reason": error.message,
                }
    if refused:
        nobody = _("Ingen er booket.")
        said = list(refused.values())
        raise BookingError(" ".join([*said, nobody]), problems=[*said, nobody], refused=refused)
    per_booking = group_staffing_warnings(session, bookings)  # each with the rest of the group away
    for booking in bookings:
        booking.staffing_warning = bool(per_booking[booking.pk])
    Booking.objects.filter(pk__in=[b.pk for b in bookings if b.staffing_warning]).update(staffing_warning=True)
    found = {(w.date, w.facility_id): w for days in per_booking.values() for w in days}
    warnings = sorted(found.values(), key=lambda w: (w.date, w.facility_name))
    if warnings and not confirm_understaffing:
        transaction.set_rollback(True)  # this block only: the caller's transaction goes on
        return GroupBooking([], warnings, booked=False)
    refresh_staffing_flags(bookings)  # the others away from the group's facilities on these days
    return GroupBooking(bookings, warnings, booked=True)


@transaction.atomic
def confirm(booking: Booking, user: AnyUser = None, *, expected_version: int | None = None) -> Booking:
    """Turn a planned booking into a seat (or a place on the waiting list when the session is full)."""
    session = _lock_session(booking.session)
    booking = _lock_booking(booking, expected_version)
    if booking.status != BookingStatus.PLANNED:
        raise BookingError(_("Kun en planlagt booking kan tilmeldes."))
    # As when booking: the employment (which may have got an end date since) must last the session.
    dates = checks.session_dates(session)
    checks.check_employment(booking.employment, dates)
    checks.check_not_booked_on_the_course(booking.employee, session, local_today())
    if seats_taken(session) >= session.capacity:
        if session.has_started(local_today()):
            raise _full_and_begun(dates[0])
        _save_status(
            booking, BookingStatus.WAITLISTED, user, "training.booking.waitlisted", waitlisted_at=timezone.now()
        )
        refresh_staffing_flags([booking])  # a place on the waiting list keeps no one from work
    else:
        _save_status(booking, BookingStatus.BOOKED, user, "training.booking.confirmed")
    _refresh_costs(booking, user)
    return booking


@transaction.atomic
def confirm_many(bookings: Sequence[Booking], user: AnyUser = None) -> list[Booking]:
    """Confirm several planned bookings (e.g. an accepted plan's) with the providers, all or none.

    Sessions are locked in id order, then their bookings, so two users confirming overlapping
    sets cannot deadlock. A booking that cannot be confirmed stops the whole set and is named.
    A session that fills up puts the rest of its bookings on the waiting list, as one by one.
    """
    if not bookings:
        raise BookingError(_("Vælg mindst én booking."))
    done = []
    with session_costs_deferred(), staffing_flags_deferred():
        for booking in sorted(bookings, key=lambda b: (b.session_id, b.pk)):
            try:
                done.append(confirm(booking, user))
            except BookingError as error:
                raise BookingError(
                    _("%(name)s: %(reason)s Ingen er tilmeldt.")
                    % {"name": booking.employee.name, "reason": error.message}
                ) from None
    return done


@transaction.atomic
def cancel_planned_many(bookings: Sequence[Booking], user: AnyUser = None) -> list[Booking]:
    """Cancel several planned bookings (a plan's seats that will not be booked), all or none.

    A planned booking holds no seat with the provider, so cancelling it costs no fee and frees no
    seat (what a grant had reserved for it is released at once: funding follows the costs). Locked in the same order as ``confirm_many``. A booking that is no longer
    planned stops the whole set and is named.
    """
    if not bookings:
        raise BookingError(_("Vælg mindst én booking."))
    done = []
    with session_costs_deferred(), staffing_flags_deferred():
        for booking in sorted(bookings, key=lambda b: (b.session_id, b.pk)):
            if booking.status != BookingStatus.PLANNED:
                raise BookingError(
                    _("%(name)s: Bookingen er ikke planlagt, men %(status)s. Ingen er afbestilt.")
                    % {"name": booking.employee.name, "status": booking.get_status_display().lower()}
                )
            try:
                done.append(cancel(booking, user, expected_version=booking.version).booking)
            except BookingError as error:
                raise BookingError(
                    _("%(name)s: %(reason)s Ingen er afbestilt.")
                    % {"name": booking.employee.name, "reason": error.message}
                ) from None
    return done


def cancellation_fee_for(booking: Booking, on: dt.date) -> tuple[object, CancellationRule | None]:
    """The fee for cancelling a seat on ``on`` under the course's (else the provider's) rules.

    Cancelling fewer than ``days_before`` days before the first day costs ``fee_percent`` of the
    participant fee ex VAT; the highest applicable percentage wins. An in-house day is priced for
    the group, so one cancellation there costs nothing extra.
    """
    session = booking.session
    course = session.course
    if course.is_in_house or session.first_day is None:
        return ZERO, None
    rules = list(course.cancellation_rules.all()) or list(course.provider.cancellation_rules.all())
    days_until = (session.first_day - on).days
    applicable = [r for r in rules if days_until < r.days_before]
    if not applicable:
        return ZERO, None
    rule = max(applicable, key=lambda r: (r.fee_percent, -r.days_before))
    return round_money(session.participant_fee() * rule.fee_percent / 100), rule


def can_cancel_seat(booking: Booking, on: dt.date) -> bool:
    """A booked seat can be given up until the course is over (someone else may take it on the
    first day); after its last day what happened is registered as attendance instead. A plan's
    seat or a place on the waiting list can always go."""
    last = booking.session.last_day
    return booking.status != BookingStatus.BOOKED or last is None or last >= on


@transaction.atomic
def cancel(
    booking: Booking,
    user: AnyUser = None,
    *,
    on: dt.date | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> CancelResult:
    """Cancel a booking; a booked seat may cost a fee, and frees a seat for the first on the waiting
    list. A ``reason`` (the API's) is kept in the log entry."""
    session = _lock_session(booking.session)
    booking = _lock_booking(booking, expected_version)
    if booking.status not in (BookingStatus.PLANNED, BookingStatus.WAITLISTED, BookingStatus.BOOKED):
        raise BookingError(
            _("Bookingen kan ikke afbestilles i status %(status)s.") % {"status": booking.get_status_display()}
        )
    held_seat = booking.status == BookingStatus.BOOKED
    if held_seat and not can_cancel_seat(booking, on or local_today()):
        # The seat was used or not: the provider charges it either way, and the register says how.
        raise BookingError(
            _(
                "Holdet sluttede %(day)s, så pladsen kan ikke afbestilles. Registrér i stedet deltagelsen: "
                "gennemført, deltaget uden at gennemføre eller udeblevet."
            )
            % {"day": format_date(booking.session.last_day)}
        )
    fee = ZERO
    if held_seat:
        fee, _rule = cancellation_fee_for(booking, on or local_today())  # type: ignore[assignment]
    _save_status(
        booking,
        BookingStatus.CANCELLED,
        user,
        "training.booking.cancelled",
        detail={"reason": reason.strip()} if reason.strip() else None,
        cancellation_fee=fee,
    )
    _refresh_costs(booking, user)
    promoted = _promote_from_waitlist(session, user, on or local_today()) if held_seat else None
    # Those left at work on these days: the others' flags follow (the promoted one's too).
    refresh_staffing_flags([booking, promoted])
    return CancelResult(booking, promoted)


def _promote_from_waitlist(session: Session, user: AnyUser, today: dt.date) -> Booking | None:
    """Give a free seat to the longest-waiting person (called with the session row locked).

    Not once the course has begun: a seat freed on the second day is no use to someone waiting.
    """
    if session.has_started(today) or seats_taken(session) >= session.capacity:
        return None
    waitlisted = Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED)
    waiting = (
        waitlisted.select_for_update()
        # Not someone whose employment ends before the session does (resigned since joining the list).
        .exclude(pk__in=after_employment_ends(waitlisted).values("pk"))
        # Nor someone who has got a seat on another session of the course since.
        .exclude(
            employee__bookings__in=Booking.objects.filter(
                session__course_id=session.course_id, status=BookingStatus.BOOKED, session__last_day__gte=today
            ).exclude(session=session)
        )
        .order_by("waitlisted_at", "pk")
        .first()
    )
    if waiting is None:
        return None
    waiting = _lock_booking(waiting, None)
    _save_status(waiting, BookingStatus.BOOKED, user, "training.booking.promoted")
    _refresh_costs(waiting, user)
    return waiting


@transaction.atomic
def mark_attended(booking: Booking, user: AnyUser = None, *, expected_version: int | None = None) -> Booking:
    """The person took part (the course has started or ended; not yet assessed as completed)."""
    _lock_session(booking.session)
    booking = _lock_booking(booking, expected_version)
    if booking.status != BookingStatus.BOOKED:
        raise BookingError(_("Kun en tilmeldt booking kan markeres som deltaget."))
    _require_started(booking.session)
    _save_status(booking, BookingStatus.ATTENDED, user, "training.booking.attended")
    _refresh_costs(booking, user)
    return booking


@transaction.atomic
def mark_incomplete(booking: Booking, user: AnyUser = None, *, expected_version: int | None = None) -> Booking:
    """The person took part but did not complete the course (absent days, a test not passed): final
    once the course is over. No competence is registered; the costs are actual, like a completion."""
    _lock_session(booking.session)
    booking = _lock_booking(booking, expected_version)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        raise BookingError(_("Kun en tilmeldt eller deltaget booking kan registreres som ikke gennemført."))
    _require_over(booking.session)
    _save_status(booking, BookingStatus.INCOMPLETE, user, "training.booking.incomplete")
    _refresh_costs(booking, user)
    return booking


@transaction.atomic
def mark_no_show(booking: Booking, user: AnyUser = None, *, expected_version: int | None = None) -> Booking:
    """The person did not turn up: the fee is still charged."""
    _lock_session(booking.session)
    booking = _lock_booking(booking, expected_version)
    if booking.status != BookingStatus.BOOKED:
        raise BookingError(_("Kun en tilmeldt booking kan markeres som udeblevet."))
    _require_started(booking.session)
    _save_status(booking, BookingStatus.NO_SHOW, user, "training.booking.no_show")
    _refresh_costs(booking, user)
    refresh_staffing_flags([booking])  # not away after all
    return booking


@transaction.atomic
def complete(booking: Booking, user: AnyUser = None, *, expected_version: int | None = None) -> list[CompetenceHolding]:
    """Mark the course completed and record the competences it grants.

    Each holding is acquired on the session's last day and expires after the course's own validity
    for that competence, else the competence's validity. Coverage reads holdings, so it follows.
    """
    _lock_session(booking.session)
    booking = _lock_booking(booking, expected_version)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.INCOMPLETE):
        raise BookingError(_("Kun en tilmeldt eller deltaget booking kan gennemføres."))
    session = booking.session
    # The certificate is dated the last day: not before it (coverage would count it in advance).
    acquired = _require_over(session)
    _save_status(booking, BookingStatus.COMPLETED, user, "training.booking.completed")
    holdings = []
    # What a person or the Socialtilsyn reads on the profile: the course, which session, where it ran.
    # (The booking itself is in the audit entry below.)
    held = session.name or format_date(session.first_day, locale=RECORD_LANGUAGE)  # a record: Danish
    evidence = f"Kursus: {session.course.name} – {held}, {session.course.provider.name}"[:300]
    for grant in session.course.grants.select_related("competence"):
        competence = grant.competence
        expires: dt.date | None
        if grant.validity_months is not None:
            expires = add_months(acquired, grant.validity_months)
        else:
            expires = competence.expiry_for(acquired)
        holding, created = CompetenceHolding.objects.get_or_create(
            employee=booking.employee,
            competence=competence,
            acquired_on=acquired,
            source=CompetenceHolding.Source.COURSE,
            defaults={"expires_on": expires, "evidence": evidence},
        )
        if created:
            log_action(
                holding, "competences.holding.created", user, {"booking": booking.pk, "competence": competence.pk}
            )
        holdings.append(holding)
    _refresh_costs(booking, user)
    return holdings


def after_employment_ends(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """The open bookings (planned, waitlisted, booked) on sessions that last beyond the end of the
    employment they are booked for: the person has left, or will have left, or moved to another
    facility, before the course is over. Nothing cancels them by itself (a fee may be due, or the
    end date may be wrong); the booking list and the landing page point them out."""
    return bookings.filter(
        status__in=OPEN_STATUSES,
        employment__end_date__isnull=False,
        session__last_day__gt=F("employment__end_date"),
    )


def employed_today() -> QuerySet[Employment]:
    """Today's employments, as the people whose course wishes count: a former employee's wish is
    no demand, and their name does not belong on a demand list."""
    return current_employments(local_today())


def open_interests() -> QuerySet[CourseInterest]:
    """Course wishes not yet met by a booking, of people employed today."""
    return CourseInterest.objects.filter(
        fulfilled_by__isnull=True, employee_id__in=employed_today().values("employee_id")
    )


def interested_without_booking(session: Session) -> list[CourseInterest]:
    """The demand list for a session's course: people employed today who asked for it and are not
    booked on it."""
    booked = session.bookings.exclude(status=BookingStatus.CANCELLED).values("employee_id")
    return list(
        CourseInterest.objects.filter(course=session.course, employee_id__in=employed_today().values("employee_id"))
        .filter(Q(fulfilled_by__isnull=True) | Q(fulfilled_by=session))
        .exclude(employee_id__in=booked)
        .select_related("employee")
    )


# What a person's own course overview calls coming: a seat planned, booked or waited for, or a
# course still running that they are on.
COMING_STATUSES = OPEN_STATUSES | {BookingStatus.ATTENDED}


def coming_bookings(bookings: QuerySet[Booking], today: dt.date) -> QuerySet[Booking]:
    """Of ``bookings``, those still ahead of the person on ``today``: planned, booked or waitlisted
    (or attended, on a course still running) on a session not over yet, the soonest first."""
    return (
        bookings.filter(status__in=COMING_STATUSES)
        .filter(Q(session__last_day__gte=today) | Q(session__last_day__isnull=True))
        .order_by(F("session__first_day").asc(nulls_last=True), "session_id", "pk")
    )


@dataclass(frozen=True)
class OwnWish:
    """One of a person's open course wishes, and the course's next session (None: none planned)."""

    interest: CourseInterest
    next_session: Session | None


def own_wishes(employee_id: int, today: dt.date) -> list[OwnWish]:
    """The person's course wishes that no booking has met yet, oldest first, each with the next
    session of the course that has not begun and is not cancelled."""
    wishes = list(
        CourseInterest.objects.filter(employee_id=employee_id, fulfilled_by__isnull=True)
        .select_related("course")
        .order_by("created_at", "pk")
    )
    upcoming: dict[int, Session] = {}
    for session in Session.objects.filter(
        course_id__in={w.course_id for w in wishes}, cancelled=False, first_day__gte=today
    ).order_by("-first_day", "-pk"):
        upcoming[session.course_id] = session  # the soonest is written last
    return [OwnWish(w, upcoming.get(w.course_id)) for w in wishes]


def withdraw_interest(interest: CourseInterest, user: AnyUser = None) -> None:
    """The person takes their wish off the course's demand list: it is deleted (it was theirs to
    make and to take back), and the audit trail says so, as it said it was made."""
    with transaction.atomic():
        log_action(
            interest,
            "training.courseinterest.deleted",
            user,
            {"course": interest.course_id},
            before=snapshot(interest, ["course_id", "created_at"]),
        )
        interest.delete()


@dataclass(frozen=True)
class Renewal:
    """An open booking on a session, not yet over, of a course that grants the competence."""

    booking_id: int
    first_day: dt.date
    status: str
    last_day: dt.date | None = None  # the day the course, and so the renewal, is done

    @property
    def status_label(self) -> str:
        return str(BookingStatus(self.status).label)

    def days_lapsed(self, expires_on: dt.date | None) -> int:
        """Days without a valid certificate when the old one lapses on ``expires_on`` (its last valid
        day) and the course ends on ``last_day``: 0 when it ends in time."""
        if expires_on is None or self.last_day is None:
            return 0
        return max(0, (self.last_day - expires_on).days)


def renewals_booked(employee_ids: set[int], competence_ids: set[int], today: dt.date) -> dict[tuple[int, int], Renewal]:
    """(person, competence) -> the earliest open booking that will renew it: planned, on the
    waiting list or booked, on a session that is not cancelled and has not ended. One query."""
    if not employee_ids or not competence_ids:
        return {}
    rows = (
        Booking.objects.filter(
            employee_id__in=employee_ids,
            status__in=OPEN_STATUSES,
            session__cancelled=False,
            session__last_day__gte=today,
            session__course__grants__competence_id__in=competence_ids,
        )
        .order_by("session__first_day", "pk")
        .values_list(
            "employee_id",
            "session__course__grants__competence_id",
            "pk",
            "session__first_day",
            "status",
            "session__last_day",
        )
    )
    found: dict[tuple[int, int], Renewal] = {}
    for employee_id, competence_id, booking_id, first_day, status, last_day in rows:
        if first_day is not None:  # a session with days (last_day was set, so first_day is too)
            found.setdefault((employee_id, competence_id), Renewal(booking_id, first_day, status, last_day))
    return found
