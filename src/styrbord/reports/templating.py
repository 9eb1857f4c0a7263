"""A municipality's own Word template: validate the upload, store it, and make it the active one.

An upload must be a real .docx (a zip with word/document.xml), within the upload size limit,
not a zip bomb (the unpacked size is checked by actually reading, not only by trusting the
zip's headers), use only Styrbord's placeholders, and fill without errors with a sample
document. Templates render in a sandboxed Jinja environment (see ``documents.word``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError

from styrbord.audit.services import log_action
from styrbord.lib.formatting import format_number
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.structure import (
    BulletList,
    CellKind,
    Column,
    CommitteeItem,
    Decision,
    Section,
    Table,
)
from styrbord.reports.documents.word import KNOWN_PLACEHOLDERS, jinja_environment, render_docx
from styrbord.reports.models import DocumentTemplate

if TYPE_CHECKING:
    from styrbord.accounts.models import User
    from styrbord.organisations.models import Municipality

# A member this much larger unpacked than packed is treated as a bomb (text XML packs ~10-20x).
MAX_COMPRESSION_RATIO = 200
CHUNK = 64 * 1024


class TemplateUploadError(ReportError):
    """The uploaded file cannot be used as a Word template (Danish message)."""


def _mb(size: int) -> str:
    """Bytes as whole megabytes for a message (at least 1)."""
    return format_number(max(1, round(size / (1024 * 1024))))


def _check_zip(data: bytes) -> None:
    max_unpacked = settings.UPLOAD_MAX_UNPACKED_BYTES
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TemplateUploadError(
            _("Filen er ikke et Word-dokument (.docx). Gem skabelonen som .docx i Word og prøv igen.")
        )
    with archive:
        names = archive.namelist()
        if "word/document.xml" not in names:
            raise TemplateUploadError(_("Filen er ikke et Word-dokument (.docx): den mangler word/document.xml."))
        declared = sum(info.file_size for info in archive.infolist())
        if declared > max_unpacked:
            raise TemplateUploadError(
                _("Filen fylder %(size)s MB udpakket; grænsen er %(limit)s MB. Den afvises som en mulig zip-bombe.")
                % {"size": _mb(declared), "limit": _mb(max_unpacked)}
            )
        unpacked = 0
        for info in archive.infolist():
            if (
                info.compress_size
                and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
                and info.file_size > CHUNK
            ):
                raise TemplateUploadError(
                    _("Filen %(name)s i skabelonen er pakket usædvanligt hårdt og afvises som en mulig zip-bombe.")
                    % {"name": info.filename}
                )
            # Read for real: a forged header could understate the size.
            try:
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        unpacked += len(chunk)
                        if unpacked > max_unpacked:
                            raise TemplateUploadError(
                                _("Filen fylder mere end %(limit)s MB udpakket og afvises som en mulig zip-bombe.")
                                % {"limit": _mb(max_unpacked)}
                            )
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as error:
                raise TemplateUploadError(
                    _("Filen er beskadiget og kan ikke åbnes som Word-dokument (%(error)s).") % {"error": error}
                )


def _what(message: str) -> str:
    """What is wrong, in Danish, from Jinja's English message (never shown itself)."""
    innermost = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
    unknown = re.match(r"Encountered unknown tag '(\w+)'", message)
    if message.startswith("Unexpected end of template") and innermost:
        tag = innermost.group(1)
        return _("en {%% %(tag)s %%} mangler sin {%% end%(tag)s %%}") % {"tag": tag}
    if unknown and unknown.group(1).startswith("end") and innermost:
        return _("{%% %(found)s %%} står, hvor {%% end%(tag)s %%} skulle lukke en {%% %(tag)s %%}") % {
            "found": unknown.group(1),
            "tag": innermost.group(1),
        }
    if unknown and unknown.group(1).startswith("end"):
        return _("der står en {%% %(found)s %%} uden en {%% %(tag)s %%} før den") % {
            "found": unknown.group(1),
            "tag": unknown.group(1)[3:],
        }
    if unknown:
        return _("{%% %(found)s %%} er ikke en kommando, skabeloner kan bruge") % {"found": unknown.group(1)}
    if message.lower().startswith("unexpected end of template"):
        return _("en pladsholder er ikke lukket (der mangler }} eller %})")
    if message == "unexpected '}'":
        return _("en pladsholder er lukket med } i stedet for }}")
    if message.startswith("unexpected 'end of"):
        return _("pladsholderen slutter, før det, der står i den, er færdigt")
    if message == "tag name expected":
        # xgettext:no-python-format
        return _("efter {% skal der stå en kommando, fx for, if eller endfor")
    char = re.match(r"unexpected '(.)'$", message)
    if char:
        return _("tegnet »%(char)s« hører ikke til i en pladsholder") % {"char": char.group(1)}
    return _("en pladsholder kan ikke læses; den skal have formen {{ navn }} eller {% for … %} … {% endfor %}")


def _bad_placeholder(source: str | None) -> str:
    """The first {{ … }} in the template's text that does not parse alone, to say where the fault is."""
    if not source:
        return ""
    text = re.sub(r"<[^>]+>", "", source)
    environment = jinja_environment()
    for match in re.finditer(r"\{\{.*?\}\}", text):
        try:
            environment.parse(match.group(0))
        except TemplateSyntaxError:
            found = match.group(0)
            return found if len(found) <= 60 else found[:57] + "…"
    return ""


def syntax_error_message(error: TemplateSyntaxError) -> str:
    """A Danish message saying what is wrong in a placeholder and where, without Jinja's English.

    Where: the line, when the template's text has lines (a Word file's XML is usually one line, so
    its line number says nothing), else the placeholder that does not parse, when one is found."""
    what = _what(error.message or "")
    if error.lineno and error.source and error.source.count("\n"):
        return _("Skabelonen har en fejl i en pladsholder på linje %(line)s: %(what)s.") % {
            "line": error.lineno,
            "what": what,
        }
    bad = _bad_placeholder(error.source)
    if bad:
        return _("Skabelonen har en fejl i pladsholderen »%(placeholder)s«: %(what)s.") % {
            "placeholder": bad,
            "what": what,
        }
    return _("Skabelonen har en fejl i en pladsholder: %(what)s.") % {"what": what}


def sample_item() -> CommitteeItem:
    """A small document with every part filled, used to try a template before it is accepted."""
    return CommitteeItem(
        heading="Prøvedokument",
        municipality="Prøve Kommune",
        department="Prøveafdeling",
        case_number="00/0000",
        route="PU, ØK, KB",
        committee="Prøveudvalget",
        document_date=dt.date(2025, 1, 1),
        summary=["Resume."],
        sections=[
            Section("Sagsfremstilling").add(
                "Tekst.",
                BulletList(["Punkt"]),
                Table.of([Column("Navn"), Column("Beløb", CellKind.KR)], [["A", 1000]], caption="Tabel"),
            )
        ],
        economy=Section("Økonomiske konsekvenser").add("Ingen."),
        legal_basis="Lov.",
        recommender="Direktøren",
        recommendations=["noget besluttes."],
        decision=Decision("Prøveudvalget", dt.date(2025, 1, 2), ["Ad. 1"]),
        appendices=["Bilag"],
    )


def validate_template(data: bytes) -> list[str]:
    """Check an uploaded template; return the placeholders it uses, or raise TemplateUploadError."""
    limit = settings.UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise TemplateUploadError(
            _("Filen er for stor (%(size)s MB); den største tilladte er %(limit)s MB.")
            % {"size": _mb(len(data)), "limit": _mb(limit)}
        )
    _check_zip(data)
    try:
        used = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(jinja_env=jinja_environment())
    except TemplateSyntaxError as error:
        raise TemplateUploadError(syntax_error_message(error))
    except Exception as error:  # python-docx raises many kinds on a damaged package
        raise TemplateUploadError(_("Filen kan ikke læses som Word-dokument (%(error)s).") % {"error": error})
    unknown = sorted(set(used) - KNOWN_PLACEHOLDERS)
    if unknown:
        raise TemplateUploadError(
            _("Skabelonen bruger ukendte pladsholdere: %(unknown)s. Kendte pladsholdere er: %(known)s.")
            % {
                "unknown": ", ".join("{{ " + name + " }}" for name in unknown),
                "known": ", ".join(sorted(KNOWN_PLACEHOLDERS)),
            }
        )
    try:
        render_docx(sample_item(), io.BytesIO(data))
    except Exception as error:
        raise TemplateUploadError(
            _("Skabelonen kunne ikke udfyldes med et prøvedokument: %(error)s") % {"error": error}
        )
    return sorted(used)


def read_upload(upload: IO[bytes], limit: int | None = None) -> bytes:
    """Read at most limit + 1 bytes, so a huge upload is refused without reading all of it."""
    cap = (limit if limit is not None else settings.UPLOAD_MAX_BYTES) + 1
    return upload.read(cap)


@transaction.atomic
def upload_template(
    user: User, municipality: Municipality, document_type: str, name: str, filename: str, data: bytes
) -> DocumentTemplate:
    """Validate and store a template, make it the active one for (municipality, type)."""
    placeholders = validate_template(data)
    previous = list(
        DocumentTemplate.objects.select_for_update().filter(
            municipality=municipality, document_type=document_type, active=True
        )
    )
    DocumentTemplate.objects.filter(pk__in=[t.pk for t in previous]).update(active=False)
    template = DocumentTemplate(
        municipality=municipality,
        document_type=document_type,
        name=name,
        placeholders=placeholders,
        uploaded_by=user,
        active=True,
    )
    template.file.save(
        filename if filename.lower().endswith(".docx") else f"{filename}.docx", ContentFile(data), save=False
    )
    template.save()
    log_action(
        template,
        "reports.template.uploaded",
        user,
        {"municipality": municipality.pk, "document_type": document_type, "replaces": [t.pk for t in previous]},
    )
    return template


@transaction.atomic
def deactivate_template(user: User, template: DocumentTemplate) -> None:
    """Stop using a template; documents fall back to the default (or the all-types template)."""
    if template.active:
        DocumentTemplate.objects.filter(pk=template.pk).update(active=False)
        log_action(template, "reports.template.deactivated", user, {"municipality": template.municipality_id})
