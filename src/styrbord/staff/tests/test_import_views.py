"""The HR import pages: who may use them, upload -> preview -> apply, mapping, and the browser flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.importing import storage
from styrbord.staff.models import Employee, Employment
from styrbord.staff.tests.test_import_support import FILES, FIVE, GENERIC_MAPPING, snapshot
from styrbord.testing.accessibility import violations
from styrbord.testing.fixtures import follow

UPLOAD = "/medarbejdere/import/"


def uploads(folder: str = "five_file_utf8") -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"{n}.csv", (FILES / folder / f"{n}.csv").read_bytes()) for n in FIVE]


def pending_token() -> str:
    return ImportBatch.objects.get(status=ImportBatch.Status.PENDING).storage_token


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
class TestAccess:
    def test_the_url_is_the_named_upload_page(self) -> None:
        assert reverse("staff:import_upload") == UPLOAD

    def test_anonymous_users_are_sent_to_the_login(self, client) -> None:
        response = client.get(UPLOAD)

        assert response.status_code == 302
        assert "/konto/login/" in response["Location"]

    @pytest.mark.parametrize("persona", ["finance", "manager", "employee_user", "analyst", "grantor_user"])
    def test_other_roles_are_refused(self, client, world, persona) -> None:
        client.force_login(getattr(world, persona))

        assert client.get(UPLOAD).status_code == 403
        assert client.post(UPLOAD, {"files": uploads()}).status_code == 403

    @pytest.mark.parametrize("persona", ["coordinator", "admin"])
    def test_coordinators_and_admins_see_the_upload_form(self, client, world, persona) -> None:
        client.force_login(getattr(world, persona))

        response = client.get(UPLOAD)

        assert response.status_code == 200
        assert "Import af medarbejdere" in response.content.decode()

    def test_another_users_pending_upload_is_not_found(self, client, world) -> None:
        client.force_login(world.coordinator)
        client.post(UPLOAD, {"files": uploads()})
        token = pending_token()

        client.force_login(world.other_coordinator)
        assert client.get(reverse("staff:import_preview", args=[token])).status_code == 404
        assert client.post(reverse("staff:import_preview", args=[token])).status_code == 404
        assert client.post(reverse("staff:import_cancel", args=[token])).status_code == 404
        assert not Employment.objects.filter(employment_number="1001-101").exists()


@pytest.mark.django_db
class TestUploadPreviewApply:
    def test_upload_shows_the_preview_and_apply_imports(self, client, world, media) -> None:
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": uploads()})

        token = pending_token()
        assert response.status_code == 302
        assert response["Location"] == reverse("staff:import_preview", args=[token])
        assert len(list((media / "imports" / token).iterdir())) == 5
        assert not Employment.objects.filter(employment_number="1001-101").exists()  # nothing yet

        page = client.get(response["Location"])
        text = page.content.decode()
        assert page.status_code == 200
        assert "Søren Ærø" in text
        assert "1001-101" in text
        assert "Botilbuddet Ørsted Å (ny)" in text
        assert page.context["counts"]["employments_created"] == 8
        assert '<span class="value">8</span><span class="label">ansættelser oprettes</span>' in text
        assert '<span class="value">0</span><span class="label">ansættelser opdateres</span>' in text

        done = client.post(response["Location"])

        assert done.status_code == 302
        assert Employment.objects.filter(facility__municipality__code="0707", employment_number="1001-101").exists()
        batch = ImportBatch.objects.get()
        assert (batch.status, batch.created_by, batch.storage_token) == ("applied", world.coordinator, "")
        assert not (media / "imports" / token).exists()  # the files are deleted after apply
        assert "8 ansættelser oprettet" in client.get(UPLOAD).content.decode()

    def test_the_preview_names_every_employment_that_will_be_ended(self, client, world, tmp_path) -> None:
        """'Afslut aktive ansættelser ...' is irreversible: the preview lists each employment it ends
        (name, employment number, facility, last day), not only how many."""
        import datetime as dt

        from styrbord.lib.dates import local_today
        from styrbord.lib.formatting import format_date
        from styrbord.staff.tests.test_import_support import import_five

        world_numbers = set(
            Employment.objects.filter(facility__municipality__code="0707").values_list("employment_number", flat=True)
        )
        import_five()
        files = uploads()
        engagement = files[FIVE.index("engagement")]
        kept = [line for line in engagement.read().decode().splitlines() if not line.startswith("1003;")]
        files[FIVE.index("engagement")] = SimpleUploadedFile("engagement.csv", ("\n".join(kept) + "\n").encode())
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": files, "end_missing": "on"})
        page = client.get(response["Location"])

        text = page.content.decode()
        ending = page.context["ending"]
        assert len(ending) == page.context["counts"]["employments_ended"] == 6
        assert "6 ansættelser afsluttes</h2>" in text
        yesterday = format_date(local_today() - dt.timedelta(days=1))
        assert f"Sidste dag er dagen før importen ({yesterday})" in text
        mads = Employment.objects.get(employment_number="1003-201")
        assert (
            f"<tr><td>Mads Bæk</td><td>1003-201</td><td>{mads.facility.name}</td>"
            f'<td class="nowrap">{yesterday}</td></tr>' in text
        )
        # The world's own staff at Norddjurs' facilities are not in the files either: each is named.
        assert {e["number"] for e in ending} == {"1003-201", *world_numbers}

    def test_the_preview_shows_the_hours_with_the_decimals_they_have(self, client, world) -> None:
        saved = ColumnMapping.objects.create(
            name="Løn", municipality=world.dolmer.municipality, mapping=GENERIC_MAPPING
        )
        data = (FILES / "generic_latin1_tab.csv").read_bytes().replace(b"\t29,6\t", b"\t24,75\t")
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)], "mapping": saved.pk})
        page = client.get(response["Location"])

        hours = {r["number"]: r["weekly_hours"] for r in page.context["rows"]}
        assert hours == {"A-1": "37", "A-2": "24,75", "A-3": "18,5"}
        assert '<td class="num">24,75</td>' in page.content.decode()

    def test_applying_a_check_that_has_gone_stale_is_refused_with_the_fresh_preview(self, client, world) -> None:
        """Check the set, apply another import of the same staff, go back and apply: the page
        showed 8 new employments, applying now would create none. It is refused, nothing is
        written, and the fresh preview is shown; applying that one works."""
        from styrbord.staff.tests.test_import_support import import_five

        client.force_login(world.coordinator)
        preview = client.post(UPLOAD, {"files": uploads()})["Location"]
        assert client.get(preview).context["counts"]["employments_created"] == 8
        import_five()  # another import in the meantime
        before = snapshot()

        stale = client.post(preview)

        assert stale.status_code == 409
        text = " ".join(stale.content.decode().split())
        assert "Importen er ikke gennemført: en anden import (bruger.csv, organisation.csv," in text
        assert "efter at denne fil blev kontrolleret, så kontrollen var forældet." in text
        assert "Kontrollen er nu kørt igen mod Styrbords data, som de er i dag, og vises nedenfor" in text
        assert stale.context["counts"]["employments_created"] == 0
        assert snapshot() == before
        batch = ImportBatch.objects.get(status=ImportBatch.Status.PENDING)
        assert batch.storage_token
        assert client.post(preview).status_code == 302  # the fresh preview is what applies
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.APPLIED

    def test_the_history_tells_rejected_failed_abandoned_and_applied_uploads_apart(self, client, world) -> None:
        """'Seneste importer' said 'Afventer godkendelse' for all but applied ones."""
        import datetime as dt

        from styrbord.staff.import_models import STALE_AFTER

        municipality = world.dolmer.municipality
        client.force_login(world.coordinator)
        bad = (FILES / "generic_latin1_tab.csv").read_bytes().replace(b"01.02.2024", b"31.02.2024")
        columns = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", bad)]})["Location"]
        checked = client.post(columns, {f"field_{key}": header for key, header in GENERIC_MAPPING.items()})
        assert client.get(checked["Location"]).status_code == 422  # the check finds one error
        abandoned = ImportBatch.objects.create(
            municipality=municipality, created_by=world.coordinator, file_names=["gammel.csv"]
        )
        ImportBatch.objects.filter(pk=abandoned.pk).update(
            created_at=abandoned.created_at - STALE_AFTER - dt.timedelta(1)
        )
        ImportBatch.objects.create(
            municipality=municipality, status=ImportBatch.Status.FAILED, file_names=["fejlet.csv"]
        )
        ImportBatch.objects.create(
            municipality=municipality,
            status=ImportBatch.Status.APPLIED,
            end_missing=True,
            file_names=["fuld.csv"],
            counts={"employments_ended": 2},
        )
        ImportBatch.objects.create(municipality=municipality, file_names=["ny.csv"])

        page = client.get(UPLOAD)

        rows = {b.file_names[0]: b.status_label for b in page.context["history"]}
        assert rows == {
            "loen.csv": "Afvist (1 fejl)",
            "gammel.csv": "Opgivet (ikke gennemført)",
            "fejlet.csv": "Mislykkedes",
            "fuld.csv": "Indlæst",
            "ny.csv": "Afventer godkendelse",
        }
        text = page.content.decode()
        assert "<td>Afvist (1 fejl) · <a" in text  # and a link back to its check page
        assert 'Indlæst<br><span class="small">Afslut manglende ansættelser</span>' in text

    def test_the_preview_shows_changed_rows_first_with_old_and_new_values(self, client, world) -> None:
        """Before, the first 20 rows in file order, unchanged ones mixed in, with no old values."""
        from styrbord.staff.tests.test_import_support import import_five

        import_five()
        files = uploads()
        engagement = files[FIVE.index("engagement")].read().decode()
        changed = engagement.replace(
            "1004;300;1;N4;1;Tidsbegrænset;01-01-2024;37", "1004;300;1;N4;1;Tidsbegrænset;01-01-2024;30"
        )
        assert changed != engagement
        files[FIVE.index("engagement")] = SimpleUploadedFile("engagement.csv", changed.encode())
        client.force_login(world.coordinator)

        page = client.get(client.post(UPLOAD, {"files": files})["Location"])

        rows = page.context["rows"]
        assert [(r["number"], r["action"], r["changes"]) for r in rows] == [
            ("1004-300", "update", ["Ugentlige timer 37 → 30"])
        ]
        text = page.content.decode()
        assert "<li>Ugentlige timer 37 → 30</li>" in text
        assert "7 ansættelser er uændrede og vises ikke." in text

    def test_invalid_files_show_the_error_table_and_store_nothing(self, client, world, media) -> None:
        client.force_login(world.coordinator)
        before = snapshot()

        response = client.post(UPLOAD, {"files": uploads("duplicated_employment")})

        assert response.status_code == 422
        text = response.content.decode()
        assert "står også i række 3" in text
        assert "engagement.csv" in text
        assert snapshot() == before
        # Only the refusal is kept, for the history (test_import_history_and_mapping_log.py).
        assert list(ImportBatch.objects.values_list("status", "storage_token")) == [(ImportBatch.Status.REJECTED, "")]
        assert not any((media / "imports").iterdir())

    def test_cpr_numbers_are_masked_on_the_page(self, client, world, settings, tmp_path) -> None:
        settings.CPR_POLICY = "reject"
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": uploads("cpr_column")})

        text = response.content.decode()
        assert response.status_code == 422
        assert "CPR" in text
        assert "100185-1234" not in text
        assert "1234" not in text

    def test_cancel_deletes_the_files(self, client, world, media) -> None:
        client.force_login(world.coordinator)
        client.post(UPLOAD, {"files": uploads()})
        token = pending_token()

        response = client.post(reverse("staff:import_cancel", args=[token]))

        assert response.status_code == 302
        assert ImportBatch.objects.get().status == ImportBatch.Status.CANCELLED
        assert not (media / "imports" / token).exists()
        assert client.get(reverse("staff:import_preview", args=[token])).status_code == 404

    def test_an_admin_chooses_the_municipality(self, client, world) -> None:
        client.force_login(world.admin)
        municipality = world.dolmer.municipality

        response = client.post(UPLOAD, {"files": uploads(), "municipality": municipality.pk})

        assert response.status_code == 302
        assert ImportBatch.objects.get().municipality == municipality

    def test_a_file_over_the_limit_is_refused_while_it_streams_in(self, world, settings) -> None:
        settings.UPLOAD_MAX_BYTES = 100
        client = Client(raise_request_exception=False)
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": uploads()})

        assert response.status_code == 400
        assert not ImportBatch.objects.exists()

    def test_a_zip_bomb_is_refused_by_the_form(self, client, world) -> None:
        client.force_login(world.coordinator)
        bomb = SimpleUploadedFile("loen.xlsx", (FILES / "zip_bomb.xlsx").read_bytes())

        response = client.post(UPLOAD, {"files": [bomb]})

        assert response.status_code == 200
        assert "mistænkeligt" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_stale_uploads_are_purged(self, world) -> None:
        token, _ = storage.store([SimpleUploadedFile("bruger.csv", b"BrugerId;Navn\n1;A\n")])
        batch = ImportBatch.objects.create(municipality=world.dolmer.municipality, storage_token=token)
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=batch.created_at - storage.STALE_AFTER * 2)

        assert storage.purge_stale() == 1

        batch.refresh_from_db()
        assert (batch.status, batch.storage_token) == ("cancelled", "")
        assert not storage.folder_of(token).exists()


@pytest.mark.django_db
class TestGenericUpload:
    def test_the_template_is_the_columns_facilities_and_words_and_a_filled_one_imports(
        self, client, world, tmp_path
    ) -> None:
        """A walk found no template for the staff import (the certificate import had one)."""
        import io

        import openpyxl

        from styrbord.organisations.models import Municipality
        from styrbord.staff.importing.generic import guess_mapping
        from styrbord.staff.importing.reading import SourceFile
        from styrbord.staff.importing.services import run_import

        client.force_login(world.coordinator)
        assert reverse("staff:import_template") in client.get(UPLOAD).content.decode()
        response = client.get(reverse("staff:import_template"))
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Ansatte", "Tilbud", "Værdier"]
        headers = [c.value for c in workbook["Ansatte"][1]]
        assert workbook["Ansatte"].max_row == 1  # no example row that would be imported
        mapping = guess_mapping(headers)
        assert sorted(mapping.values()) == sorted(headers)  # the mapping step finds every column
        facilities = [row[0] for row in workbook["Tilbud"].iter_rows(min_row=2, values_only=True)]
        assert world.dolmer.name in facilities
        assert world.syddjurs_facility.name not in facilities  # another municipality's
        words = {c.value: i for i, c in enumerate(workbook["Værdier"][1])}
        groups = [r[words["Faggruppe"]] for r in workbook["Værdier"].iter_rows(min_row=2, values_only=True)]
        assert "Sygeplejerske" in groups

        sheet = workbook["Ansatte"]
        values = {
            "Ansættelsesnummer": "T-1",
            "Medarbejder-id": "M-T1",
            "Navn": "Tove Skabelon",
            "Tilbud": world.dolmer.name,
            "Faggruppe": "Sygeplejerske",
            "Ansættelsestype": "Fastansat",
            "Ugentlige timer": 32,
            "Kontaktperson": "ja",
            "Startdato": "01-02-2026",
            "Status": "Aktiv",
            "Timeløn": 285.5,
        }
        sheet.append([values.get(h, "") for h in headers])
        path = tmp_path / "ansatte.xlsx"
        workbook.save(path)
        run_import([SourceFile(name="ansatte.xlsx", path=path)], Municipality.objects.get(code="0707"), mapping=mapping)
        made = Employment.objects.get(employment_number="T-1")
        assert (made.employee.name, made.facility, made.job_group, made.is_contact_person) == (
            "Tove Skabelon",
            world.dolmer,
            "nurse",
            True,
        )
        client.cookies["django_language"] = "en"  # the file is read as Danish: its words stay Danish
        english = openpyxl.load_workbook(io.BytesIO(client.get(reverse("staff:import_template")).content))
        assert english.sheetnames == ["Ansatte", "Tilbud", "Værdier"]
        client.force_login(world.manager)
        assert client.get(reverse("staff:import_template")).status_code == 403

    def test_a_generic_file_goes_through_the_mapping_step_and_the_mapping_can_be_saved(self, client, world) -> None:
        client.force_login(world.coordinator)
        data = (FILES / "generic_latin1_tab.csv").read_bytes()

        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)]})

        token = pending_token()
        assert response["Location"] == reverse("staff:import_mapping", args=[token])
        form_page = client.get(response["Location"])
        assert form_page.status_code == 200
        assert form_page.context["form"].fields["field_name"].initial == "Navn"  # guessed from the header
        post = {f"field_{key}": header for key, header in GENERIC_MAPPING.items()}
        post["save_as"] = "Lønsystem"

        mapped = client.post(response["Location"], post)

        assert mapped["Location"] == reverse("staff:import_preview", args=[token])
        saved = ColumnMapping.objects.get(name="Lønsystem")
        assert (saved.municipality, saved.mapping) == (world.dolmer.municipality, GENERIC_MAPPING)
        client.post(mapped["Location"])
        assert Employee.objects.get(person_key="0707:M-1").name == "Karen Ærtebølle"

        # Next time the saved mapping is chosen on the upload form and the mapping step is skipped.
        again = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)], "mapping": saved.pk})
        assert again["Location"].startswith("/medarbejdere/import/")
        assert "kolonner" not in again["Location"]

    def test_one_staff_list_with_brugerid_and_navn_columns_is_not_taken_for_the_five_file_set(
        self, client, world
    ) -> None:
        """'BrugerId' and 'Navn' are the five-file set's user file signature, but one file that also
        has employment numbers, facilities and start dates is a staff list: it goes to the mapping
        step (it was refused as an incomplete five-file set)."""
        client.force_login(world.coordinator)
        data = (
            "Ansættelsesnr;BrugerId;Navn;Tilbud;Faggruppe;Ansat fra\n"
            "A-1;M-1;Karen Holm;Dolmer Have;Socialpædagog;01-02-2024\n"
        ).encode()

        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("hr_udtraek.csv", data)]})

        assert response.status_code == 302
        assert response["Location"] == reverse("staff:import_mapping", args=[pending_token()])
        # The set's own user file (by its name) still counts as one of the five.
        alone = client.post(UPLOAD, {"files": [SimpleUploadedFile("bruger.csv", b"BrugerId;Navn\nM-1;Karen Holm\n")]})
        assert "Femfilssættet er ufuldstændigt" in alone.content.decode()

    def test_a_mapping_missing_a_required_field_is_refused(self, client, world) -> None:
        client.force_login(world.coordinator)
        client.post(
            UPLOAD, {"files": [SimpleUploadedFile("loen.csv", (FILES / "generic_latin1_tab.csv").read_bytes())]}
        )
        post = {f"field_{key}": header for key, header in GENERIC_MAPPING.items() if key != "start_date"}

        response = client.post(reverse("staff:import_mapping", args=[pending_token()]), post)

        assert response.status_code == 200
        assert "Startdato" in response.context["form"].non_field_errors()[0]

    def test_a_failed_apply_is_a_message_not_an_error_page_and_the_batch_is_marked_failed(
        self, client, world, media, monkeypatch
    ) -> None:
        from django.contrib.messages import get_messages

        from styrbord.staff.importing import generic
        from styrbord.staff.importing.columns import NumberRule

        monkeypatch.setattr(generic, "HOURS", NumberRule(None, None, 5, 2))  # a check that misses -5
        saved = ColumnMapping.objects.create(
            name="Løn", municipality=world.dolmer.municipality, mapping=GENERIC_MAPPING
        )
        data = (FILES / "generic_latin1_tab.csv").read_bytes().replace(b"\t29,6\t", b"\t-5\t")
        client.force_login(world.coordinator)
        before = snapshot()
        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)], "mapping": saved.pk})
        token = pending_token()
        assert client.get(response["Location"]).status_code == 200

        done = client.post(response["Location"])

        assert done.status_code == 302
        assert done["Location"] == UPLOAD
        assert [str(m) for m in get_messages(done.wsgi_request)] == [
            "Importen kunne ikke gemmes: databasen afviste en værdi (Timer pr. uge skal være mellem 0 og 80). "
            "Intet er gemt; ret filen, og prøv igen."
        ]
        assert snapshot() == before
        batch = ImportBatch.objects.get()
        assert (batch.status, batch.storage_token) == (ImportBatch.Status.FAILED, "")
        assert not (media / "imports" / token).exists()

    def test_a_column_of_cpr_numbers_under_another_header_is_named_never_shown(self, client, world) -> None:
        """'Ident' holds CPR numbers but is no CPR header: the mapping page and the check say the
        column is not read (before, it was ignored without a word), and no number reaches a page."""
        header, *rows = (FILES / "generic_latin1_tab.csv").read_text("latin-1").splitlines()
        idents = ["150385-1235", "010190-2345", "311299-3456"]
        lines = [f"{header}\tIdent"] + [f"{row}\t{ident}" for row, ident in zip(rows, idents, strict=True)]
        data = ("\n".join(lines) + "\n").encode("latin-1")
        client.force_login(world.coordinator)

        columns = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)]})["Location"]
        mapping_page = client.get(columns).content.decode()
        checked = client.post(columns, {f"field_{key}": header for key, header in GENERIC_MAPPING.items()})
        check_page = client.get(checked["Location"])

        notice = "Kolonnen Ident ligner CPR-numre; den indlæses ikke, medmindre du vælger den som CPR-nummer"
        assert notice in mapping_page
        assert check_page.status_code == 200
        [warning] = [w for w in check_page.context["warnings"] if w.column == "Ident"]
        assert (warning.value, warning.message.startswith(notice)) == ("", True)
        assert notice in check_page.content.decode()
        for page in (mapping_page, check_page.content.decode()):
            for ident in idents:
                assert ident[:6] not in page
                assert ident[7:] not in page

    def test_a_person_id_column_of_cpr_numbers_becomes_the_pseudonymous_key(self, world, tmp_path) -> None:
        from styrbord.staff.importing.reading import SourceFile
        from styrbord.staff.importing.services import run_import
        from styrbord.staff.tests.test_import_support import norddjurs

        path = tmp_path / "loen.csv"
        path.write_text(
            "Ident;Navn;Ansættelsesnr;Tilbud;Faggruppe;Ansat fra\n"
            "150385-1235;Karen Holm;A-1;Dolmer Have;Socialpædagog;01-02-2024\n",
            encoding="utf-8",
        )
        mapping = {
            "person_id": "Ident",
            "name": "Navn",
            "employment_number": "Ansættelsesnr",
            "facility": "Tilbud",
            "job_group": "Faggruppe",
            "start_date": "Ansat fra",
        }

        run_import([SourceFile("loen.csv", path)], norddjurs(), mapping=mapping)

        karen = Employee.objects.get(name="Karen Holm")
        assert "1235" not in karen.person_key
        assert len(karen.person_key) == 64
        assert karen.birth_year == 1985

    def test_another_municipalitys_mapping_cannot_be_chosen(self, client, world) -> None:
        other = ColumnMapping.objects.create(
            name="Syddjurs", municipality=world.syddjurs_facility.municipality, mapping=GENERIC_MAPPING
        )
        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": uploads(), "mapping": other.pk})

        assert response.status_code == 200
        assert not ImportBatch.objects.exists()


@pytest.mark.browser
def test_upload_preview_and_apply_in_a_browser(page, live_server, transactional_db, world, tmp_path) -> None:
    # Submit with Enter: the shared ``login`` helper clicks the first submit button on the page,
    # which is the header's language switch.
    page.goto(f"{live_server.url}/konto/login/?next={UPLOAD}")
    page.fill("#id_username", "koordinator")
    page.fill("#id_password", "test-password-123")
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    page.wait_for_selector("#upload-form")
    page.set_input_files("#id_files", [str(FILES / "five_file_cp1252" / f"{n}.csv") for n in FIVE])
    follow(page, "#upload-form button[type=submit]")
    page.wait_for_selector("#preview-rows")

    assert "Åse Østergård" in page.inner_text("#preview-rows")
    assert page.inner_text("#import-counts").startswith("8")
    assert violations(page, "preview") == []  # WCAG 2.1 AA (axe-core)
    # The preview fits its frame at a laptop's width: status, period and changes are visible
    # without scrolling sideways (at 1400 px Start, Slut and Status were hidden behind a scroll).
    frame = page.locator("#preview-rows").locator("xpath=ancestor::div[contains(@class, 'table-wrap')]")
    assert frame.evaluate("el => el.scrollWidth <= el.clientWidth")
    hidden = page.eval_on_selector_all(
        "#preview-rows thead th",
        "cells => cells.filter(c => c.getBoundingClientRect().right > c.closest('.table-wrap')"
        ".getBoundingClientRect().right + 1).map(c => c.innerText)",
    )
    assert hidden == []

    follow(page, "#apply-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert violations(page, "after applying") == []

    assert "8 ansættelser oprettet" in page.inner_text(".alert-success")
    assert Employment.objects.filter(employment_number="1002-102").exists()


@pytest.mark.browser
def test_a_delivery_with_bad_rows_gets_an_accessible_error_report(page, live_server, transactional_db, world) -> None:
    """The error report names file, row and field for each bad value, and meets WCAG 2.1 AA."""
    page.goto(f"{live_server.url}/konto/login/?next={UPLOAD}")
    page.fill("#id_username", "koordinator")
    page.fill("#id_password", "test-password-123")
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    page.wait_for_selector("#upload-form")
    assert violations(page, "upload") == []
    page.set_input_files("#id_files", [str(FILES / "bad_dates" / f"{n}.csv") for n in FIVE])
    follow(page, "#upload-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    # the error report (an issues table has its caption as aria-label); the history below lists the refused upload too
    cells = page.eval_on_selector_all(
        "main table[aria-label] tbody tr",
        "rows => rows.map(r => [...r.cells].slice(0, 4).map(c => c.innerText.trim()))",
    )
    assert cells == [
        ["engagement.csv", "3", "StartdatoEngagement", "31-02-2020"],
        ["engagement.csv", "4", "StartdatoEngagement", "1/13/2024"],
        ["engagement.csv", "4", "Ugentlige timer", "mange"],
    ]
    assert not Employment.objects.filter(employment_number__startswith="1002-").exists()
    assert violations(page, "error report") == []


@pytest.mark.django_db
def test_an_import_that_ends_an_employment_before_a_booked_course_says_so(client, world) -> None:
    """Karen resigns (her end date arrives with the next delivery) while booked on a course after it."""
    import datetime as dt

    from django.contrib.messages import get_messages

    from styrbord.lib.dates import local_today
    from styrbord.training import services
    from styrbord.training.tests import helpers

    client.force_login(world.coordinator)
    data = (FILES / "generic_latin1_tab.csv").read_bytes()
    mapping = {f"field_{key}": header for key, header in GENERIC_MAPPING.items()}

    previews: list[str] = []

    def deliver(content: bytes) -> Any:
        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", content)]})
        client.post(response["Location"], mapping)
        preview = reverse("staff:import_preview", args=[pending_token()])
        previews.append(client.get(preview).content.decode())
        return client.post(preview)

    deliver(data)
    karen = Employee.objects.get(person_key="0707:M-1")
    course_day = local_today() + dt.timedelta(days=40)
    services.book(karen, helpers.session(days=[course_day], capacity=5))
    leaving = local_today() + dt.timedelta(days=20)
    resigned = data.replace("01.02.2024\t\t".encode("latin-1"), f"01.02.2024\t{leaving:%d-%m-%Y}\t".encode("latin-1"))
    assert resigned != data

    applied = deliver(resigned)

    # Said before the import is applied, on the preview ...
    assert 'id="bookings-left-behind"' not in previews[0]
    assert "1 booking ligger på et hold, der slutter efter den slutdato, leverancen giver ansættelsen." in previews[1]
    # ... and again when it is done.
    shown = [str(m) for m in get_messages(applied.wsgi_request)]
    assert (
        "1 booking ligger nu på et hold, der slutter efter ansættelsens ophør. Se den under Kurser, Bookinger "
        "med filteret »Kun efter ansættelsens ophør«." in shown
    )
    assert Employment.objects.get(employee=karen).end_date == leaving


def test_the_upload_page_lists_the_columns_each_kind_of_file_needs(client, world) -> None:
    """A new coordinator learnt the required fields only from the column page's error."""
    client.force_login(world.coordinator)

    html = client.get(UPLOAD).content.decode()

    assert "<code>engagement.csv</code>: BrugerId, AfdelingsId, AktivStatus" in html
    assert (
        "Ansættelsesnummer; Navn eller Fornavn og Efternavn; Startdato; Medarbejder-id (HR) eller CPR-nummer (gemmes aldrig; bliver til en "
        "pseudonym nøgle); Afdelings-id (HR) eller Tilbud (navn); Stillingskode eller Faggruppe." in html
    )
