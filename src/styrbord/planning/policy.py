"""Who may do what with planning scenarios and their runs (scope limits where).

Coordinators plan for their own municipality; finance officers read the scenarios (they
show the grants' planned use); a facility manager reads scenarios that plan for one of their
facilities; employees, analysts and grantors see none.
"""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import (
    ALL,
    CREATE,
    EXPORT,
    LIST,
    NONE,
    READ,
    READ_EXPORT,
    RETRIEVE,
    UPDATE,
    register_policy,
)

PLAN = frozenset({LIST, RETRIEVE, CREATE, UPDATE, EXPORT})

register_policy(
    "scenario",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: PLAN,
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)
# A finished plan downloads for those who read it: a facility manager gets the seats of their own
# staff and the other facilities summed (``planning.compare``), as on the run page.
register_policy(
    "plan_run",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: PLAN,
        Role.FINANCE: READ,  # reads plans, downloads none: the seats name people across the municipality
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)
