"""Training services. ``book`` is the entry point other apps (the planner) use to create bookings."""

from .attendance import (
    AttendanceResult,
    awaiting_attendance,
    outcomes_for,
    planned_after_start,
    register_attendance,
)
from .bookings import (
    CancelResult,
    GroupBooking,
    after_employment_ends,
    book,
    book_group,
    can_cancel_seat,
    cancel,
    cancel_planned_many,
    cancellation_fee_for,
    complete,
    confirm,
    confirm_many,
    employed_today,
    interested_without_booking,
    mark_attended,
    mark_incomplete,
    mark_no_show,
    open_interests,
    seats_taken,
)
from .costing import session_costs_deferred
from .errors import BookingError
from .finding import OpenSession, sessions_granting
from .staffing import BookingCandidate, StaffingWarning, staffing_warnings

__all__ = [
    "AttendanceResult",
    "BookingCandidate",
    "BookingError",
    "CancelResult",
    "GroupBooking",
    "OpenSession",
    "StaffingWarning",
    "after_employment_ends",
    "awaiting_attendance",
    "book",
    "book_group",
    "can_cancel_seat",
    "cancel",
    "cancel_planned_many",
    "cancellation_fee_for",
    "complete",
    "confirm",
    "confirm_many",
    "employed_today",
    "interested_without_booking",
    "mark_attended",
    "mark_incomplete",
    "mark_no_show",
    "open_interests",
    "outcomes_for",
    "planned_after_start",
    "register_attendance",
    "seats_taken",
    "session_costs_deferred",
    "sessions_granting",
    "staffing_warnings",
]
