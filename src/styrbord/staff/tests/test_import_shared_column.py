"""One column of a generic file read as several fields: a municipal file's "Stilling" is the job
title and, by its name, the job group. Real CSV and XLSX files through the upload, mapping and
check pages, the saved mapping used again (on the page and by ``import_staff``), the messages
naming the column and the field, and the columns that still may not share."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from styrbord.staff.import_models import ColumnMapping
from styrbord.staff.models import Employment, JobCode, JobGroup

pytestmark = pytest.mark.django_db

UPLOAD = "/medarbejdere/import/"
HEADER = ["Ansættelsesnr", "Medarbejdernr", "Navn", "Tilbud", "Stilling", "Ansat fra"]
ROWS = [
    ["A-1", "M-1", "Karen Holm", "Dolmer Have", "Pædagog", "01-02-2024"],
    ["A-2", "M-2", "Per Lund", "Dolmer Have", "Social- og sundhedsassistent", "01-03-2024"],
]
# The mapping the page is sent: "Stilling" for the job title and the job group both.
CHOSEN = {
    "employment_number": "Ansættelsesnr",
    "person_id": "Medarbejdernr",
    "name": "Navn",
    "facility": "Tilbud",
    "title": "Stilling",
    "job_group": "Stilling",
    "start_date": "Ansat fra",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_file(rows: list[list[str]] = ROWS, name: str = "loen.csv") -> SimpleUploadedFile:
    lines = [";".join(HEADER), *(";".join(row) for row in rows)]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"))


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def xlsx_file(rows: list[list[str]], name: str = "loen.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows))


def post_mapping(client, mapping: dict[str, str], **extra: str):
    columns = client.post(UPLOAD, {"files": [csv_file()]})
    assert columns.status_code == 302
    assert columns["Location"].endswith("/kolonner/")
    return client.post(columns["Location"], {**{f"field_{k}": v for k, v in mapping.items()}, **extra})


def stored() -> dict[str, tuple[str, str]]:
    return {
        number: (title, group)
        for number, title, group in Employment.objects.filter(employment_number__startswith="A-").values_list(
            "employment_number", "title", "job_group"
        )
    }


def test_one_column_is_chosen_for_the_title_and_the_job_group_saved_and_used_again(client, world) -> None:
    client.force_login(world.coordinator)
    page = client.get(client.post(UPLOAD, {"files": [csv_file()]})["Location"])
    assert (
        "Samme kolonne kan bruges til flere af felterne Stilling, Faggruppe og Stillingskode" in page.content.decode()
    )

    checked = post_mapping(client, CHOSEN, save_as="Løn med stilling")

    assert checked.status_code == 302, checked.context and checked.context["form"].errors
    saved = ColumnMapping.objects.get(name="Løn med stilling")
    assert saved.mapping["title"] == saved.mapping["job_group"] == "Stilling"
    preview = client.get(checked["Location"])
    assert preview.status_code == 200
    assert [(r["title"], r["job_group"]) for r in preview.context["rows"]] == [
        ("Pædagog", "Socialpædagog/pædagog"),
        ("Social- og sundhedsassistent", "SOSU-assistent"),
    ]
    assert client.post(checked["Location"]).status_code == 302
    assert stored() == {
        "A-1": ("Pædagog", JobGroup.SOCIAL_EDUCATOR),
        "A-2": ("Social- og sundhedsassistent", JobGroup.SOSU_ASSISTANT),
    }

    # Next month's file is a workbook, read with the saved mapping straight to the check page:
    # a new title moves the employment to another job group, from the same column.
    later = xlsx_file([ROWS[0], ["A-2", "M-2", "Per Lund", "Dolmer Have", "Sygeplejerske", "01-03-2024"]])
    preview_url = client.post(UPLOAD, {"files": [later], "mapping": saved.pk})["Location"]
    assert not preview_url.endswith("/kolonner/")
    again = client.get(preview_url)
    assert again.status_code == 200
    assert again.context["rows"][0]["changes"] == [
        "Faggruppe SOSU-assistent → Sygeplejerske",
        "Stilling Social- og sundhedsassistent → Sygeplejerske",
    ]
    assert client.post(preview_url).status_code == 302
    assert stored()["A-2"] == ("Sygeplejerske", JobGroup.NURSE)


def test_an_unknown_job_group_names_the_column_and_the_field(client, world) -> None:
    saved = ColumnMapping.objects.create(
        name="Løn", municipality=world.dolmer.municipality, mapping={**CHOSEN, "title": "Stilling"}
    )
    client.force_login(world.coordinator)
    rows = [ROWS[0], ["A-2", "M-2", "Per Lund", "Dolmer Have", "Kok", "01-03-2024"]]

    refused = client.post(UPLOAD, {"files": [xlsx_file(rows)], "mapping": saved.pk})

    assert refused.status_code == 422
    [issue] = list(refused.context["errors"])
    assert (issue.row, issue.column, issue.value) == (3, "Stilling (Faggruppe)", "Kok")
    assert issue.message.startswith("Ukendt faggruppe.")
    text = refused.content.decode()
    assert "<td>Stilling (Faggruppe)</td>" in text
    assert not Employment.objects.filter(employment_number__startswith="A-").exists()


def test_a_job_code_known_by_its_title_gives_the_group_from_the_same_column(world, tmp_path: Path) -> None:
    """The command with a saved mapping: 'Stillingsbetegnelse' is the title and the key of a job
    code Styrbord has; an unknown one is named with its column and field."""
    JobCode.objects.create(code="Omsorgsmedhjælper", name="Omsorgsmedhjælper", job_group=JobGroup.CARE_ASSISTANT)
    mapping = {**CHOSEN, "title": "Stilling", "job_code": "Stilling"}
    del mapping["job_group"]
    ColumnMapping.objects.create(name="KMD", municipality=world.dolmer.municipality, mapping=mapping)
    good = tmp_path / "kmd.xlsx"
    good.write_bytes(xlsx_bytes([["A-1", "M-1", "Karen Holm", "Dolmer Have", "Omsorgsmedhjælper", "01-02-2024"]]))
    bad = tmp_path / "kmd-ny.xlsx"
    bad.write_bytes(xlsx_bytes([["A-1", "M-1", "Karen Holm", "Dolmer Have", "Kok", "01-02-2024"]]))

    out = StringIO()
    call_command("import_staff", str(good), "--mapping", "KMD", stdout=out, stderr=StringIO())

    employment = Employment.objects.get(employment_number="A-1")
    assert (employment.title, employment.job_code.code, employment.job_group) == (
        "Omsorgsmedhjælper",
        "Omsorgsmedhjælper",
        JobGroup.CARE_ASSISTANT,
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 fejl"):
        call_command("import_staff", str(bad), "--mapping", "KMD", stdout=StringIO(), stderr=err)
    assert "kmd-ny.xlsx:2 [Stilling (Stillingskode)] 'Kok': Ukendt stillingskode." in err.getvalue()


def test_other_columns_still_serve_one_field_and_the_message_names_column_and_fields(client, world) -> None:
    client.force_login(world.coordinator)

    refused = post_mapping(client, {**CHOSEN, "name": "Stilling"})

    assert refused.status_code == 200
    assert list(refused.context["form"].non_field_errors()) == [
        "Kolonnen »Stilling« er valgt til flere felter: Navn, Faggruppe og Stilling. Kun Stillingskode, Faggruppe og "
        "Stilling kan bruge samme kolonne."
    ]
    assert {"field_name", "field_job_group", "field_title"} <= set(refused.context["form"].errors)


def test_a_saved_mapping_sharing_any_column_keeps_working_and_each_message_names_the_field(world, tmp_path) -> None:
    """A saved mapping could always give one header to several fields (the page now allows it for
    the job's fields only): it is read as before, and a cell it cannot read is named with the field."""
    mapping = {**CHOSEN, "end_date": "Ansat fra"}  # saved long ago: the start date as the end date too
    ColumnMapping.objects.create(name="Gammel", municipality=world.dolmer.municipality, mapping=mapping)
    path = tmp_path / "loen.xlsx"
    path.write_bytes(xlsx_bytes([ROWS[0], ["A-2", "M-2", "Per Lund", "Dolmer Have", "Pædagog", "32-01-2024"]]))
    err = StringIO()

    with pytest.raises(CommandError, match="2 fejl"):
        call_command("import_staff", str(path), "--mapping", "Gammel", stdout=StringIO(), stderr=err)

    printed = err.getvalue()
    assert "loen.xlsx:3 [Ansat fra (Startdato)] '32-01-2024': Ugyldig dato" in printed
    assert "loen.xlsx:3 [Ansat fra (Slutdato)] '32-01-2024': Ugyldig dato" in printed
    assert not Employment.objects.filter(employment_number__startswith="A-").exists()
