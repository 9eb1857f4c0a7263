"""Training models: catalogue, sessions, bookings and their costs, rates, initiatives, reminders."""

from .bookings import AWAY_STATUSES, OPEN_STATUSES, SEAT_STATUSES, Booking, BookingCost, BookingStatus, CostStage
from .catalogue import VAT_RATE, CancellationRule, Course, CourseCompetence, Provider
from .initiatives import Initiative, InitiativeYear
from .rates import BackfillFactor, VeuRate
from .reminders import ReminderLog
from .sessions import CourseInterest, Session, SessionDay

__all__ = [
    "AWAY_STATUSES",
    "OPEN_STATUSES",
    "SEAT_STATUSES",
    "VAT_RATE",
    "BackfillFactor",
    "Booking",
    "BookingCost",
    "BookingStatus",
    "CancellationRule",
    "CostStage",
    "Course",
    "CourseCompetence",
    "CourseInterest",
    "Initiative",
    "InitiativeYear",
    "Provider",
    "ReminderLog",
    "Session",
    "SessionDay",
    "VeuRate",
]
