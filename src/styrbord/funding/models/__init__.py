"""Funding models: pools and their reporting duties, grants and budget lines, appropriations,
and the append-only ledger. Split in modules by subject; everything is importable from here."""

from styrbord.funding.models.appropriations import Appropriation, AppropriationLine
from styrbord.funding.models.grants import Grant, GrantBudgetLine
from styrbord.funding.models.ledger import AppendOnlyError, LedgerEntry, LedgerQuerySet
from styrbord.funding.models.pools import AuditLevel, Pool, ReportingDeadline
from styrbord.funding.models.splits import FundingSplit

__all__ = [
    "AppendOnlyError",
    "Appropriation",
    "AppropriationLine",
    "AuditLevel",
    "FundingSplit",
    "Grant",
    "GrantBudgetLine",
    "LedgerEntry",
    "LedgerQuerySet",
    "Pool",
    "ReportingDeadline",
]
