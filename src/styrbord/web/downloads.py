"""File downloads from pages: one place for the content types and the attachment header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "json": "application/json",
    "ics": "text/calendar; charset=utf-8",
}
NAME_LENGTH = 80  # before the extension; long pool and scenario names are cut
# Danish letters as Danes spell them without (the site's own paths do the same: /oekonomi/).
DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def file_name(stem: str, extension: str) -> str:
    """A download's file name: ``stem`` as a lower-case ASCII slug ("bofaellesskaberne" for
    "Bofællesskaberne"), cut to a length every file system takes, with the extension."""
    # A case number's slash is a dash ("24-9263"), not dropped ("249263").
    stem = stem.translate(DANISH).replace("/", "-")
    return f"{slugify(stem)[:NAME_LENGTH].strip('-') or 'styrbord'}.{extension}"


def attachment(content: bytes | str, name: str) -> HttpResponse:
    """``content`` as a download named ``name``; the content type follows the extension."""
    extension = name.rsplit(".", 1)[-1].lower()
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def refused_filter(request: HttpRequest, form: Any) -> HttpResponse:
    """A download whose filter the page refuses: 400 with the page's own messages, never a file of
    other rows than the filter asked for (the page shows the same errors at its fields)."""
    problems = [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]
    return render(request, "web/filter_refused.html", {"problems": problems}, status=400)
