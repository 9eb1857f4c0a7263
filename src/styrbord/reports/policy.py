"""Who may make documents ("report") and manage Word templates ("report_template").

The policy says which roles may use the reports page at all; each document type then narrows
it (``doctypes.base.DocumentType.roles``): a grantor only pool documents on their own pools, an
analyst only aggregate types (workforce), an employee nothing.
"""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, CREATE, EXPORT, LIST, NONE, RETRIEVE, register_policy

MAKE_DOCUMENTS = frozenset({LIST, RETRIEVE, CREATE, EXPORT})

register_policy(
    "report",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: MAKE_DOCUMENTS,
        Role.FINANCE: MAKE_DOCUMENTS,
        Role.FACILITY_MANAGER: MAKE_DOCUMENTS,
        Role.ANALYST: MAKE_DOCUMENTS,
        Role.GRANTOR: MAKE_DOCUMENTS,
        Role.EMPLOYEE: NONE,
    },
)

register_policy(
    "report_template",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
        Role.EMPLOYEE: NONE,
    },
)
