"""Keeping uploaded HR files between preview and apply: MEDIA_ROOT/imports/<random token>/.

The token is random and the batch row ties it to the user who uploaded; the folder is deleted
when the import is applied or cancelled, and stale uploads are purged after a day. The files
may hold personal data, so they are never served (no URL points into this folder).
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from styrbord.staff.import_models import STALE_AFTER, ImportBatch
from styrbord.staff.importing.reading import SourceFile

__all__ = ["STALE_AFTER", "discard", "folder_of", "purge_stale", "release", "sources_of", "store"]


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def folder_of(token: str) -> Path:
    if not token or not token.isalnum():
        raise ValueError("bad token")
    return _root() / token


def store(files: list[UploadedFile]) -> tuple[str, list[SourceFile]]:
    """Save the uploads under a new random folder; returns the token and the sources."""
    token = secrets.token_hex(16)
    folder = folder_of(token)
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    sources = []
    for number, upload in enumerate(files, start=1):
        name = get_valid_filename(Path(upload.name or f"fil{number}").name)[:100] or f"fil{number}"
        path = folder / f"{number:02d}_{name}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        sources.append(SourceFile(name=name, path=path))
    return token, sources


def sources_of(batch: ImportBatch) -> list[SourceFile]:
    """The stored files of a pending batch, in upload order, under their original names (and the
    worksheet chosen for a workbook)."""
    folder = folder_of(batch.storage_token)
    paths = sorted(folder.iterdir()) if folder.is_dir() else []
    return [SourceFile(name=p.name.split("_", 1)[1], path=p, sheet=batch.sheet) for p in paths]


def discard(token: str) -> None:
    if token:
        shutil.rmtree(folder_of(token), ignore_errors=True)


def release(batch: ImportBatch, status: str | None = None) -> None:
    """Delete the batch's files and forget the token (after apply or cancel)."""
    discard(batch.storage_token)
    batch.storage_token = ""
    if status:
        batch.status = status
    batch.save(update_fields=["storage_token", "status"])


def purge_stale() -> int:
    """Cancel uploads nobody confirmed within a day and delete their files."""
    stale = ImportBatch.objects.filter(status=ImportBatch.Status.PENDING, created_at__lt=timezone.now() - STALE_AFTER)
    count = 0
    for batch in stale:
        release(batch, ImportBatch.Status.CANCELLED)
        count += 1
    return count
