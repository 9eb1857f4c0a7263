"""A name given as first name + last name (and a middle name) instead of one "Navn" column, as
KMD, Silkeborg Data and SD export it: recognised on the mapping page, saved with the mapping,
refused when no name is mapped, and joined with single spaces. Real files (a Windows-1252 CSV
with semicolons, an XLSX written by openpyxl) through the upload page and `styrbord import_staff`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from styrbord.audit.models import AuditEntry
from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.importing.generic import guess_mapping
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import prepare
from styrbord.staff.models import Employee
from styrbord.staff.tests.test_import_support import norddjurs, snapshot

UPLOAD = "/medarbejdere/import/"

# A KMD-like export: Windows-1252 (æøå and the typographic apostrophe ’, which ISO-8859-1 lacks),
# semicolons, Danish dates, the name in three columns with blanks and stray spaces.
CSV_HEADER = "Tjenestenr.;Medarbejdernr;Fornavn;Mellemnavn;Efternavn;Arbejdssted;Stillingskategori;Ansat fra;Timeløn"
CSV_ROWS = [
    "T-1;M-1;Søren;;Ærø;Dolmer Have;Socialpædagog;01-02-2024;250,00",
    "T-2;M-2; Anna Marie ;  ;Østergård;Dolmer Have;Socialpædagog;01.03.2024;251,50",
    "T-3;M-3;Lucia;Kim;D’Angelo;Dolmer Have;Sygeplejerske;15-03-2024;260,00",
    "T-4;M-4;;;Holm;Dolmer Have;Socialpædagog;01-04-2024;245,00",
]
CSV_NAMES = {"0707:M-1": "Søren Ærø", "0707:M-2": "Anna Marie Østergård", "0707:M-3": "Lucia Kim D’Angelo"}
CSV_NAMES["0707:M-4"] = "Holm"  # the empty parts are left out


def kmd_csv(rows: list[str] = CSV_ROWS) -> bytes:
    return ("\r\n".join([CSV_HEADER, *rows]) + "\r\n").encode("cp1252")


def imported_names() -> dict[str, str]:
    return dict(Employee.objects.filter(person_key__startswith="0707:M-").values_list("person_key", "name"))


def chosen(form) -> dict[str, str]:
    """What the mapping page offers chosen (guessed from the headers), as the form posts it."""
    return {name: field.initial for name, field in form.fields.items() if field.initial}


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
class TestTheUploadPage:
    def test_the_columns_are_recognised_saved_and_reused_and_a_reimport_changes_nothing(self, client, world) -> None:
        client.force_login(world.coordinator)

        columns = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", kmd_csv())]})

        assert columns.status_code == 302
        assert columns["Location"].endswith("/kolonner/")
        page = client.get(columns["Location"])
        form = page.context["form"]
        guessed = chosen(form)
        assert guessed == {
            "field_employment_number": "Tjenestenr.",
            "field_person_id": "Medarbejdernr",
            "field_first_name": "Fornavn",
            "field_middle_name": "Mellemnavn",
            "field_last_name": "Efternavn",
            "field_facility": "Arbejdssted",
            "field_job_group": "Stillingskategori",
            "field_start_date": "Ansat fra",
            "field_hourly_wage": "Timeløn",
        }
        assert form.fields["field_name"].help_text == "Påkrævet, medmindre Fornavn og Efternavn har hver sin kolonne."
        assert form.fields["field_first_name"].help_text == "Påkrævet, medmindre Navn har en kolonne."
        assert form.fields["field_middle_name"].help_text == "Kun sammen med Fornavn og Efternavn."
        html = page.content.decode()
        for key in ("first_name", "middle_name", "last_name"):
            assert f'name="field_{key}"' in html

        # The coordinator takes the guess as it is and saves it.
        checked = client.post(columns["Location"], {**guessed, "save_as": "KMD Opus"})

        assert checked.status_code == 302, checked.context["form"].errors if checked.context else checked
        saved = ColumnMapping.objects.get(name="KMD Opus")
        assert saved.mapping == {key.removeprefix("field_"): header for key, header in guessed.items()}
        assert "name" not in saved.mapping
        preview = client.get(checked["Location"])
        assert preview.status_code == 200
        assert preview.context["counts"]["employees_created"] == 4
        assert client.post(checked["Location"]).status_code == 302
        assert imported_names() == CSV_NAMES
        before = snapshot()

        # Next month: the saved mapping is chosen on the upload form, the mapping step is skipped.
        again = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", kmd_csv())], "mapping": saved.pk})

        assert "kolonner" not in again["Location"]
        same = client.get(again["Location"])
        assert same.status_code == 200
        assert same.context["changes_nothing"] is True
        assert same.context["counts"]["employees_updated"] == 0
        assert client.post(again["Location"]).status_code == 302
        assert snapshot() == before
        assert not AuditEntry.objects.filter(action="staff.employee.updated").exists()
        applied = ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).order_by("applied_at")
        assert [b.mapping_data for b in applied] == [saved.mapping, saved.mapping]

    def test_neither_a_name_nor_a_first_and_last_name_is_refused_naming_the_fields(self, client, world) -> None:
        client.force_login(world.coordinator)
        columns = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", kmd_csv())]})["Location"]
        guessed = chosen(client.get(columns).context["form"])
        without_names = {k: v for k, v in guessed.items() if k not in ("field_first_name", "field_last_name")}

        response = client.post(columns, without_names)

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(response.context["form"].non_field_errors()) == [
            "Vælg en kolonne til: Navn eller Fornavn og Efternavn."
        ]
        assert set(errors) == {"__all__", "field_name", "field_first_name", "field_last_name"}
        assert not ImportBatch.objects.get().mapping_data  # nothing chosen yet

        # A first name alone is not a name: the last name is what is missing.
        only_first = client.post(columns, {**without_names, "field_first_name": "Fornavn"})

        assert list(only_first.context["form"].non_field_errors()) == [
            "Vælg en kolonne til: Navn eller Fornavn og Efternavn."
        ]
        assert set(only_first.context["form"].errors) == {"__all__", "field_name", "field_last_name"}

    def test_a_name_column_beside_its_parts_is_guessed_alone_and_choosing_both_is_refused(self, client, world) -> None:
        data = (
            "Ansættelsesnr;Medarbejdernr;Fornavn;Efternavn;Navn;Tilbud;Faggruppe;Ansat fra\r\n"
            "A-1;M-1;Karen;Holm;Karen Holm;Dolmer Have;Socialpædagog;01-02-2024\r\n"
        ).encode("cp1252")
        client.force_login(world.coordinator)
        columns = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)]})["Location"]
        guessed = chosen(client.get(columns).context["form"])
        assert guessed["field_name"] == "Navn"
        assert not {"field_first_name", "field_middle_name", "field_last_name"} & set(guessed)

        response = client.post(columns, {**guessed, "field_last_name": "Efternavn"})

        assert response.status_code == 200
        assert list(response.context["form"].non_field_errors()) == [
            "Vælg enten en kolonne til Navn eller kolonner til Fornavn og Efternavn (og evt. Mellemnavn), ikke "
            "begge dele."
        ]
        assert set(response.context["form"].errors) == {"__all__", "field_name", "field_last_name"}


def kmd_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """A Silkeborg Data-like workbook: "Fornavne" and "Eftern." beside a payroll number."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Medarbejdere"
    sheet.append(["Ansættelsesnr", "Lønnummer", "Fornavne", "Eftern.", "Tilbud", "Faggruppe", "Startdato"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


XLSX_ROWS: list[list[object]] = [
    ["S-1", "M-11", "Hans Peter", "Ærtebølle", "Dolmer Have", "Socialpædagog", "01-02-2024"],
    ["S-2", "M-12", "  Åse", " Nørgaard  ", "Dolmer Have", "Sygeplejerske", "01-03-2024"],
    ["S-3", "M-13", None, "Bach", "Dolmer Have", "Socialpædagog", "01-04-2024"],
]
XLSX_MAPPING = {
    "employment_number": "Ansættelsesnr",
    "person_id": "Lønnummer",
    "first_name": "Fornavne",
    "last_name": "Eftern.",
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "start_date": "Startdato",
}


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_staff", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
class TestTheCommand:
    def test_a_workbook_with_a_saved_split_name_mapping_imports_and_a_second_run_changes_nothing(
        self, world, tmp_path
    ) -> None:
        path = kmd_xlsx(tmp_path / "sd.xlsx", XLSX_ROWS)
        assert (
            guess_mapping(["Ansættelsesnr", "Lønnummer", "Fornavne", "Eftern.", "Tilbud", "Faggruppe", "Startdato"])
            == XLSX_MAPPING
        )
        ColumnMapping.objects.create(name="SD", municipality=norddjurs(), mapping=XLSX_MAPPING)

        out, _ = run(str(path), "--mapping", "SD")

        assert "3 medarbejdere oprettet" in " ".join(out.split())
        assert imported_names() == {
            "0707:M-11": "Hans Peter Ærtebølle",
            "0707:M-12": "Åse Nørgaard",
            "0707:M-13": "Bach",
        }
        before = snapshot()

        out, _ = run(str(path), "--mapping", "SD", "-v", "2")

        assert snapshot() == before
        assert "0 medarbejdere opdateret" in " ".join(out.split())
        assert "3 ansættelser uændret" in " ".join(out.split())

    def test_the_same_people_from_one_name_column_and_from_parts_are_the_same(self, world, tmp_path) -> None:
        """A municipality that changes its export from "Navn" to first and last name changes nobody."""
        whole = openpyxl.Workbook()
        sheet = whole.active
        sheet.append(["Ansættelsesnr", "Lønnummer", "Navn", "Tilbud", "Faggruppe", "Startdato"])
        sheet.append(["S-1", "M-11", "Hans Peter Ærtebølle", "Dolmer Have", "Socialpædagog", "01-02-2024"])
        whole.save(tmp_path / "navn.xlsx")
        one_column = {k: v for k, v in XLSX_MAPPING.items() if k not in ("first_name", "last_name")}
        ColumnMapping.objects.create(name="Navn", municipality=norddjurs(), mapping={**one_column, "name": "Navn"})
        ColumnMapping.objects.create(name="SD", municipality=norddjurs(), mapping=XLSX_MAPPING)
        run(str(tmp_path / "navn.xlsx"), "--mapping", "Navn")
        before = snapshot()

        plan = prepare(
            [SourceFile("sd.xlsx", kmd_xlsx(tmp_path / "sd.xlsx", XLSX_ROWS[:1]))], norddjurs(), mapping=XLSX_MAPPING
        )

        assert not plan.errors
        assert plan.changes_nothing()
        run(str(tmp_path / "sd.xlsx"), "--mapping", "SD")
        assert snapshot() == before

    def test_a_saved_mapping_without_a_name_is_refused_naming_the_fields(self, world, tmp_path) -> None:
        path = kmd_xlsx(tmp_path / "sd.xlsx", XLSX_ROWS)
        mapping = {k: v for k, v in XLSX_MAPPING.items() if k != "last_name"}
        ColumnMapping.objects.create(name="SD", municipality=norddjurs(), mapping=mapping)
        before = snapshot()
        err = StringIO()

        with pytest.raises(CommandError, match=r"1 fejl\. Intet er ændret"):
            call_command("import_staff", str(path), "--mapping", "SD", stderr=err, stdout=StringIO())

        assert (
            "sd.xlsx: Kolonneopsætningen mangler et påkrævet felt: Navn eller Fornavn og Efternavn." in err.getvalue()
        )
        assert snapshot() == before

    def test_a_saved_mapping_with_a_name_and_its_parts_is_refused(self, world, tmp_path) -> None:
        path = kmd_xlsx(tmp_path / "sd.xlsx", XLSX_ROWS)
        ColumnMapping.objects.create(name="SD", municipality=norddjurs(), mapping={**XLSX_MAPPING, "name": "Fornavne"})
        err = StringIO()

        with pytest.raises(CommandError):
            call_command("import_staff", str(path), "--mapping", "SD", stderr=err, stdout=StringIO())

        assert (
            "Kolonneopsætningen har både en kolonne til Navn og til Fornavn, Mellemnavn eller Efternavn."
            in err.getvalue()
        )
        assert not Employee.objects.filter(person_key__startswith="0707:M-").exists()


@pytest.mark.django_db
class TestRowErrors:
    def test_a_row_without_any_name_part_and_a_cpr_number_made_by_joining_are_errors_at_the_parts(
        self, world, tmp_path
    ) -> None:
        rows = [
            *XLSX_ROWS,
            ["S-4", "M-14", "", "  ", "Dolmer Have", "Socialpædagog", "01-04-2024"],
            ["S-5", "M-15", "Ole 010190", "1234 Hansen", "Dolmer Have", "Socialpædagog", "01-04-2024"],
            ["S-6", "M-16", "010190-1234", "Hansen", "Dolmer Have", "Socialpædagog", "01-04-2024"],
        ]
        path = kmd_xlsx(tmp_path / "sd.xlsx", rows)
        ColumnMapping.objects.create(name="SD", municipality=norddjurs(), mapping=XLSX_MAPPING)
        err = StringIO()

        with pytest.raises(CommandError, match=r"3 fejl\. Intet er ændret"):
            call_command("import_staff", str(path), "--mapping", "SD", stderr=err, stdout=StringIO())

        lines = err.getvalue().splitlines()
        assert lines[0] == "sd.xlsx:5 [Fornavne + Eftern.]: Feltet skal udfyldes."
        assert lines[1].startswith("sd.xlsx:6 [Fornavne + Eftern.] 'Ole 010190 ")
        assert lines[1].endswith(": Navnet må ikke indeholde et CPR-nummer.")
        assert lines[2] == "sd.xlsx:7 [Fornavne] '010190-****': Navnet må ikke indeholde et CPR-nummer."
        assert "1234" not in err.getvalue()
        assert not Employee.objects.filter(person_key__startswith="0707:M-").exists()
