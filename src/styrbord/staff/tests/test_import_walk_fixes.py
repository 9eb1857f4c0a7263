"""Defects a user walk found in the HR import, each through the real import path (files on disk
through ``run_import``, or uploads through the pages as a coordinator uses them):

1. an empty cell for an existing person or employment keeps what Styrbord has (it wiped the
   education, the e-mail, the title ...);
2. an hourly wage that is a monthly or yearly figure is refused at its cell;
3. people the import creates are in the audit log, each of them, as updated people are;
4. a saved column mapping whose optional column the file lacks leaves it unused, with a note;
5. messages: an unknown department in a generic file, a date that does not exist, one rejected
   file, and the result of an import that changed no one.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styrbord.audit.models import AuditEntry
from styrbord.staff.import_models import ColumnMapping
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import run_import
from styrbord.staff.models import Employee, Employment
from styrbord.staff.tests.test_import_support import copy_set, five_file, norddjurs

UPLOAD = "/medarbejdere/import/"
HEADER = [
    "Ansættelsesnr",
    "Medarbejdernr",
    "Navn",
    "E-mail",
    "Fødselsår",
    "Uddannelse",
    "Relevant uddannelse",
    "Tilbud",
    "Faggruppe",
    "Stilling",
    "Ansættelsestype",
    "Status",
    "Ugentlige timer",
    "Ansat fra",
    "Timeløn",
]
MAPPING = {
    "employment_number": "Ansættelsesnr",
    "person_id": "Medarbejdernr",
    "name": "Navn",
    "email": "E-mail",
    "birth_year": "Fødselsår",
    "education": "Uddannelse",
    "education_relevant": "Relevant uddannelse",
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "title": "Stilling",
    "kind": "Ansættelsestype",
    "status": "Status",
    "weekly_hours": "Ugentlige timer",
    "start_date": "Ansat fra",
    "hourly_wage": "Timeløn",
}
EDUCATION = "Pædagog (professionsbachelor) – diplommodul i psykiatri"
FULL_ROW = {
    "Ansættelsesnr": "A-1",
    "Medarbejdernr": "M-1",
    "Navn": "Karen Holm",
    "E-mail": "karen@example.dk",
    "Fødselsår": "1980",
    "Uddannelse": EDUCATION,
    "Relevant uddannelse": "ja",
    "Tilbud": "Dolmer Have",
    "Faggruppe": "Socialpædagog",
    "Stilling": "Kontaktpædagog",
    "Ansættelsestype": "Tidsbegrænset",
    "Status": "Orlov",
    "Ugentlige timer": "32",
    "Ansat fra": "01-02-2024",
    "Timeløn": "312,50",
}


def _empty_row() -> dict[str, str]:
    """The same person, every optional cell left empty: the walk's file."""
    required = {"Ansættelsesnr", "Medarbejdernr", "Navn", "Tilbud", "Faggruppe", "Ansat fra"}
    return {key: (value if key in required else "") for key, value in FULL_ROW.items()}


def csv_text(rows: list[dict[str, str]], header: list[str] = HEADER) -> str:
    lines = [";".join(header)]
    lines += [";".join(row.get(column, "") for column in header) for row in rows]
    return "\n".join(lines) + "\n"


def write_csv(
    tmp_path: Path, rows: list[dict[str, str]], name: str = "loen.csv", header: list[str] = HEADER
) -> list[SourceFile]:
    path = tmp_path / name
    path.write_text(csv_text(rows, header), encoding="utf-8")
    return [SourceFile(name=name, path=path)]


def xlsx_upload(rows: list[dict[str, str]], header: list[str] = HEADER) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") or None for column in header])
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile("loen.xlsx", content.getvalue())


def rejected(sources: list[SourceFile], mapping: dict[str, str] | None = MAPPING) -> ImportRejectedError:
    with pytest.raises(ImportRejectedError) as info:
        run_import(sources, norddjurs(), mapping=mapping)
    return info.value


def person(number: int, **changes: str) -> dict[str, str]:
    return {**FULL_ROW, "Ansættelsesnr": f"A-{number}", "Medarbejdernr": f"M-{number}", **changes}


def flat(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mapping(world) -> ColumnMapping:  # type: ignore[no-untyped-def]
    return ColumnMapping.objects.create(name="Lønsystem", municipality=world.dolmer.municipality, mapping=MAPPING)


def stored() -> tuple[object, ...]:
    karen = Employee.objects.get(person_key="0707:M-1")
    job = Employment.objects.get(employment_number="A-1")
    return (
        karen.name,
        karen.email,
        karen.birth_year,
        karen.education,
        karen.education_relevant,
        job.title,
        job.kind,
        job.status,
        job.weekly_hours,
        job.hourly_wage,
    )


FULL_STORED = (
    "Karen Holm",
    "karen@example.dk",
    1980,
    EDUCATION,
    True,
    "Kontaktpædagog",
    "fixed_term",
    "leave",
    Decimal("32.00"),
    Decimal("312.50"),
)


@pytest.mark.django_db
class TestEmptyCellsKeep:
    def test_an_upload_with_empty_optional_cells_changes_no_existing_person_or_employment(
        self, client, world, mapping
    ) -> None:
        """The walk: an empty Uddannelse showed "Uddannelse Pædagog ... → –" and wiped it. Every
        optional cell empty now means "no change", on the check page and when applied."""
        client.force_login(world.coordinator)
        first = client.post(UPLOAD, {"files": [xlsx_upload([FULL_ROW])], "mapping": mapping.pk})["Location"]
        assert client.post(first).status_code == 302
        assert stored() == FULL_STORED
        versions = (
            Employee.objects.get(person_key="0707:M-1").version,
            Employment.objects.get(employment_number="A-1").version,
        )

        check = client.post(UPLOAD, {"files": [xlsx_upload([_empty_row()])], "mapping": mapping.pk})["Location"]
        page = client.get(check)

        assert page.status_code == 200
        counts = page.context["counts"]
        assert (counts["employees_updated"], counts["employments_updated"]) == (0, 0)
        assert "→ –" not in flat(page)
        applied = client.post(check)
        assert applied.status_code == 302
        assert stored() == FULL_STORED
        assert (
            Employee.objects.get(person_key="0707:M-1").version,
            Employment.objects.get(employment_number="A-1").version,
        ) == versions

    def test_a_new_person_with_empty_cells_gets_the_defaults(self, world, tmp_path) -> None:
        run_import(write_csv(tmp_path, [_empty_row()]), norddjurs(), mapping=MAPPING)

        assert stored() == ("Karen Holm", "", None, "", False, "", "permanent", "active", Decimal("37.00"), 0)

    def test_a_given_value_still_changes_and_an_empty_one_beside_it_keeps(self, world, tmp_path) -> None:
        run_import(write_csv(tmp_path, [FULL_ROW]), norddjurs(), mapping=MAPPING)
        row = {**_empty_row(), "Uddannelse": "Socialrådgiver", "Status": "Aktiv"}

        result = run_import(write_csv(tmp_path, [row]), norddjurs(), mapping=MAPPING)

        assert result.plan.person_changed_fields == {Employee.objects.get(person_key="0707:M-1").pk: ("education",)}
        expected = list(FULL_STORED)
        expected[3] = "Socialrådgiver"
        expected[7] = "active"
        assert stored() == tuple(expected)

    def test_an_ended_employment_back_in_the_file_with_an_empty_status_opens_again(self, world, tmp_path) -> None:
        run_import(write_csv(tmp_path, [FULL_ROW]), norddjurs(), mapping=MAPPING)
        Employment.objects.filter(employment_number="A-1").update(status="ended", end_date="2024-06-30")

        run_import(write_csv(tmp_path, [_empty_row()]), norddjurs(), mapping=MAPPING)

        job = Employment.objects.get(employment_number="A-1")
        assert (job.status, job.end_date) == ("active", None)

    def test_the_five_file_set_keeps_an_education_and_e_mail_its_cells_leave_empty(self, world, tmp_path) -> None:
        folder = copy_set("five_file_utf8", tmp_path)
        bruger = folder / "bruger.csv"
        lines = bruger.read_text(encoding="utf-8").splitlines()
        bruger.write_text(
            "\n".join([lines[0] + ";Uddannelse", *(line + ";Pædagog" for line in lines[1:])]) + "\n", encoding="utf-8"
        )
        run_import(five_file(str(folder)), norddjurs())
        assert lines[1] == "1001;Søren Ærø;soeren@example.dk;Socialpædagog"
        lines[1] = "1001;Søren Ærø;;"  # e-mail and title empty, and the education below
        bruger.write_text(
            "\n".join(
                [
                    lines[0] + ";Uddannelse",
                    *(line + (";" if line.startswith("1001") else ";Pædagog") for line in lines[1:]),
                ]
            )
            + "\n",
            encoding="utf-8",
        )

        result = run_import(five_file(str(folder)), norddjurs())

        assert (result.counts["employees_updated"], result.counts["employments_updated"]) == (0, 0)
        soeren = Employee.objects.get(person_key="0707:1001")
        assert (soeren.email, soeren.education) == ("soeren@example.dk", "Pædagog")
        assert Employment.objects.get(employment_number="1001-101").title == "Socialpædagog"


@pytest.mark.django_db
class TestImplausibleWage:
    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            (
                "282.000,00",
                "Timelønnen 282.000,00 kr. ligner ikke en timeløn (forventet mellem 50 og 2.000 kr.). "
                "Er det en måneds- eller årsløn?",
            ),
            (
                "34500",
                "Timelønnen 34.500,00 kr. ligner ikke en timeløn (forventet mellem 50 og 2.000 kr.). "
                "Er det en måneds- eller årsløn?",
            ),
            (
                "3,125",
                "Timelønnen 3,13 kr. er for lav til en timeløn (forventet mellem 50 og 2.000 kr., eller 0 for en "
                "ulønnet ansættelse). Står kommaet forkert?",
            ),
        ],
    )
    def test_a_wage_outside_the_plausible_range_is_refused_at_its_cell(self, world, tmp_path, cell, message) -> None:
        rows = [person(1), person(2, **{"Timeløn": cell})]

        error = rejected(write_csv(tmp_path, rows))

        assert [(i.file, i.row, i.column, i.value, i.message) for i in error.errors] == [
            ("loen.csv", 3, "Timeløn", cell, message)
        ]
        assert not Employment.objects.filter(employment_number__in=["A-1", "A-2"]).exists()

    @pytest.mark.parametrize(("cell", "stored"), [("0", 0), ("50", 50), ("2.000,00", 2000), ("1.999,9999", 2000)])
    def test_a_plausible_wage_and_zero_are_accepted(self, world, tmp_path, cell, stored) -> None:
        run_import(write_csv(tmp_path, [person(1, **{"Timeløn": cell})]), norddjurs(), mapping=MAPPING)

        assert Employment.objects.get(employment_number="A-1").hourly_wage == stored

    def test_the_five_file_set_refuses_it_too(self, world, tmp_path) -> None:
        folder = copy_set("five_file_utf8", tmp_path)
        engagement = folder / "engagement.csv"
        lines = engagement.read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ";Timeløn"] + [line + ";310" for line in lines[1:]]
        lines[2] = lines[2][: -len("310")] + "41.250"
        engagement.write_text("\n".join(lines) + "\n", encoding="utf-8")

        error = rejected(five_file(str(folder)), mapping=None)

        assert [(i.file, i.row, i.column, i.value) for i in error.errors] == [
            ("engagement.csv", 3, "Timeløn", "41.250")
        ]
        assert error.errors.items[0].message.startswith("Timelønnen 41.250,00 kr. ligner ikke en timeløn")


@pytest.mark.django_db
class TestCreatedPeopleAudited:
    def test_each_created_person_is_named_in_the_audit_log_as_each_updated_one_is(self, world, tmp_path) -> None:
        run_import(write_csv(tmp_path, [person(1)]), norddjurs(), mapping=MAPPING, user=world.coordinator)
        before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        rows = [
            person(1, Navn="Karen Holm-Berg"),
            person(2),
            person(3, **{"E-mail": "", "Fødselsår": ""}),
            person(4),
        ]

        result = run_import(write_csv(tmp_path, rows), norddjurs(), mapping=MAPPING, user=world.coordinator)

        assert (result.counts["employees_created"], result.counts["employees_updated"]) == (3, 1)
        ids = dict(Employee.objects.values_list("person_key", "id"))
        created = AuditEntry.objects.filter(action="staff.employee.created", id__gt=before)
        assert sorted(created.values_list("subject_employee_id", flat=True)) == sorted(
            ids[f"0707:M-{n}"] for n in (2, 3, 4)
        )
        everything = ["name", "email", "birth_year", "education", "education_relevant"]
        by_person = {e.subject_employee_id: e for e in created}
        assert by_person[ids["0707:M-2"]].data == {"fields": everything, "import_batch": result.batch.pk}
        assert by_person[ids["0707:M-3"]].data["fields"] == ["name", "education", "education_relevant"]
        for entry in created:
            assert (entry.kind, entry.actor_id, entry.object_type) == (
                AuditEntry.Kind.CHANGE,
                world.coordinator.pk,
                "staff.employee",
            )
            assert "Holm" not in str(entry.data)  # fields, never values
        [updated] = AuditEntry.objects.filter(action="staff.employee.updated", id__gt=before)
        assert (updated.subject_employee_id, updated.data) == (
            ids["0707:M-1"],
            {"fields": ["name"], "import_batch": result.batch.pk},
        )

    def test_the_entries_are_written_set_based_not_one_statement_a_person(self, world, tmp_path) -> None:
        rows = [person(n) for n in range(1, 41)]

        with CaptureQueriesContext(connection) as queries:
            run_import(write_csv(tmp_path, rows), norddjurs(), mapping=MAPPING, user=world.coordinator)

        audit_table = AuditEntry._meta.db_table
        inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'INSERT INTO "{audit_table}"')]
        assert len(inserts) == 2  # the batch's entry, and one for the 40 people created
        assert AuditEntry.objects.filter(action="staff.employee.created").count() == 40


@pytest.mark.django_db
class TestMissingOptionalColumn:
    def test_a_saved_mapping_whose_optional_columns_the_file_lacks_is_used_with_a_note(self, client, world) -> None:
        saved = ColumnMapping.objects.create(
            name="Lønsystem",
            municipality=world.dolmer.municipality,
            mapping={
                **MAPPING,
                "middle_name": "Mellemnavn",
                "name": "",
                "first_name": "Fornavn",
                "last_name": "Efternavn",
            },
        )
        header = [h for h in HEADER if h not in ("Navn", "E-mail")] + ["Fornavn", "Efternavn"]
        row = {**FULL_ROW, "Fornavn": "Karen", "Efternavn": "Holm"}
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": [xlsx_upload([row], header)], "mapping": saved.pk})

        assert response.status_code == 302, flat(response)
        page = client.get(response["Location"])
        assert page.status_code == 200
        notes = [w.message for w in page.context["warnings"]]
        assert any(
            m.startswith("Kolonnen Mellemnavn (Mellemnavn) fra kolonneopsætningen findes ikke i filen.") for m in notes
        )
        assert any(m.startswith("Kolonnen E-mail (E-mail) fra kolonneopsætningen findes ikke i filen.") for m in notes)
        assert "Kolonnen Mellemnavn (Mellemnavn) fra kolonneopsætningen findes ikke i filen." in flat(page)
        assert client.post(response["Location"]).status_code == 302
        assert Employee.objects.get(person_key="0707:M-1").name == "Karen Holm"

    def test_a_missing_required_column_is_still_refused(self, client, world, mapping) -> None:
        header = [h for h in HEADER if h != "Ansat fra"]
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": [xlsx_upload([FULL_ROW], header)], "mapping": mapping.pk})

        assert response.status_code == 422
        assert "Kolonnen Ansat fra fra kolonneopsætningen findes ikke i filen." in flat(response)
        assert not Employee.objects.filter(person_key="0707:M-1").exists()

    def test_an_alternative_column_missing_beside_one_present_is_only_a_note(self, world, tmp_path) -> None:
        """The mapping names both a department id and a facility; the file has the facility."""
        result = run_import(
            write_csv(tmp_path, [FULL_ROW]), norddjurs(), mapping={**MAPPING, "department_id": "AfdelingsId"}
        )

        assert [w.column for w in result.plan.warnings if "kolonneopsætningen" in w.message] == ["AfdelingsId"]
        assert Employment.objects.get(employment_number="A-1").facility == world.dolmer


@pytest.mark.django_db
class TestMessages:
    def test_an_unknown_department_in_a_generic_file_names_no_organisation_file(self, world, tmp_path) -> None:
        header = [*HEADER, "AfdelingsId"]
        rows = [person(1, Tilbud="", AfdelingsId="999"), person(2, Tilbud="", AfdelingsId="999")]

        error = rejected(write_csv(tmp_path, rows, header=header), {**MAPPING, "department_id": "AfdelingsId"})

        assert [(i.row, i.column, i.value, i.message) for i in error.errors] == [
            (
                2,
                "AfdelingsId",
                "999",
                "Ukendt afdeling: Styrbord kender ikke afdelings-id'et 999. Opret afdelingen under tilbuddet eller "
                "ret filen. Rækker med den: 2.",
            )
        ]

    def test_the_five_file_set_keeps_its_message_about_the_organisation_file(self, world) -> None:
        error = rejected(five_file("unknown_department"), mapping=None)

        assert [i.message for i in error.errors] == [
            "Ukendt afdeling: den findes hverken i organisationsfilen eller i Styrbord. Rækker med den: 1."
        ]

    def test_a_date_that_does_not_exist_is_named_so(self, world, tmp_path) -> None:
        rows = [
            person(1, **{"Ansat fra": "31-02-2022"}),
            person(2, **{"Ansat fra": "29-02-2023"}),
            person(3, **{"Ansat fra": "32-01-2022"}),
        ]

        error = rejected(write_csv(tmp_path, rows))

        assert [(i.row, i.column, i.message) for i in error.errors] == [
            (2, "Ansat fra", "Datoen 31-02-2022 findes ikke."),
            (3, "Ansat fra", "Datoen 29-02-2023 findes ikke."),
            (4, "Ansat fra", "Ugyldig dato; skriv f.eks. 01-02-2024, 01.02.2024 eller 2024-02-01."),
        ]

    def test_one_rejected_file_is_named_in_the_singular_and_five_in_the_plural(self, client, world, mapping) -> None:
        client.force_login(world.coordinator)

        one = client.post(UPLOAD, {"files": [xlsx_upload([person(1, Timeløn="282.000,00")])], "mapping": mapping.pk})

        assert one.status_code == 422
        assert "Filen blev afvist: 1 fejl." in flat(one)
        assert "Filerne blev afvist" not in flat(one)

        folder = Path(__file__).resolve().parent / "files" / "unknown_department"
        five = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
        several = client.post(UPLOAD, {"files": five})
        assert several.status_code == 422
        assert "Filerne blev afvist: 1 fejl." in flat(several)

    def test_an_import_that_changes_no_one_lists_no_fields(self, client, world, mapping) -> None:
        client.force_login(world.coordinator)
        for expected in (
            "Medarbejdere: 1 oprettet, 0 opdateret.",
            "Medarbejdere: 0 oprettet, 0 opdateret.",
            "Medarbejdere: 0 oprettet, 1 opdateret (navn, e-mail, fødselsår, uddannelse).",
        ):
            row = FULL_ROW if "1 opdateret" not in expected else {**FULL_ROW, "Navn": "Karen Holm-Berg"}
            check = client.post(UPLOAD, {"files": [xlsx_upload([row])], "mapping": mapping.pk})["Location"]
            applied = client.post(check)
            messages = [str(m) for m in get_messages(applied.wsgi_request)]
            message = [m for m in messages if "gennemført" in m][-1]  # the earlier ones are not read yet
            assert message.endswith(expected), message
