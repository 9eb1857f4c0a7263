"""Who may set a facility's minimum staffing (weekdays, weekends and periods)."""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, NONE, register_policy

# The facility manager knows when a new resident needs 1:1 support: they set their own
# facility's minimums, as the municipality's coordinators do for all of theirs. Rows are
# reached through the facility's scope.
register_policy(
    "staffing",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: ALL,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)
