"""Row-level errors and warnings of the HR import, translated when shown (never when raised).

A message is kept as its Danish msgid plus parameters, so the same error reads in Danish on
the command line and in English on the page when the user has chosen English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from styrbord.lib.cpr import mask_cpr

# An import of 100.000 broken rows must not keep 100.000 messages in memory or on the page.
MAX_ISSUES = 1000
# The problems of a refused upload the import history shows (``IssueList.summary``).
REASONS_KEPT = 3


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: where (file, row, column), the offending value (CPR masked) and what is wrong."""

    file: str
    row: int | None
    column: str
    value: str
    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        """The message in the active language."""
        text = gettext(self.msgid)
        return text % dict(self.params) if self.params else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.file + (f":{self.row}" if self.row else "")
        column = f" [{self.column}]" if self.column else ""
        value = f" {self.value!r}" if self.value else ""
        return f"{where}{column}{value}: {self.message}"


@dataclass
class IssueList:
    """Errors or warnings, capped at ``MAX_ISSUES`` kept while still counting all of them."""

    items: list[Issue] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, row: int | None, column: str, value: object, msgid: str, /, **params: Any) -> None:
        self.total += 1
        if len(self.items) < MAX_ISSUES:
            shown = "" if value is None else mask_cpr(str(value))[:200]
            safe_params = tuple((k, mask_cpr(v) if isinstance(v, str) else v) for k, v in params.items())
            self.items.append(Issue(file, row, column, shown, msgid, safe_params))

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def __iter__(self):  # type: ignore[no-untyped-def]
        """By file (in the order met), then by row, file-level problems first: a row's own errors and
        what it refers to wrongly (found in a later pass) stand together."""
        files: dict[str, int] = {}
        for issue in self.items:
            files.setdefault(issue.file, len(files))
        return iter(sorted(self.items, key=lambda i: (files[i.file], -1 if i.row is None else i.row)))

    @property
    def hidden(self) -> int:
        """How many were counted but not kept."""
        return self.total - len(self.items)

    def summary(self, count: int = REASONS_KEPT) -> list[dict[str, Any]]:
        """The first ``count`` problems as the import history keeps them (``ImportBatch.reasons``):
        where (file, row, column) and what (the msgid and its parameters, text in Danish), never a
        cell's value: a parameter that repeats the value (an impossible date) is left out."""
        kept = []
        with translation.override("da"):
            for issue in list(self)[:count]:
                params = {
                    key: value if value is None or isinstance(value, (bool, int, float)) else str(value)
                    for key, value in issue.params
                }
                kept.append(
                    {
                        "file": issue.file,
                        "row": issue.row,
                        "column": issue.column,
                        "msgid": issue.msgid,
                        "params": {k: v for k, v in params.items() if not issue.value or v != issue.value},
                    }
                )
        return kept


class ImportRejectedError(Exception):
    """The files are not valid: nothing was applied. Carries the full error list."""

    def __init__(self, errors: IssueList, warnings: IssueList | None = None) -> None:
        self.errors = errors
        self.warnings = warnings or IssueList()
        super().__init__(f"{errors.total} fejl i importen")


class ImportFailedError(Exception):
    """The database refused the checked plan while applying it: everything was rolled back.

    ``reason`` is the refused constraint's own message (lazy, translated when shown), or None.
    Neither carries the database's text, which can hold a row's values."""

    def __init__(self, reason: Any = None) -> None:
        self.reason = reason
        super().__init__("Importen kunne ikke gemmes")

    @property
    def message(self) -> str:
        if self.reason:
            return gettext(
                "Importen kunne ikke gemmes: databasen afviste en værdi (%(reason)s). Intet er gemt; ret filen, og "
                "prøv igen."
            ) % {"reason": str(self.reason).rstrip(".")}
        return gettext(
            "Importen kunne ikke gemmes: databasen afviste en værdi. Intet er gemt; ret filen, og prøv igen."
        )


class PlanChangedError(Exception):
    """Applying now would do something else than the check page showed (Styrbord has changed
    since), or another import of the municipality was applied after the check (``later``, that
    import's batch): nothing was applied. Carries the fresh plan, to be shown instead."""

    def __init__(self, plan: Any, later: Any = None) -> None:
        self.plan = plan
        self.later = later
        super().__init__("Importen er ændret siden kontrollen")
