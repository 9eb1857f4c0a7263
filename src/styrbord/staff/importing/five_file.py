"""The five-file CSV set municipalities deliver to competence systems.

- bruger.csv: BrugerId, Navn, E-mail, Stilling (optional: Fødselsår, Uddannelse, Relevant uddannelse, CPR)
- organisation.csv: AfdelingsID, Afdelingsnavn, Parentid
- engagement.csv: BrugerId, AfdelingsId, AktivStatus, StillingskodeId, Primær, Engagementstype,
  StartdatoEngagement (optional: SlutdatoEngagement, Ugentlige timer, Ansættelsesnummer,
  Kontaktperson, Timeløn)
- stillingskode.csv: StillingskodeID, Stillingskode (optional: Faggruppe)
- leder.csv: BrugerId, AfdelingsID, Titel (optional file: no managers)

Choices made here (documented in the import page's help):
- person key = "<kommunekode>:<BrugerId>" (HR's own id, namespaced by municipality), or the keyed
  hash of the CPR number when bruger.csv has a CPR column (or BrugerId itself is a CPR number);
- employment number = the Ansættelsesnummer column when present, else "<BrugerId>-<AfdelingsId>"
  (with the first 16 characters of the person key instead of a BrugerId that is a CPR number);
- AktivStatus 1 = active, 0 = on leave; with an end date in the past the employment is ended;
- a leder.csv row makes that person's employment in that department a manager employment
  (job group "Leder", title from Titel).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from django.utils.translation import gettext_noop

from styrbord.lib.dates import local_today
from styrbord.staff.importing.columns import (
    PLAUSIBLE_HOURLY_WAGE,
    WAGE_TOO_HIGH,
    WAGE_TOO_LOW,
    Columns,
    NumberRule,
    cpr_columns,
    notice_long_week,
    notice_unused_cpr,
    refuse_cpr_if_policy,
    refuse_cpr_in_person,
)
from styrbord.staff.importing.reading import Table
from styrbord.staff.importing.records import DepartmentRow, EmploymentRow, JobCodeRow, ParsedSet, PersonRow
from styrbord.staff.importing.values import cpr_birth_year, looks_like_cpr, normalise_header, pseudonymise_cpr
from styrbord.staff.importing.vocabulary import (
    job_group_for_name,
    job_group_for_value,
    kind_for_value,
    status_for_value,
)
from styrbord.staff.models import Employment, JobGroup

ROLES = ("bruger", "organisation", "engagement", "stillingskode", "leder")
REQUIRED_ROLES = ("bruger", "organisation", "engagement", "stillingskode")
_STEMS = {
    "bruger": ("bruger", "brugere"),
    "organisation": ("organisation", "organisationer", "afdeling", "afdelinger"),
    "engagement": ("engagement", "engagementer"),
    "stillingskode": ("stillingskode", "stillingskoder"),
    "leder": ("leder", "ledere"),
}
# Header sets that identify a file when its name does not; checked in this order.
_SIGNATURES = [
    ("engagement", {"brugerid", "afdelingsid", "stillingskodeid"}),
    ("leder", {"brugerid", "afdelingsid", "titel"}),
    ("bruger", {"brugerid", "navn"}),
    ("organisation", {"afdelingsid", "afdelingsnavn"}),
    ("stillingskode", {"stillingskodeid", "stillingskode"}),
]
PERSON_KEY_MAX = 64
EMPLOYMENT_NUMBER_MAX = 40


def role_of(table: Table) -> str | None:
    """Which of the five files a table is: by file name, else by its headers."""
    stem = normalise_header(Path(table.file).stem)
    for role, stems in _STEMS.items():
        if stem in stems:
            return role
    headers = {normalise_header(h) for h in table.headers}
    for role, signature in _SIGNATURES:
        if signature <= headers:
            return role
    return None


# The employment's own rules (decimal places, check constraints): a value the database would
# refuse is an error at its cell, so applying never fails half-way.
HOURS = NumberRule.of(Employment, "weekly_hours")
# The hourly wage cost feeds backfill costs, the planner and grant charges: a monthly or yearly
# figure in the column is refused at its cell (``PLAUSIBLE_HOURLY_WAGE``).
WAGE = dataclasses.replace(
    NumberRule.of(Employment, "hourly_wage"),
    plausible=PLAUSIBLE_HOURLY_WAGE,
    above_plausible=WAGE_TOO_HIGH,
    below_plausible=WAGE_TOO_LOW,
)


def hr_person_key(municipality_code: str, hr_id: str) -> str:
    """The person key of an HR user id: namespaced, since two municipalities may both have user 1042."""
    return f"{municipality_code}:{hr_id}"


def parse_five_file(tables: dict[str, Table], municipality_code: str, parsed: ParsedSet) -> None:
    """Read the set into ``parsed`` (rows, errors). Cross-file references are checked here;
    references to the database (known departments and job codes) are checked by the plan."""
    missing = [role for role in REQUIRED_ROLES if role not in tables]
    if missing:
        parsed.errors.add(
            "",
            None,
            "",
            "",
            gettext_noop("Femfilssættet er ufuldstændigt; disse filer mangler: %(files)s."),
            files=", ".join(f"{role}.csv" for role in missing),
        )
        return
    _job_codes(tables["stillingskode"], parsed)
    _departments(tables["organisation"], parsed)
    users = _users(tables["bruger"], municipality_code, parsed)
    if users is None:
        return  # bruger.csv itself is unusable: every engagement would only repeat that
    by_user_department = _engagements(tables["engagement"], users, parsed)
    if "leder" in tables and by_user_department is not None:
        _managers(tables["leder"], by_user_department, parsed)
    # Only people with an employment in the delivery are imported.
    used = {e.person_key for e in parsed.employments}
    parsed.persons = {key: person for key, person in parsed.persons.items() if key in used}


def _count(parsed: ParsedSet, table: Table) -> None:
    for info in parsed.files:
        if info.name == table.file:
            info.rows += 1


def _job_codes(table: Table, parsed: ParsedSet) -> None:
    cols = Columns(table, parsed.errors)
    cols.duplicate_headers()
    found = cols.require(
        ("StillingskodeID", "Stillingskode-id", "StillingskodeNr"), ("Stillingskode", "Stillingskodenavn")
    )
    if found is None:
        return
    group_col = cols.find("Faggruppe", "Stillingskategori", "Jobgruppe")
    for row, cells in table.rows:
        _count(parsed, table)
        code = cols.text(cells, found["StillingskodeID"])
        name = cols.text(cells, found["Stillingskode"])
        if not code:
            parsed.errors.add(
                table.file, row, table.column(found["StillingskodeID"]), "", gettext_noop("Feltet skal udfyldes.")
            )
            continue
        if code in parsed.job_codes:
            parsed.errors.add(
                table.file,
                row,
                table.column(found["StillingskodeID"]),
                code,
                gettext_noop("Stillingskoden står også i række %(first)s."),
                first=parsed.job_codes[code].row,
            )
            continue
        group = ""
        given = cols.text(cells, group_col)
        if given:
            group = job_group_for_value(given) or ""
            if not group:
                parsed.errors.add(
                    table.file,
                    row,
                    table.column(group_col or 0),
                    given,
                    gettext_noop("Ukendt faggruppe. Brug en af Styrbords faggrupper, f.eks. Socialpædagog/pædagog."),
                )
                continue
        else:
            group = job_group_for_name(name) or ""
        parsed.job_codes[code] = JobCodeRow(code=code, name=name or code, job_group=group, file=table.file, row=row)


def _departments(table: Table, parsed: ParsedSet) -> None:
    cols = Columns(table, parsed.errors)
    cols.duplicate_headers()
    found = cols.require(
        ("AfdelingsID", "Afdelings-id", "AfdelingsNr"),
        ("Afdelingsnavn", "Navn"),
        ("Parentid", "ParentAfdelingsID", "Overordnet"),
    )
    if found is None:
        return
    for row, cells in table.rows:
        _count(parsed, table)
        dept = cols.text(cells, found["AfdelingsID"])
        name = cols.text(cells, found["Afdelingsnavn"])
        parent = cols.text(cells, found["Parentid"])
        if not dept:
            parsed.errors.add(
                table.file, row, table.column(found["AfdelingsID"]), "", gettext_noop("Feltet skal udfyldes.")
            )
            continue
        if dept in parsed.departments:
            parsed.errors.add(
                table.file,
                row,
                table.column(found["AfdelingsID"]),
                dept,
                gettext_noop("Afdelings-id'et står også i række %(first)s."),
                first=parsed.departments[dept].row,
            )
            continue
        if not name:
            parsed.errors.add(
                table.file, row, table.column(found["Afdelingsnavn"]), "", gettext_noop("Feltet skal udfyldes.")
            )
            continue
        if parent in ("0", dept):
            parent = ""
        parsed.departments[dept] = DepartmentRow(dept, name, parent, table.file, row)


def _users(
    table: Table, municipality_code: str, parsed: ParsedSet
) -> dict[str, tuple[str, str, str | None] | None] | None:
    """BrugerId -> (person key, reference for employment numbers, Stilling), None for a user whose
    row has an error (their engagements are then skipped quietly). None when the file is unusable."""
    users: dict[str, tuple[str, str, str | None] | None] = {}
    cols = Columns(table, parsed.errors)
    cols.duplicate_headers()
    found = cols.require(("BrugerId", "Bruger-id", "BrugerNr"), ("Navn", "Fuldt navn"))
    cpr_cols = cpr_columns(table)
    if refuse_cpr_if_policy(table, cpr_cols, parsed.errors) or found is None:
        return None
    id_col = found["BrugerId"]
    cpr_col = next((c for c in cpr_cols if c != id_col), id_col if id_col in cpr_cols else None)
    notice_unused_cpr(table, [c for c in cpr_cols if c not in (cpr_col, id_col)], parsed.warnings)
    email_col = cols.find("E-mail", "Email", "Mail")
    title_col = cols.find("Stilling", "Stillingsbetegnelse")
    birth_col = cols.find("Fødselsår", "Foedselsaar")
    education_col = cols.find("Uddannelse")
    relevant_col = cols.find("Relevant uddannelse", "RelevantUddannelse")
    parsed.person_fields.add("name")
    if email_col is not None:
        parsed.person_fields.add("email")
    if birth_col is not None or cpr_col is not None:
        parsed.person_fields.add("birth_year")
    if education_col is not None:
        parsed.person_fields.add("education")
    if relevant_col is not None:
        parsed.person_fields.add("education_relevant")
    rows_of: dict[str, int] = {}
    for row, cells in table.rows:
        _count(parsed, table)
        hr_id = cols.text(cells, id_col)
        name = cols.text(cells, found["Navn"])
        if not hr_id:
            parsed.errors.add(table.file, row, table.column(id_col), "", gettext_noop("Feltet skal udfyldes."))
            continue
        if hr_id in rows_of:
            parsed.errors.add(
                table.file,
                row,
                table.column(id_col),
                hr_id,
                gettext_noop("Bruger-id'et står også i række %(first)s."),
                first=rows_of[hr_id],
            )
            continue
        rows_of[hr_id] = row
        users[hr_id] = None
        if not name:
            parsed.errors.add(table.file, row, table.column(found["Navn"]), "", gettext_noop("Feltet skal udfyldes."))
            continue
        # An empty cell says nothing (None), as a missing column: an existing person keeps theirs.
        education = cols.text(cells, education_col) or None
        title = cols.text(cells, title_col) or None
        texts = [(name, found["Navn"], True), (education, education_col, False), (title, title_col, False)]
        if not refuse_cpr_in_person(parsed.errors, table, row, texts):
            continue
        birth_year = cols.integer(cells, row, birth_col)
        if cpr_col is not None:
            cpr = cols.text(cells, cpr_col)
            if not looks_like_cpr(cpr):
                parsed.errors.add(
                    table.file,
                    row,
                    table.column(cpr_col),
                    cpr,
                    gettext_noop("Ugyldigt CPR-nummer (skal være ddmmåå-xxxx med en gyldig dato)."),
                )
                continue
            key = pseudonymise_cpr(cpr)
            birth_year = birth_year or cpr_birth_year(cpr)
            ref = hr_id if cpr_col != id_col else key[:16]
        else:
            key = hr_person_key(municipality_code, hr_id)
            ref = hr_id
            if len(key) > PERSON_KEY_MAX:
                parsed.errors.add(
                    table.file, row, table.column(id_col), hr_id, gettext_noop("Bruger-id'et er for langt.")
                )
                continue
        users[hr_id] = (key, ref, title)
        parsed.persons[key] = PersonRow(
            key=key,
            name=name,
            file=table.file,
            row=row,
            email=cols.text(cells, email_col) or None,
            birth_year=birth_year,
            education=education,
            education_relevant=cols.boolean(cells, row, relevant_col),
        )
    return users


def _engagements(
    table: Table, users: dict[str, tuple[str, str, str | None] | None], parsed: ParsedSet
) -> dict[tuple[str, str], int | None] | None:
    """Read engagement.csv; returns (BrugerId, AfdelingsId) -> index in ``parsed.employments``
    (None for a row with an error). None when the file is unusable."""
    index: dict[tuple[str, str], int | None] = {}
    cols = Columns(table, parsed.errors)
    cols.duplicate_headers()
    found = cols.require(
        ("BrugerId", "Bruger-id"),
        ("AfdelingsId", "Afdelings-id"),
        ("AktivStatus", "Status"),
        ("StillingskodeId", "Stillingskode-id", "Stillingskode"),
        ("Primær", "Primaer", "PrimærEngagement"),
        ("Engagementstype", "Ansættelsestype"),
        ("StartdatoEngagement", "Startdato"),
    )
    cpr_cols = [c for c in cpr_columns(table) if found is None or c != found["BrugerId"]]
    if refuse_cpr_if_policy(table, cpr_cols, parsed.errors) or found is None:
        return None
    notice_unused_cpr(table, cpr_cols, parsed.warnings)
    number_col = cols.find(
        "Ansættelsesnummer", "Ansaettelsesnummer", "EngagementId", "Engagementsnummer", "Tjenestenummer"
    )
    end_col = cols.find("SlutdatoEngagement", "Slutdato", "Fratrædelsesdato")
    hours_col = cols.find("Ugentlige timer", "Timer pr. uge", "Timer", "Arbejdstid", "Ugentlig arbejdstid")
    contact_col = cols.find("Kontaktperson")
    wage_col = cols.find("Timeløn", "Timeloen", "Lønomkostning pr. time")
    parsed.employment_fields |= {
        "facility",
        "unit",
        "job_group",
        "job_code",
        "kind",
        "title",
        "is_primary",
        "start_date",
        "status",
    }
    for name, col in (
        ("end_date", end_col),
        ("weekly_hours", hours_col),
        ("is_contact_person", contact_col),
        ("hourly_wage", wage_col),
    ):
        if col is not None:
            parsed.employment_fields.add(name)
    today = local_today()
    numbers: dict[str, int] = {}
    for row, cells in table.rows:
        _count(parsed, table)
        errors_before = parsed.errors.total
        hr_id = cols.text(cells, found["BrugerId"])
        dept = cols.text(cells, found["AfdelingsId"])
        code = cols.text(cells, found["StillingskodeId"])
        user = users.get(hr_id)
        if hr_id in users and user is None:
            continue  # the user's own row is wrong, and already reported
        if user is None:
            parsed.errors.add(
                table.file,
                row,
                table.column(found["BrugerId"]),
                hr_id,
                gettext_noop("Medarbejderen findes ikke i bruger-filen."),
            )
        for col_name, value in (("AfdelingsId", dept), ("StillingskodeId", code)):
            if not value:
                parsed.errors.add(
                    table.file, row, table.column(found[col_name]), "", gettext_noop("Feltet skal udfyldes.")
                )
        kind_text = cols.text(cells, found["Engagementstype"])
        kind = kind_for_value(kind_text)
        if kind is None:
            parsed.errors.add(
                table.file,
                row,
                table.column(found["Engagementstype"]),
                kind_text,
                gettext_noop(
                    "Ukendt engagementstype; brug f.eks. Fastansat, Tidsbegrænset, Timelønnet, Elev, Studerende eller Praktikant."
                ),
            )
        status_text = cols.text(cells, found["AktivStatus"])
        status = status_for_value(status_text)
        if status is None:
            parsed.errors.add(
                table.file,
                row,
                table.column(found["AktivStatus"]),
                status_text,
                gettext_noop("Ukendt status; brug 1 (aktiv) eller 0 (inaktiv)."),
            )
        start = cols.date(cells, row, found["StartdatoEngagement"], required=True)
        end = cols.date(cells, row, end_col, open_end=True)
        hours = cols.decimal(cells, row, hours_col, HOURS)
        notice_long_week(parsed.warnings, table, row, hours_col, hours)
        wage = cols.decimal(cells, row, wage_col, WAGE)
        primary = cols.boolean(cells, row, found["Primær"])
        contact = cols.boolean(cells, row, contact_col)
        number = cols.text(cells, number_col) if number_col is not None else ""
        if number_col is not None and not number:
            parsed.errors.add(table.file, row, table.column(number_col), "", gettext_noop("Feltet skal udfyldes."))
        # A repeated number is reported whatever else is wrong in either row: one upload shows every error.
        if user is not None and (number or number_col is None):
            number = number or f"{user[1]}-{dept}"
            if not _check_number(parsed, table, row, number_col, number, numbers):
                index.setdefault((hr_id, dept), None)
                continue
        if parsed.errors.total > errors_before or user is None or start is None:
            index[(hr_id, dept)] = None
            continue
        person_key, _ref, title = user
        end, status = _end_and_status(parsed, table, row, end_col, start, end, str(status), today)
        if status is None:
            index[(hr_id, dept)] = None
            continue
        index[(hr_id, dept)] = len(parsed.employments)
        parsed.employments.append(
            EmploymentRow(
                number=number,
                person_key=person_key,
                file=table.file,
                row=row,
                start_date=start,
                department_id=dept,
                job_code=code,
                kind=str(kind),
                title=title,
                weekly_hours=hours,
                is_contact_person=contact,
                is_primary=primary,
                end_date=end,
                status=status,
                hourly_wage=wage,
                kind_given=bool(kind_text),
                status_given=bool(status_text) or status == "ended",
            )
        )
    return index


def _check_number(
    parsed: ParsedSet, table: Table, row: int, col: int | None, number: str, seen: dict[str, int]
) -> bool:
    column = table.column(col) if col is not None else "BrugerId + AfdelingsId"
    if number in seen:
        parsed.errors.add(
            table.file,
            row,
            column,
            number,
            gettext_noop("Ansættelsesnummeret står også i række %(first)s."),
            first=seen[number],
        )
        return False
    if len(number) > EMPLOYMENT_NUMBER_MAX:
        parsed.errors.add(
            table.file, row, column, number, gettext_noop("Ansættelsesnummeret er for langt (højst 40 tegn).")
        )
        return False
    seen[number] = row
    return True


def _end_and_status(
    parsed: ParsedSet,
    table: Table,
    row: int,
    end_col: int | None,
    start: dt.date,
    end: dt.date | None,
    status: str,
    today: dt.date,
) -> tuple[dt.date | None, str | None]:
    """An end date before the start is an error; an end date in the past means the employment ended."""
    if end is not None and end < start:
        parsed.errors.add(
            table.file,
            row,
            table.column(end_col or 0),
            end.strftime("%d-%m-%Y"),
            gettext_noop("Slutdatoen ligger før startdatoen."),
        )
        return None, None
    if end is not None and end < today:
        return end, "ended"
    if status == "ended" and end is None:
        parsed.errors.add(
            table.file,
            row,
            table.column(end_col or 0),
            "",
            gettext_noop("En fratrådt ansættelse skal have en slutdato."),
        )
        return None, None
    return end, status


def _managers(table: Table, index: dict[tuple[str, str], int | None], parsed: ParsedSet) -> None:
    cols = Columns(table, parsed.errors)
    cols.duplicate_headers()
    found = cols.require(("BrugerId", "Bruger-id"), ("AfdelingsID", "Afdelings-id"), ("Titel", "Ledertitel"))
    if found is None:
        return
    for row, cells in table.rows:
        _count(parsed, table)
        hr_id = cols.text(cells, found["BrugerId"])
        dept = cols.text(cells, found["AfdelingsID"])
        position = index.get((hr_id, dept))
        if (hr_id, dept) in index and position is None:
            continue  # the engagement row is wrong, and already reported
        if position is None:
            parsed.errors.add(
                table.file,
                row,
                table.column(found["BrugerId"]),
                hr_id,
                gettext_noop("Lederen har ingen ansættelse i afdeling %(department)s i engagement-filen."),
                department=dept,
            )
            continue
        employment = parsed.employments[position]
        employment.job_group = str(JobGroup.MANAGER)
        employment.title = cols.text(cells, found["Titel"]) or employment.title
