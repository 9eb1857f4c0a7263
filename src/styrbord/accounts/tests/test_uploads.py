"""Upload checks: size limits while streaming, and zip bombs refused without unpacking."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from styrbord.accounts.uploads import UploadRejectedError, check_upload


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_ordinary_csv_and_an_ordinary_xlsx_pass() -> None:
    from styrbord.lib.spreadsheets import Sheet, write_xlsx

    check_upload(SimpleUploadedFile("hr.csv", b"a;b\n1;2\n"))
    xlsx = write_xlsx([Sheet("Ark", ["a", "b"], [[1, "x"], [2, "y"]])])
    check_upload(SimpleUploadedFile("hr.xlsx", xlsx))


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadRejectedError, match="tom"):
        check_upload(SimpleUploadedFile("hr.csv", b""))


@override_settings(UPLOAD_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_with_a_danish_message() -> None:
    with pytest.raises(UploadRejectedError, match="Filen er for stor"):
        check_upload(SimpleUploadedFile("hr.csv", b"x" * 1001))


def test_a_zip_bomb_is_refused_without_unpacking_it() -> None:
    bomb = _zip({"xl/worksheets/sheet1.xml": b"0" * 20_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(UploadRejectedError, match="mistænkeligt"):
        check_upload(SimpleUploadedFile("hr.xlsx", bomb))


@override_settings(UPLOAD_MAX_UNPACKED_BYTES=1_000_000)
def test_an_archive_that_unpacks_past_the_limit_is_refused() -> None:
    import os

    data = _zip({f"part{i}.bin": os.urandom(300_000) for i in range(4)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UploadRejectedError):
        check_upload(SimpleUploadedFile("hr.xlsx", data))


def test_path_traversal_and_nested_archives_are_refused() -> None:
    with pytest.raises(UploadRejectedError, match="stier"):
        check_upload(SimpleUploadedFile("x.xlsx", _zip({"../../etc/passwd": b"x"})))
    with pytest.raises(UploadRejectedError, match="pakket"):
        check_upload(SimpleUploadedFile("x.xlsx", _zip({"inner.zip": _zip({"a": b"b"})})))


def test_a_zip_is_refused_where_archives_are_not_allowed() -> None:
    with pytest.raises(UploadRejectedError, match="zip"):
        check_upload(SimpleUploadedFile("x.csv", _zip({"a.csv": b"a"})), allow_zip=False)


def test_a_broken_zip_is_refused() -> None:
    with pytest.raises(UploadRejectedError, match="beskadiget"):
        check_upload(SimpleUploadedFile("x.xlsx", b"PK\x03\x04" + b"\x00" * 100))


@override_settings(UPLOAD_MAX_BYTES=10_000)
def test_a_too_large_request_is_stopped_while_it_streams_in(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    upload = SimpleUploadedFile("big.csv", b"x" * 20_000)
    response = client.post("/konto/api-tokens/", {"name": "x", "file": upload})
    assert response.status_code == 400
