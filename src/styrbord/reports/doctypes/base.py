"""The document-type registry: which documents exist, who may make them, for what scope and period.

A document type is one builder function from a ``ReportRequest`` (type, scope, period, options)
to a ``CommitteeItem``, plus the roles and scope kinds it allows. Each type lives in its own
module in this package and registers itself with ``register``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from styrbord.accounts.models import Role
from styrbord.reports.documents.structure import CommitteeItem

if TYPE_CHECKING:
    from django.db.models import Model
    from django_stubs_ext import StrOrPromise

    from styrbord.organisations.models import Municipality


class ReportError(Exception):
    """A report cannot be made; the message is Danish and is shown to the user as it is."""


class PeriodError(ReportError):
    """The period asked for does not fit what the document is about; the form shows it at the period field."""


class ScopeKind(StrEnum):
    """What a document is about: a region (aggregates, for its analysts), a municipality, one facility,
    a pool or an initiative."""

    REGION = "region"
    MUNICIPALITY = "municipality"
    FACILITY = "facility"
    POOL = "pool"
    INITIATIVE = "initiative"

    @property
    def label(self) -> str:
        return {
            ScopeKind.REGION: _("Region"),
            ScopeKind.MUNICIPALITY: _("Kommune"),
            ScopeKind.FACILITY: pgettext("one facility", "Tilbud"),
            ScopeKind.POOL: _("Pulje"),
            ScopeKind.INITIATIVE: _("Initiativ"),
        }[self]


@dataclass(frozen=True)
class Period:
    """A reporting period, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def label(self) -> str:
        if self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.end.year, 12, 31):
            if self.start.year == self.end.year:
                return str(self.start.year)
            return f"{self.start.year}-{self.end.year}"
        return f"{self.start:%d-%m-%Y} – {self.end:%d-%m-%Y}"

    @property
    def text(self) -> str:
        """The form the pages, the CLI and the job parameters use: 2025, 2025-2027 or 01-01-2025:30-06-2025."""
        if self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.end.year, 12, 31):
            return str(self.start.year) if self.start.year == self.end.year else f"{self.start.year}-{self.end.year}"
        return f"{self.start:%d-%m-%Y}:{self.end:%d-%m-%Y}"

    @classmethod
    def of_years(cls, years: list[int]) -> Period:
        """The whole years from the first to the last of ``years`` (which must not be empty)."""
        return cls(dt.date(min(years), 1, 1), dt.date(max(years), 12, 31))

    def touches(self, year: int) -> bool:
        """Whether the period has any day in ``year``."""
        return self.start.year <= year <= self.end.year

    @staticmethod
    def proposed_year(today: dt.date) -> int:
        """The year a new report is proposed for: in January to March the year just ended (the
        annual status and grant reports are written then), else the current year."""
        return today.year - 1 if today.month <= 3 else today.year

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read "2025", "2025-2027" or two dates, "01-01-2025:30-06-2025" (or ISO, as the CLI writes them);
        a Danish error for anything else."""
        value = (text or "").strip()
        try:
            if re.fullmatch(r"\d{4}", value):
                year = int(value)
                return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))
            match = re.fullmatch(r"(\d{4})-(\d{4})", value)
            if match:
                first, last = int(match[1]), int(match[2])
                if last < first:
                    raise ReportError(_("Perioden slutter før den begynder: %(value)s.") % {"value": value})
                return cls(dt.date(first, 1, 1), dt.date(last, 12, 31))
            match = re.fullmatch(
                r"(\d{1,2}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2}) *[:–] *(\d{1,2}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2})", value
            )
            if match:
                start, end = _date(match[1]), _date(match[2])
                if end < start:
                    raise ReportError(_("Perioden slutter før den begynder: %(value)s.") % {"value": value})
                return cls(start, end)
        except ValueError:
            pass
        raise ReportError(
            _(
                "Ukendt periode %(value)s. Skriv et år (2025), et spænd af år (2025-2027) eller to datoer (01-01-2025:30-06-2025)."
            )
            % {"value": value}
        )


def _date(text: str) -> dt.date:
    """A date as Danes write it (1-7-2025, 01-07-2025) or in ISO form (2025-07-01)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    day, month, year = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


@dataclass(frozen=True)
class ReportScope:
    """The object a document is about, with the municipality whose letterhead it carries."""

    kind: ScopeKind
    obj: Model
    municipality: Municipality | None

    @property
    def label(self) -> str:
        return str(self.obj)

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.obj.pk}"


@dataclass
class ReportRequest:
    """Everything a builder needs: the type, scope, period and free-text options (case number, ...)."""

    document_type: str
    scope: ReportScope
    period: Period
    options: dict[str, str] = field(default_factory=dict)
    today: dt.date | None = None
    user: Any = None  # who asks; None: the command line, with full access

    def option(self, name: str, default: str = "") -> str:
        return (self.options.get(name) or "").strip() or default

    def acting_user(self) -> Any:
        """The user whose permissions filter the figures (a full-access stand-in for the CLI)."""
        if self.user is not None:
            return self.user
        from styrbord.accounts.models import User

        return User(username="styrbord-cli", role=Role.ADMIN, is_superuser=True)


Progress = Callable[[int, str], None]


def no_progress(percent: int, message: str) -> None:
    """A progress callback that reports nowhere (CLI without verbosity, previews)."""


@dataclass(frozen=True)
class DocumentType:
    """One kind of document: its name, allowed roles and scope kinds, and its builder."""

    key: str
    name: StrOrPromise
    description: StrOrPromise
    scope_kinds: tuple[ScopeKind, ...]
    roles: frozenset[str]
    build: Callable[[ReportRequest, Progress], CommitteeItem]
    # Some roles may only use some scope kinds (a facility manager: their own facility).
    role_scope_kinds: dict[str, tuple[ScopeKind, ...]] = field(default_factory=dict)
    # Only aggregate figures (no person-level data): the kind of document an analyst may make.
    aggregate_only: bool = False
    # For a type whose object fixes the years it is about (an initiative's own years, an
    # appropriation's): the period the document covers, from the scope, the period asked for (None:
    # the field left empty, "the object's own years") and the options. It raises PeriodError for a
    # period that does not fit, so the document, the job and the appendix never claim another period.
    fit_period: Callable[[ReportScope, Period | None, dict[str, str]], Period] | None = None

    def period_for(self, scope: ReportScope, asked: Period | None, options: dict[str, str]) -> Period:
        """The period a document of this type about ``scope`` covers, given the one asked for."""
        if self.fit_period is not None:
            return self.fit_period(scope, asked, options)
        if asked is None:
            raise PeriodError(_("Skriv en periode: et år (2025), et spænd af år (2025-2027) eller to datoer."))
        return asked

    def allows(self, role: str) -> bool:
        return role in self.roles

    def scope_kinds_for(self, role: str) -> tuple[ScopeKind, ...]:
        if role in (Role.ADMIN,):
            return self.scope_kinds
        return self.role_scope_kinds.get(role, self.scope_kinds)


REGISTRY: dict[str, DocumentType] = {}


def register(doc_type: DocumentType) -> DocumentType:
    """Add a document type to the registry (called once per module at import)."""
    if doc_type.key in REGISTRY and REGISTRY[doc_type.key] is not doc_type:
        raise RuntimeError(f"document type {doc_type.key!r} is registered twice")
    REGISTRY[doc_type.key] = doc_type
    return doc_type


def get_type(key: str) -> DocumentType:
    """The registered type, or a Danish error naming the known ones."""
    from styrbord.reports import doctypes  # noqa: F401 - importing registers every type

    try:
        return REGISTRY[key]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ReportError(_("Ukendt dokumenttype %(key)s. Kendte typer: %(known)s.") % {"key": key, "known": known})


def all_types() -> list[DocumentType]:
    from styrbord.reports import doctypes  # noqa: F401

    return list(REGISTRY.values())


def option_fields() -> dict[str, str]:
    """Free-text options every committee item accepts (label per option name)."""
    return {
        "case_number": _("Sagsnummer"),
        "route": _("Sagsgang"),
        "committee": _("Udvalg"),
        "meeting_date": _("Mødedato"),
        "recommender": _("Indstiller"),
        "department": _("Afsender (forvaltning/afdeling)"),
    }


def parse_meeting_date(value: str) -> dt.date | None:
    """A meeting date given as 18-12-2024 or 2024-12-18; None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ReportError(_("Ukendt mødedato %(value)s. Skriv datoen som 18-12-2024.") % {"value": value})


def committee_abbreviation(committee: str) -> str:
    """The short form used in a route: "Voksen- og Plejeudvalget" -> "VPU", "Socialudvalget" -> "SU"."""
    letters = []
    for word in re.split(r"[\s-]+", committee):
        if not word or word.lower() in {"og", "for", "i", "til"}:
            continue
        letters.append(word[0].upper())
        if word.lower().endswith("udvalget") and word.lower() != "udvalget":
            letters.append("U")
    return "".join(letters)
