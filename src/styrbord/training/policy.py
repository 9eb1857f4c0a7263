"""What each role may do with courses, sessions, bookings and initiatives.

Courses and sessions are the shared catalogue (no tenant); bookings are scoped to the facility
of the employment they are for (managers: own facilities; coordinators and finance: own
municipality) or to the person themself (employees). Initiatives belong to a municipality.
"""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, NONE, READ, READ_EXPORT, register_policy

register_policy(
    "course",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ,
        Role.EMPLOYEE: READ,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)
register_policy(
    "session",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ,
        Role.EMPLOYEE: READ,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)
register_policy(
    "booking",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: READ_EXPORT,
        Role.FACILITY_MANAGER: ALL,
        Role.EMPLOYEE: READ,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)
register_policy(
    "initiative",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: READ_EXPORT,
        Role.FACILITY_MANAGER: NONE,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)
