"""Who may use the HR import (object type ``staff_import``: batches and saved column mappings).

A coordinator imports for their own municipality; an admin for any. Nobody else: the files
hold every employee of a municipality.
"""

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, NONE, register_policy

register_policy(
    "staff_import",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)
