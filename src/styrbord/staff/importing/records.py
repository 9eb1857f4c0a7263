"""What a parsed HR delivery looks like before it meets the database: people, employments,
departments and job codes, each remembering the file and row it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from styrbord.staff.importing.errors import IssueList


@dataclass(slots=True)
class PersonRow:
    """A person. ``None`` in an optional field means "the file does not say", so it is left alone:
    an empty cell is read as ``None`` too, so it never clears what Styrbord has for an existing person."""

    key: str
    name: str
    file: str
    row: int
    email: str | None = None
    birth_year: int | None = None
    education: str | None = None
    education_relevant: bool | None = None


@dataclass(slots=True)
class EmploymentRow:
    """An employment. Department by HR id (``department_id``) or facility by name.

    ``None`` in an optional field means "the file does not say" (an empty cell too): an existing
    employment keeps its value. ``kind`` and ``status`` always hold a value (the default for a new
    employment when the cell is empty); ``kind_given`` / ``status_given`` say whether the file gave
    it, so that an empty cell does not reset an existing employment's type or status. The end
    date is the exception: an empty end date means "no end" (the employment is open)."""

    number: str
    person_key: str
    file: str
    row: int
    start_date: dt.date
    department_id: str = ""
    facility_name: str = ""
    job_code: str = ""
    job_group: str = ""
    kind: str = "permanent"
    title: str | None = None
    weekly_hours: Decimal | None = None
    is_contact_person: bool | None = None
    is_primary: bool | None = None
    end_date: dt.date | None = None
    status: str = "active"
    hourly_wage: Decimal | None = None
    kind_given: bool = True
    status_given: bool = True


@dataclass(slots=True)
class DepartmentRow:
    """A row of organisation.csv: an HR department and its parent."""

    department_id: str
    name: str
    parent_id: str
    file: str
    row: int


@dataclass(slots=True)
class JobCodeRow:
    """A row of stillingskode.csv; ``job_group`` is empty when neither the file nor the rules know it."""

    code: str
    name: str
    job_group: str
    file: str
    row: int


@dataclass
class FileInfo:
    """What was sniffed about a file, shown in the preview."""

    name: str
    role: str
    kind: str
    encoding: str
    delimiter: str
    sheet: str = ""  # the worksheet read, when the workbook has several
    rows: int = 0


@dataclass
class ParsedSet:
    """Everything read from one delivery (one generic file, or the five-file set)."""

    source_format: str
    persons: dict[str, PersonRow] = field(default_factory=dict)
    employments: list[EmploymentRow] = field(default_factory=list)
    departments: dict[str, DepartmentRow] = field(default_factory=dict)
    job_codes: dict[str, JobCodeRow] = field(default_factory=dict)
    # Which optional fields the files provide; fields not provided are never overwritten.
    person_fields: set[str] = field(default_factory=set)
    employment_fields: set[str] = field(default_factory=set)
    files: list[FileInfo] = field(default_factory=list)
    # A generic file's own header for our fields (e.g. "job_code" -> "Stillingskode"), so that a
    # message about a reference names the column as the file does; with the field when the column
    # is read by several ("Stilling (Faggruppe)"). The five-file set uses its standard names.
    headers: dict[str, str] = field(default_factory=dict)
    errors: IssueList = field(default_factory=IssueList)
    warnings: IssueList = field(default_factory=IssueList)
