"""A file that is neither XLSX nor delimited text with two or more columns is refused when it is
read, by its content and whatever its name; on the upload page nothing of it is kept but the
refusal in the history (its files are deleted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.errors import IssueList
from styrbord.staff.importing.reading import NOT_A_TABLE, FileUnreadableError, SourceFile, open_table

UPLOAD = "/medarbejdere/import/"

# A staff list as payroll systems write it in a .txt: a title line, then the columns.
STAFF_LIST = (
    "Ansættelsesnummer;Medarbejder-id;Navn;Tilbud;Faggruppe;Startdato\n"
    "9001;9001;Ib Hansen;Dolmer Have;Pædagog;01-01-2024\n"
)


def _source(tmp_path: Path, name: str, data: bytes) -> SourceFile:
    path = tmp_path / name
    path.write_bytes(data)
    return SourceFile(name=name, path=path)


class TestReading:
    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("bad.txt", b"just some text"),
            ("bad.txt", b"just some text\n"),
            ("bad.csv", b"just some text\n"),  # the extension does not make it a table
            ("notes.txt", "Husk at sende listen til Søren\n\nTak!\n".encode("cp1252")),
            ("names.csv", b"Navn\nIb Hansen\nBo Jensen\n"),  # one column
            ("names.csv", b"Navn;\nIb Hansen;\nBo Jensen;\n"),  # one column with a trailing ;
            ("loen.csv", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"),  # a PDF under another name
        ],
    )
    def test_text_without_two_columns_is_refused_as_not_a_table(self, tmp_path: Path, name: str, data: bytes) -> None:
        with pytest.raises(FileUnreadableError) as info:
            open_table(_source(tmp_path, name, data), IssueList())

        assert info.value.msgid == NOT_A_TABLE

    @pytest.mark.parametrize(
        ("name", "text", "delimiter"),
        [
            ("loen.txt", "Medarbejdere pr. 01-11-2026\n" + STAFF_LIST, ";"),
            ("loen.txt", STAFF_LIST.replace(";", "\t"), "\t"),
            ("loen.csv", STAFF_LIST.replace(";", ","), ","),
            ("loen.dat", STAFF_LIST.replace(";", "|"), "|"),
            ("header_only.txt", "Navn;Startdato\n", ";"),  # no rows: the check says so, not the reader
        ],
    )
    def test_delimited_text_is_read_whatever_its_name(
        self, tmp_path: Path, name: str, text: str, delimiter: str
    ) -> None:
        table = open_table(_source(tmp_path, name, text.encode("cp1252")), IssueList())

        assert (table.kind, table.delimiter) == ("csv", delimiter)
        assert len(table.headers) >= 2

    def test_a_long_title_block_above_the_columns_is_not_taken_for_prose(self, tmp_path: Path) -> None:
        """Seven one-cell lines and then columns: a table (its header is a matter for the check)."""
        text = "".join(f"Linje {n}\n" for n in range(7)) + STAFF_LIST

        table = open_table(_source(tmp_path, "loen.txt", text.encode()), IssueList())

        assert table.delimiter == ";"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored(media: Path) -> list[Path]:
    folder = media / "imports"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db
class TestUpload:
    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            ("da", "Filen er hverken en XLSX-fil eller en CSV-/tekstfil med kolonner"),
            ("en", "The file is neither an XLSX file nor a CSV/text file with columns"),
        ],
    )
    def test_a_plain_text_file_is_refused_and_nothing_is_kept(self, client, world, media, language, expected) -> None:
        client.force_login(world.coordinator)
        client.cookies["django_language"] = language

        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("bad.txt", b"just some text")]})

        assert response.status_code == 422
        text = response.content.decode()
        assert expected in text
        assert "<td>bad.txt</td>" in text  # the error names the file
        # No pending upload under "Latest imports": the refusal, with its reason (and no files).
        (batch,) = ImportBatch.objects.all()
        assert (batch.status, batch.storage_token) == (ImportBatch.Status.REJECTED, "")
        assert _stored(media) == []
        assert "to-check" not in client.get(UPLOAD).content.decode()

    def test_a_plain_text_file_among_the_five_names_itself(self, client, world, media) -> None:
        from styrbord.staff.tests.test_import_views import uploads

        client.force_login(world.coordinator)

        response = client.post(UPLOAD, {"files": [*uploads(), SimpleUploadedFile("bad.txt", b"just some text")]})

        assert response.status_code == 422
        issues = [(issue.file, issue.msgid) for issue in response.context["errors"]]
        assert ("bad.txt", NOT_A_TABLE) in issues
        assert ImportBatch.objects.get().status == ImportBatch.Status.REJECTED  # kept for the history only
        assert _stored(media) == []

    def test_a_semicolon_txt_from_payroll_goes_on_to_the_columns(self, client, world, media) -> None:
        client.force_login(world.coordinator)
        data = ("Medarbejdere pr. 01-11-2026\n" + STAFF_LIST).encode("cp1252")

        response = client.post(UPLOAD, {"files": [SimpleUploadedFile("loen.txt", data)]})

        batch = ImportBatch.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("staff:import_mapping", args=[batch.storage_token])
        assert batch.file_names == ["loen.txt"]
