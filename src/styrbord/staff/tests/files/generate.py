"""Writes the messy HR files the import tests read. The files are committed; run this only to
change them: `python src/styrbord/staff/tests/files/generate.py`.

Every file imitates something municipalities really send: Windows-1252 from old Excel, a BOM
and CRLF from newer Excel, blank lines, Danish dates and decimals, a CPR column, formulas,
a truncated download and a zip bomb.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

ORGANISATION = [
    ["AfdelingsID", "Afdelingsnavn", "Parentid"],
    ["1", "Norddjurs Kommune", ""],
    ["100", "Dolmer Have", "1"],
    ["101", "Dolmer Have – Hus Æble", "100"],
    ["102", "Dolmer Have – Hus Øst", "100"],
    ["200", "Bofællesskaberne Glesborg", "1"],
    ["201", "Glesborg Nord", "200"],
    ["300", "Botilbuddet Ørsted Å", "1"],
]
BRUGER = [
    ["BrugerId", "Navn", "E-mail", "Stilling"],
    ["1001", "Søren Ærø", "soeren@example.dk", "Socialpædagog"],
    ["1002", "Åse Østergård", "aase@example.dk", "Social- og sundhedsassistent"],
    ["1003", "Mads Bæk", "", "Pædagogmedhjælper"],
    ["1004", "Line Krøyer", "line@example.dk", "Sygeplejerske"],
    ["1005", "Jørgen Hjælm", "jorgen@example.dk", "Afdelingsleder"],
    ["1006", "Ida Løvstrøm", "ida@example.dk", "SOSU-assistentelev"],
    ["1007", "Bo Smørum", "bo@example.dk", "Socialpædagog"],
    ["1008", "Ikke Ansat", "ikke@example.dk", "Konsulent"],
]
ENGAGEMENT_HEADER = [
    "BrugerId",
    "AfdelingsId",
    "AktivStatus",
    "StillingskodeId",
    "Primær",
    "Engagementstype",
    "StartdatoEngagement",
    "Ugentlige timer",
]
ENGAGEMENT = [
    ENGAGEMENT_HEADER,
    ["1001", "101", "1", "P1", "1", "Fastansat", "01-02-2019", "37"],
    ["1002", "102", "1", "S2", "1", "Fastansat", "15.08.2020", "32,0"],
    ["1003", "201", "1", "M3", "1", "Timelønnet", "2021-03-01", "18,5"],
    ["1004", "300", "1", "N4", "1", "Tidsbegrænset", "01-01-2024", "37"],
    ["1005", "100", "1", "L5", "1", "Fastansat", "01-06-2015", "37"],
    ["1006", "101", "1", "S6", "1", "Elev", "01-09-2025", "37"],
    ["1007", "201", "0", "P1", "1", "Fastansat", "01-01-2018", "30"],
    ["1001", "300", "1", "P1", "0", "Timelønnet", "01-01-2025", "5,5"],
]
STILLINGSKODE = [
    ["StillingskodeID", "Stillingskode"],
    ["P1", "Socialpædagog"],
    ["S2", "Social- og sundhedsassistent"],
    ["M3", "Pædagogmedhjælper"],
    ["N4", "Sygeplejerske"],
    ["L5", "Afdelingsleder"],
    ["S6", "Social- og sundhedsassistentelev"],
    ["K9", "Køkkenassistent"],  # unknown job group, but no one uses it: no error
]
LEDER = [
    ["BrugerId", "AfdelingsID", "Titel"],
    ["1005", "100", "Forstander"],
]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8", newline: str = "\n") -> bytes:
    text = newline.join(delimiter.join(cell for cell in row) for row in rows) + newline
    return text.encode(encoding)


def write_set(
    folder: str, *, encoding: str = "utf-8", delimiter: str = ";", newline: str = "\n", **overrides: list[list[str]]
) -> None:
    target = HERE / folder
    target.mkdir(exist_ok=True)
    files = {
        "bruger": BRUGER,
        "organisation": ORGANISATION,
        "engagement": ENGAGEMENT,
        "stillingskode": STILLINGSKODE,
        "leder": LEDER,
    }
    files.update(overrides)
    for name, rows in files.items():
        (target / f"{name}.csv").write_bytes(csv_bytes(rows, delimiter=delimiter, encoding=encoding, newline=newline))


def with_blank_lines(rows: list[list[str]]) -> list[list[str]]:
    out: list[list[str]] = [rows[0], [""]]
    for row in rows[1:]:
        out += [row, [""]]
    return out


def bom_crlf_set() -> None:
    folder = HERE / "five_file_bom_crlf"
    folder.mkdir(exist_ok=True)
    files = {
        "bruger": BRUGER,
        "organisation": ORGANISATION,
        "engagement": ENGAGEMENT,
        "stillingskode": STILLINGSKODE,
        "leder": LEDER,
    }
    for name, rows in files.items():
        data = csv_bytes(with_blank_lines(rows), delimiter=";", encoding="utf-8", newline="\r\n")
        (folder / f"{name}.csv").write_bytes(b"\xef\xbb\xbf" + data)


GENERIC = [
    [
        "Medarbejdernr",
        "Navn",
        "Ansættelsesnr",
        "Tilbud",
        "Faggruppe",
        "Stilling",
        "Timer pr. uge",
        "Ansat fra",
        "Ansat til",
        "Timeløn",
        "Kontaktperson",
    ],
    [
        "M-1",
        "Karen Ærtebølle",
        "A-1",
        "Dolmer Have",
        "Socialpædagog",
        "Kontaktperson",
        "37,0",
        "01.02.2024",
        "",
        "1.234,50",
        "ja",
    ],
    [
        "M-2",
        "Niels Øre",
        "A-2",
        "Dolmer Have",
        "SOSU-assistent",
        "Nattevagt",
        "29,6",
        "01-03-2023",
        "",
        "312,75",
        "nej",
    ],
    [
        "M-3",
        "Pia Å",
        "A-3",
        "Bofællesskaberne Glesborg",
        "Pædagogmedhjælper",
        "Medhjælper",
        "18,5",
        "2022-11-01",
        "31-12-2023",
        "250",
        "nej",
    ],
]
GENERIC_MAPPING = {
    "person_id": "Medarbejdernr",
    "name": "Navn",
    "employment_number": "Ansættelsesnr",
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "title": "Stilling",
    "weekly_hours": "Timer pr. uge",
    "start_date": "Ansat fra",
    "end_date": "Ansat til",
    "hourly_wage": "Timeløn",
    "is_contact_person": "Kontaktperson",
}


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    write_set("five_file_utf8")
    write_set("five_file_cp1252", encoding="cp1252", delimiter=",")
    bom_crlf_set()
    duplicated = [*ENGAGEMENT[:3], ["1002", "102", "1", "S2", "0", "Vikariat", "01-01-2022", "10"]]
    write_set("duplicated_employment", engagement=duplicated, leder=[LEDER[0]])
    unknown = [
        *ENGAGEMENT[:2],
        ["1003", "201", "1", "9999", "1", "Fastansat", "01-01-2020", "37"],
        ["1004", "300", "1", "K9", "1", "Fastansat", "01-01-2020", "37"],
    ]
    write_set("unknown_job_code", engagement=unknown, leder=[LEDER[0]])
    cpr_users = [[*BRUGER[0], "CPR-nr"]] + [[*row, f"{10 + i:02d}0185-{1234 + i}"] for i, row in enumerate(BRUGER[1:])]
    write_set("cpr_column", bruger=cpr_users)
    unknown_department = [*ENGAGEMENT[:2], ["1003", "999", "1", "M3", "1", "Fastansat", "01-01-2020", "37"]]
    write_set("unknown_department", engagement=unknown_department, leder=[LEDER[0]])
    bad_dates = [
        *ENGAGEMENT[:2],
        ["1003", "201", "1", "M3", "1", "Fastansat", "31-02-2020", "37"],
        ["1004", "300", "1", "N4", "1", "Fastansat", "1/13/2024", "mange"],
    ]
    write_set("bad_dates", engagement=bad_dates, leder=[LEDER[0]])

    (HERE / "generic_latin1_tab.csv").write_bytes(
        csv_bytes(GENERIC, delimiter="\t", encoding="latin-1", newline="\r\n")
    )
    formula_rows: list[list[object]] = [list(r) for r in GENERIC]
    formula_rows[1][5] = "=1+1"  # the Stilling cell is a formula: read as text, never computed
    (HERE / "generic_formula.xlsx").write_bytes(xlsx_bytes(formula_rows))
    whole = xlsx_bytes([list(r) for r in GENERIC])
    (HERE / "generic.xlsx").write_bytes(whole)
    (HERE / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])

    # A zip bomb dressed as a workbook: 64 MB of zeros packed into some 64 kB.
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(whole)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        bomb.writestr("xl/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    (HERE / "zip_bomb.xlsx").write_bytes(buffer.getvalue())


if __name__ == "__main__":
    main()
