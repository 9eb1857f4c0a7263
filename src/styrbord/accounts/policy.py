"""Policy rows owned by accounts, and defaults for core object types no app has registered yet.

A default is registered only when the type's own app has not registered it (apps listed before
accounts in INSTALLED_APPS load first; apps after it override the default with their own row).
"""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import (
    ALL,
    CREATE,
    EXPORT,
    LIST,
    NONE,
    POLICY,
    READ,
    READ_EXPORT,
    RETRIEVE,
    UPDATE,
    register_policy,
)

OWN_READ = frozenset({LIST, RETRIEVE, EXPORT})

# Personal-data administration: anonymisation, retention rules and holds.
register_policy(
    "personal_data",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: frozenset({LIST, RETRIEVE}),
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)

# The logins of a municipality (user pages): a coordinator keeps those of their municipality
# (``accounts.services.manageable_users``); an administrator sees all and changes them in the
# administration, where every field (region, grantor, staff status) is open.
register_policy(
    "user",
    {
        Role.ADMIN: frozenset({LIST, RETRIEVE}),
        Role.COORDINATOR: frozenset({LIST, RETRIEVE, CREATE, UPDATE}),
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
)

DEFAULTS: dict[str, dict[str, frozenset[str]]] = {
    # The facility code lists (legal bases, target groups, methods; API ``/legal-bases``,
    # ``/target-groups``, ``/methods``): public reference data shared by all tenants, read by
    # every role; kept in the administration, so no role changes them through the policy.
    "code_list": {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: READ_EXPORT,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.EMPLOYEE: READ_EXPORT,
        Role.ANALYST: READ_EXPORT,
        Role.GRANTOR: READ_EXPORT,
    },
    "employment": {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: ALL,
        Role.EMPLOYEE: OWN_READ,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
    "competence": {
        Role.ADMIN: ALL,
        Role.COORDINATOR: READ_EXPORT | {CREATE},
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.EMPLOYEE: READ,
        Role.ANALYST: READ_EXPORT,
        Role.GRANTOR: NONE,
    },
    "competence_holding": {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: ALL,
        Role.EMPLOYEE: OWN_READ,
        Role.ANALYST: NONE,
        Role.GRANTOR: NONE,
    },
}

for _object_type, _rules in DEFAULTS.items():
    if _object_type not in POLICY:
        register_policy(_object_type, _rules)
