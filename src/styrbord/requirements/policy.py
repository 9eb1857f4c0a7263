"""Who may do what with requirements, coverage figures, gap lists, evidence sheets and own profiles."""

from __future__ import annotations

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, CREATE, LIST, NONE, READ, READ_EXPORT, RETRIEVE, register_policy

# The requirements themselves (kompetencekrav): coordinators manage their municipality's.
register_policy(
    "requirement",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)

# Coverage figures per facility (counts and shares, no names): heat map and charts. Finance
# officers see them too (they fund the training that closes the gaps; the nav shows the page
# to everyone who may list facilities).
register_policy(
    "coverage",
    {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: READ,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)

# Coverage summed over municipalities or facilities (requirements:aggregate): how a region or the
# country stands against its targets. No names, and small rows are suppressed for analysts; the
# facility roles have the heat map for their own facilities instead.
register_policy(
    "coverage_aggregate",
    {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: NONE,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.ANALYST: READ_EXPORT,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)

# Gap lists and expiry lists name people: only those who manage the staff.
register_policy(
    "coverage_gap",
    {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)

# The supervisory evidence sheet (kompetenceoversigt) handed to the Socialtilsyn.
register_policy(
    "evidence_sheet",
    {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: NONE,
        Role.GRANTOR: NONE,
    },
)

# The competence catalogue: read by everyone who works with competences. It is shared by every
# municipality, so a coordinator may add a competence (one a course or requirement of theirs
# needs) but not change one: a new name or validity would change every municipality's catalogue.
register_policy(
    "competence",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: READ_EXPORT | {CREATE},
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: READ,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: READ,
        Role.GRANTOR: NONE,
    },
)

# "Min profil": an employee's own competence profile (the nav entry staff:my_profile).
register_policy(
    "own_profile",
    {
        Role.ADMIN: NONE,
        Role.COORDINATOR: NONE,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: NONE,
        Role.ANALYST: NONE,
        Role.EMPLOYEE: frozenset({LIST, RETRIEVE}),
        Role.GRANTOR: NONE,
    },
)
