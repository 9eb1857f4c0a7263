"""The certificate import pages: upload -> check (what would be added) -> apply.

Who may import: those who may import HR data (``staff_import``): a coordinator for their own
municipality, an administrator for any. The uploaded file is kept between the check and the
apply like an HR upload (``staff.importing.storage``: a random folder, tied to a pending batch
of the user who uploaded; anyone else gets 404; purged after a day).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from styrbord.accounts.permissions import CREATE, LIST, can, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.accounts.uploads import UploadRejectedError, check_upload
from styrbord.audit.services import log_action
from styrbord.competences import importing
from styrbord.competences.importing import (
    HoldingImport,
    HoldingsChangedError,
    UnknownName,
    apply_holdings,
    check_holdings,
)
from styrbord.competences.models import Competence, CompetenceName
from styrbord.lib.collation import collated
from styrbord.lib.formatting import format_number
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing import storage
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.views import importing_municipality
from styrbord.staff.models import Employee
from styrbord.web.downloads import attachment

OBJECT_TYPE = "staff_import"
SHOWN_ROWS = 50


class HoldingUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil"),
        help_text=gettext_lazy("CSV eller XLSX med ét kompetencebevis pr. række."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(), label=gettext_lazy("Kommune"), required=False
    )

    def __init__(self, *args: Any, municipality: Municipality | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_municipality = municipality
        if municipality is not None:
            del self.fields["municipality"]
        else:
            self.fields["municipality"].required = True

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_upload(upload, allow_zip=True)  # size, and for XLSX the zip directory
        except UploadRejectedError as exc:
            raise forms.ValidationError(" ".join(exc.messages)) from None
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["municipality"] = self.fixed_municipality or data.get("municipality")
        return data


def _choice_field_name(key: str) -> str:
    """A form field per unknown name, named by its key (not by its place in the file): a name
    someone else saves meanwhile cannot shift a choice onto another name."""
    return "name_" + hashlib.sha256(key.encode()).hexdigest()[:16]


SKIP = "skip"  # the names form's choice to leave a name's rows out of this import


def skip_names(batch: ImportBatch) -> list[str]:
    """The names (``name_key``) whose rows this upload leaves out, as chosen on its check page."""
    return list((batch.mapping_data or {}).get("skip_names", []))


class CompetenceNamesForm(forms.Form):
    """What each of a file's unknown competence names means: a catalogue competence, the likely
    ones first; or leave its rows out of this import (a course the catalogue does not follow,
    e.g. first aid); or nothing chosen (the rows stay errors)."""

    def __init__(self, *args: Any, unknown: dict[str, UnknownName], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unknown = unknown
        catalogue = list(Competence.objects.order_by(collated("name")).only("code", "name"))
        self.by_pk = {str(c.pk): c for c in catalogue}
        everything = [(str(c.pk), f"{c.name} ({c.code})") for c in catalogue]
        self.keys: dict[str, str] = {}
        for key, name in unknown.items():
            field_name = _choice_field_name(key)
            self.keys[field_name] = key
            likely = [(str(c.pk), f"{c.name} ({c.code})") for c in name.suggestions]
            choices: list[Any] = [
                ("", gettext("Vælg ikke nu")),
                (SKIP, gettext("Indlæs ikke disse rækker i denne import")),
            ]
            if likely:
                choices += [(gettext("Mest sandsynligt"), likely), (gettext("Hele kataloget"), everything)]
            else:
                choices += everything
            self.fields[field_name] = forms.ChoiceField(
                label=name.written,
                choices=choices,
                required=False,
                help_text=ngettext("Står i %(count)s række.", "Står i %(count)s rækker.", name.rows)
                % {"count": format_number(name.rows)},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(field_name) for field_name in self.keys):
            raise forms.ValidationError(gettext("Vælg, hvad mindst ét af navnene betyder."))
        return data

    def chosen(self) -> dict[str, tuple[str, Competence]]:
        """key -> (the name as written, the competence chosen), for the names given a meaning."""
        return {
            key: (self.unknown[key].written, self.by_pk[self.cleaned_data[field_name]])
            for field_name, key in self.keys.items()
            if self.cleaned_data.get(field_name) not in ("", None, SKIP)
        }

    def skipped(self) -> list[str]:
        """The keys of the names whose rows are left out of this import."""
        return [key for field_name, key in self.keys.items() if self.cleaned_data.get(field_name) == SKIP]


def _require(request: HttpRequest) -> Municipality | None:
    """May the user import, and for which municipality (None: an administrator chooses)."""
    if not can(request.user, CREATE, OBJECT_TYPE):
        raise PermissionDenied
    return importing_municipality(request)


def _batches(request: HttpRequest, action: str) -> Any:
    return scoped_for(
        request.user,
        action,
        OBJECT_TYPE,
        ImportBatch.objects.filter(source_format=ImportBatch.Format.HOLDINGS).select_related(
            "municipality", "created_by"
        ),
    )


class _GoneError(Exception):
    """No pending upload of the user's under this token (applied, cancelled, or never theirs)."""


def _pending(request: HttpRequest, token: str) -> ImportBatch:
    batch = (
        _batches(request, CREATE)
        .filter(storage_token=token, status=ImportBatch.Status.PENDING, created_by=request.user.pk)
        .first()
    )
    if batch is None or not token:
        raise _GoneError
    return batch


def _pending_file(request: HttpRequest, token: str) -> tuple[ImportBatch, SourceFile]:
    """The user's pending upload under ``token`` and its kept file."""
    batch = _pending(request, token)
    sources = storage.sources_of(batch)
    if not sources:
        raise Http404
    return batch, sources[0]


def _gone(request: HttpRequest) -> HttpResponse:
    """Back to the upload page (e.g. the browser's Back after applying): nothing is done again."""
    messages.info(request, gettext("Importen er allerede gennemført eller annulleret; intet er ændret."))
    return redirect("competences:import_upload")


def _upload_context(request: HttpRequest, form: HoldingUploadForm, fixed: Municipality | None) -> dict[str, Any]:
    return {
        "form": form,
        "municipality": fixed,
        "history": _batches(request, LIST)[:10],
        "required_columns": importing.REQUIRED_COLUMNS,
        "who_columns": importing.WHO_COLUMNS,
        "optional_columns": importing.OPTIONAL_COLUMNS,
        "competences": Competence.objects.order_by(collated("name")).only("code", "name"),
        "saved_names": scoped_for(
            request.user,
            CREATE,
            OBJECT_TYPE,
            CompetenceName.objects.select_related("competence", "municipality", "created_by"),
        ).order_by(collated("municipality__name"), collated("written")),
    }


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Choose the file (an administrator also the municipality); a file without errors goes on
    to the check page, one with errors is shown here with every error and nothing kept."""
    fixed = _require(request)
    form = HoldingUploadForm(request.POST or None, request.FILES or None, municipality=fixed)
    context = _upload_context(request, form, fixed)
    if request.method == "POST" and form.is_valid():
        storage.purge_stale()
        municipality: Municipality = form.cleaned_data["municipality"]
        token, sources = storage.store([form.cleaned_data["file"]])
        result = check_holdings(sources[0], municipality)
        if result.errors and not result.unknown_names:
            storage.discard(token)
            context.update(errors=result.errors, warnings=result.warnings)
            return render(request, "competences/import_upload.html", context, status=422)
        if not result.errors and not result.new:  # nothing to confirm: said here, and no upload is left waiting
            storage.discard(token)
            messages.info(
                request,
                ngettext(
                    "Intet at tilføje: filens %(count)s bevis findes allerede.",
                    "Intet at tilføje: alle filens %(count)s beviser findes allerede.",
                    result.existing,
                )
                % {"count": format_number(result.existing)},
            )
            return redirect("competences:import_upload")
        # Kept also when its only trouble may be names the catalogue does not know: the check
        # page asks what they mean, and the file is checked again with the answers.
        ImportBatch.objects.create(
            municipality=municipality,
            created_by_id=request.user.pk,
            status=ImportBatch.Status.PENDING,
            source_format=ImportBatch.Format.HOLDINGS,
            file_names=[sources[0].name],
            storage_token=token,
            preview_fingerprint="" if result.errors else result.fingerprint(),
            counts={"errors": result.errors.total} if result.errors else result.counts,
        )
        return redirect("competences:import_preview", token=token)
    return render(request, "competences/import_upload.html", context)


def _preview(
    request: HttpRequest, batch: ImportBatch, result: HoldingImport, status: int = 200, **extra: Any
) -> HttpResponse:
    batch.preview_fingerprint = "" if result.errors else result.fingerprint()
    batch.counts = {"errors": result.errors.total} if result.errors else result.counts
    batch.save(update_fields=["preview_fingerprint", "counts"])
    shown = result.new[:SHOWN_ROWS]
    people = Employee.objects.in_bulk({holding.employee_id for holding in shown})
    for holding in shown:
        holding.employee = people[holding.employee_id]
    if result.unknown_names and "names_form" not in extra:
        extra["names_form"] = CompetenceNamesForm(unknown=result.unknown_names)
    context = {
        "batch": batch,
        "result": result,
        "errors": result.errors,
        "warnings": result.warnings,
        "shown": shown,
        "by_competence": result.by_competence(),
        **extra,
    }
    return render(request, "competences/import_preview.html", context, status=status)


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the import would add. POST: add it (everything or nothing)."""
    _require(request)
    try:
        batch, source = _pending_file(request, token)
    except _GoneError:
        return _gone(request)
    if request.method == "GET":
        result = check_holdings(source, batch.municipality, skip_names(batch))
        return _preview(request, batch, result, status=422 if result.errors else 200)
    try:
        result = apply_holdings(
            source,
            batch.municipality,
            user=request.user,
            batch=batch,
            expected_fingerprint=batch.preview_fingerprint,
            skip_names=skip_names(batch),
        )
    except ImportRejectedError:
        return _preview(request, batch, check_holdings(source, batch.municipality, skip_names(batch)), status=422)
    except HoldingsChangedError as changed:
        return _preview(request, batch, changed.result, status=409, changed_since_check=True)
    storage.release(batch)
    created = len(result.new)
    messages.success(
        request,
        ngettext(
            "Importen er gennemført: %(created)s kompetencebevis tilføjet, %(existing)s fandtes allerede.",
            "Importen er gennemført: %(created)s kompetencebeviser tilføjet, %(existing)s fandtes allerede.",
            created,
        )
        % {"created": format_number(created), "existing": format_number(result.existing)},
    )
    return redirect("competences:import_upload")


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """A workbook to fill in: the columns the import reads (no example row, which would be
    imported), and the catalogue's names and codes on a sheet of their own (the import reads the
    first sheet with the columns)."""
    _require(request)
    columns = [
        importing.EMPLOYMENT_NUMBER[0],
        importing.PERSON_ID[0],
        importing.EMAIL[0],
        importing.NAME[0],
        importing.COMPETENCE[0],
        importing.ACQUIRED[0],
        importing.EXPIRES[0],
        importing.EVIDENCE[0],
    ]
    catalogue = [[c.name, c.code] for c in Competence.objects.order_by(collated("name")).only("name", "code")]
    content = write_xlsx(
        [
            Sheet(gettext("Beviser"), columns, [], column_widths=[16, 16, 28, 28, 36, 12, 12, 28]),
            Sheet(gettext("Kompetencer"), [gettext("Navn"), gettext("Kode")], catalogue, column_widths=[60, 30]),
        ]
    )
    return attachment(content, "kompetencebeviser-skabelon.xlsx")


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Throw the upload away (its file is deleted)."""
    _require(request)
    try:
        batch = _pending(request, token)
    except _GoneError:
        return _gone(request)
    storage.release(batch, ImportBatch.Status.CANCELLED)
    messages.info(request, gettext_lazy("Importen er annulleret, og filen er slettet."))
    return redirect("competences:import_upload")


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_POST
def names(request: HttpRequest, token: str) -> HttpResponse:
    """Save what the file's unknown competence names mean, for the municipality's later lists
    too, then check the file again."""
    _require(request)
    try:
        batch, source = _pending_file(request, token)
    except _GoneError:
        return _gone(request)
    result = check_holdings(source, batch.municipality, skip_names(batch))
    if not result.unknown_names:  # answered meanwhile (another tab, another coordinator)
        return redirect("competences:import_preview", token=token)
    form = CompetenceNamesForm(request.POST, unknown=result.unknown_names)
    if not form.is_valid():
        return _preview(request, batch, result, status=422, names_form=form)
    try:
        saved = importing.save_names(batch.municipality, form.chosen(), request.user)
    except importing.NamesTakenError:
        messages.warning(
            request, gettext("En anden har netop gemt et af navnene. Filen er kontrolleret igen med det gemte.")
        )
        return redirect("competences:import_preview", token=token)
    skipped = form.skipped()
    if skipped:  # this upload's own choice: not saved for later lists
        batch.mapping_data = {**(batch.mapping_data or {}), "skip_names": [*skip_names(batch), *skipped]}
        batch.save(update_fields=["mapping_data"])
    said = []
    if saved:
        said.append(
            ngettext(
                "%(count)s navn er gemt for %(municipality)s.",
                "%(count)s navne er gemt for %(municipality)s.",
                saved,
            )
            % {"count": format_number(saved), "municipality": str(batch.municipality)}
        )
    if skipped:
        said.append(
            ngettext(
                "Rækkerne med %(count)s navn indlæses ikke i denne import.",
                "Rækkerne med %(count)s navne indlæses ikke i denne import.",
                len(skipped),
            )
            % {"count": format_number(len(skipped))}
        )
    messages.success(request, " ".join([*said, gettext("Filen er kontrolleret igen.")]))
    return redirect("competences:import_preview", token=token)


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_POST
def name_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget a saved name: later lists with it are asked about again. Certificates already
    imported under it stay."""
    _require(request)
    saved = get_object_or_404(
        scoped_for(request.user, CREATE, OBJECT_TYPE, CompetenceName.objects.select_related("competence")), pk=pk
    )
    log_action(
        saved,
        "competences.name.deleted",
        request.user,
        before={"written": saved.written, "competence": saved.competence.code},
    )
    saved.delete()
    messages.success(request, gettext("Navnet »%(name)s« er glemt.") % {"name": saved.written})
    return redirect(reverse("competences:import_upload") + "#saved-names")
