"""Signals training sends to the apps that follow a booking's money (funding listens).

Training does not import funding: funding depends on training, not the other way round. When a
booking's cost lines change (it is confirmed, cancelled, attended; a team day gets another
participant; the course's days or fee change), training says so, and funding charges the booking
again to the grants it was charged to."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a booking's BookingCost rows were rewritten with other lines than before.
# Arguments: booking (the Booking), user (who made the change, or None for the system).
booking_costs_changed = Signal()
