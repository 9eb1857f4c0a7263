"""A generic CSV or XLSX with one row per employment, read through a saved column mapping.

The mapping says, for each of Styrbord's fields, which column header of the file holds it. A
header may be given to several fields: a municipal file's "Stilling" is the job title and, by its
name, the job group (the mapping page allows it within ``SHARING_GROUPS``). A message about such
a column's cell names the field too, "Stilling (Faggruppe)".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from styrbord.lib.cpr import contains_cpr
from styrbord.lib.dates import local_today
from styrbord.staff.importing.columns import (
    BAD_INTEGER,
    BAD_YES_NO,
    CPR_IN_OTHER_FIELD,
    NAME_WITH_CPR,
    Columns,
    cpr_columns,
    notice_long_week,
    notice_unused_cpr,
    parse_int,
    refuse_cpr_if_policy,
    refuse_cpr_in_person,
)
from styrbord.staff.importing.five_file import EMPLOYMENT_NUMBER_MAX, HOURS, PERSON_KEY_MAX, WAGE, hr_person_key
from styrbord.staff.importing.reading import Table
from styrbord.staff.importing.records import EmploymentRow, ParsedSet, PersonRow
from styrbord.staff.importing.values import (
    cpr_birth_year,
    looks_like_cpr,
    normalise_header,
    parse_bool,
    pseudonymise_cpr,
)
from styrbord.staff.importing.vocabulary import job_group_for_value, kind_for_value, status_for_value


@dataclass(frozen=True)
class Field:
    """One of Styrbord's import fields, with the header names it is guessed from. A ``fallback``
    header is guessed only when no other field of its required group is: "Afdeling" is the
    department in a file without a facility column, but often a unit's name beside one."""

    key: str
    label: object
    guesses: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()


FIELDS: list[Field] = [
    Field(
        "employment_number",
        _("Ansættelsesnummer"),
        (
            "Ansættelsesnummer",
            "Ansættelsesnr",
            "Engagementsnummer",
            "EngagementId",
            "Tjenestenummer",
            "Tjenestenr",
            "Tj.nr",
        ),
    ),
    Field(
        "person_id",
        _("Medarbejder-id (HR)"),
        ("BrugerId", "Medarbejder-id", "Medarbejdernummer", "Medarbejdernr", "Lønnummer"),
    ),
    Field(
        "cpr",
        _("CPR-nummer (gemmes aldrig; bliver til en pseudonym nøgle)"),
        ("CPR", "CPR-nr", "CPR-nummer", "Personnummer"),
    ),
    Field("name", _("Navn"), ("Navn", "Fuldt navn", "Medarbejdernavn")),
    # A name in parts (KMD, Silkeborg Data and SD export first and last name apart): used when
    # no whole name column is there (``guess_mapping``).
    Field("first_name", _("Fornavn"), ("Fornavn", "Fornavne", "Fornavn(e)", "Forn.")),
    Field("middle_name", _("Mellemnavn"), ("Mellemnavn", "Mellemnavne", "Mellemnavn(e)", "Mellemn.")),
    Field("last_name", _("Efternavn"), ("Efternavn", "Efternavne", "Efternavn(e)", "Eftern.")),
    Field("email", _("E-mail"), ("E-mail", "Email", "Mail")),
    Field("birth_year", _("Fødselsår"), ("Fødselsår",)),
    Field("education", _("Uddannelse"), ("Uddannelse",)),
    Field("education_relevant", _("Relevant uddannelse (ja/nej)"), ("Relevant uddannelse",)),
    Field(
        "department_id",
        _("Afdelings-id (HR)"),
        ("AfdelingsId", "Afdelings-id", "Afdelingsnummer", "Omkostningssted"),
        fallback=("Afdeling",),
    ),
    Field("facility", _("Tilbud (navn)"), ("Tilbud", "Arbejdssted", "Institution")),
    Field("job_code", _("Stillingskode"), ("Stillingskode", "StillingskodeId", "Stillingskode-id")),
    Field("job_group", _("Faggruppe"), ("Faggruppe", "Stillingskategori", "Jobgruppe")),
    Field("kind", _("Ansættelsestype"), ("Ansættelsestype", "Engagementstype")),
    Field("title", _("Stilling"), ("Stilling", "Stillingsbetegnelse", "Titel")),
    Field(
        "weekly_hours",
        _("Ugentlige timer"),
        (
            "Ugentlige timer",
            "Timer pr. uge",
            "Timer/uge",
            "Ugentlig arbejdstid",
            "Ugentlig arb.tid",
            "Arbejdstid pr. uge",
            "Timer",
            "Arbejdstid",
        ),
    ),
    Field("is_contact_person", _("Kontaktperson (ja/nej)"), ("Kontaktperson",)),
    Field("is_primary", _("Primær ansættelse (ja/nej)"), ("Primær", "Primær ansættelse")),
    Field("start_date", _("Startdato"), ("Startdato", "Ansat fra", "Ansættelsesdato", "StartdatoEngagement")),
    Field("end_date", _("Slutdato"), ("Slutdato", "Ansat til", "Fratrædelsesdato", "SlutdatoEngagement")),
    Field("status", _("Status"), ("Status", "AktivStatus")),
    Field("hourly_wage", _("Timeløn (lønomkostning)"), ("Timeløn", "Lønomkostning pr. time")),
]
FIELD_KEYS = frozenset(f.key for f in FIELDS)
# A required group is one field, or alternatives of which one is enough ("Stillingskode eller
# Faggruppe"); an alternative may be fields that count only together ("Fornavn og Efternavn").
Alternative = tuple[str, ...]
Group = tuple[Alternative, ...]
# Each group needs one of its alternatives mapped: every field of it.
REQUIRED_GROUPS: list[Group] = [
    (("employment_number",),),
    (("name",), ("first_name", "last_name")),
    (("start_date",),),
    (("person_id",), ("cpr",)),
    (("department_id",), ("facility",)),
    (("job_code",), ("job_group",)),
]
# The parts a name is joined from, in order (single spaces, empty parts left out): instead of a
# whole name column, never beside one. The middle name is optional.
NAME_PARTS = ("first_name", "middle_name", "last_name")
_PERSON_OPTIONAL = ("email", "birth_year", "education", "education_relevant")
_EMPLOYMENT_OPTIONAL = (
    "title",
    "weekly_hours",
    "is_contact_person",
    "is_primary",
    "end_date",
    "status",
    "hourly_wage",
    "kind",
)


# Fields that may read one and the same column, each group on its own. A payroll's "Stilling"
# ("Pædagog", "Social- og sundhedsassistent") is the job title and what the job group is found
# from (Styrbord's name rules) or the job code Styrbord knows it by. Any other column chosen for
# two fields on the mapping page is most likely a slip of the select (the surname as name and
# title), and refused there (a saved mapping is read as it is: it always could share a column).
SHARING_GROUPS: tuple[frozenset[str], ...] = (frozenset({"title", "job_code", "job_group"}),)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A first suggestion for the mapping form: fields whose usual header names occur in the file
    (a ``fallback`` name only for a field none of whose required alternatives is found; the parts
    of a name only when no whole name column is found)."""
    by_norm = {normalise_header(h): h for h in headers if h}
    guess: dict[str, str] = {}

    def first(names: tuple[str, ...]) -> str | None:
        for name in names:
            header = by_norm.get(normalise_header(name))
            if header is not None and header not in guess.values():
                return header
        return None

    for f in FIELDS:
        header = first(f.guesses)
        if header is not None:
            guess[f.key] = header
    for f in FIELDS:
        if f.fallback and f.key not in guess and not any(key in guess for key in _other_keys(f.key)):
            header = first(f.fallback)
            if header is not None:
                guess[f.key] = header
    if "name" in guess:
        for key in NAME_PARTS:
            guess.pop(key, None)
    return guess


def required_group(key: str) -> Group:
    """The required group ``key`` belongs to (one of its alternatives must have columns), else ()."""
    return next((group for group in REQUIRED_GROUPS if any(key in alternative for alternative in group)), ())


def alternatives(key: str) -> Group:
    """The other alternatives of ``key``'s required group (any one of them will do), else ()."""
    return tuple(alternative for alternative in required_group(key) if key not in alternative)


def _other_keys(key: str) -> set[str]:
    return {other for alternative in alternatives(key) for other in alternative}


def missing_groups(mapping: dict[str, str]) -> list[Group]:
    """The required groups none of whose alternatives has a column for each of its fields."""
    return [
        group
        for group in REQUIRED_GROUPS
        if not any(all(mapping.get(key) for key in alternative) for alternative in group)
    ]


def name_given_twice(mapping: dict[str, str]) -> bool:
    """Whether the mapping gives the name a whole column and parts too (which one would it be?)."""
    return bool(mapping.get("name")) and any(mapping.get(key) for key in NAME_PARTS)


def field_label(key: str) -> str:
    return next(str(f.label) for f in FIELDS if f.key == key)


def and_list(items: list[str]) -> str:
    """'Navn og Stilling', 'Navn, Stilling og Titel'."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + gettext(" og ") + items[-1]


def alternative_text(alternative: Alternative) -> str:
    """'Faggruppe', 'Fornavn og Efternavn'."""
    return and_list([field_label(key) for key in alternative])


def group_text(group: Group) -> str:
    """A required group as the messages name it: 'Navn eller Fornavn og Efternavn', 'Stillingskode
    eller Faggruppe'."""
    return gettext(" eller ").join(alternative_text(alternative) for alternative in group)


def _groups_text(groups: list[Group]) -> str:
    return "; ".join(group_text(group) for group in groups)


def fields_by_column(mapping: dict[str, str]) -> dict[str, list[str]]:
    """Each column the mapping chooses (its header as first given; headers that differ only in case,
    spaces, dots or dashes are one column, as the file reads them) with its fields, in ``FIELDS`` order."""
    by_norm: dict[str, tuple[str, list[str]]] = {}
    for f in FIELDS:
        header = mapping.get(f.key)
        if header:
            by_norm.setdefault(normalise_header(header), (header, []))[1].append(f.key)
    return dict(by_norm.values())


def may_share(keys: list[str]) -> bool:
    """Whether these fields may all read one column (one of ``SHARING_GROUPS`` holds them all)."""
    return len(keys) < 2 or any(set(keys) <= group for group in SHARING_GROUPS)


def badly_shared(mapping: dict[str, str]) -> list[tuple[str, list[str]]]:
    """The columns chosen for several fields that cannot share one: (header, fields)."""
    return [(header, keys) for header, keys in fields_by_column(mapping).items() if not may_share(keys)]


def fields_text(keys: list[str]) -> str:
    """'Navn og Stilling', the fields' labels in the active language."""
    return and_list([field_label(key) for key in keys])


def sharing_text() -> str:
    """The fields that may share a column: 'Stillingskode, Faggruppe og Stilling'."""
    return gettext(" eller ").join(fields_text([f.key for f in FIELDS if f.key in group]) for group in SHARING_GROUPS)


MAPPING_LACKS_ONE = gettext_noop("Kolonneopsætningen mangler et påkrævet felt: %(fields)s.")
MAPPING_LACKS_SEVERAL = gettext_noop("Kolonneopsætningen mangler påkrævede felter: %(fields)s.")
MAPPING_NAME_TWICE = gettext_noop(
    "Kolonneopsætningen har både en kolonne til Navn og til Fornavn, Mellemnavn eller Efternavn. Brug enten Navn "
    "eller Fornavn og Efternavn (og evt. Mellemnavn)."
)


def mapping_problems(mapping: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """What is wrong with a mapping itself (unknown fields, required ones missing, a name given
    both whole and in parts): Danish msgids with their parameters (field names translated when
    shown). A column given to several fields is not one: a saved mapping could always do so, and
    keeps working; the mapping page allows it only within ``SHARING_GROUPS``."""
    problems: list[tuple[str, dict[str, Any]]] = []
    unknown = set(mapping) - FIELD_KEYS
    if unknown:
        problems.append((gettext_noop("Kolonneopsætningen nævner ukendte felter."), {}))
    missing = missing_groups(mapping)
    if missing:
        msgid = MAPPING_LACKS_ONE if len(missing) == 1 else MAPPING_LACKS_SEVERAL
        problems.append((msgid, {"fields": lazy(_groups_text, str)(missing)}))
    if name_given_twice(mapping):
        problems.append((MAPPING_NAME_TWICE, {}))
    return problems


def parse_generic(table: Table, mapping: dict[str, str], municipality_code: str, parsed: ParsedSet) -> None:
    """Read one generic file into ``parsed`` with ``mapping`` (our field -> their header)."""
    cols = Columns(table, parsed.errors)
    cols.duplicate_headers()
    for msgid, params in mapping_problems(mapping):
        parsed.errors.add(table.file, None, "", "", msgid, **params)
    index: dict[str, int] = {}
    # A column of an optional field that the file lacks is left unused (said in a note); only a
    # required field's is an error (one whose group no other column of the file satisfies).
    present = {key: header for key, header in mapping.items() if header and cols.find(header) is not None}
    unmet = {key for group in missing_groups(present) for alternative in group for key in alternative}
    missing_named: set[str] = set()  # a column missing for two fields is named once
    for key, header in mapping.items():
        if not header or key not in FIELD_KEYS:
            continue
        found = cols.find(header)
        if found is None and key in unmet and header in missing_named:
            continue
        if found is None and key not in unmet:
            parsed.warnings.add(
                table.file,
                table.header_row,
                header,
                "",
                gettext_noop(
                    "Kolonnen %(column)s (%(field)s) fra kolonneopsætningen findes ikke i filen. Feltet er ikke "
                    "påkrævet, så det indlæses ikke: Styrbords værdier bevares."
                ),
                column=header,
                field=lazy(field_label, str)(key),
            )
        elif found is None and len(table.sheets) > 1:
            missing_named.add(header)
            parsed.errors.add(
                table.file,
                table.header_row,
                header,
                "",
                gettext_noop(
                    "Kolonnen %(column)s fra kolonneopsætningen findes ikke på arket %(sheet)s. Filens ark: %(sheets)s."
                ),
                column=header,
                sheet=table.sheet,
                sheets=", ".join(table.sheets),
            )
        elif found is None:
            missing_named.add(header)
            parsed.errors.add(
                table.file,
                table.header_row,
                header,
                "",
                gettext_noop("Kolonnen %(column)s fra kolonneopsætningen findes ikke i filen."),
                column=header,
            )
        else:
            index[key] = found
    parsed.headers.update(_where(table, index))
    cpr_cols = cpr_columns(table)
    if refuse_cpr_if_policy(table, cpr_cols, parsed.errors) or parsed.errors:
        return
    if not _place_cpr_columns(table, cpr_cols, index, parsed):
        return
    parsed.person_fields |= {"name", *(k for k in _PERSON_OPTIONAL if k in index)}
    if "cpr" in index and "birth_year" not in index:
        parsed.person_fields.add("birth_year")
    # Only what the mapping gives a column is written: the facility (from a department or a
    # facility name), the job group (given, or from the job code) and the start date always;
    # the unit only from a department column, the job code only from its own column.
    parsed.employment_fields |= {"facility", "job_group", "start_date"}
    if "department_id" in index:
        parsed.employment_fields.add("unit")
    if "job_code" in index:
        parsed.employment_fields.add("job_code")
    parsed.employment_fields |= {k for k in _EMPLOYMENT_OPTIONAL if k in index}
    if "end_date" in index:
        parsed.employment_fields.add("status")  # a past end date ends the employment
    today = local_today()
    numbers: dict[str, int] = {}
    file = table.file
    for row, cells in table.rows:
        parsed.files[-1].rows += 1
        before = parsed.errors.total
        width = len(cells)
        # Each mapped field's stripped text, read once (a missing cell at the end of a row is empty).
        text = {key: cells[i].strip() if i < width else "" for key, i in index.items()}
        person = _person(cols, text, row, index, municipality_code, parsed)
        employment = _employment(cols, text, row, index, parsed, today)
        # A repeated number is reported whatever else is wrong in either row: one upload shows every error.
        number = text.get("employment_number", "")
        if number in numbers:
            parsed.errors.add(
                file,
                row,
                parsed.headers["employment_number"],
                number,
                gettext_noop("Ansættelsesnummeret står også i række %(first)s."),
                first=numbers[number],
            )
            continue
        if number:
            numbers[number] = row
        if parsed.errors.total > before or person is None or employment is None:
            continue
        employment.person_key = person.key
        parsed.persons[person.key] = person  # a person on several rows: the last row's details win
        parsed.employments.append(employment)


def _where(table: Table, index: dict[str, int]) -> dict[str, str]:
    """What a message about each mapped field names as its column: the header, and for a column
    read by several fields (``SHARING_GROUPS``) the field too, "Stilling (Faggruppe)", unless the
    header is the field's own name ("Stilling" for the title)."""
    readers: dict[int, int] = {}
    for found in index.values():
        readers[found] = readers.get(found, 0) + 1
    where = {}
    for key, found in index.items():
        header = table.column(found)
        label = field_label(key)
        shared = readers[found] > 1 and normalise_header(header) != normalise_header(label)
        where[key] = f"{header} ({label})" if shared else header
    return where


def _place_cpr_columns(table: Table, cpr_cols: list[int], index: dict[str, int], parsed: ParsedSet) -> bool:
    """CPR numbers are never stored: a person-id column holding them is read as the CPR column (a
    pseudonymous key, as the five-file set does); one mapped to any other field is an error; one
    not mapped is named in a warning (it would otherwise be ignored without a word)."""
    if "cpr" not in index and index.get("person_id") in cpr_cols:
        index["cpr"] = index.pop("person_id")
        parsed.headers["cpr"] = parsed.headers.pop("person_id")
    mapped: dict[int, set[str]] = {}
    for key, i in index.items():
        mapped.setdefault(i, set()).add(key)
    refused = False
    for column in cpr_cols:
        keys = mapped.get(column)
        if not keys:
            notice_unused_cpr(table, [column], parsed.warnings)
        elif keys != {"cpr"}:
            parsed.errors.add(
                table.file, table.header_row, table.column(column), "", CPR_IN_OTHER_FIELD, column=table.column(column)
            )
            refused = True
    return not refused


def _person(
    cols: Columns, text: dict[str, str], row: int, index: dict[str, int], municipality_code: str, parsed: ParsedSet
) -> PersonRow | None:
    file = cols.table.file
    where = parsed.headers  # each field's column as messages name it
    # A name in parts is joined with single spaces, empty parts left out.
    name_keys = _name_keys(index)
    name = " ".join(part for key in name_keys if (part := text.get(key, "")))
    if not name:
        parsed.errors.add(file, row, _name_column(parsed, name_keys), "", gettext_noop("Feltet skal udfyldes."))
        return None
    clean = refuse_cpr_in_person(
        parsed.errors,
        cols.table,
        row,
        [
            *((text.get(key), where[key], True) for key in name_keys),
            (text.get("education"), where.get("education"), False),
            (text.get("title"), where.get("title"), False),
        ],
    )
    if len(name_keys) > 1 and contains_cpr(name) and not any(contains_cpr(text.get(key)) for key in name_keys):
        parsed.errors.add(file, row, _name_column(parsed, name_keys), name, NAME_WITH_CPR)  # made by joining
        clean = False
    if not clean:
        return None
    birth_year = cols.typed(
        text.get("birth_year", ""), row, index.get("birth_year"), parse_int, BAD_INTEGER, where=where.get("birth_year")
    )
    cpr = text.get("cpr", "")
    hr_id = text.get("person_id", "")
    if cpr:
        if not looks_like_cpr(cpr):
            parsed.errors.add(
                file,
                row,
                where["cpr"],
                cpr,
                gettext_noop("Ugyldigt CPR-nummer (skal være ddmmåå-xxxx med en gyldig dato)."),
            )
            return None
        key = pseudonymise_cpr(cpr)
        birth_year = birth_year or cpr_birth_year(cpr)
    elif hr_id:
        key = hr_person_key(municipality_code, hr_id)
        if len(key) > PERSON_KEY_MAX:
            parsed.errors.add(file, row, where["person_id"], hr_id, gettext_noop("Medarbejder-id'et er for langt."))
            return None
    else:
        column = where.get("person_id") or where.get("cpr", "")
        parsed.errors.add(file, row, column, "", gettext_noop("Rækken mangler et medarbejder-id eller CPR-nummer."))
        return None
    return PersonRow(
        key=key,
        name=name,
        file=file,
        row=row,
        # An empty cell says nothing (None): an existing person keeps what Styrbord has.
        email=text.get("email") or None,
        birth_year=birth_year,
        education=text.get("education") or None,
        education_relevant=cols.typed(
            text.get("education_relevant", ""),
            row,
            index.get("education_relevant"),
            parse_bool,
            BAD_YES_NO,
            where=where.get("education_relevant"),
        ),
    )


def _name_keys(index: dict[str, int]) -> list[str]:
    """Where a row's name is read from: the name column, else the name parts mapped, in order."""
    return ["name"] if "name" in index else [key for key in NAME_PARTS if key in index]


def _name_column(parsed: ParsedSet, keys: list[str]) -> str:
    """The column an error about the name names: its header, or the parts' ("Fornavn + Efternavn")."""
    return " + ".join(parsed.headers[key] for key in keys)


def _employment(
    cols: Columns, text: dict[str, str], row: int, index: dict[str, int], parsed: ParsedSet, today: dt.date
) -> EmploymentRow | None:
    file = cols.table.file
    where = parsed.headers  # each field's column as messages name it
    number = text.get("employment_number", "")
    if not number:
        parsed.errors.add(file, row, where["employment_number"], "", gettext_noop("Feltet skal udfyldes."))
    elif len(number) > EMPLOYMENT_NUMBER_MAX:
        parsed.errors.add(
            file,
            row,
            where["employment_number"],
            number,
            gettext_noop("Ansættelsesnummeret er for langt (højst 40 tegn)."),
        )
    department = text.get("department_id", "")
    facility = text.get("facility", "")
    if not department and not facility:
        parsed.errors.add(
            file,
            row,
            where.get("department_id") or where.get("facility", ""),
            "",
            gettext_noop("Rækken mangler en afdeling eller et tilbud."),
        )
    job_code = text.get("job_code", "")
    group_text = text.get("job_group", "")
    job_group = ""
    if group_text:
        job_group = job_group_for_value(group_text) or ""
        if not job_group:
            parsed.errors.add(
                file,
                row,
                parsed.headers["job_group"],
                group_text,
                gettext_noop("Ukendt faggruppe. Brug en af Styrbords faggrupper, f.eks. Socialpædagog/pædagog."),
            )
    elif not job_code:
        parsed.errors.add(
            file,
            row,
            parsed.headers.get("job_code") or parsed.headers.get("job_group", ""),
            "",
            gettext_noop("Rækken mangler en stillingskode eller faggruppe."),
        )
    kind_text = text.get("kind", "")
    kind = kind_for_value(kind_text)
    if kind is None:
        parsed.errors.add(
            file,
            row,
            where["kind"],
            kind_text,
            gettext_noop(
                "Ukendt ansættelsestype; brug f.eks. Fastansat, Tidsbegrænset, Timelønnet, Elev, Studerende eller Praktikant."
            ),
        )
    status_text = text.get("status", "")
    status = status_for_value(status_text)
    if status is None:
        parsed.errors.add(
            file,
            row,
            where["status"],
            status_text,
            gettext_noop("Ukendt status; brug Aktiv, Orlov eller Fratrådt."),
        )
    start = cols.day(text["start_date"], row, index["start_date"], required=True, where=where["start_date"])
    end = cols.day(text.get("end_date", ""), row, index.get("end_date"), open_end=True, where=where.get("end_date"))
    hours = cols.number(text.get("weekly_hours", ""), row, index.get("weekly_hours"), HOURS, where.get("weekly_hours"))
    notice_long_week(parsed.warnings, cols.table, row, where.get("weekly_hours"), hours)
    wage = cols.number(text.get("hourly_wage", ""), row, index.get("hourly_wage"), WAGE, where.get("hourly_wage"))
    contact = cols.typed(
        text.get("is_contact_person", ""),
        row,
        index.get("is_contact_person"),
        parse_bool,
        BAD_YES_NO,
        where=where.get("is_contact_person"),
    )
    primary = cols.typed(
        text.get("is_primary", ""), row, index.get("is_primary"), parse_bool, BAD_YES_NO, where=where.get("is_primary")
    )
    title = text.get("title") or None  # empty: an existing employment keeps its title
    if start is None or kind is None or status is None or not number:
        return None
    if end is not None and end < start:
        parsed.errors.add(
            file,
            row,
            where["end_date"],
            end.strftime("%d-%m-%Y"),
            gettext_noop("Slutdatoen ligger før startdatoen."),
        )
        return None
    if end is not None and end < today:
        status = "ended"
        status_text = status_text or status  # the end date gives it
    elif status == "ended" and end is None:
        parsed.errors.add(
            file,
            row,
            where.get("status", ""),
            status_text,
            gettext_noop("En fratrådt ansættelse skal have en slutdato."),
        )
        return None
    return EmploymentRow(
        number=number,
        person_key="",
        file=file,
        row=row,
        start_date=start,
        department_id=department,
        facility_name=facility if not department else "",
        job_code=job_code,
        job_group=job_group,
        kind=str(kind),
        title=title,
        weekly_hours=hours,
        is_contact_person=contact,
        is_primary=primary,
        end_date=end,
        status=str(status),
        hourly_wage=wage,
        kind_given=bool(kind_text),
        status_given=bool(status_text),
    )
