"""The HR import against the committed messy files: each file gives its documented outcome, and a
rejected delivery leaves the database exactly as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Unit
from styrbord.staff.import_models import FacilityDepartment, ImportBatch
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import prepare, run_import
from styrbord.staff.models import Employee, Employment, JobCode, JobGroup
from styrbord.staff.tests.test_import_support import (
    FILES,
    GENERIC_MAPPING,
    copy_set,
    five_file,
    import_five,
    norddjurs,
    one_file,
    snapshot,
)

pytestmark = pytest.mark.django_db


def rejected(sources, **kwargs) -> ImportRejectedError:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejectedError) as info:
        run_import(sources, norddjurs(), **kwargs)
    return info.value


def messages(error: ImportRejectedError) -> list[str]:
    return [str(issue) for issue in error.errors]


class TestFiveFileSet:
    def test_it_imports_people_employments_departments_and_managers(self, world) -> None:
        result = import_five()

        assert result.counts["employees_created"] == 7  # user 1008 has no engagement
        assert result.counts["employments_created"] == 8
        assert result.counts["facilities_created"] == 1
        assert result.counts["units_created"] == 3
        soeren = Employee.objects.get(person_key="0707:1001")
        assert soeren.name == "Søren Ærø"
        assert soeren.email == "soeren@example.dk"
        assert not Employee.objects.filter(person_key="0707:1008").exists()
        # Top-level departments under the municipality are facilities; known names are matched.
        assert FacilityDepartment.objects.get(department_id="100").facility == world.dolmer
        assert FacilityDepartment.objects.get(department_id="200").facility == world.glesborg
        orsted = Facility.objects.get(name="Botilbuddet Ørsted Å")
        assert orsted.municipality.code == "0707"
        hus = Unit.objects.get(hr_department_id="101")
        assert (hus.facility, hus.name) == (world.dolmer, "Dolmer Have – Hus Æble")
        first = Employment.objects.get(employment_number="1001-101")
        assert (first.facility, first.unit, first.job_group) == (world.dolmer, hus, JobGroup.SOCIAL_EDUCATOR)
        assert first.start_date == dt.date(2019, 2, 1)
        second = Employment.objects.get(employment_number="1001-300")
        assert (second.kind, second.is_primary, second.weekly_hours) == ("hourly", False, Decimal("5.50"))
        assert Employment.objects.get(employment_number="1002-102").fte == Decimal("0.8649")
        manager = Employment.objects.get(employment_number="1005-100")
        assert (manager.job_group, manager.title, manager.unit) == (JobGroup.MANAGER, "Forstander", None)
        assert Employment.objects.get(employment_number="1006-101").kind == Employment.Kind.TRAINEE
        assert Employment.objects.get(employment_number="1006-101").job_group == JobGroup.SOSU_ASSISTANT
        assert Employment.objects.get(employment_number="1007-201").status == Employment.Status.LEAVE
        assert JobCode.objects.get(code="M3").job_group == JobGroup.CARE_ASSISTANT
        assert not JobCode.objects.filter(code="K9").exists()  # unused and unknown: skipped

    def test_it_records_the_batch_and_audits_counts_only(self, world) -> None:
        result = import_five(user=world.coordinator)

        batch = ImportBatch.objects.get()
        assert batch == result.batch
        assert (batch.status, batch.created_by, batch.dry_run) == ("applied", world.coordinator, False)
        assert batch.file_names == [
            f"{n}.csv" for n in ("bruger", "organisation", "engagement", "stillingskode", "leder")
        ]
        assert batch.counts["employments_created"] == 8
        entry = AuditEntry.objects.get(action="staff.import.applied")
        assert entry.data == result.counts
        assert "Søren" not in str(entry.data)

    def test_a_second_import_of_the_same_files_changes_nothing(self, world) -> None:
        import_five()
        before = snapshot()

        result = import_five()

        assert snapshot() == before
        assert result.counts["employees_created"] == result.counts["employments_created"] == 0
        assert result.counts["employees_updated"] == result.counts["employments_updated"] == 0
        assert result.counts["employments_unchanged"] == 8

    def test_a_changed_row_is_updated_in_place(self, world, tmp_path) -> None:
        import_five()
        folder = copy_set("five_file_utf8", tmp_path)
        engagement = (folder / "engagement.csv").read_text()
        (folder / "engagement.csv").write_text(engagement.replace("01-02-2019;37", "01-02-2019;30"))
        bruger = (folder / "bruger.csv").read_text()
        (folder / "bruger.csv").write_text(bruger.replace("Søren Ærø", "Søren Ærø Holm"))
        employment = Employment.objects.get(employment_number="1001-101")

        result = run_import(five_file(str(folder)), norddjurs())

        assert result.counts["employments_updated"] == 1
        assert result.counts["employees_updated"] == 1
        employment.refresh_from_db()
        assert (employment.weekly_hours, employment.fte, employment.version) == (Decimal("30.00"), Decimal("0.8108"), 2)
        assert Employee.objects.get(person_key="0707:1001").name == "Søren Ærø Holm"
        assert Employment.objects.count() == 8 + 9  # the world's staff plus the file's, no duplicates

    def test_windows_1252_with_commas_reads_the_danish_letters(self, world) -> None:
        plan = prepare(five_file("five_file_cp1252"), norddjurs())

        assert not plan.errors
        encodings = {f.name: f.encoding for f in plan.parsed.files}
        assert encodings["bruger.csv"] == encodings["organisation.csv"] == "cp1252"
        assert encodings["leder.csv"] == "utf-8"  # plain ASCII reads the same either way
        assert {f.delimiter for f in plan.parsed.files} == {","}
        assert plan.parsed.persons["0707:1002"].name == "Åse Østergård"
        assert plan.parsed.departments["101"].name == "Dolmer Have – Hus Æble"

    def test_bom_semicolons_crlf_and_blank_lines_give_the_same_import(self, world) -> None:
        import_five("five_file_utf8")
        before = snapshot()

        result = import_five("five_file_bom_crlf")

        assert result.counts["employments_unchanged"] == 8
        assert snapshot() == before
        assert {f.encoding for f in result.plan.parsed.files} == {"utf-8-sig"}

    def test_blank_lines_do_not_shift_the_reported_row_numbers(self, world, tmp_path) -> None:
        folder = copy_set("five_file_bom_crlf", tmp_path)
        path = folder / "engagement.csv"
        path.write_bytes(path.read_bytes().replace(b"15.08.2020", b"15.18.2020"))

        error = rejected(five_file(str(folder)))

        # header (1), blank (2), 1001 (3), blank (4), 1002 (5)
        assert [(i.file, i.row, i.column, i.value) for i in error.errors] == [
            ("engagement.csv", 5, "StartdatoEngagement", "15.18.2020")
        ]

    def test_duplicated_employment_numbers_are_rejected_and_nothing_changes(self, world) -> None:
        before = snapshot()

        error = rejected(five_file("duplicated_employment"))

        assert error.errors.total == 1
        issue = error.errors.items[0]
        assert (issue.file, issue.row, issue.value) == ("engagement.csv", 4, "1002-102")
        assert "står også i række 3" in issue.message
        assert snapshot() == before
        assert not ImportBatch.objects.exists()

    def test_a_duplicated_number_is_reported_even_when_its_first_row_has_other_errors(self, world, tmp_path) -> None:
        folder = copy_set("duplicated_employment", tmp_path)
        path = folder / "engagement.csv"
        lines = path.read_text().splitlines()
        lines[2] = lines[2].replace("15.08.2020", "31-02-2020")  # row 3, the first with 1002-102
        path.write_text("\n".join(lines) + "\n")

        error = rejected(five_file(str(folder)))

        assert [(i.row, i.value, i.message) for i in error.errors] == [
            (3, "31-02-2020", "Datoen 31-02-2020 findes ikke."),
            (4, "1002-102", "Ansættelsesnummeret står også i række 3."),
        ]

    def test_unknown_job_codes_are_rejected(self, world) -> None:
        before = snapshot()

        error = rejected(five_file("unknown_job_code"))

        found = {(i.file, i.row, i.value): i.message for i in error.errors}
        assert "Ukendt stillingskode" in found[("engagement.csv", 3, "9999")]
        assert "kan ikke knyttes til en faggruppe" in found[("stillingskode.csv", 8, "K9 Køkkenassistent")]
        assert snapshot() == before

    def test_a_job_code_known_in_styrbord_needs_no_mapping(self, world) -> None:
        JobCode.objects.create(code="K9", name="Køkkenassistent", job_group=JobGroup.CARE_ASSISTANT)
        JobCode.objects.create(code="9999", name="Ukendt i filen", job_group=JobGroup.SUBSTITUTE)

        result = import_five("unknown_job_code")

        assert result.counts["employments_created"] == 3
        assert Employment.objects.get(employment_number="1004-300").job_group == JobGroup.CARE_ASSISTANT

    def test_unknown_departments_are_rejected(self, world) -> None:
        error = rejected(five_file("unknown_department"))

        assert [(i.row, i.value) for i in error.errors] == [(3, "999")]
        assert "Ukendt afdeling" in error.errors.items[0].message

    def test_bad_dates_and_numbers_are_reported_per_cell(self, world) -> None:
        before = snapshot()

        error = rejected(five_file("bad_dates"))

        assert [(i.row, i.column, i.value) for i in error.errors] == [
            (3, "StartdatoEngagement", "31-02-2020"),
            (4, "StartdatoEngagement", "1/13/2024"),
            (4, "Ugentlige timer", "mange"),
        ]
        assert snapshot() == before

    def test_a_missing_required_column_is_named(self, world, tmp_path) -> None:
        folder = copy_set("five_file_utf8", tmp_path)
        path = folder / "engagement.csv"
        path.write_text(path.read_text().replace("StartdatoEngagement", "Startdag"))

        error = rejected(five_file(str(folder)))

        assert error.errors.total == 1
        assert "StartdatoEngagement" in error.errors.items[0].message

    def test_an_incomplete_set_is_rejected(self, world) -> None:
        error = rejected(five_file("five_file_utf8", without=("organisation",)))

        assert "organisation.csv" in error.errors.items[0].message

    def test_a_manager_without_an_employment_in_the_department_is_an_error(self, world, tmp_path) -> None:
        folder = copy_set("five_file_utf8", tmp_path)
        (folder / "leder.csv").write_text("BrugerId;AfdelingsID;Titel\n1005;200;Leder\n")

        error = rejected(five_file(str(folder)))

        assert "Lederen har ingen ansættelse" in error.errors.items[0].message

    def test_end_missing_ends_active_employments_not_in_the_files(self, world, tmp_path) -> None:
        import_five()
        folder = copy_set("five_file_utf8", tmp_path)
        path = folder / "engagement.csv"
        path.write_text(
            "\n".join(line for line in path.read_text().splitlines() if not line.startswith("1003;")) + "\n"
        )
        others = Employment.objects.filter(facility__municipality__code="0706").values_list("status", flat=True)
        assert set(others) == {"active"}

        result = run_import(five_file(str(folder)), norddjurs(), end_missing=True)

        # 1003's employment and the five the world's staff hold at Norddjurs' two facilities.
        assert result.counts["employments_ended"] == 6
        ended = Employment.objects.get(employment_number="1003-201")
        assert ended.status == Employment.Status.ENDED
        assert ended.end_date == local_today() - dt.timedelta(days=1)
        assert set(others) == {"active"}  # another municipality is never touched
        again = run_import(five_file(str(folder)), norddjurs(), end_missing=True)
        assert again.counts["employments_ended"] == 0

    def test_ended_employments_count_as_gone_on_the_import_day_on_every_page(self, world, tmp_path) -> None:
        """The facility list counts employments in force (status not ended); the evidence sheet and
        coverage count those whose end date is today or later. An employment missing from today's
        file ends yesterday, so both agree on the import day (with today as end date they differed)."""
        from django.db.models import Q

        from styrbord.organisations.services import current_employments

        import_five()
        folder = copy_set("five_file_utf8", tmp_path)
        path = folder / "engagement.csv"
        path.write_text(
            "\n".join(line for line in path.read_text().splitlines() if not line.startswith("1003;")) + "\n"
        )
        today = local_today()
        earlier = today - dt.timedelta(days=10)
        Employment.objects.filter(employment_number="1002-102").update(end_date=earlier)
        path.write_text(
            "\n".join(line for line in path.read_text().splitlines() if not line.startswith("1002;")) + "\n"
        )

        plan = prepare(five_file(str(folder)), norddjurs(), end_missing=True)
        run_import(five_file(str(folder)), norddjurs(), end_missing=True)

        in_force = Employment.objects.filter(start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        norddjurs_q = Q(facility__municipality__code="0707")
        assert current_employments(today).filter(norddjurs_q).count() == in_force.filter(norddjurs_q).count()
        assert Employment.objects.get(employment_number="1003-201").end_date == today - dt.timedelta(days=1)
        assert Employment.objects.get(employment_number="1002-102").end_date == earlier  # its own, earlier end
        assert {e.number: e.last_day for e in plan.ending}["1003-201"] == today - dt.timedelta(days=1)
        assert {e.number: e.last_day for e in plan.ending}["1002-102"] == earlier

    def test_an_ended_employment_that_comes_back_is_opened_again(self, world, tmp_path) -> None:
        import_five()
        Employment.objects.filter(employment_number="1003-201").update(status="ended", end_date=dt.date(2026, 1, 1))

        import_five()

        back = Employment.objects.get(employment_number="1003-201")
        assert (back.status, back.end_date) == ("active", None)


class TestCpr:
    def test_a_cpr_column_becomes_the_keyed_hash_and_is_stored_nowhere(self, world, settings) -> None:
        settings.CPR_POLICY = "pseudonymise"
        import_five("cpr_column")
        import_five("cpr_column")  # stable: the same people again

        expected = hmac.new(str(settings.PERSON_KEY_SECRET).encode(), b"1001851234", hashlib.sha256).hexdigest()
        soeren = Employee.objects.get(person_key=expected)
        assert soeren.name == "Søren Ærø"
        assert soeren.birth_year == 1985
        assert Employee.objects.filter(name="Søren Ærø").count() == 1
        dump = StringIO()
        call_command("dumpdata", "staff", "audit", "organisations", stdout=dump)
        text = dump.getvalue()
        assert "100185-1234" not in text
        assert "1001851234" not in text
        # Nor a part of it: six digits, a dash and three or more (a person key "test-person-12300"
        # from the factories is not one; "-123" alone matched it once the counter got there).
        assert re.search(r"(?<!\d)\d{6}-\d{3}", text.replace("0185-****", "")) is None

    def test_the_reject_policy_refuses_a_cpr_column(self, world, settings) -> None:
        settings.CPR_POLICY = "reject"
        before = snapshot()

        error = rejected(five_file("cpr_column"))

        assert error.errors.total == 1
        assert "CPR" in error.errors.items[0].message
        assert error.errors.items[0].column == "CPR-nr"
        assert snapshot() == before

    def test_a_cpr_column_is_found_by_its_values_too(self, world, settings, tmp_path) -> None:
        settings.CPR_POLICY = "reject"
        folder = copy_set("cpr_column", tmp_path)
        path = folder / "bruger.csv"
        path.write_text(path.read_text().replace("CPR-nr", "Nøgle"))

        error = rejected(five_file(str(folder)))

        assert error.errors.items[0].column == "Nøgle"

    def test_an_invalid_cpr_number_is_masked_in_the_error(self, world, settings, tmp_path) -> None:
        settings.CPR_POLICY = "pseudonymise"
        folder = copy_set("cpr_column", tmp_path)
        path = folder / "bruger.csv"
        path.write_text(path.read_text().replace("100185-1234", "100185-12345"))

        error = rejected(five_file(str(folder)))

        text = " ".join(str(i) for i in error.errors) + " ".join(i.value for i in error.errors)
        assert "1234" not in text
        assert "100185-****" in text

    def test_a_cpr_number_written_into_a_name_or_title_is_refused_and_nothing_written(self, world, tmp_path) -> None:
        """A walk imported "Ole Nielsen 010190-1234": the check page showed the name masked, and the
        number was then stored and shown in clear on the facility page, the profile and the
        exports. The API already refused such a name; the import now refuses the row, masked."""
        before = snapshot()
        folder = copy_set("five_file_utf8", tmp_path)
        users = folder / "bruger.csv"
        users.write_text(
            users.read_text()
            .replace("Søren Ærø;", "Søren Ærø 010190-1234;")
            .replace("Social- og sundhedsassistent", "SSA 0101901234")
        )
        error = rejected(five_file(str(folder)))
        found = {(i.row, i.column, i.message) for i in error.errors}
        assert (2, "Navn", "Navnet må ikke indeholde et CPR-nummer.") in found
        assert (3, "Stilling", "Feltet må ikke indeholde et CPR-nummer.") in found
        shown = " ".join(f"{i} {i.value}" for i in error.errors)
        assert "1234" not in shown
        assert "010190-****" in shown
        assert snapshot() == before

        generic = tmp_path / "generic.csv"
        generic.write_text(
            (FILES / "generic_latin1_tab.csv").read_text("latin-1").replace("Karen Ærtebølle", "Karen 01.02.90-1234"),
            "latin-1",
        )
        error = rejected([SourceFile(name="generic.csv", path=generic)], mapping=GENERIC_MAPPING)
        assert [(i.row, i.column, i.message) for i in error.errors] == [
            (2, "Navn", "Navnet må ikke indeholde et CPR-nummer.")
        ]
        assert snapshot() == before

    def test_a_week_over_48_hours_is_read_with_a_warning_at_its_cell(self, world, tmp_path) -> None:
        """80 hours a week was within the limit and passed in silence; the person then counted as
        2,16 FTE. It is still read (a contract may say so), with a warning to check it."""
        generic = tmp_path / "generic.csv"
        generic.write_text(
            (FILES / "generic_latin1_tab.csv").read_text("latin-1").replace("\t37,0\t", "\t80,0\t", 1), "latin-1"
        )
        result = run_import([SourceFile(name="generic.csv", path=generic)], norddjurs(), mapping=GENERIC_MAPPING)
        warnings = [(w.row, w.column, w.value) for w in result.plan.parsed.warnings if "48 timer" in w.message]
        assert warnings == [(2, "Timer pr. uge", "80")]
        assert Employment.objects.get(employment_number="A-1").weekly_hours == Decimal("80.00")


class TestGenericFiles:
    def test_latin1_tabs_danish_decimals_and_dates(self, world) -> None:
        result = run_import(one_file("generic_latin1_tab.csv"), norddjurs(), mapping=GENERIC_MAPPING)

        assert result.plan.parsed.files[0].encoding in ("latin-1", "cp1252")
        assert result.plan.parsed.files[0].delimiter == "\t"
        karen = Employment.objects.get(employment_number="A-1")
        assert karen.employee.name == "Karen Ærtebølle"
        assert karen.employee.person_key == "0707:M-1"
        assert (karen.weekly_hours, karen.hourly_wage, karen.start_date) == (
            Decimal("37.00"),
            Decimal("1234.50"),
            dt.date(2024, 2, 1),
        )
        assert karen.is_contact_person is True
        niels = Employment.objects.get(employment_number="A-2")
        assert (niels.weekly_hours, niels.hourly_wage, niels.job_group) == (
            Decimal("29.60"),
            Decimal("312.75"),
            JobGroup.SOSU_ASSISTANT,
        )
        pia = Employment.objects.get(employment_number="A-3")
        assert (pia.facility, pia.end_date, pia.status) == (world.glesborg, dt.date(2023, 12, 31), "ended")

    HEADER = "Medarbejdernr;Navn;Ansættelsesnr;Tilbud;Faggruppe;Stilling;Timer pr. uge;Ansat fra;Ansat til;Timeløn;Kontaktperson\n"

    def test_payrolls_no_end_31_12_9999_is_an_open_employment(self, world, tmp_path) -> None:
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER
            + "M-1;Karen Holm;A-1;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;31-12-9999;250;ja\n"
            + "M-2;Ib Holm;A-2;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;9999-12-31;250;ja\n",
            encoding="utf-8",
        )

        run_import([SourceFile(name="loen.csv", path=path)], norddjurs(), mapping=GENERIC_MAPPING)

        for number in ("A-1", "A-2"):
            employment = Employment.objects.get(employment_number=number)
            assert (employment.end_date, employment.status) == (None, "active")

    def test_new_employments_without_a_wage_are_imported_with_one_warning(self, world, tmp_path) -> None:
        """A wage of 0 kr. makes every course day free of backfill and the person cheap to the
        planner: the preview says so once, with the number of rows, at the first of them."""
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER
            + "M-1;Karen Holm;A-1;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;;ja\n"
            + "M-2;Ib Holm;A-2;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;250;ja\n"
            + "M-3;Ea Holm;A-3;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;;nej\n",
            encoding="utf-8",
        )

        result = run_import([SourceFile(name="loen.csv", path=path)], norddjurs(), mapping=GENERIC_MAPPING)

        [warning] = [w for w in result.plan.warnings if w.column == "Timeløn"]
        assert warning.row == 2
        assert warning.message.startswith("2 nye ansættelser (række 2, 4) har ingen timeløn og gemmes med 0 kr.")
        # The column is there, only empty: fill it in (it said "Tilføj kolonnen Timeløn").
        assert "Udfyld kolonnen Timeløn" in warning.message
        assert "Tilføj kolonnen" not in warning.message
        assert Employment.objects.get(employment_number="A-1").hourly_wage == 0

    def test_a_date_outside_the_calendar_is_an_error_at_its_cell(self, world, tmp_path) -> None:
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER
            + "M-1;Karen Holm;A-1;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-0024;;250;ja\n"
            + "M-2;Ib Holm;A-2;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;31-12-2299;250;ja\n",
            encoding="utf-8",
        )
        before = snapshot()

        error = rejected([SourceFile(name="loen.csv", path=path)], mapping=GENERIC_MAPPING)

        assert [(i.row, i.column, i.value) for i in error.errors] == [
            (2, "Ansat fra", "01-02-0024"),
            (3, "Ansat til", "31-12-2299"),
        ]
        assert [i.message for i in error.errors] == ["Datoen skal ligge mellem 01-01-1900 og 31-12-2199."] * 2
        assert snapshot() == before

    def test_hours_and_wages_the_employment_refuses_are_errors_at_their_cells(self, world, tmp_path) -> None:
        """The model's check constraints (0-80 hours, no negative wage) are checked at the cell:
        before, -5 and 300 hours and a wage of -12,00 passed and applying crashed (HTTP 500)."""
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER
            + "M-1;Karen Holm;A-1;Dolmer Have;Socialpædagog;Kontaktperson;-5;01-02-2024;;250;ja\n"
            + "M-2;Ib Holm;A-2;Dolmer Have;Socialpædagog;Kontaktperson;300;01-02-2024;;250;ja\n"
            + "M-3;Ea Holm;A-3;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;-12,00;ja\n"
            + "M-4;Bo Holm;A-4;Dolmer Have;Socialpædagog;Kontaktperson;80;01-02-2024;;312,7549;ja\n",
            encoding="utf-8",
        )
        before = snapshot()

        error = rejected([SourceFile(name="loen.csv", path=path)], mapping=GENERIC_MAPPING)

        assert [(i.row, i.column, i.value, i.message) for i in error.errors] == [
            (2, "Timer pr. uge", "-5", "Tallet skal være mellem 0 og 80."),
            (3, "Timer pr. uge", "300", "Tallet skal være mellem 0 og 80."),
            (4, "Timeløn", "-12,00", "Tallet må ikke være negativt."),
        ]
        assert snapshot() == before

    def test_the_five_file_set_checks_hours_by_the_same_rule(self, world, tmp_path) -> None:
        folder = copy_set("five_file_utf8", tmp_path)
        path = folder / "engagement.csv"
        path.write_text(path.read_text().replace("01-02-2019;37", "01-02-2019;300"))

        error = rejected(five_file(str(folder)))

        assert [(i.row, i.column, i.value, i.message) for i in error.errors] == [
            (2, "Ugentlige timer", "300", "Tallet skal være mellem 0 og 80.")
        ]

    def test_a_value_the_database_still_refuses_rolls_everything_back(self, world, tmp_path, monkeypatch) -> None:
        """Should a check ever miss what the database refuses, applying fails as a whole with the
        constraint's message, and the database's text (which holds the row) is not shown."""
        from styrbord.staff.importing import generic
        from styrbord.staff.importing.columns import NumberRule
        from styrbord.staff.importing.errors import ImportFailedError

        monkeypatch.setattr(generic, "HOURS", NumberRule(None, None, 5, 2))
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER + "M-1;Karen Holm;A-1;Dolmer Have;Socialpædagog;Kontaktperson;-5;01-02-2024;;250;ja\n",
            encoding="utf-8",
        )
        before = snapshot()

        with pytest.raises(ImportFailedError) as info:
            run_import([SourceFile(name="loen.csv", path=path)], norddjurs(), mapping=GENERIC_MAPPING)

        assert info.value.message == (
            "Importen kunne ikke gemmes: databasen afviste en værdi (Timer pr. uge skal være mellem 0 og 80). "
            "Intet er gemt; ret filen, og prøv igen."
        )
        assert snapshot() == before
        assert not ImportBatch.objects.exists()

    def test_every_error_of_an_upload_is_reported_duplicates_included(self, world, tmp_path) -> None:
        """Row 5 has a bad date and row 6 repeats its employment number: both are reported at once
        (before, the repeat showed only after row 5 was fixed)."""
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER
            + "M-1;Karen Holm;A-1;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;250;ja\n"
            + "M-2;Ib Holm;A-2;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;250;ja\n"
            + "M-3;Ea Holm;A-3;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;250;ja\n"
            + "M-4;Bo Holm;A-4;Dolmer Have;Socialpædagog;Kontaktperson;37;32-02-2024;;250;ja\n"
            + "M-5;Al Holm;A-4;Dolmer Have;Socialpædagog;Kontaktperson;37;01-02-2024;;250;ja\n",
            encoding="utf-8",
        )

        error = rejected([SourceFile(name="loen.csv", path=path)], mapping=GENERIC_MAPPING)

        assert [(i.row, i.column, i.value, i.message) for i in error.errors] == [
            (5, "Ansat fra", "32-02-2024", "Ugyldig dato; skriv f.eks. 01-02-2024, 01.02.2024 eller 2024-02-01."),
            (6, "Ansættelsesnr", "A-4", "Ansættelsesnummeret står også i række 5."),
        ]

    def test_a_formula_cell_is_read_as_text_and_flagged(self, world) -> None:
        result = run_import(one_file("generic_formula.xlsx"), norddjurs(), mapping=GENERIC_MAPPING)

        assert Employment.objects.get(employment_number="A-1").title == "=1+1"
        formulas = [(w.row, w.column, w.value) for w in result.plan.warnings if w.column != "Relevant uddannelse"]
        assert formulas == [(2, "Stilling", "=1+1")]

    def test_a_formula_in_a_csv_is_read_as_text_and_flagged_as_in_a_workbook(self, world, tmp_path) -> None:
        """A walk imported the name "=1+1" from a CSV without a word (the XLSX had one)."""
        path = tmp_path / "loen.csv"
        path.write_text(
            self.HEADER + "M-1;=1+1;A-1;Dolmer Have;Socialpædagog;=SUM(A1);37;01-02-2024;;250;ja\n", encoding="utf-8"
        )
        result = run_import([SourceFile(name="loen.csv", path=path)], norddjurs(), mapping=GENERIC_MAPPING)
        assert [(w.row, w.column, w.value) for w in result.plan.warnings if w.column != "Relevant uddannelse"] == [
            (2, "Navn", "=1+1"),
            (2, "Stilling", "=SUM(A1)"),
        ]
        assert Employment.objects.get(employment_number="A-1").title == "=SUM(A1)"

    def test_a_formula_where_a_number_belongs_is_an_error(self, world, tmp_path) -> None:
        import openpyxl

        workbook = openpyxl.load_workbook(one_file("generic.xlsx")[0].path)
        workbook.active["G2"] = "=30+7"
        path = tmp_path / "formel.xlsx"
        workbook.save(path)

        from styrbord.staff.importing.reading import SourceFile

        error = rejected([SourceFile("formel.xlsx", path)], mapping=GENERIC_MAPPING)

        assert [(i.row, i.column, i.value) for i in error.errors] == [(2, "Timer pr. uge", "=30+7")]

    def test_the_same_rows_as_xlsx_and_csv_give_the_same_import(self, world) -> None:
        run_import(one_file("generic_latin1_tab.csv"), norddjurs(), mapping=GENERIC_MAPPING)
        before = snapshot()

        result = run_import(one_file("generic.xlsx"), norddjurs(), mapping=GENERIC_MAPPING)

        assert result.counts["employments_unchanged"] == 3
        assert snapshot() == before

    def test_a_truncated_xlsx_is_refused(self, world) -> None:
        before = snapshot()

        error = rejected(one_file("truncated.xlsx"), mapping=GENERIC_MAPPING)

        assert "beskadiget eller afkortet" in error.errors.items[0].message
        assert snapshot() == before

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self, world) -> None:
        error = rejected(one_file("zip_bomb.xlsx"), mapping=GENERIC_MAPPING)

        assert "komprimeret" in error.errors.items[0].message

    @override_settings(UPLOAD_MAX_UNPACKED_BYTES=10 * 1024 * 1024)
    def test_an_archive_that_unpacks_beyond_the_limit_is_refused(self, world) -> None:
        error = rejected(one_file("zip_bomb.xlsx"), mapping=GENERIC_MAPPING)

        assert "udpakket" in error.errors.items[0].message

    @override_settings(UPLOAD_MAX_BYTES=200)
    def test_a_file_over_the_size_limit_is_refused(self, world) -> None:
        error = rejected(one_file("generic_latin1_tab.csv"), mapping=GENERIC_MAPPING)

        assert "for stor" in error.errors.items[0].message

    def test_a_mapping_naming_a_missing_column_is_an_error(self, world) -> None:
        error = rejected(one_file("generic_latin1_tab.csv"), mapping={**GENERIC_MAPPING, "start_date": "Startdag"})

        assert "Startdag" in error.errors.items[0].message

    def test_an_unknown_job_code_next_to_a_job_group_is_only_informative(self, world, tmp_path) -> None:
        path = tmp_path / "loen.csv"
        path.write_text(
            "Nr;Navn;Ansat;Tilbud;Kode;Faggruppe;Start\n1;Ib Ørn;A-9;Dolmer Have;X1;Sygeplejerske;01-01-2024\n"
        )
        mapping = {
            "person_id": "Nr",
            "name": "Navn",
            "employment_number": "Ansat",
            "facility": "Tilbud",
            "job_code": "Kode",
            "job_group": "Faggruppe",
            "start_date": "Start",
        }
        from styrbord.staff.importing.reading import SourceFile

        run_import([SourceFile("loen.csv", path)], norddjurs(), mapping=mapping)
        again = run_import([SourceFile("loen.csv", path)], norddjurs(), mapping=mapping)

        employment = Employment.objects.get(employment_number="A-9")
        assert (employment.job_group, employment.job_code) == (JobGroup.NURSE, None)
        assert again.counts["employments_unchanged"] == 1

    def test_one_report_names_a_rows_own_errors_and_unknown_references_in_row_order(self, world, tmp_path) -> None:
        """A bad date in row 3 no longer hides row 2's unknown job code and row 4's unknown
        facility until the next attempt; each message names the file's own column."""
        path = tmp_path / "loen.csv"
        path.write_text(
            "Nr;Navn;Ansat;Arbejdssted;Kode;Start\n"
            "1;Ib Ørn;A-1;Dolmer Have;X1;01-01-2024\n"
            "2;Bo Ek;A-2;Dolmer Have;X1;2024-13-01\n"
            "3;Al Bæk;A-3;Månehuset;X1;01-01-2024\n"
        )
        mapping = {
            "person_id": "Nr",
            "name": "Navn",
            "employment_number": "Ansat",
            "facility": "Arbejdssted",
            "job_code": "Kode",
            "start_date": "Start",
        }
        from styrbord.staff.importing.reading import SourceFile

        before = snapshot()
        error = rejected([SourceFile("loen.csv", path)], mapping=mapping)

        assert [(i.row, i.column, i.value, i.message) for i in error.errors] == [
            (2, "Kode", "X1", "Ukendt stillingskode. Rækker med koden: 2."),
            (3, "Start", "2024-13-01", "Ugyldig dato; skriv f.eks. 01-02-2024, 01.02.2024 eller 2024-02-01."),
            (4, "Arbejdssted", "Månehuset", "Ukendt tilbud i kommunen."),
        ]
        assert snapshot() == before

    def test_an_unknown_facility_name_is_an_error(self, world) -> None:
        error = rejected(one_file("generic_latin1_tab.csv"), mapping={**GENERIC_MAPPING, "facility": "Stilling"})

        assert {i.message for i in error.errors} == {"Ukendt tilbud i kommunen."}


class TestGenericFileLeavesUnmappedFieldsAlone:
    """'Felter uden kolonne lades uændrede': a staff list without a department or job-code column
    must not wipe the units and job codes the five-file set gave the same employments."""

    MAPPING = {
        "person_id": "Medarbejdernr",
        "name": "Navn",
        "employment_number": "Ansættelsesnr",
        "facility": "Tilbud",
        "job_group": "Faggruppe",
        "start_date": "Ansat fra",
        "weekly_hours": "Timer pr. uge",
    }

    def deliver(self, tmp_path, facility: str) -> Any:  # type: ignore[no-untyped-def]
        path = tmp_path / "loen.csv"
        path.write_text(
            "Medarbejdernr;Navn;Ansættelsesnr;Tilbud;Faggruppe;Ansat fra;Timer pr. uge\n"
            f"1001;Søren Ærø;1001-101;{facility};Socialpædagog;01-02-2019;30\n",
            encoding="utf-8",
        )
        return run_import([SourceFile(name="loen.csv", path=path)], norddjurs(), mapping=self.MAPPING)

    def test_unit_job_code_title_and_email_are_kept(self, world, tmp_path) -> None:
        import_five()
        before = Employment.objects.get(employment_number="1001-101")
        assert before.unit is not None
        assert before.job_code is not None

        result = self.deliver(tmp_path, "Dolmer Have")

        assert result.counts["employments_updated"] == 1
        after = Employment.objects.get(employment_number="1001-101")
        assert after.weekly_hours == Decimal("30.00")
        assert (after.facility, after.unit, after.job_code, after.title) == (
            before.facility,
            before.unit,
            before.job_code,
            before.title,
        )
        assert (after.kind, after.is_primary, after.status) == (before.kind, before.is_primary, before.status)
        assert Employee.objects.get(person_key="0707:1001").email == "soeren@example.dk"

    def test_a_move_to_another_facility_leaves_the_old_facilitys_unit(self, world, tmp_path) -> None:
        import_five()

        self.deliver(tmp_path, "Bofællesskaberne Glesborg")

        moved = Employment.objects.get(employment_number="1001-101")
        assert (moved.facility, moved.unit) == (world.glesborg, None)
