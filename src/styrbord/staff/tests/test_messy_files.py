"""Every messy file of ``files/README.md`` gives its documented outcome through the command, and a
rejected one leaves the database exactly as it was, even on top of an earlier import."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from styrbord.audit.models import AuditEntry
from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.models import Employee, Employment
from styrbord.staff.tests.test_import_support import FILES, FIVE, snapshot
from styrbord.staff.tests.test_import_support import GENERIC_MAPPING as MAPPING

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    files: str  # a five-file folder or one file in files/
    errors: tuple[str, ...] = ()  # expected in the error report (rejected); empty = imported
    cpr_policy: str = "pseudonymise"


REJECTED = {
    "duplicated employment numbers": Case(
        "duplicated_employment", ("engagement.csv:4 [BrugerId + AfdelingsId] '1002-102'", "står også i række 3")
    ),
    "unknown job codes": Case(
        "unknown_job_code", ("engagement.csv:3", "Ukendt stillingskode", "kan ikke knyttes til en faggruppe")
    ),
    "a CPR column under the reject policy": Case("cpr_column", ("bruger.csv", "CPR-nr", "CPR"), cpr_policy="reject"),
    "a truncated xlsx": Case("truncated.xlsx", ("beskadiget eller afkortet",)),
    "a zip bomb": Case("zip_bomb.xlsx", ("komprimeret",)),
    "a formula where a number belongs": Case("formula_in_number.xlsx", ("Timer pr. uge", "'=30+7'")),
    # A NUL character (PostgreSQL text cannot hold one): deep in a CSV, past the binary check of its
    # first 4 KB, and in a workbook cell written as _x0000_, which the XLSX reader decodes.
    "a NUL character deep in a CSV": Case("nul_deep.csv", ("nul_deep.csv", "Række 122 indeholder et NUL-tegn")),
    "a NUL character in a workbook cell": Case("nul_cell.xlsx", ("nul_cell.xlsx", "Række 3 indeholder et NUL-tegn")),
}


def arguments(case: Case, folder: Path) -> list[str]:
    if (FILES / case.files).is_dir():
        return [*(str(FILES / case.files / f"{name}.csv") for name in FIVE), "--municipality", "0707"]
    path = FILES / case.files if (FILES / case.files).exists() else folder / case.files
    return [str(path), "--mapping", "Løn"]


def everything() -> dict[str, Any]:
    return {**snapshot(), "batches": ImportBatch.objects.count(), "audit": AuditEntry.objects.count()}


@pytest.fixture
def delivered(world: Any, tmp_path: Path) -> Path:
    """The Norddjurs mapping, the reference delivery and the generic file already imported once, and
    a copy of generic.xlsx with a formula in the hours column."""
    ColumnMapping.objects.create(name="Løn", municipality=world.dolmer.municipality, mapping=MAPPING)
    call_command("import_staff", *(str(FILES / "five_file_utf8" / f"{n}.csv") for n in FIVE), "--municipality", "0707")
    call_command("import_staff", str(FILES / "generic.xlsx"), "--mapping", "Løn", stdout=StringIO())
    workbook = openpyxl.load_workbook(FILES / "generic.xlsx")
    workbook.active["G2"] = "=30+7"
    workbook.save(tmp_path / "formula_in_number.xlsx")
    header = (FILES / "generic_latin1_tab.csv").read_text("latin-1").splitlines()[0]
    rows = [
        f"N-{i}\tPerson {i}\tB-{i}\tDolmer Have\tSocialpædagog\tKontaktperson\t37,0\t01.02.2024\t\t250\tnej"
        for i in range(1, 121)
    ]
    rows.append("N-999\tKa\x00ren\tB-999\tDolmer Have\tSocialpædagog\tKontaktperson\t37,0\t01.02.2024\t\t250\tnej")
    deep = "\n".join([header, *rows]) + "\n"
    assert deep.index("\x00") > 4096
    (tmp_path / "nul_deep.csv").write_text(deep, "latin-1")
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "nul_cell.xlsx"))
    sheet = book.add_worksheet()
    source = openpyxl.load_workbook(FILES / "generic.xlsx").active
    for r, row in enumerate(source.iter_rows(values_only=True)):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.write(2, 1, "Ka\x00ren")  # row 3's name: saved as Ka_x0000_ren
    book.close()
    return tmp_path


@pytest.mark.parametrize("name", list(REJECTED))
def test_a_rejected_file_names_what_is_wrong_and_changes_nothing(name: str, delivered: Path, settings: Any) -> None:
    case = REJECTED[name]
    settings.CPR_POLICY = case.cpr_policy
    before = everything()
    err = StringIO()

    with pytest.raises(CommandError, match=r"Intet er ændret"):
        call_command("import_staff", *arguments(case, delivered), stdout=StringIO(), stderr=err)

    report = err.getvalue()
    for expected in case.errors:
        assert expected in report, report
    assert everything() == before


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_staff", *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise AssertionError(err.getvalue()) from exc
    return " ".join(out.getvalue().split())


def test_cp1252_with_danish_letters_updates_the_same_people(delivered: Path) -> None:
    people, employments = Employee.objects.count(), Employment.objects.count()

    out = run(*(str(FILES / "five_file_cp1252" / f"{n}.csv") for n in FIVE), "--municipality", "0707")

    # The same people and employments as the UTF-8 delivery (two with other hours): none are added.
    assert "8 ansættelser i filerne" in out
    assert (Employee.objects.count(), Employment.objects.count()) == (people, employments)
    assert Employee.objects.get(person_key="0707:1002").name == "Åse Østergård"
    assert Employee.objects.get(person_key="0707:1001").name == "Søren Ærø"


def test_bom_semicolons_crlf_and_blank_lines_import_the_same_people(delivered: Path) -> None:
    before = snapshot()

    out = run(*(str(FILES / "five_file_bom_crlf" / f"{n}.csv") for n in FIVE), "--municipality", "0707")

    assert "8 ansættelser uændret" in out
    assert snapshot() == before


def test_a_cpr_column_is_pseudonymised_and_never_stored(world: Any, settings: Any) -> None:
    settings.CPR_POLICY = "pseudonymise"

    run(*(str(FILES / "cpr_column" / f"{n}.csv") for n in FIVE), "--municipality", "0707")

    soeren = Employee.objects.get(name="Søren Ærø")
    assert len(soeren.person_key) == 64  # HMAC-SHA256 hex of the CPR number, not the BrugerId
    assert soeren.birth_year == 1985
    for value in Employee.objects.values_list("person_key", "name", "email"):
        assert not any("100185" in str(v) for v in value)
    assert "100185" not in str(list(AuditEntry.objects.values()))
    assert "100185" not in str(list(ImportBatch.objects.values()))


def test_switching_a_delivery_to_cpr_keys_is_refused_not_duplicated(delivered: Path, settings: Any) -> None:
    settings.CPR_POLICY = "pseudonymise"
    before = everything()

    with pytest.raises(AssertionError, match="tilhører en anden medarbejder"):
        run(*(str(FILES / "cpr_column" / f"{n}.csv") for n in FIVE), "--municipality", "0707")

    assert everything() == before


def test_a_formula_in_a_text_cell_is_imported_as_text(delivered: Path) -> None:
    run(str(FILES / "generic_formula.xlsx"), "--mapping", "Løn")

    assert Employment.objects.get(employment_number="A-1").title == "=1+1"


def test_title_lines_above_the_header_are_skipped_and_rows_keep_their_numbers(delivered: Path) -> None:
    """Payroll reports often put a title and a date line above the header (Excel keeps them when
    it saves the sheet as CSV, with empty cells after the title). The same people import the
    same way, and an error names the row as the file numbers it."""
    before = snapshot()
    workbook = openpyxl.load_workbook(FILES / "generic.xlsx")
    sheet = workbook.active
    sheet.insert_rows(1, 3)
    sheet["A1"] = "Medarbejderliste, Socialpsykiatri og rusmidler"
    sheet["A2"], sheet["B2"] = "Udtrukket:", "01-11-2026"  # a label and its value
    workbook.save(delivered / "with_title.xlsx")
    text = (FILES / "generic_latin1_tab.csv").read_text(encoding="latin-1")
    titled = "Medarbejderliste, Socialpsykiatri og rusmidler\t\t\t\nUdtrukket:\t01-11-2026\n\n" + text
    (delivered / "with_title.csv").write_text(titled, encoding="latin-1")

    for name in ("with_title.xlsx", "with_title.csv"):
        out = run(str(delivered / name), "--mapping", "Løn")
        assert "uændret" in out, out
        assert snapshot() == before

    sheet["G6"] = "mange"  # the hours of the file's third person, in row 6 of the sheet
    workbook.save(delivered / "with_title_bad.xlsx")
    err = StringIO()
    with pytest.raises(CommandError, match=r"Intet er ændret"):
        call_command("import_staff", str(delivered / "with_title_bad.xlsx"), "--mapping", "Løn", stderr=err)
    assert "with_title_bad.xlsx:6 [Timer pr. uge] 'mange'" in err.getvalue(), err.getvalue()
    assert snapshot() == before
