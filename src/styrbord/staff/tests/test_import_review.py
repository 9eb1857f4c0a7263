"""What the check page tells before an import is applied: changes to people as well as to
employments, a stale upload refused, the column mapping's messages, and the warning about
relevant education. Real files through the pages, as a coordinator uses them."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.importing.generic import guess_mapping
from styrbord.staff.models import Employee

UPLOAD = "/medarbejdere/import/"
PEOPLE = 55  # more than the page shows (50)
SPLIT_MAPPING = {
    "employment_number": "Ansættelsesnr",
    "person_id": "Medarbejdernr",
    "name": "Efternavn",  # the mistake: the surname column chosen as the name
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "start_date": "Ansat fra",
}
FULL_MAPPING = {**SPLIT_MAPPING, "name": "Navn"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def split_names_csv(count: int = PEOPLE) -> SimpleUploadedFile:
    """A payroll CSV with first and last name in columns of their own."""
    lines = ["Ansættelsesnr;Medarbejdernr;Fornavn;Efternavn;Tilbud;Faggruppe;Ansat fra"]
    lines += [f"A-{n};M-{n};Anna{n};Jensen{n};Dolmer Have;Socialpædagog;01-02-2024" for n in range(1, count + 1)]
    return SimpleUploadedFile("loen.csv", ("\n".join(lines) + "\n").encode("utf-8"))


def full_names_xlsx(count: int = PEOPLE, names: dict[int, str] | None = None) -> SimpleUploadedFile:
    """The same staff as a workbook with the whole name in one column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ansættelsesnr", "Medarbejdernr", "Navn", "Tilbud", "Faggruppe", "Ansat fra"])
    for n in range(1, count + 1):
        name = (names or {}).get(n, f"Anna{n} Jensen{n}")
        sheet.append([f"A-{n}", f"M-{n}", name, "Dolmer Have", "Socialpædagog", "01-02-2024"])
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile("loen.xlsx", content.getvalue())


def token_of(preview: str) -> str:
    """The upload's token in its check page's address (/medarbejdere/import/<token>/)."""
    return preview.rstrip("/").split("/")[-1]


def upload_mapped(client, upload: SimpleUploadedFile, mapping: dict[str, str]) -> str:
    """Upload one file, choose its columns on the mapping page; the check page's address."""
    columns = client.post(UPLOAD, {"files": [upload]})
    assert columns.status_code == 302, columns
    assert columns["Location"].endswith("/kolonner/")
    checked = client.post(columns["Location"], {f"field_{key}": header for key, header in mapping.items()})
    assert checked.status_code == 302, checked.context["form"].errors if checked.context else checked
    return checked["Location"]


def apply_full_names(client, world, count: int = PEOPLE, names: dict[int, str] | None = None) -> None:
    saved, _created = ColumnMapping.objects.get_or_create(
        name="Lønsystem", municipality=world.dolmer.municipality, defaults={"mapping": FULL_MAPPING}
    )
    preview = client.post(UPLOAD, {"files": [full_names_xlsx(count, names)], "mapping": saved.pk})["Location"]
    assert client.get(preview).status_code == 200
    assert client.post(preview).status_code == 302


def names() -> dict[str, str]:
    return dict(Employee.objects.filter(person_key__startswith="0707:M-").values_list("person_key", "name"))


def flat(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.mark.django_db
class TestAStaleUpload:
    def test_an_upload_checked_before_another_import_is_refused_and_the_fresh_check_names_each_change(
        self, client, world
    ) -> None:
        """The tester's case: a CSV checked with Navn mapped to 'Efternavn', then the right XLSX
        applied, then the old check page's button. It renamed 47 people to bare surnames while the
        page said 'intet oprettes eller ændres' and the message '0 opdateret'."""
        client.force_login(world.coordinator)
        stale = upload_mapped(client, split_names_csv(), SPLIT_MAPPING)
        assert client.get(stale).status_code == 200  # the check page, then left
        apply_full_names(client, world)
        full = names()
        assert full["0707:M-1"] == "Anna1 Jensen1"
        assert len(full) == PEOPLE

        history = client.get(UPLOAD)
        labels = {b.file_names[0]: b.status_label for b in history.context["history"]}
        assert labels == {"loen.xlsx": "Indlæst", "loen.csv": "Forældet: en senere import er gennemført"}

        refused = client.post(stale)

        assert refused.status_code == 409
        assert names() == full  # nothing written
        text = flat(refused)
        assert "Importen er ikke gennemført: en anden import (loen.xlsx) blev gennemført" in text
        assert "efter at denne fil blev kontrolleret, så kontrollen var forældet." in text
        assert "upload filen igen</a>" in text
        assert "intet oprettes eller ændres" not in text
        counts = refused.context["counts"]
        assert (counts["employees_updated"], counts["employments_updated"]) == (PEOPLE, 0)
        # Each person's change, old -> new, the first 50 on the page and all in the workbook.
        people = refused.context["people"]
        assert len(people) == 50
        assert people[0]["changes"] == ["Navn Anna1 Jensen1 → Jensen1"]
        assert "<li>Navn Anna1 Jensen1 → Jensen1</li>" in text
        assert f"{PEOPLE} medarbejdere ændres</h2>" in text
        assert f"Her vises de første 50 af {PEOPLE}; alle står i XLSX-filen med ændringerne." in text
        assert f"{PEOPLE} medarbejdere ændres; 0 ansættelser oprettes, 0 ændres, 0 afsluttes." in text
        assert "Alle 55 ansættelser er uændrede." in text
        # The page is a logged view of the people it names.
        ids = dict(Employee.objects.filter(person_key__startswith="0707:M-").values_list("person_key", "id"))
        viewed = AuditEntry.objects.filter(action="staff.importbatch.viewed", actor_id=world.coordinator.pk)
        assert sorted(viewed.values_list("subject_employee_id", flat=True)) == sorted(
            ids[f"0707:M-{n}"] for n in range(1, 51)
        )

        workbook_response = client.get(reverse("staff:import_changes", args=[token_of(stale)]))
        assert workbook_response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_response.content))
        assert workbook.sheetnames == ["Medarbejdere", "Ansættelser"]
        sheet = workbook["Medarbejdere"]
        header = [c.value for c in sheet[1]]
        assert header == ["Handling", "Navn", "Personnøgle", "Fil", "Række", "Felt", "Før", "Efter"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == PEOPLE
        assert rows[-1] == (
            "Opdater",
            "Anna55 Jensen55",
            "0707:M-55",
            "loen.csv",
            56,
            "Navn",
            "Anna55 Jensen55",
            "Jensen55",
        )
        exported = AuditEntry.objects.filter(action="staff.importbatch.exported", kind=AuditEntry.Kind.EXPORT)
        assert sorted(exported.values_list("subject_employee_id", flat=True)) == sorted(ids.values())

        # The fresh check is what applies now, knowingly: the message counts the people.
        applied = client.post(stale)

        assert applied.status_code == 302
        assert names()["0707:M-1"] == "Jensen1"
        [message] = [str(m) for m in get_messages(applied.wsgi_request)]
        assert message == (
            "Importen er gennemført: 0 ansættelser oprettet, 0 opdateret, 0 afsluttet. "
            f"Medarbejdere: 0 oprettet, {PEOPLE} opdateret (navn, e-mail, fødselsår, uddannelse)."
        )
        history = client.get(UPLOAD)
        assert f'–<br><span class="small">{PEOPLE} medarbejdere</span></td>' in history.content.decode()
        changed = AuditEntry.objects.filter(action="staff.employee.updated", kind=AuditEntry.Kind.CHANGE)
        assert changed.count() == PEOPLE
        assert {tuple(e.data["fields"]) for e in changed} == {("name",)}
        assert sorted(changed.values_list("subject_employee_id", flat=True)) == sorted(ids.values())

    def test_an_edit_since_the_check_still_refuses_with_the_fresh_preview(self, client, world) -> None:
        """No other import, but Styrbord changed: the check's fingerprint catches it, as before."""
        client.force_login(world.coordinator)
        apply_full_names(client, world, count=2)
        check = upload_mapped(client, full_names_xlsx(2, {1: "Anna Holm"}), FULL_MAPPING)
        assert client.get(check).context["counts"]["employees_updated"] == 1
        Employee.objects.filter(person_key="0707:M-2").update(name="Bent Ny")

        refused = client.post(check)

        assert refused.status_code == 409
        text = flat(refused)
        assert "Styrbord er ændret siden kontrollen" in text
        assert "kontrollen var forældet" not in text
        assert refused.context["counts"]["employees_updated"] == 2

    def test_a_check_page_opened_after_another_import_says_so_and_names_the_changes(self, client, world) -> None:
        """Reopened from the history: the check runs again against today's data, and says the upload
        is older than the import since."""
        client.force_login(world.coordinator)
        old = upload_mapped(client, split_names_csv(2), SPLIT_MAPPING)
        apply_full_names(client, world, count=2)

        page = client.get(old)

        text = flat(page)
        assert page.status_code == 200
        assert "før en anden import (loen.xlsx) blev gennemført" in text
        assert "Kontrollen nedenfor er kørt mod Styrbords data, som de er nu" in text
        assert [p["changes"] for p in page.context["people"]] == [
            ["Navn Anna1 Jensen1 → Jensen1"],
            ["Navn Anna2 Jensen2 → Jensen2"],
        ]
        history = {b.file_names[0]: b.status_label for b in client.get(UPLOAD).context["history"]}
        assert history["loen.csv"] == "Afventer godkendelse"  # checked again just now


@pytest.mark.django_db
class TestTheSummary:
    def test_only_a_check_that_changes_nothing_says_so(self, client, world) -> None:
        client.force_login(world.coordinator)
        apply_full_names(client, world, count=2)

        same = client.get(upload_mapped(client, full_names_xlsx(2), FULL_MAPPING))
        renamed = client.get(upload_mapped(client, full_names_xlsx(2, {2: "Anna2 Holm"}), FULL_MAPPING))

        assert "Alle 2 ansættelser er uændrede; intet oprettes eller ændres." in flat(same)
        assert same.context["changes_nothing"] is True
        text = flat(renamed)
        assert "intet oprettes eller ændres" not in text
        assert '<p id="employments-unchanged">Alle 2 ansættelser er uændrede.</p>' in text
        assert "1 medarbejder ændres</h2>" in text
        assert "<li>Navn Anna2 Jensen2 → Anna2 Holm</li>" in text


@pytest.mark.django_db
class TestTheColumnMapping:
    def test_every_problem_is_named_at_once_with_its_column_and_fields(self, client, world) -> None:
        client.force_login(world.coordinator)
        columns = client.post(UPLOAD, {"files": [split_names_csv(2)]})["Location"]
        post = {
            "field_employment_number": "Ansættelsesnr",
            "field_person_id": "Medarbejdernr",
            "field_name": "Efternavn",
            "field_title": "Efternavn",
            "field_facility": "Tilbud",
        }

        response = client.post(columns, post)

        assert response.status_code == 200
        errors = list(response.context["form"].non_field_errors())
        assert errors == [
            "Vælg en kolonne til hvert af disse felter: Startdato; Stillingskode eller Faggruppe.",
            "Kolonnen »Efternavn« er valgt til flere felter: Navn og Stilling. Kun Stillingskode, Faggruppe og "
            "Stilling kan bruge samme kolonne.",
        ]
        form_errors = response.context["form"].errors
        assert {"field_start_date", "field_job_code", "field_job_group", "field_name", "field_title"} <= set(
            form_errors
        )

    def test_the_page_marks_the_required_fields_and_their_alternatives(self, client, world) -> None:
        client.force_login(world.coordinator)
        columns = client.post(UPLOAD, {"files": [split_names_csv(2)]})["Location"]

        page = client.get(columns)

        text = flat(page)
        form = page.context["form"]
        assert form.fields["field_start_date"].help_text == "Påkrævet."
        assert form.fields["field_job_group"].help_text == "Påkrævet, medmindre Stillingskode har en kolonne."
        assert form.fields["field_facility"].help_text == "Påkrævet, medmindre Afdelings-id (HR) har en kolonne."
        assert form.fields["field_email"].help_text == ""
        assert '<span class="small" id="id_field_start_date_helptext"><strong>Påkrævet.</strong></span>' in text
        assert 'aria-describedby="id_field_start_date_helptext"' in text

    @pytest.mark.parametrize(
        ("header", "field"),
        [
            ("Tjenestenr.", "employment_number"),
            ("Tjenestenummer", "employment_number"),
            ("Tj.nr.", "employment_number"),
            ("Ugentlig arbejdstid", "weekly_hours"),
            ("Ugentlig arb.tid", "weekly_hours"),
            ("Timer pr. uge", "weekly_hours"),
        ],
    )
    def test_common_payroll_headers_are_recognised(self, header, field) -> None:
        assert guess_mapping(["Medarbejdernr", "Navn", header])[field] == header

    def test_afdeling_is_the_department_unless_a_facility_column_is_there(self, client, world) -> None:
        assert guess_mapping(["Navn", "Afdeling"])["department_id"] == "Afdeling"
        beside = guess_mapping(["Navn", "Tilbud", "Afdeling"])
        assert beside["facility"] == "Tilbud"
        assert "department_id" not in beside
        # Through the page: a payroll export's own headers are all chosen.
        client.force_login(world.coordinator)
        data = (
            "Tjenestenr.;Medarbejdernr;Navn;Afdeling;Faggruppe;Ansat fra;Ugentlig arbejdstid\n"
            "T-1;M-1;Karen Holm;A100;Socialpædagog;01-02-2024;37\n"
        ).encode()
        columns = client.post(UPLOAD, {"files": [SimpleUploadedFile("udtraek.csv", data)]})["Location"]
        form = client.get(columns).context["form"]
        chosen = {name: field.initial for name, field in form.fields.items() if field.initial}
        assert chosen == {
            "field_employment_number": "Tjenestenr.",
            "field_person_id": "Medarbejdernr",
            "field_name": "Navn",
            "field_department_id": "Afdeling",
            "field_job_group": "Faggruppe",
            "field_start_date": "Ansat fra",
            "field_weekly_hours": "Ugentlig arbejdstid",
        }


@pytest.mark.django_db
class TestRelevantEducation:
    def test_a_file_without_the_column_warns_and_keeps_what_people_have(self, client, world) -> None:
        """Every facility showed '0 % med relevant uddannelse' after such a file, without a word."""
        client.force_login(world.coordinator)
        apply_full_names(client, world, count=1)
        Employee.objects.filter(person_key="0707:M-1").update(education="Pædagog", education_relevant=True)
        data = (
            "Ansættelsesnr;Medarbejdernr;Navn;Uddannelse;Tilbud;Faggruppe;Ansat fra\n"
            "A-1;M-1;Anna1 Jensen1;Pædagog;Dolmer Have;Socialpædagog;01-02-2024\n"
            "A-2;M-2;Bo Nyholm;Social- og sundhedsassistent;Dolmer Have;SOSU-assistent;01-03-2024\n"
        ).encode()
        check = upload_mapped(client, SimpleUploadedFile("loen.csv", data), {**FULL_MAPPING, "education": "Uddannelse"})

        page = client.get(check)

        [warning] = [w for w in page.context["warnings"] if w.column == "Relevant uddannelse"]
        assert warning.message == (
            "Filen har ingen kolonne for relevant uddannelse, så andelen af medarbejdere med relevant uddannelse "
            "kan ikke beregnes ud fra den: de nye medarbejdere (1) gemmes som uden relevant uddannelse, og "
            "tilbuddenes sider tæller dem sådan. Eksisterende medarbejdere beholder deres markering. Tilføj "
            "kolonnen Relevant uddannelse (ja/nej), eller sæt relevant uddannelse på hver medarbejder."
        )
        assert "Filen har ingen kolonne for relevant uddannelse" in flat(page)
        assert client.post(check).status_code == 302
        kept = Employee.objects.get(person_key="0707:M-1")
        assert (kept.education, kept.education_relevant) == ("Pædagog", True)  # not overwritten to False

    def test_a_column_left_empty_for_new_people_is_named_too(self, client, world) -> None:
        client.force_login(world.coordinator)
        data = (
            "Ansættelsesnr;Medarbejdernr;Navn;Relevant uddannelse;Tilbud;Faggruppe;Ansat fra\n"
            "A-1;M-1;Anna Holm;ja;Dolmer Have;Socialpædagog;01-02-2024\n"
            "A-2;M-2;Bo Nyholm;;Dolmer Have;Socialpædagog;01-03-2024\n"
        ).encode()
        check = upload_mapped(
            client,
            SimpleUploadedFile("loen.csv", data),
            {**FULL_MAPPING, "education_relevant": "Relevant uddannelse"},
        )

        page = client.get(check)

        [warning] = [w for w in page.context["warnings"] if w.column == "Relevant uddannelse"]
        assert (warning.row, warning.message) == (
            3,
            "Nye medarbejdere uden ja eller nej i kolonnen Relevant uddannelse: 1 (række 3). De gemmes som uden "
            "relevant uddannelse, og tilbuddenes sider tæller dem sådan. Udfyld kolonnen, eller sæt relevant "
            "uddannelse på hver medarbejder.",
        )

    def test_a_file_with_the_column_filled_says_nothing(self, client, world) -> None:
        client.force_login(world.coordinator)
        data = (
            "Ansættelsesnr;Medarbejdernr;Navn;Relevant uddannelse;Tilbud;Faggruppe;Ansat fra\n"
            "A-1;M-1;Anna Holm;ja;Dolmer Have;Socialpædagog;01-02-2024\n"
        ).encode()
        check = upload_mapped(
            client,
            SimpleUploadedFile("loen.csv", data),
            {**FULL_MAPPING, "education_relevant": "Relevant uddannelse"},
        )

        page = client.get(check)

        assert not [w for w in page.context["warnings"] if w.column == "Relevant uddannelse"]
        assert ImportBatch.objects.filter(status=ImportBatch.Status.PENDING).count() == 1
