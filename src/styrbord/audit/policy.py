"""Policy row of the audit trail: only administrators read and export it."""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import NONE, READ_EXPORT, register_policy

register_policy(
    "audit_entry",
    {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: NONE,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)
