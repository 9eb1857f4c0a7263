"""Session workflows: change a session (name, place, seats, price, days) and cancel it.

A session is shared catalogue data, but its bookings belong to the municipalities whose staff
hold them. So a session is changed or cancelled by its arranging municipality's coordinators, or
by anyone who may update sessions when no other municipality has a live booking on it (and by
an administrator). Both workflows lock the session row first, like the booking workflows, so a
booking made at the same moment either comes before the change and is checked by it, or after
it and sees the new session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import UPDATE, can
from styrbord.audit.services import log_action, snapshot
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date, in_record_language
from styrbord.lib.money import ZERO
from styrbord.training.models import Booking, BookingStatus, Session

from . import checks
from .bookings import _lock_session, _promote_from_waitlist, _save_status, seats_taken
from .costing import refresh_session_costs
from .errors import BookingError
from .staffing import StaffingWarning, group_staffing_warnings, refresh_staffing_flags

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

# Bookings a change of days must still fit, and a cancellation cancels.
LIVE_STATUSES = (BookingStatus.PLANNED, BookingStatus.WAITLISTED, BookingStatus.BOOKED)
SESSION_FIELDS = ["name", "place", "capacity", "fee_per_participant", "first_day", "last_day", "cancelled"]


def live_bookings(session: Session) -> QuerySet[Booking]:
    return session.bookings.filter(status__in=LIVE_STATUSES)


def other_municipalities(session: Session, municipality_id: int | None) -> list[str]:
    """The other municipalities with a live booking on the session, by name."""
    bookings = live_bookings(session)
    if municipality_id is not None:
        bookings = bookings.exclude(employment__facility__municipality_id=municipality_id)
    return sorted(set(bookings.values_list("employment__facility__municipality__name", flat=True)), key=sort_key)


def why_not_manage(user: User | AnonymousUser, session: Session) -> str | None:
    """Why the user may not change or cancel the session, or None if they may."""
    if not can(user, UPDATE, "session"):
        return _("Du har ikke adgang til at ændre hold.")
    if getattr(user, "role", None) == Role.ADMIN:
        return None
    own = getattr(user, "municipality_id", None)
    if session.municipality_id is not None:
        if session.municipality_id != own:
            return _(
                "Holdet arrangeres af %(municipality)s; kun kommunens koordinatorer kan ændre eller aflyse det."
            ) % {"municipality": session.municipality.name if session.municipality else ""}
        return None
    others = other_municipalities(session, own)
    if others:
        return _(
            "Holdet har deltagere fra %(others)s. En administrator ændrer eller aflyser et fælles hold med "
            "deltagere fra flere kommuner."
        ) % {"others": ", ".join(others)}
    return None


def _require_manage(user: User | AnonymousUser, session: Session) -> None:
    reason = why_not_manage(user, session)
    if reason is not None:
        raise BookingError(reason)


class SessionUnderstaffedError(BookingError):
    """The new days leave facilities under their minimum staffing; nothing was changed."""

    def __init__(self, warnings: list[StaffingWarning]) -> None:
        super().__init__(
            _("De nye dage bringer tilbud under minimumsbemandingen. Bekræft ændringen, eller vælg andre dage.")
        )
        self.warnings = warnings


@dataclass(frozen=True)
class SessionChange:
    """What changing a session did besides saving it."""

    session: Session
    days_changed: bool
    promoted: list[Booking]
    told: int = 0  # participants told of the new days by e-mail


@transaction.atomic
def update_session(
    session: Session,
    user: User | AnonymousUser | None,
    *,
    name: str,
    place: str,
    capacity: int,
    fee_per_participant: Decimal | None,
    days: list[tuple[dt.date, Decimal]],
    today: dt.date | None = None,
    confirm_understaffing: bool = False,
) -> SessionChange:
    """Save a session's new details; all or nothing.

    Seats cannot go below those taken. Days already held (before today) cannot be changed,
    added or removed. Everyone with a live booking must still fit the new days (employment in
    force, no clash with another course or leave), else nothing changes and each person is
    named. More seats go to the waiting list first, while the course has not begun. Costs are
    worked out again when the days or the price change.
    """
    today = today or local_today()
    session = _lock_session(session)
    if user is not None:
        _require_manage(user, session)
    if session.cancelled:
        raise BookingError(_("Holdet er aflyst og kan ikke ændres."))
    before = snapshot(session, SESSION_FIELDS)
    taken = seats_taken(session)
    if capacity < taken:
        raise BookingError(
            ngettext(
                "Holdet har %(taken)s optaget plads; der kan ikke være færre pladser.",
                "Holdet har %(taken)s optagne pladser; der kan ikke være færre pladser.",
                taken,
            )
            % {"taken": taken}
        )
    old_days = [(d, h) for d, h in session.days.values_list("date", "hours").order_by("date")]
    days_changed = [(d, Decimal(h)) for d, h in old_days] != [(d, Decimal(h)) for d, h in days]
    if days_changed:
        held_before = sorted((d, Decimal(h)) for d, h in old_days if d < today)
        held_after = sorted((d, h) for d, h in days if d < today)
        if held_before != held_after:
            raise BookingError(
                _("Dage før i dag (%(today)s) er afholdt og kan ikke ændres, tilføjes eller fjernes.")
                % {"today": format_date(today)}
            )
        _check_bookings_fit(session, [d for d, _h in days])
        session.set_days(days)
        _check_staffing(session, confirm_understaffing)
    fee_changed = session.fee_per_participant != fee_per_participant
    session.name, session.place = name, place
    session.capacity, session.fee_per_participant = capacity, fee_per_participant
    session.save(update_fields=["name", "place", "capacity", "fee_per_participant"])
    promoted = []
    while (booking := _promote_from_waitlist(session, user, today)) is not None:
        promoted.append(booking)
    if days_changed or fee_changed or promoted:
        refresh_session_costs(session, user)
    if days_changed or promoted:
        # Others at the same facilities on the old days and the new: their flags follow.
        refresh_staffing_flags(list(live_bookings(session)), [d for d, _h in old_days])
    told = 0
    if days_changed:
        with in_record_language():
            told = _tell(
                _told(live_bookings(session).select_related("employee")),
                _("Nye datoer: %(course)s") % {"course": session.course.name},
                _("Holdet %(session)s, som du er tilmeldt eller på venteliste til, har fået nye kursusdage: %(days)s.")
                % {"session": str(session), "days": _days_text(session)},
            )
    log_action(
        session,
        "training.session.updated",
        user,
        {"days_changed": days_changed, "promoted": [b.pk for b in promoted]},
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return SessionChange(session, days_changed, promoted, told)


def _check_staffing(session: Session, confirmed: bool) -> None:
    """With the new days saved (in this transaction): the days on which those away on the session
    leave their facility under its minimum, as booking checks them. Unconfirmed, nothing is kept;
    confirmed, each booking's warning flag follows the new days."""
    away = list(
        session.bookings.filter(status__in=(BookingStatus.PLANNED, BookingStatus.BOOKED)).select_related(
            "employment__facility"
        )
    )
    per_booking = group_staffing_warnings(session, away)
    found = {(w.date, w.facility_id): w for days in per_booking.values() for w in days}
    warnings = sorted(found.values(), key=lambda w: (w.date, w.facility_name))
    if warnings and not confirmed:
        raise SessionUnderstaffedError(warnings)
    for booking in away:
        flagged = bool(per_booking[booking.pk])
        if booking.staffing_warning != flagged:
            Booking.objects.filter(pk=booking.pk).update(staffing_warning=flagged)


def _check_bookings_fit(session: Session, dates: list[dt.date]) -> None:
    """Every live booking must fit the new days; every one that doesn't is named at once."""
    problems = []
    for booking in live_bookings(session).select_related("employee", "employment").order_by(collated("employee__name")):
        try:
            checks.check_employment(booking.employment, dates)
            checks.check_clashes(booking.employee, session, dates, exclude=booking)
        except BookingError as error:
            problems.append(f"{booking.employee.name}: {error.message}")
    if problems:
        raise BookingError(
            _("De nye dage passer ikke for alle på holdet, så intet er ændret. %(problems)s")
            % {"problems": " ".join(problems)}
        )


def _tell(bookings: list[Booking], subject: str, body: str) -> int:
    """E-mail the people holding a seat or a place on the waiting list, once the change is saved
    (a planned booking was never confirmed to the person). Returns how many are told."""
    addresses = sorted({b.employee.email for b in bookings if b.employee.email})

    def send() -> None:
        for address in addresses:  # one each: participants do not see each other's addresses
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)
    return len(addresses)


def _told(bookings: QuerySet[Booking] | list[Booking]) -> list[Booking]:
    return [b for b in bookings if b.status in (BookingStatus.BOOKED, BookingStatus.WAITLISTED)]


@dataclass(frozen=True)
class SessionCancellation:
    session: Session
    cancelled: list[Booking]
    told: int = 0  # participants told by e-mail
    waived: int = 0  # earlier cancellations whose fee is waived


@transaction.atomic
def cancel_session(
    session: Session, user: User | AnonymousUser | None, *, reason: str, today: dt.date | None = None
) -> SessionCancellation:
    """Cancel a session (aflys holdet): every planned, waitlisted and booked seat is cancelled
    without a cancellation fee, since the seat was not given up by the participant. What grants
    had committed to the seats is then shown to the finance officer as money bound to seats not
    used, to be released, as for any cancellation.

    A session that is over, or where attendance is registered, is history and is not cancelled.
    """
    today = today or local_today()
    session = _lock_session(session)
    if user is not None:
        _require_manage(user, session)
    if session.cancelled:
        raise BookingError(_("Holdet er allerede aflyst."))
    if not reason.strip():
        raise BookingError(_("Skriv hvorfor holdet aflyses; begrundelsen står i loggen og på holdets side."))
    if session.last_day is not None and session.last_day < today:
        raise BookingError(
            _("Holdet sluttede %(day)s og kan ikke aflyses. Registrér i stedet, hvem der deltog.")
            % {"day": format_date(session.last_day)}
        )
    registered = session.bookings.filter(
        status__in=(BookingStatus.ATTENDED, BookingStatus.COMPLETED, BookingStatus.INCOMPLETE, BookingStatus.NO_SHOW)
    ).count()
    if registered:
        raise BookingError(
            ngettext(
                "Der er registreret deltagelse for %(count)s person på holdet, så det kan ikke aflyses.",
                "Der er registreret deltagelse for %(count)s personer på holdet, så det kan ikke aflyses.",
                registered,
            )
            % {"count": registered}
        )
    before = snapshot(session, SESSION_FIELDS)
    session.cancelled = True
    session.cancellation_reason = reason.strip()[:500]
    session.save(update_fields=["cancelled", "cancellation_reason"])
    cancelled = []
    to_tell = _told(live_bookings(session).select_related("employee"))
    for booking in live_bookings(session).select_for_update().select_related("employee").order_by("pk"):
        _save_status(booking, BookingStatus.CANCELLED, user, "training.booking.cancelled", cancellation_fee=ZERO)
        cancelled.append(booking)
    # A seat given up earlier with a fee: the course is not held, so the fee is waived too.
    waived = list(
        session.bookings.filter(status=BookingStatus.CANCELLED, cancellation_fee__gt=0)
        .exclude(pk__in=[b.pk for b in cancelled])
        .select_for_update()
    )
    for booking in waived:
        _save_status(booking, BookingStatus.CANCELLED, user, "training.booking.fee_waived", cancellation_fee=ZERO)
    refresh_session_costs(session, user)
    refresh_staffing_flags(cancelled)  # those left at work on its days: the others' flags follow
    log_action(
        session,
        "training.session.cancelled",
        user,
        {"reason": session.cancellation_reason, "bookings": [b.pk for b in cancelled]},
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    with in_record_language():  # to the staff, in Danish whatever language the coordinator reads
        told = _tell(
            to_tell,
            _("Aflyst: %(course)s %(first)s")
            % {"course": session.course.name, "first": format_date(session.first_day)},
            _("Holdet %(session)s, som du var tilmeldt eller på venteliste til, er aflyst. Begrundelse: %(reason)s")
            % {"session": f"{session} ({_days_text(session)})", "reason": session.cancellation_reason},
        )
    return SessionCancellation(session, cancelled, told, len(waived))


def _days_text(session: Session) -> str:
    return ", ".join(format_date(d) for d in session.days.order_by("date").values_list("date", flat=True))
