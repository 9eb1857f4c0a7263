"""Who may see the workforce figures and maintain the imported statistics.

``workforce``: the figures pages and their export; analysts see them too, as aggregates with
small cells hidden. ``workforce_statistic``: adding or correcting imported statistics and job
postings (the admin site and imports), for admins and municipal coordinators.
"""

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, NONE, READ, READ_EXPORT, register_policy

register_policy(
    "workforce",
    {
        Role.ADMIN: READ_EXPORT,
        Role.COORDINATOR: READ_EXPORT,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: READ_EXPORT,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: READ_EXPORT,
        Role.GRANTOR: NONE,
    },
)

register_policy(
    "workforce_statistic",
    {
        Role.ADMIN: ALL,
        Role.COORDINATOR: ALL,
        Role.FINANCE: NONE,
        Role.FACILITY_MANAGER: READ,
        Role.EMPLOYEE: NONE,
        Role.ANALYST: READ,
        Role.GRANTOR: NONE,
    },
)
