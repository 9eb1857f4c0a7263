"""The HR import's history and saved column mappings, after a walk:

- saving a column mapping was not in the audit log: it is now, with who, which mapping and which
  fields' columns changed, never the file's column headers;
- a pending upload (checked, not applied) had no way back to its check page: the history links it,
  for the user who made it, while it is open;
- an upload the check refused left no trace: the history lists it as refused, with the first
  errors (where, and what is wrong; never a cell's value), and its files are deleted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.staff.import_models import STALE_AFTER, ColumnMapping, ImportBatch
from styrbord.staff.tests.test_import_support import FILES, FIVE, GENERIC_MAPPING

UPLOAD = "/medarbejdere/import/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _generic(client: Any, data: bytes | None = None) -> str:
    """Upload the generic file; the URL of its mapping step."""
    data = data if data is not None else (FILES / "generic_latin1_tab.csv").read_bytes()
    response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", data)]})
    assert response.status_code == 302
    return str(response["Location"])


def _map(client: Any, url: str, mapping: dict[str, str], save_as: str = "") -> Any:
    post = {f"field_{key}": header for key, header in mapping.items()}
    post["save_as"] = save_as
    return client.post(url, post)


def _mapping_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="staff.columnmapping.").order_by("id"))


# --- the column mapping in the audit log ---------------------------------------------------------


def test_saving_a_mapping_is_logged_with_who_which_and_what_changed(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    assert _map(client, _generic(client), GENERIC_MAPPING, save_as="Lønsystem").status_code == 302
    saved = ColumnMapping.objects.get(name="Lønsystem")

    (created,) = _mapping_entries()
    assert (created.action, created.kind, created.actor_id) == (
        "staff.columnmapping.created",
        AuditEntry.Kind.CHANGE,
        world.coordinator.pk,
    )
    assert (created.object_type, created.object_id, created.subject_employee_id) == (
        "staff.columnmapping",
        str(saved.pk),
        None,
    )
    assert created.data["municipality"] == "0707"
    assert created.data["name"] == "Lønsystem"
    assert created.data["import_fields"] == sorted(GENERIC_MAPPING)

    # Saved again under the same name, with the title taken from another column and no end date.
    changed = {**GENERIC_MAPPING, "title": "Kontaktperson"}
    del changed["end_date"], changed["is_contact_person"]
    _map(client, _generic(client), changed, save_as="Lønsystem")

    created, updated = _mapping_entries()
    assert updated.action == "staff.columnmapping.updated"
    assert updated.object_id == str(saved.pk)
    assert updated.data["fields"] == ["mapping"]
    assert updated.data["import_fields"] == ["end_date", "is_contact_person", "title"]
    # The file's headers are not in the log: the fields are named by Styrbord's keys only.
    for entry in (created, updated):
        text = str(entry.data) + str(entry.before) + str(entry.after)
        assert "Ansat til" not in text
        assert "Medarbejdernr" not in text


def test_a_mapping_not_saved_is_not_logged(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    _map(client, _generic(client), GENERIC_MAPPING)
    assert _mapping_entries() == []
    assert not ColumnMapping.objects.exists()


def test_the_log_page_names_the_mapping_and_its_fields(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    _map(client, _generic(client), GENERIC_MAPPING, save_as="Lønsystem")
    client.force_login(world.admin)
    html = client.get("/audit/", {"action": "kolonneopsætning"}).content.decode()
    assert "Kolonneopsætning til HR-import gemt" in html
    assert "<dt>Importfelter med ny kolonne</dt>" in html
    assert "Ansættelsesnummer" in html  # the import field "employment_number", as the mapping page names it
    client.cookies["django_language"] = "en"
    english = client.get("/audit/", {"action": "column mapping"}).content.decode()
    assert "HR import column mapping saved" in english
    assert "<dt>Import fields with a new column</dt>" in english


# --- the history: pending uploads link to their check ------------------------------------------


def test_an_open_pending_upload_links_to_its_check_page_for_its_uploader_only(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    response = client.post(
        UPLOAD,
        {"files": [SimpleUploadedFile(f"{n}.csv", (FILES / "five_file_utf8" / f"{n}.csv").read_bytes()) for n in FIVE]},
    )
    batch = ImportBatch.objects.get(status=ImportBatch.Status.PENDING)
    check = reverse("staff:import_preview", args=[batch.storage_token])
    assert response["Location"] == check

    html = client.get(UPLOAD).content.decode()
    assert f'<a class="to-check" href="{check}">Åbn kontrollen</a>' in html

    client.force_login(world.admin)  # sees the upload in the history, but it is not theirs to finish
    assert batch.storage_token not in client.get(UPLOAD).content.decode()


def test_an_abandoned_or_finished_upload_has_no_link(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    municipality = world.dolmer.municipality
    stale = ImportBatch.objects.create(
        municipality=municipality, created_by=world.coordinator, file_names=["gammel.csv"], storage_token="a1"
    )
    ImportBatch.objects.filter(pk=stale.pk).update(created_at=stale.created_at - STALE_AFTER - dt.timedelta(1))
    ImportBatch.objects.create(
        municipality=municipality,
        created_by=world.coordinator,
        status=ImportBatch.Status.APPLIED,
        file_names=["fuld.csv"],
    )
    assert "to-check" not in client.get(UPLOAD).content.decode()


# --- the history: refused uploads are listed with why ------------------------------------------


def test_a_refused_upload_is_listed_as_refused_with_its_reasons_and_its_files_are_gone(client, world, media) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    files = [SimpleUploadedFile(f"{n}.csv", (FILES / "duplicated_employment" / f"{n}.csv").read_bytes()) for n in FIVE]

    response = client.post(UPLOAD, {"files": files})

    assert response.status_code == 422
    (batch,) = ImportBatch.objects.all()
    assert (batch.status, batch.storage_token, batch.created_by) == (ImportBatch.Status.REJECTED, "", world.coordinator)
    assert batch.file_names == [f"{n}.csv" for n in FIVE]
    assert batch.counts["errors"] == 1
    assert not any((media / "imports").iterdir())  # the files are deleted
    assert batch.status_label == "Afvist (1 fejl)"
    assert batch.reasons == [
        "engagement.csv, række 4, kolonne BrugerId + AfdelingsId: Ansættelsesnummeret står også i række 3."
    ]
    assert "1002-102" not in str(batch.counts)  # the cell's value is not kept

    page = client.get(UPLOAD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Afvist (1 fejl)" in html
    assert "engagement.csv, række 4, kolonne BrugerId + AfdelingsId: Ansættelsesnummeret står også i række 3." in html
    assert "to-check" not in html  # nothing to go back to

    client.cookies["django_language"] = "en"
    english = client.get(UPLOAD).content.decode()
    assert "engagement.csv, row 4, column BrugerId + AfdelingsId:" in english


def test_a_value_repeated_in_a_message_is_left_out(client, world) -> None:  # type: ignore[no-untyped-def]
    """An impossible date: the message names the date, which is the cell's value: "…" instead."""
    client.force_login(world.coordinator)
    bad = (FILES / "generic_latin1_tab.csv").read_bytes().replace(b"01.02.2024", b"31.02.2024")
    saved = ColumnMapping.objects.create(name="Løn", municipality=world.dolmer.municipality, mapping=GENERIC_MAPPING)

    response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.csv", bad)], "mapping": saved.pk})

    assert response.status_code == 422
    batch = ImportBatch.objects.get(status=ImportBatch.Status.REJECTED)
    assert "31.02.2024" not in str(batch.counts)
    (reason,) = batch.reasons
    assert reason.startswith("loen.csv, række 2, kolonne Ansat fra: ")
    assert "…" in reason
    assert "31.02.2024" not in reason


def test_a_pending_upload_the_check_refused_keeps_its_reasons_and_its_link(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    bad = (FILES / "generic_latin1_tab.csv").read_bytes().replace(b"01.02.2024", b"31.02.2024")
    check = _map(client, _generic(client, bad), GENERIC_MAPPING)["Location"]
    assert client.get(check).status_code == 422

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PENDING
    assert batch.status_label == "Afvist (1 fejl)"
    assert len(batch.reasons) == 1
    html = client.get(UPLOAD).content.decode()
    assert f'<a class="to-check" href="{check}">Åbn kontrollen</a>' in html
    assert batch.reasons[0] in html


def test_a_form_refusal_before_the_files_are_read_keeps_nothing(client, world) -> None:  # type: ignore[no-untyped-def]
    """Refused by the upload form (another municipality's mapping): nothing was read, nothing kept."""
    other = ColumnMapping.objects.create(
        name="Syddjurs", municipality=world.syddjurs_facility.municipality, mapping=GENERIC_MAPPING
    )
    client.force_login(world.coordinator)
    response = client.post(
        UPLOAD,
        {
            "files": [SimpleUploadedFile("loen.csv", (FILES / "generic_latin1_tab.csv").read_bytes())],
            "mapping": other.pk,
        },
    )
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()
