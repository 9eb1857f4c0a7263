"""Who may do what with pools, grants, appropriations and the ledger (scope limits where).

Finance officers and coordinators work on their own municipality's funding; a grantor reads and
exports its own pools; a facility manager reads the grants of their own facilities; analysts see
aggregates only and employees nothing. Ledger entries are never updated or deleted by anyone.
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

MANAGE = frozenset({LIST, RETRIEVE, CREATE, UPDATE, EXPORT})
APPEND_ONLY = frozenset({LIST, RETRIEVE, CREATE, EXPORT})

register_policy(
    "pool",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: MANAGE,
        Role.FINANCE: MANAGE,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: READ_EXPORT,
    },
)
register_policy(
    "grant",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: MANAGE,
        Role.FINANCE: MANAGE,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: READ_EXPORT,
    },
)
register_policy(
    "appropriation",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: MANAGE,
        Role.FINANCE: MANAGE,
        Role.FACILITY_MANAGER: NONE,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)
register_policy(
    "ledger",
    {
        Role.ADMIN: APPEND_ONLY,
        Role.COORDINATOR: APPEND_ONLY,
        Role.FINANCE: APPEND_ONLY,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: READ_EXPORT,
    },
)

# Who made a ledger posting: the municipality's own staff see their colleague's name on the grant
# page and in the ledger download; a grantor reads the municipality's accounts, so it sees the
# municipality (funding.ledger_export.author). The grantor package shows the organisation to all.
register_policy(
    "ledger_author",
    {
        Role.ADMIN: READ,
        Role.COORDINATOR: READ,
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)
