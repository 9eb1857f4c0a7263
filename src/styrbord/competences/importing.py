"""Importing competence certificates (kompetencebeviser) from a CSV or XLSX list.

A municipality starts with what its staff already know: the coordinator's spreadsheet of who
took which course when. One row per certificate:

- a column that says who: Ansættelsesnr, Medarbejdernr (BrugerId, the HR id the HR import keys
  people by), E-mail, or a CPR column when the municipality's CPR policy pseudonymises (the
  number is turned into the person key and never stored; under the "reject" policy the file is
  refused);
- Kompetence: the competence's name or code in the catalogue;
- Opnået: the date the certificate was obtained;
- optional: Udløber (blank = the competence's validity from Opnået), Dokumentation, Navn (checked
  against Styrbord's name: a mismatch is a warning, since a misread id would credit the wrong
  person).

The file is read with the HR import's safe reader (encoding and delimiter sniffing, size and
zip-bomb limits, formulas as text), checked in full, and applied all-or-nothing. Importing the
same list again changes nothing: a certificate the person already has for that competence and
date is left as it is.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from styrbord.audit.services import log_action, log_changes
from styrbord.competences.models import Competence, CompetenceHolding, CompetenceName
from styrbord.competences.services import default_expiry
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date
from styrbord.organisations.models import Municipality
from styrbord.organisations.services import lock_municipality
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.columns import Columns, cpr_columns, refuse_cpr_if_policy
from styrbord.staff.importing.errors import ImportRejectedError, Issue, IssueList
from styrbord.staff.importing.five_file import hr_person_key
from styrbord.staff.importing.reading import FileUnreadableError, SourceFile, Table, open_table, sheet_where
from styrbord.staff.importing.values import looks_like_cpr, normalise_header, pseudonymise_cpr
from styrbord.staff.models import Employment

# Header names each column is known by (compared loosely: case, spaces and dashes aside).
EMPLOYMENT_NUMBER = (
    "Ansættelsesnr",
    "Ansættelsesnummer",
    "Ansaettelsesnr",
    "Lønnummer",
    "Lønnr",
    "Tjenestenummer",
    "Tjenestenr",  # "Tjenestenr." in many payroll exports (dots do not count)
    "Tj.nr",
)
PERSON_ID = ("Medarbejdernr", "Medarbejdernummer", "Medarbejder-id", "BrugerId", "Personnøgle")
EMAIL = ("E-mail", "Email", "Mail")
COMPETENCE = ("Kompetence", "Kompetencekode", "Kursus", "Certificering")
ACQUIRED = ("Opnået", "Opnaaet", "Opnået dato", "Dato", "Gennemført", "Bestået")
EXPIRES = ("Udløber", "Udloeber", "Udløbsdato", "Gyldig til")
EVIDENCE = ("Dokumentation", "Bevis", "Kursusudbyder", "Udbyder", "Bemærkning", "Note")
NAME = ("Navn", "Medarbejder", "Medarbejdernavn")

# What the upload page lists as the file's columns (the first name of each group).
REQUIRED_COLUMNS = (COMPETENCE[0], ACQUIRED[0])
WHO_COLUMNS = (EMPLOYMENT_NUMBER[0], PERSON_ID[0], EMAIL[0], "CPR")
OPTIONAL_COLUMNS = (EXPIRES[0], EVIDENCE[0], NAME[0])
EVIDENCE_MAX = CompetenceHolding._meta.get_field("evidence").max_length or 300
NAME_MAX = CompetenceName._meta.get_field("written").max_length or 200

NO_PERSON_COLUMN = gettext_noop(
    "Filen mangler en kolonne, der siger hvem: Ansættelsesnr, Medarbejdernr (BrugerId), E-mail eller CPR."
)
UNKNOWN_PERSON = {
    "employment": gettext_noop("Ingen medarbejder i kommunen har dette ansættelsesnummer."),
    "person": gettext_noop("Ingen medarbejder i kommunen har dette medarbejdernummer."),
    "cpr": gettext_noop("Ingen medarbejder i kommunen har dette CPR-nummer."),
    "email": gettext_noop("Ingen medarbejder i kommunen har denne e-mail."),
}
AMBIGUOUS_EMAIL = gettext_noop(
    "Flere medarbejdere i kommunen har denne e-mail; brug Ansættelsesnr eller Medarbejdernr i stedet."
)
NO_PERSON = gettext_noop("Rækken siger ikke hvem: udfyld Ansættelsesnr, Medarbejdernr, E-mail eller CPR.")
UNKNOWN_COMPETENCE = gettext_noop(
    "Ukendt kompetence. Angiv, hvad navnet betyder, spring det over, eller ret det til katalogets navn eller kode."
)
IN_THE_FUTURE = gettext_noop("Datoen ligger efter i dag; et bevis kan ikke være opnået endnu.")
EXPIRES_BEFORE = gettext_noop("Udløbsdatoen ligger før den dag, kompetencen blev opnået.")
TOO_LONG = gettext_noop("Højst %(max)s tegn.")
DUPLICATE_ROW = gettext_noop(
    "Samme bevis (medarbejder, kompetence og dato) står også i række %(first)s; rækken springes over."
)
NONE_FOUND = gettext_noop(
    "Ingen af filens medarbejdere findes i %(municipality)s. Er det den rigtige kommune, og er det den rigtige "
    "kolonne, der siger hvem?"
)
DID_YOU_MEAN = gettext_noop(
    "Ukendt kompetence. Mente du %(suggestions)s? Angiv, hvad navnet betyder, spring det over, eller ret det til katalogets navn eller kode."
)
EXCEL_DATE_NUMBER = gettext_noop(
    "Ligner et Excel-datotal, ikke en dato: formatér kolonnen som dato i Excel (f.eks. 01-03-2024), og gem igen."
)
# How close to a certificate the person already has a new one of the same competence is said to be.
NEAR_DAYS = 14
NEAR_EXISTING = gettext_noop(
    "Medarbejderen har allerede beviset fra %(held)s. Er det samme kursus, så ret datoen til den, eller slet "
    "rækken; ellers tilføjes et bevis mere."
)
SKIPPED_NAME = gettext_noop("Rækken springes over: »%(name)s« er valgt fra i denne import.")
ALREADY_EXPIRED = gettext_noop("Beviset udløb %(expired)s; det tilføjes som historik og tæller ikke i dækningen.")
NO_END_IS_VALIDITY = gettext_noop(
    "Udløber %(written)s betyder ingen udløbsdato, men kompetencen gælder %(months)s måneder: beviset udløber "
    "%(expires)s."
)
NAME_DIFFERS = gettext_noop("Navnet passer ikke med medarbejderen %(name)s i Styrbord. Tjek, at det er den rigtige.")
NO_ROWS = gettext_noop("Filen har ingen rækker med beviser.")


# A date cell that lost its date format in Excel shows the day's serial number (2024-03-01 is 45352).
EXCEL_SERIAL = re.compile(r"[2-6]\d{4}")
BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _readable(headers: list[str]) -> bool:
    """Whether a worksheet with these headers is a certificate list."""
    present = {normalise_header(header) for header in headers}
    return all(any(normalise_header(name) in present for name in group) for group in (COMPETENCE, ACQUIRED))


@dataclass
class HoldingImport:
    """What a certificate file would add (``new``, unsaved), and what is wrong with it."""

    file: str
    rows: int = 0
    new: list[CompetenceHolding] = field(default_factory=list)
    existing: int = 0
    errors: IssueList = field(default_factory=IssueList)
    warnings: IssueList = field(default_factory=IssueList)
    # The competence names nothing knows, by their lookup key (``name_key``), in file order.
    unknown_names: dict[str, UnknownName] = field(default_factory=dict)
    skipped: int = 0  # rows of a name the coordinator chose to leave out of this import

    @property
    def counts(self) -> dict[str, int]:
        counts = {"rows": self.rows, "holdings_created": len(self.new), "holdings_unchanged": self.existing}
        if self.skipped:
            counts["rows_skipped"] = self.skipped
        return counts

    def by_competence(self) -> list[tuple[str, int]]:
        """How many new certificates of each competence, most first."""
        counted = Counter(holding.competence.name for holding in self.new)
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))

    def fingerprint(self) -> str:
        """A digest of exactly what applying would write: applying refuses another set than the
        one the check page showed (another import or a registration may have come between)."""
        digest = hashlib.sha256()
        for holding in sorted(self.new, key=lambda h: (h.employee_id, h.competence_id, h.acquired_on)):
            digest.update(
                f"{holding.employee_id}|{holding.competence_id}|{holding.acquired_on}|{holding.expires_on}|"
                f"{holding.evidence}\n".encode()
            )
        return digest.hexdigest()


@dataclass
class UnknownName:
    """A competence name in the file that neither the catalogue nor the municipality's saved
    names know: as first written, on how many rows, and what it most likely means."""

    written: str
    rows: int = 0
    suggestions: list[Competence] = field(default_factory=list)


class HoldingsRejectedError(ImportRejectedError):
    """The list has errors: nothing was written. Carries the check's result (its unknown names)."""

    def __init__(self, result: HoldingImport) -> None:
        super().__init__(result.errors, result.warnings)
        self.result = result


class HoldingsChangedError(Exception):
    """The file would now write something else than the check showed."""

    def __init__(self, result: HoldingImport) -> None:
        self.result = result
        super().__init__("the certificates to import changed since the check")


@dataclass
class _People:
    """The municipality's people, by each key a row may name them by."""

    by_employment: dict[str, int]
    by_employment_digits: dict[str, int | None]
    by_key: dict[str, int]
    by_folded_key: dict[str, int]
    by_key_digits: dict[str, int | None]
    by_email: dict[str, list[int]]
    names: dict[int, str]

    @classmethod
    def of(cls, municipality: Municipality) -> _People:
        # The municipality's own people only (the data controller's): a key or employment number
        # another municipality uses for its own person is not one of these.
        employments = Employment.objects.filter(
            municipality=municipality, employee__municipality=municipality, employee__anonymised_at__isnull=True
        ).values_list("employment_number", "employee_id", "employee__person_key", "employee__email", "employee__name")
        people = cls({}, {}, {}, {}, {}, {}, {})
        for number, employee_id, key, email, name in employments.iterator(chunk_size=5000):
            people.by_employment[number.casefold()] = employee_id
            _by_digits(people.by_employment_digits, number, employee_id)
            if employee_id in people.names:
                continue
            people.names[employee_id] = name
            people.by_key[key] = employee_id
            people.by_folded_key.setdefault(key.casefold(), employee_id)
            _by_digits(people.by_key_digits, key.rpartition(":")[2], employee_id)
            if email:
                people.by_email.setdefault(email.casefold(), []).append(employee_id)
        return people

    def employment(self, value: str) -> int | None:
        return self.by_employment.get(value.casefold()) or _digits_match(self.by_employment_digits, value)

    def person(self, value: str, municipality_code: str) -> int | None:
        """By HR's own id as the list writes it ("1042", or "DEMO-1042" for "demo-1042"), which
        the HR import keyed as "<kommunekode>:<id>"; or by the whole person key."""
        for key in (hr_person_key(municipality_code, value), value):
            found = self.by_key.get(key) or self.by_folded_key.get(key.casefold())
            if found is not None:
                return found
        return _digits_match(self.by_key_digits, value)


def _by_digits(index: dict[str, int | None], number: str, employee_id: int) -> None:
    """Index an all-digit id without its leading zeros (None when two people share that)."""
    if number.isdigit():
        key = number.lstrip("0")
        index[key] = employee_id if index.get(key, employee_id) == employee_id else None


def _digits_match(index: dict[str, int | None], value: str) -> int | None:
    """An all-digit id whose leading zeros Excel dropped ("1042" for "01042"), if only one
    person's id reads so."""
    return index.get(value.lstrip("0")) if value.isdigit() else None


class _Reader:
    """Reads the rows of one table into unsaved holdings, collecting every problem."""

    def __init__(
        self, table: Table, municipality: Municipality, result: HoldingImport, skip_names: Collection[str] = ()
    ) -> None:
        self.skip_names = frozenset(skip_names)
        self.table = table
        self.municipality = municipality
        self.result = result
        self.cols = Columns(table, result.errors)
        self.people = _People.of(municipality)
        self.competences = catalogue_lookup()
        self.saved_names = _saved_names(municipality)
        self.today = local_today()
        self.seen: dict[tuple[int, int, Any], int] = {}
        self.found_people = 0
        self.unknown_people = 0
        # The municipality's people as a join, not as thousands of parameters (SQLite caps them).
        self.existing = set(
            CompetenceHolding.objects.filter(employee__municipality=municipality).values_list(
                "employee_id", "competence_id", "acquired_on"
            )
        )
        self.held_on: dict[tuple[int, int], list[dt.date]] = {}
        for employee_id, competence_id, acquired_on in self.existing:
            self.held_on.setdefault((employee_id, competence_id), []).append(acquired_on)

    def read(self) -> None:
        cols, table = self.cols, self.table
        cols.duplicate_headers()
        found = cols.require(COMPETENCE, ACQUIRED)
        cpr = cpr_columns(table)
        if refuse_cpr_if_policy(table, cpr, self.result.errors):
            return
        who = [
            (index, what)
            for index, what in (
                (cols.find(*EMPLOYMENT_NUMBER), "employment"),
                (cols.find(*PERSON_ID), "person"),
                (cpr[0] if cpr else None, "cpr"),
                (cols.find(*EMAIL), "email"),
            )
            if index is not None
        ]
        if not who:
            self.result.errors.add(table.file, table.header_row, "", "", NO_PERSON_COLUMN)
        if found is None or not who:
            return
        expires, evidence, name = cols.find(*EXPIRES), cols.find(*EVIDENCE), cols.find(*NAME)
        for row, cells in table.rows:
            self.result.rows += 1
            self._row(row, cells, who, found, expires, evidence, name)
        if not self.result.rows:
            self.result.errors.add(table.file, None, "", "", NO_ROWS)
        elif self.unknown_people and not self.found_people:
            # First, above the rows' errors (which may be more than are kept): the likely cause.
            errors = self.result.errors
            errors.items.insert(
                0, Issue(table.file, None, "", "", NONE_FOUND, (("municipality", str(self.municipality)),))
            )
            errors.total += 1

    def _row(
        self,
        row: int,
        cells: list[str],
        who: list[tuple[int, str]],
        found: dict[str, int],
        expires_col: int | None,
        evidence_col: int | None,
        name_col: int | None,
    ) -> None:
        cols, table, errors = self.cols, self.table, self.result.errors
        written_competence = cols.text(cells, found[COMPETENCE[0]])
        if self.skip_names and name_key(written_competence) in self.skip_names:
            self.result.skipped += 1
            self.result.warnings.add(
                table.file,
                row,
                table.column(found[COMPETENCE[0]]),
                written_competence,
                SKIPPED_NAME,
                name=written_competence,
            )
            return
        before = errors.total
        employee_id = self._person(row, cells, who)
        competence = self._competence(row, cells, found[COMPETENCE[0]])
        acquired = self._date(cells, row, found[ACQUIRED[0]], required=True)
        expires = self._date(cells, row, expires_col)
        evidence = cols.text(cells, evidence_col)
        if acquired is not None and acquired > self.today:
            errors.add(
                table.file, row, table.column(found[ACQUIRED[0]]), cols.text(cells, found[ACQUIRED[0]]), IN_THE_FUTURE
            )
        if acquired is not None and expires is not None and expires < acquired:
            errors.add(table.file, row, table.column(expires_col or 0), cols.text(cells, expires_col), EXPIRES_BEFORE)
        if len(evidence) > EVIDENCE_MAX:
            errors.add(
                table.file, row, table.column(evidence_col or 0), evidence[:40] + "…", TOO_LONG, max=EVIDENCE_MAX
            )
        if errors.total > before or employee_id is None or competence is None or acquired is None:
            return
        if expires is None:  # blank, or payroll's "no end" (31-12-9999): the catalogue's validity
            try:
                expires = default_expiry(competence, acquired)
            except ValidationError:
                errors.add(table.file, row, table.column(found[ACQUIRED[0]]), str(acquired), EXPIRES_BEFORE)
                return
            written = cols.text(cells, expires_col)
            if written and expires is not None:
                self.result.warnings.add(
                    table.file,
                    row,
                    table.column(expires_col or 0),
                    written,
                    NO_END_IS_VALIDITY,
                    written=written,
                    months=competence.validity_months,
                    expires=format_date(expires, "da"),
                )
        if expires is not None and expires < self.today:
            self.result.warnings.add(table.file, row, "", "", ALREADY_EXPIRED, expired=format_date(expires, "da"))
        self._check_name(row, cells, name_col, employee_id)
        key = (employee_id, competence.pk, acquired)
        if key in self.seen:
            self.result.warnings.add(table.file, row, "", "", DUPLICATE_ROW, first=self.seen[key])
            return
        self.seen[key] = row
        if key in self.existing:
            self.result.existing += 1
            return
        near = [d for d in self.held_on.get((employee_id, competence.pk), []) if abs((d - acquired).days) <= NEAR_DAYS]
        if near:  # the course's own certificate, dated its last day, and the list's date for the same course
            self.result.warnings.add(
                table.file,
                row,
                table.column(found[ACQUIRED[0]]),
                cols.text(cells, found[ACQUIRED[0]]),
                NEAR_EXISTING,
                held=format_date(min(near, key=lambda d: abs((d - acquired).days)), "da"),
            )
        self.result.new.append(
            CompetenceHolding(
                employee_id=employee_id,
                competence=competence,
                acquired_on=acquired,
                expires_on=expires,
                evidence=evidence,
                source=CompetenceHolding.Source.IMPORT,
            )
        )

    def _date(self, cells: list[str], row: int, index: int | None, required: bool = False) -> dt.date | None:
        """A date cell; an Excel date serial that lost its date format (45352) is said to be one."""
        raw = self.cols.text(cells, index)
        if index is not None and EXCEL_SERIAL.fullmatch(raw):
            self.cols.errors.add(self.table.file, row, self.table.column(index), raw, EXCEL_DATE_NUMBER)
            return None
        return self.cols.date(cells, row, index, required=required, open_end=not required)

    def _person(self, row: int, cells: list[str], who: list[tuple[int, str]]) -> int | None:
        """The person of the row: by the first of its identifying cells that is filled."""
        cols, table, people = self.cols, self.table, self.people
        for index, what in who:
            value = cols.text(cells, index)
            if not value:
                continue
            column = table.column(index)
            if what == "employment":
                found = people.employment(value)
            elif what == "person":
                found = people.person(value, self.municipality.code)
            elif what == "cpr":
                found = people.by_key.get(pseudonymise_cpr(value)) if looks_like_cpr(value) else None
            else:
                matches = people.by_email.get(value.casefold(), [])
                if len(matches) > 1:
                    cols.errors.add(table.file, row, column, value, AMBIGUOUS_EMAIL)
                    return None
                found = matches[0] if matches else None
            if found is None:
                cols.errors.add(table.file, row, column, value, UNKNOWN_PERSON[what])
                self.unknown_people += 1
            else:
                self.found_people += 1
            return found
        cols.errors.add(table.file, row, "", "", NO_PERSON)
        return None

    def _competence(self, row: int, cells: list[str], index: int) -> Competence | None:
        text = self.cols.text(cells, index)
        if not text:
            self.cols.errors.add(
                self.table.file, row, self.table.column(index), "", gettext_noop("Feltet skal udfyldes.")
            )
            return None
        key = name_key(text)
        competence = (
            self.competences.get(text.casefold())
            or self.saved_names.get(key)
            or self.competences.get(_plain_name(text))
        )
        if competence is None:
            savable = len(key) > 0 and len(text) <= NAME_MAX
            unknown = self.result.unknown_names.get(key) if savable else None
            if savable and unknown is None:
                unknown = self.result.unknown_names[key] = UnknownName(text, suggestions=_close(text, self.competences))
            close = _suggestions(unknown.suggestions if unknown else _close(text, self.competences))
            if unknown:
                unknown.rows += 1
            if close:
                self.cols.errors.add(
                    self.table.file, row, self.table.column(index), text, DID_YOU_MEAN, suggestions=close
                )
            else:
                self.cols.errors.add(self.table.file, row, self.table.column(index), text, UNKNOWN_COMPETENCE)
        return competence

    def _check_name(self, row: int, cells: list[str], index: int | None, employee_id: int) -> None:
        written = self.cols.text(cells, index)
        known = self.people.names[employee_id]
        if written and not same_person_name(written, known):
            self.result.warnings.add(
                self.table.file, row, self.table.column(index or 0), written, NAME_DIFFERS, name=known
            )


def same_person_name(written: str, known: str) -> bool:
    """Whether a list's name is the person's: the same words in any order, or one name with
    words the other leaves out (a list often omits a middle name: "Brian Svendsen" for "Brian
    Skov Svendsen"), "Efternavn, Fornavn" too. Case and spacing aside."""
    a, b = (set(name.replace(",", " ").casefold().split()) for name in (written, known))
    return a <= b or b <= a


def _plain_name(text: str) -> str:
    """A name without what lists add in brackets ("Low arousal (2 dage)") and with its spacing
    tidied, casefolded: a second key the catalogue is looked up by."""
    return " ".join(BRACKETED.sub(" ", text).split()).casefold()


def name_key(text: str) -> str:
    """How a saved name is compared with a list's: casefolded, spacing tidied, and the whole of
    it. Unlike the catalogue's names, not without what is in brackets: "Konflikthåndtering
    (grundkursus)" and "Konflikthåndtering (opfølgning)" may be two courses, and a name chosen
    for one must not credit the other."""
    return " ".join(text.split()).casefold()


def lookup_keys(code: str, name: str) -> tuple[str, str, str]:
    """What a row's competence is matched by: the code, the name and the plain name (casefolded).
    The catalogue page refuses a competence that shares one of them with another."""
    return code.casefold(), name.casefold(), _plain_name(name)


def catalogue_lookup() -> dict[str, Competence]:
    """The catalogue by code, by name and by plain name (casefolded): how a list's competence is found."""
    named: dict[str, Competence] = {}
    for competence in Competence.objects.all():
        for key in lookup_keys(competence.code, competence.name):
            named.setdefault(key, competence)
    return named


def _saved_names(municipality: Municipality) -> dict[str, Competence]:
    """The municipality's saved names (``CompetenceName``) by their key. The catalogue's own
    name or code wins over a saved one: a competence added later under that name is that one."""
    return {
        saved.key: saved.competence
        for saved in CompetenceName.objects.filter(municipality=municipality).select_related("competence")
    }


def _suggestions(found: list[Competence]) -> str:
    """The likely competences as the message names them (»KRAP – …« (krap) eller …)."""
    return gettext(" eller ").join(f"»{c.name}« ({c.code})" for c in found)


def _close(text: str, named: dict[str, Competence], most: int = 2) -> list[Competence]:
    """The catalogue entries a misspelt or longer/shorter name most likely means; none when
    none is close. Only suggested, never chosen: a wrong guess would credit a certificate
    nobody holds."""
    wanted = _plain_name(text)
    words = [word for word in re.split(r"[\s\-–,/]+", wanted) if word]
    first_word = words[0] if words else ""
    found: list[Competence] = []
    for key in difflib.get_close_matches(wanted, list(named), n=most, cutoff=0.6):
        if named[key] not in found:
            found.append(named[key])
    for key, competence in named.items():  # "Konflikthåndtering" for "Konflikthåndtering og de-eskalering"
        if (
            len(found) < most
            and competence not in found
            and first_word
            and key.startswith(first_word)
            and len(first_word) >= 4
        ):
            found.append(competence)
    return found[:most]


HEADER_NAMES = frozenset(
    normalise_header(name)
    for group in (EMPLOYMENT_NUMBER, PERSON_ID, EMAIL, COMPETENCE, ACQUIRED, EXPIRES, EVIDENCE, NAME)
    for name in group
)


def check_holdings(source: SourceFile, municipality: Municipality, skip_names: Collection[str] = ()) -> HoldingImport:
    """Read and check the whole file; nothing is written. Rows whose competence name (by
    ``name_key``) is in ``skip_names`` are left out, each with a warning."""
    result = HoldingImport(file=source.name)
    source = sheet_where(replace(source, header_names=HEADER_NAMES), _readable)
    try:
        table = open_table(source, result.warnings)
    except FileUnreadableError as exc:
        result.errors.add(source.name, None, "", "", exc.msgid, **exc.params)
        return result
    if table.sheet and len(table.sheets) > 1:  # which sheet the errors' rows are on
        table = replace(table, file=gettext("%(file)s, arket %(sheet)s") % {"file": table.file, "sheet": table.sheet})
    try:
        _Reader(table, municipality, result, skip_names).read()
    except FileUnreadableError as exc:  # e.g. a workbook cut off after the first rows
        result.errors.add(source.name, None, "", "", exc.msgid, **exc.params)
    finally:
        table.close()
    return result


def apply_holdings(
    source: SourceFile,
    municipality: Municipality,
    *,
    user: Any = None,
    batch: ImportBatch | None = None,
    expected_fingerprint: str = "",
    skip_names: Collection[str] = (),
) -> HoldingImport:
    """Check the file again and write its new certificates in one transaction, each one in the
    audit trail under its person. Raises ``HoldingsRejectedError`` when the file has errors and
    ``HoldingsChangedError`` when it would write something else than ``expected_fingerprint``."""
    with transaction.atomic():
        # Two imports of the same list at once must not both find the certificates missing and
        # write them twice: the second waits here for the first to commit, then finds them.
        lock_municipality(municipality.pk)
        result = check_holdings(source, municipality, skip_names)
        if result.errors:
            raise HoldingsRejectedError(result)
        if expected_fingerprint and result.fingerprint() != expected_fingerprint:
            raise HoldingsChangedError(result)
        CompetenceHolding.objects.bulk_create(result.new, batch_size=1000)
        saved = _saved(result.new)
        log_changes(saved, "competences.holding.imported", user, data={"file": source.name})
        if batch is not None:
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            batch.counts = result.counts
            batch.save(update_fields=["status", "applied_at", "counts"])
        log_action(
            batch,
            "competences.holdings.imported",
            user,
            data={"municipality": municipality.code, "file": source.name, **result.counts},
        )
    return result


class NamesTakenError(Exception):
    """Someone saved one of the names while the coordinator chose."""


def save_names(municipality: Municipality, chosen: dict[str, tuple[str, Competence]], user: Any) -> int:
    """Save what the coordinator chose a file's unknown names mean (key -> (as written,
    competence)), all or none, each in the audit trail. Raises ``NamesTakenError`` when another
    user saved one of them meanwhile: their choice stands and is not silently replaced."""
    with transaction.atomic():
        lock_municipality(municipality.pk)
        if CompetenceName.objects.filter(municipality=municipality, key__in=list(chosen)).exists():
            raise NamesTakenError
        for key, (written, competence) in chosen.items():
            saved = CompetenceName.objects.create(
                municipality=municipality, written=written, key=key, competence=competence, created_by=user
            )
            log_action(
                saved,
                "competences.name.saved",
                user,
                data={"municipality": municipality.code, "written": written, "competence": competence.code},
            )
    return len(chosen)


def _saved(new: Iterable[CompetenceHolding]) -> list[CompetenceHolding]:
    """The rows just inserted, with their ids (SQLite and PostgreSQL both return them from
    ``bulk_create``; read back only where a backend did not)."""
    holdings = list(new)
    if all(holding.pk is not None for holding in holdings):
        return holdings
    keys = {(h.employee_id, h.competence_id, h.acquired_on) for h in holdings}
    employees = {h.employee_id for h in holdings}
    return [
        h
        for h in CompetenceHolding.objects.filter(employee_id__in=employees)
        if (h.employee_id, h.competence_id, h.acquired_on) in keys
    ]
