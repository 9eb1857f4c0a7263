"""Upload limits: a size cap enforced while the file streams in, and a zip-bomb check.

``check_upload(file, allow_zip=True)`` is the one check every upload view calls before it reads
a file (the HR import, evidence documents, ...). It raises ``UploadRejectedError`` (a Django
``ValidationError`` with a Danish message) so a form can show it as a field error.
XLSX and DOCX files are zip archives: they are inspected without unpacking.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Office files compress well (repetitive XML) but not like a bomb: 1 MB packed -> 100 MB unpacked
# is the most a genuine spreadsheet does; a bomb is usually 1000x or more.
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 10_000


class UploadRejectedError(ValidationError):
    """The uploaded file is too large, not allowed, or a suspicious archive."""


def _max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


def _max_unpacked() -> int:
    return int(getattr(settings, "UPLOAD_MAX_UNPACKED_BYTES", 500 * 1024 * 1024))


def _size_of(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, 2)
    end = int(file.tell())
    file.seek(position)
    return end


def _head(file: IO[bytes], n: int = 4) -> bytes:
    position = file.tell()
    file.seek(0)
    data = file.read(n)
    file.seek(position)
    return data if isinstance(data, bytes) else data.encode()


def check_upload(file: Any, allow_zip: bool = True, max_bytes: int | None = None) -> None:
    """Refuse a file that is empty, too large, an unexpected archive, or a zip bomb."""
    limit = _max_bytes() if max_bytes is None else max_bytes
    size = _size_of(file)
    if size == 0:
        raise UploadRejectedError(_("Filen er tom."), code="empty")
    if size > limit:
        raise UploadRejectedError(
            _("Filen er for stor (%(size)s). Den største tilladte fil er %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not _head(file).startswith(ZIP_MAGIC):
        return
    if not allow_zip:
        raise UploadRejectedError(_("Komprimerede filer (zip) kan ikke uploades her."), code="zip_not_allowed")
    check_archive(file, packed_size=size)


def check_archive(file: Any, packed_size: int | None = None) -> None:
    """Inspect a zip's directory (without unpacking) for bombs, traversal and nested archives."""
    packed = _size_of(file) if packed_size is None else packed_size
    position = file.tell()
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise UploadRejectedError(_("Filen er beskadiget eller ikke en gyldig fil."), code="bad_zip") from None
    finally:
        file.seek(position)
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRejectedError(_("Filen indeholder for mange dele."), code="zip_members")
    unpacked = 0
    for member in members:
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise UploadRejectedError(_("Filen indeholder ugyldige stier."), code="zip_path")
        if name.lower().endswith((".zip", ".gz", ".7z", ".rar")):
            raise UploadRejectedError(_("Filen indeholder en pakket fil i filen."), code="zip_nested")
        if member.compress_size and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
            raise UploadRejectedError(_("Filen pakker ud til mistænkeligt meget data og er afvist."), code="zip_bomb")
        unpacked += member.file_size
    if unpacked > _max_unpacked() or (packed and unpacked / packed > MAX_COMPRESSION_RATIO):
        raise UploadRejectedError(_("Filen pakker ud til mistænkeligt meget data og er afvist."), code="zip_bomb")


class _LimitMixin:
    """Stop an upload as soon as the bytes received pass UPLOAD_MAX_BYTES (answered with 400)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > _max_bytes():
            raise RequestDataTooBig(_("Filen er for stor."))
        return super().receive_data_chunk(raw_data, start)  # type: ignore[misc]


class LimitedMemoryFileUploadHandler(_LimitMixin, MemoryFileUploadHandler):
    """Small uploads in memory, with the size cap."""


class LimitedTemporaryFileUploadHandler(_LimitMixin, TemporaryFileUploadHandler):
    """Large uploads in a temporary file, with the size cap."""
