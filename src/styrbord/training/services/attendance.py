"""Registering who took part in a course that has been held, for the whole session at once.

After a course the coordinator records, per participant, whether they completed it (which
registers the competences it grants, so coverage follows), took part without completing (final:
no competence, the costs stand), or did not turn up (the fee is still due). While a course runs,
a person can be marked as attending; the outcome follows once it is over. One booking at a time is
``complete``/``mark_incomplete``/``mark_attended``/``mark_no_show``; the register applies the same
services to many bookings in one transaction, so a session is registered completely or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from styrbord.lib.collation import collated
from styrbord.training.models import Booking, BookingStatus, Session

from .bookings import complete, mark_attended, mark_incomplete, mark_no_show
from .costing import session_costs_deferred
from .errors import BookingError
from .staffing import staffing_flags_deferred

if TYPE_CHECKING:
    from .bookings import AnyUser

# Bookings whose attendance (booked) or completion (attended) is still to be registered.
AWAITING_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED)

COMPLETED, INCOMPLETE, ATTENDED, NO_SHOW = "completed", "incomplete", "attended", "no_show"


def awaiting_attendance(bookings: QuerySet[Booking], today: dt.date) -> QuerySet[Booking]:
    """Bookings on sessions that are over and not cancelled, still booked or only attended: the
    certificates (and coverage) and the final costs wait for the registration."""
    return bookings.filter(status__in=AWAITING_STATUSES, session__cancelled=False, session__last_day__lt=today)


def planned_after_start(bookings: QuerySet[Booking], today: dt.date) -> QuerySet[Booking]:
    """Planned bookings on sessions that have begun (not cancelled): a plan's seat nobody booked
    with the provider. They still count as forecast cost and hold their share of a grant until
    they are confirmed (the person took part) or cancelled."""
    return bookings.filter(status=BookingStatus.PLANNED, session__cancelled=False, session__first_day__lte=today)


def outcomes_for(booking: Booking, today: dt.date) -> list[str]:
    """What may be registered for a booking today. Once the last day has come: completed, or took
    part without completing, or (for a booked seat) no-show. While the course runs, a booked
    seat can be marked attended or no-show. A course registered as not completed can still be
    completed later (a missing assignment handed in)."""
    session = booking.session
    if session.cancelled or session.first_day is None:
        return []
    over = session.last_day is not None and session.last_day <= today
    if booking.status == BookingStatus.INCOMPLETE:
        return [COMPLETED] if over else []
    if booking.status not in AWAITING_STATUSES:
        return []
    if over:
        return [COMPLETED, INCOMPLETE] + ([NO_SHOW] if booking.status == BookingStatus.BOOKED else [])
    if booking.status == BookingStatus.BOOKED and session.first_day <= today:
        return [ATTENDED, NO_SHOW]
    return []


@dataclass(frozen=True)
class AttendanceResult:
    completed: int
    incomplete: int
    attended: int
    no_show: int
    holdings: int

    @property
    def total(self) -> int:
        return self.completed + self.incomplete + self.attended + self.no_show


@transaction.atomic
def register_attendance(
    session: Session, outcomes: Mapping[int, tuple[str, int | None]], user: AnyUser = None
) -> AttendanceResult:
    """Apply an outcome to each booking of the session, ``{booking pk: (outcome, version)}``.

    All or nothing: if one booking cannot take its outcome (changed by someone else since the page
    was shown, or not open), nothing is registered and the error names the person."""
    actions = {COMPLETED: complete, INCOMPLETE: mark_incomplete, ATTENDED: mark_attended, NO_SHOW: mark_no_show}
    bookings = list(
        Booking.objects.filter(session=session, pk__in=list(outcomes))
        .select_related("employee")
        .order_by(collated("employee__name"), "pk")
    )
    if len(bookings) != len(outcomes):
        raise BookingError(_("En af bookingerne findes ikke længere på holdet. Indlæs siden igen."))
    counts: Counter[str] = Counter()
    holdings = 0
    # An in-house day's shared price, and the staffing flags of the session's seats (a no-show
    # clears the others' flags and counts their versions up): worked out once for all, at the end.
    with session_costs_deferred(), staffing_flags_deferred():
        for booking in bookings:
            outcome, version = outcomes[booking.pk]
            if outcome not in actions:
                raise BookingError(_("Ukendt registrering: %(value)s.") % {"value": outcome})
            try:
                result = actions[outcome](booking, user, expected_version=version)  # type: ignore[operator]
            except BookingError as error:
                raise BookingError(
                    _("%(name)s: %(reason)s Der er ikke registreret noget for holdet.")
                    % {"name": booking.employee.name, "reason": error.message}
                ) from None
            counts[outcome] += 1
            if outcome == COMPLETED:
                holdings += len(result)  # type: ignore[arg-type]
    return AttendanceResult(counts[COMPLETED], counts[INCOMPLETE], counts[ATTENDED], counts[NO_SHOW], holdings)
