"""A payroll workbook of several sheets: the data is read from the right one.

Payroll systems often export a cover or summary sheet in front of the staff list. With a column
mapping the first sheet that has all its columns is read; a sheet can be named (``--sheet``, or
chosen on the column page, which opens on the sheet whose header names the most fields); an
unknown sheet, or no sheet with the columns, gives an error naming the workbook's sheets.
Each case runs through both XLSX readers (calamine, and openpyxl when a sheet holds a formula).
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import psutil
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.importing import reading
from styrbord.staff.importing.errors import ImportRejectedError, IssueList
from styrbord.staff.importing.reading import FileUnreadableError, SourceFile, open_table
from styrbord.staff.importing.services import prepare, run_import
from styrbord.staff.models import Employee
from styrbord.staff.tests.test_import_support import FILES, GENERIC_MAPPING, norddjurs, snapshot

pytestmark = pytest.mark.django_db

READERS = ["calamine", "openpyxl"]


def _staff_rows() -> list[tuple]:
    """The three employments of the committed generic.xlsx, header first."""
    workbook = openpyxl.load_workbook(FILES / "generic.xlsx", read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def _payroll_workbook(path: Path, reader: str, *, data_sheet: bool = True) -> Path:
    """A cover sheet ("Forside": a title, a label and its value, a short table), then the staff
    on "Medarbejdere" from C2. For the openpyxl reader the cover holds a formula."""
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Forside"
    cover.append(["Lønudtræk, Norddjurs Kommune"])
    cover.append(["Udtrukket:", "01-11-2026"])
    cover.append(["Afdeling", "Ansatte", "Årsværk", "Timer", "Lønsum"])
    cover.append(["Dolmer Have", 2, 1.8, 66.6, 85000])
    cover.append(["Bofællesskaberne Glesborg", 1, 0.5, 18.5, 19000])
    if reader == "openpyxl":
        cover.append(["I alt", "=SUM(B4:B5)"])
    if data_sheet:
        staff = workbook.create_sheet("Medarbejdere")
        staff.append([])
        for row in _staff_rows():
            staff.append([None, None, *row])
    workbook.save(path)
    assert reading.has_formulas(path) == (reader == "openpyxl")
    return path


@pytest.mark.parametrize("reader", READERS)
def test_the_sheet_with_the_mappings_columns_is_imported_and_recorded(world, tmp_path, reader) -> None:
    path = _payroll_workbook(tmp_path / "loen.xlsx", reader)
    run_import([SourceFile("loen.csv", FILES / "generic_latin1_tab.csv")], norddjurs(), mapping=GENERIC_MAPPING)
    before = snapshot()

    result = run_import([SourceFile("loen.xlsx", path)], norddjurs(), mapping=GENERIC_MAPPING)

    # The same three employments as the CSV of the same rows, so nothing changes.
    assert result.counts["employments_unchanged"] == 3
    assert snapshot() == before
    assert result.batch.sheet == "Medarbejdere"
    assert [(f.name, f.sheet, f.rows) for f in result.plan.parsed.files] == [("loen.xlsx", "Medarbejdere", 3)]


@pytest.mark.parametrize("reader", READERS)
def test_a_named_sheet_is_read_its_name_matched_loosely(tmp_path, reader) -> None:
    path = _payroll_workbook(tmp_path / "loen.xlsx", reader)

    table = open_table(SourceFile("loen.xlsx", path, sheet=" medarbejdere "), IssueList())
    rows = list(table.rows)

    assert (table.sheet, table.sheets) == ("Medarbejdere", ["Forside", "Medarbejdere"])
    assert (table.header_row, table.headers[:4]) == (2, ["", "", "Medarbejdernr", "Navn"])
    assert [(number, cells[2:4]) for number, cells in rows] == [
        (3, ["M-1", "Karen Ærtebølle"]),
        (4, ["M-2", "Niels Øre"]),
        (5, ["M-3", "Pia Å"]),
    ]
    first = open_table(SourceFile("loen.xlsx", path), IssueList())
    assert (first.sheet, first.headers) == ("Forside", ["Afdeling", "Ansatte", "Årsværk", "Timer", "Lønsum"])
    first.close()


@pytest.mark.parametrize("reader", READERS)
def test_an_unknown_sheet_is_refused_with_the_workbooks_sheets(world, tmp_path, reader) -> None:
    path = _payroll_workbook(tmp_path / "loen.xlsx", reader)

    with pytest.raises(FileUnreadableError) as raised:
        open_table(SourceFile("loen.xlsx", path, sheet="Løn"), IssueList())
    plan = prepare([SourceFile("loen.xlsx", path, sheet="Løn")], norddjurs(), mapping=GENERIC_MAPPING)

    assert raised.value.params == {"sheet": "Løn", "sheets": "Forside, Medarbejdere"}
    assert [str(issue) for issue in plan.errors] == [
        "loen.xlsx: Arket Løn findes ikke i filen. Filens ark: Forside, Medarbejdere."
    ]


@pytest.mark.parametrize("reader", READERS)
def test_when_no_sheet_has_the_columns_the_error_names_the_sheet_read_and_the_others(world, tmp_path, reader) -> None:
    path = _payroll_workbook(tmp_path / "loen.xlsx", reader, data_sheet=False)
    path = _with_extra_sheet(path, "Noter", [["Note"], ["Udtræk fra lønsystemet"]])
    before = snapshot()

    with pytest.raises(ImportRejectedError) as rejected:
        run_import([SourceFile("loen.xlsx", path)], norddjurs(), mapping=GENERIC_MAPPING)

    messages = [str(issue) for issue in rejected.value.errors]
    assert messages[0] == (
        "loen.xlsx:3 [Medarbejdernr]: Kolonnen Medarbejdernr fra kolonneopsætningen findes ikke "
        "på arket Forside. Filens ark: Forside, Noter."
    )
    # The six required columns; the optional ones missing would only be left unused.
    assert len(messages) == 6
    assert snapshot() == before


def _with_extra_sheet(path: Path, title: str, rows: list[list[str]]) -> Path:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_the_command_reads_the_sheet_it_is_given(world, tmp_path) -> None:
    path = _payroll_workbook(tmp_path / "loen.xlsx", "calamine")
    mapping = "--mapping=Lønsystem"
    ColumnMapping.objects.create(name="Lønsystem", municipality=norddjurs(), mapping=GENERIC_MAPPING)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="Importen blev afvist"):
        call_command("import_staff", str(path), mapping, "--sheet=Forside", stdout=out, stderr=err)
    assert "findes ikke på arket Forside" in err.getvalue()
    assert not Employee.objects.filter(person_key="0707:M-1").exists()

    call_command("import_staff", str(path), mapping, "--sheet=Medarbejdere", stdout=out, stderr=err)

    assert "3 ansættelser i filerne (arket Medarbejdere)" in out.getvalue()
    assert Employee.objects.get(person_key="0707:M-1").name == "Karen Ærtebølle"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("reader", READERS)
def test_the_column_page_opens_on_the_staff_sheet_and_offers_the_others(client, world, media, tmp_path, reader) -> None:
    path = _payroll_workbook(tmp_path / "loen.xlsx", reader)
    client.force_login(world.coordinator)

    uploaded = client.post("/medarbejdere/import/", {"files": [SimpleUploadedFile("loen.xlsx", path.read_bytes())]})
    # Every workbook the upload opened (to find the sheet, to see whether it needs a mapping) is
    # closed again, not left for the garbage collector.
    assert [f.path for f in psutil.Process().open_files() if f.path.startswith(str(media))] == []

    batch = ImportBatch.objects.get(status=ImportBatch.Status.PENDING)
    columns_url = reverse("staff:import_mapping", args=[batch.storage_token])
    assert uploaded["Location"] == columns_url
    assert batch.sheet == "Medarbejdere"  # the cover names no import field
    page = client.get(columns_url)
    assert (page.context["sheet"], page.context["sheets"]) == ("Medarbejdere", ["Forside", "Medarbejdere"])
    assert page.context["form"].fields["field_name"].initial == "Navn"
    assert 'id="sheet-form"' in page.content.decode()

    # Choosing the cover shows its columns; a sheet the workbook lacks changes nothing.
    client.post(columns_url, {"choose_sheet": "1", "sheet": "Forside"})
    choices = client.get(columns_url).context["form"].fields["field_name"].choices
    assert [c for c, _ in choices] == ["", "Afdeling", "Ansatte", "Årsværk", "Timer", "Lønsum"]
    client.post(columns_url, {"choose_sheet": "1", "sheet": "Findes ikke"})
    batch.refresh_from_db()
    assert batch.sheet == "Forside"

    client.post(columns_url, {"choose_sheet": "1", "sheet": "Medarbejdere"})
    preview = client.post(columns_url, {f"field_{key}": header for key, header in GENERIC_MAPPING.items()})
    shown = client.get(preview["Location"])
    assert "XLSX (arket Medarbejdere)" in shown.content.decode()
    client.post(preview["Location"])

    batch.refresh_from_db()
    assert (batch.status, batch.sheet) == ("applied", "Medarbejdere")
    assert Employee.objects.get(person_key="0707:M-1").name == "Karen Ærtebølle"


def test_a_one_sheet_workbook_records_no_sheet(world) -> None:
    result = run_import([SourceFile("generic.xlsx", FILES / "generic.xlsx")], norddjurs(), mapping=GENERIC_MAPPING)

    assert result.batch.sheet == ""
    assert result.plan.parsed.files[0].sheet == ""


@pytest.mark.parametrize("reader", READERS)
def test_a_delivery_with_an_unreadable_file_leaves_no_workbook_open(world, tmp_path: Path, reader: str) -> None:
    """The readable workbook of a delivery whose other file cannot be read is opened, never read
    (the delivery is refused), and closed again rather than left for the garbage collector."""
    from styrbord.staff.importing.services import read_delivery

    good = _payroll_workbook(tmp_path / "medarbejdere.xlsx", reader)
    broken = tmp_path / "ansaettelser.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    parsed = read_delivery(
        [SourceFile(name=good.name, path=good), SourceFile(name=broken.name, path=broken)], norddjurs()
    )
    assert parsed.errors
    assert [f.path for f in psutil.Process().open_files() if f.path.startswith(str(tmp_path))] == []
