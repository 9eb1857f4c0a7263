"""An HR import that sets back an education edited in Styrbord says so before it is applied.

HR is the master of a person's data, so the import still writes the file's value; but the check
page counts and lists each person whose education (or its relevant mark) was last set by hand in
Styrbord (the profile, "Uddannelser", the API) and differs from the file, with both values, and
``import_staff --dry-run`` prints the same. Real files, edits through the real pages and the API."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from styrbord.accounts.tokens import create_token
from styrbord.audit.models import AuditEntry
from styrbord.staff.import_models import ColumnMapping
from styrbord.staff.models import Employee
from styrbord.staff.profiles.education import EducationGroup

pytestmark = pytest.mark.django_db

UPLOAD = "/medarbejdere/import/"
HEADER = "Ansættelsesnr;Medarbejdernr;Navn;Tilbud;Faggruppe;Ansat fra;Uddannelse;Relevant uddannelse"
MAPPING = {
    "employment_number": "Ansættelsesnr",
    "person_id": "Medarbejdernr",
    "name": "Navn",
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "start_date": "Ansat fra",
    "education": "Uddannelse",
    "education_relevant": "Relevant uddannelse",
}
# HR's people: (number, name, education, relevant)
FIRST = [
    ("1", "Anna Holm", "Pædagog", "ja"),
    ("2", "Bo Lund", "Sygeplejerske", "nej"),
    ("3", "Carl Berg", "Pædagog", "ja"),
    ("4", "Dina Friis", "SOSU", "ja"),
    ("5", "Eva Dahl", "Ergoterapeut", "ja"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def content(people: list[tuple[str, str, str, str]]) -> bytes:
    lines = [HEADER]
    lines += [f"A-{n};M-{n};{name};Dolmer Have;Socialpædagog;01-02-2024;{edu};{rel}" for n, name, edu, rel in people]
    return ("\n".join(lines) + "\n").encode("utf-8")


def person(number: str) -> Employee:
    return Employee.objects.get(person_key=f"0707:M-{number}")


def edit_on_profile(client: Client, number: str, education: str, relevant: bool) -> None:
    employee = person(number)
    data: dict[str, str | int] = {"education": education, "version": employee.version}
    if relevant:
        data["education_relevant"] = "on"
    response = client.post(reverse("staff:employee_education", args=[employee.pk]), data)
    assert response.status_code == 302


def mark_on_education_page(client: Client, education: str, relevant: bool) -> None:
    key = EducationGroup(education, 1, 0).key
    shown = "ja" if Employee.objects.filter(education=education, education_relevant=True).exists() else "nej"
    response = client.post(
        reverse("staff:education_list"),
        {f"relevant-{key}": "ja" if relevant else "nej", f"shown-{key}": shown},
    )
    assert response.status_code == 302


def edit_through_the_api(user, number: str, education: str) -> None:
    _token, raw = create_token(user, "test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    employee = person(number)
    response = api.patch(
        f"/api/v1/employees/{employee.pk}",
        json.dumps({"version": employee.version, "education": education}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_the_check_and_the_dry_run_name_each_education_set_by_hand_that_the_import_sets_back(
    client, world, tmp_path: Path
) -> None:
    saved = ColumnMapping.objects.create(name="Løn", municipality=world.dolmer.municipality, mapping=MAPPING)
    first = tmp_path / "loen-januar.csv"
    first.write_bytes(content(FIRST))
    call_command("import_staff", str(first), "--mapping", "Løn", stdout=StringIO(), stderr=StringIO())
    client.force_login(world.coordinator)
    edit_on_profile(client, "1", "Socialpædagog", relevant=True)  # Anna: the text, by hand
    mark_on_education_page(client, "Sygeplejerske", relevant=True)  # Bo: the relevant mark, by hand
    edit_on_profile(client, "4", "Social- og sundhedsassistent", relevant=True)  # Dina: HR agrees next month
    edit_through_the_api(world.coordinator, "5", "Fysioterapeut")  # Eva: by hand, through the API
    # Next month: HR still has Anna's, Bo's and Eva's old values, a new education for Carl (not
    # edited in Styrbord), and Dina's the way she was corrected.
    second = [
        FIRST[0],
        FIRST[1],
        ("3", "Carl Berg", "Pædagog, cand.pæd.", "ja"),
        ("4", "Dina Friis", "Social- og sundhedsassistent", "ja"),
        FIRST[4],
    ]

    preview_url = client.post(
        UPLOAD, {"files": [SimpleUploadedFile("loen-februar.csv", content(second))], "mapping": saved.pk}
    )["Location"]
    page = client.get(preview_url)

    assert page.status_code == 200
    assert page.context["counts"]["employees_updated"] == 4  # Anna, Bo, Carl and Eva
    assert page.context["hand_edits_total"] == 3
    assert [(p["name"], p["row"], p["fields"]) for p in page.context["hand_edits"]] == [
        ("Anna Holm", 2, [("Uddannelse", "Socialpædagog", "Pædagog")]),  # her mark is HR's too
        ("Bo Lund", 3, [("Relevant uddannelse", "ja", "nej")]),
        ("Eva Dahl", 6, [("Uddannelse", "Fysioterapeut", "Ergoterapeut")]),
    ]
    text = " ".join(page.content.decode().split())
    assert "3 uddannelser rettet i Styrbord bliver sat tilbage til HR's værdi</h2>" in text
    assert '<td>Anna Holm</td><td class="num">2</td><td>Uddannelse</td><td>Socialpædagog</td><td>Pædagog</td>' in text
    assert "Carl Berg</td>" not in text.split('id="hand-edit-rows"')[1].split("</table>")[0]

    # The dry run of the same file says the same, and changes nothing.
    path = tmp_path / "loen-februar.csv"
    path.write_bytes(content(second))
    err = StringIO()
    call_command("import_staff", str(path), "--mapping", "Løn", "--dry-run", stdout=StringIO(), stderr=err)
    printed = err.getvalue()
    assert "Advarsel: 3 uddannelser rettet i Styrbord bliver sat tilbage til HR's værdi." in printed
    assert "  Anna Holm (loen-februar.csv:2): Uddannelse »Socialpædagog« i Styrbord, »Pædagog« i filen" in printed
    assert "  Bo Lund (loen-februar.csv:3): Relevant uddannelse »ja« i Styrbord, »nej« i filen" in printed
    assert "  Eva Dahl (loen-februar.csv:6): Uddannelse »Fysioterapeut« i Styrbord, »Ergoterapeut« i filen" in printed
    assert "Carl Berg" not in printed
    assert person("1").education == "Socialpædagog"
    # Who ran it saw Styrbord's values of these three: the access log names them.
    listed = AuditEntry.objects.filter(action="staff.import.hand_edits_listed")
    assert sorted(pk or 0 for pk in listed.values_list("subject_employee_id", flat=True)) == sorted(
        person(n).pk for n in ("1", "2", "5")
    )
    assert {entry.data["via"] for entry in listed} == {"import_staff"}

    # Applied, HR's values are written and the result says what was set back; the next check of
    # the same file has nothing to warn about (the import set them last).
    applied = client.post(preview_url, follow=True)
    shown = [str(m) for m in applied.context["messages"]]
    assert "3 uddannelser rettet i Styrbord er sat tilbage til HR's værdi." in shown
    assert (person("1").education, person("2").education_relevant, person("5").education) == (
        "Pædagog",
        False,
        "Ergoterapeut",
    )
    recheck = client.get(
        client.post(UPLOAD, {"files": [SimpleUploadedFile("igen.csv", content(second))], "mapping": saved.pk})[
            "Location"
        ]
    )
    assert recheck.context["hand_edits"] == []
    assert "rettet i Styrbord" not in recheck.content.decode()


def test_the_changes_workbook_lists_every_education_set_back(client, world, tmp_path: Path) -> None:
    saved = ColumnMapping.objects.create(name="Løn", municipality=world.dolmer.municipality, mapping=MAPPING)
    first = tmp_path / "loen.csv"
    first.write_bytes(content(FIRST))
    call_command("import_staff", str(first), "--mapping", "Løn", stdout=StringIO(), stderr=StringIO())
    client.force_login(world.coordinator)
    edit_on_profile(client, "3", "Pædagog (BA)", relevant=True)

    preview_url = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", content(FIRST))], "mapping": saved.pk})[
        "Location"
    ]
    workbook = client.get(reverse("staff:import_changes", args=[preview_url.rstrip("/").split("/")[-1]]))

    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Rettet i Styrbord"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Navn", "Fil", "Række", "Felt", "I Styrbord", "I filen"],
        ["Carl Berg", "loen.csv", 4, "Uddannelse", "Pædagog (BA)", "Pædagog"],
    ]
