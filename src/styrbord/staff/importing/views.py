"""The HR import pages: upload -> (column mapping) -> preview -> apply.

Coordinators import for their own municipality, admins for any. A pending upload belongs to
the user who made it: anyone else gets 404 for its preview.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from styrbord.accounts.permissions import CREATE, LIST, can, is_administrator, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.accounts.services import municipal_facilities
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action
from styrbord.lib.collation import collated
from styrbord.lib.formatting import in_record_language
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.importing import storage
from styrbord.staff.importing.columns import UNUSED_CPR, cpr_columns
from styrbord.staff.importing.errors import ImportFailedError, ImportRejectedError, IssueList, PlanChangedError
from styrbord.staff.importing.five_file import role_of
from styrbord.staff.importing.forms import MappingForm, UploadForm
from styrbord.staff.importing.generic import REQUIRED_GROUPS, group_text, guess_mapping, mapping_problems
from styrbord.staff.importing.plan import Plan
from styrbord.staff.importing.preview import changes_workbook, hand_edits_text, preview_context, shown_employee_ids
from styrbord.staff.importing.reading import FileUnreadableError, SourceFile, Table, open_table, sheet_headers
from styrbord.staff.importing.services import later_import, prepare, run_import
from styrbord.staff.models import Employment, JobGroup
from styrbord.web.downloads import attachment

OBJECT_TYPE = "staff_import"


def _require(request: HttpRequest) -> None:
    if not can(request.user, CREATE, OBJECT_TYPE):
        raise PermissionDenied


def importing_municipality(request: HttpRequest) -> Municipality | None:
    """The municipality a user imports for: a coordinator's own, fixed; None for an
    administrator, who chooses (the certificate import asks the same)."""
    user = request.user
    if is_administrator(user):
        return None
    municipality = getattr(user, "municipality", None)
    if municipality is None:
        raise PermissionDenied
    return municipality


def _pending(request: HttpRequest, token: str) -> ImportBatch:
    """The user's own pending upload, inside their scope, or 404."""
    batches = scoped_for(
        request.user, CREATE, OBJECT_TYPE, ImportBatch.objects.select_related("municipality", "mapping")
    )
    batch = (
        batches.filter(storage_token=token, status=ImportBatch.Status.PENDING, created_by=request.user.pk)
        .exclude(source_format=ImportBatch.Format.HOLDINGS)
        .first()
    )
    if batch is None or not token:
        raise Http404
    return batch


def _required_fields() -> list[str]:
    """What a generic file must hold, one entry per required group ("Stillingskode eller Faggruppe")."""
    return [group_text(group) for group in REQUIRED_GROUPS]


def _history(request: HttpRequest) -> Any:
    """The latest uploads and imports; a pending one checked (or uploaded) before another import of
    its municipality was applied is marked ``superseded`` (the history says so)."""
    applied_later = ImportBatch.objects.hr_imports_applied_after(
        OuterRef("municipality"), Coalesce(OuterRef("checked_at"), OuterRef("created_at"))
    )
    return (
        scoped_for(
            request.user,
            LIST,
            OBJECT_TYPE,
            ImportBatch.objects.exclude(source_format=ImportBatch.Format.HOLDINGS).select_related(
                "municipality", "created_by"
            ),
        )
        .annotate(superseded=Exists(applied_later))
        .order_by("-created_at")[:10]
    )


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Choose the files (and for an admin the municipality); valid files go on to the preview."""
    _require(request)
    fixed = importing_municipality(request)
    form = UploadForm(request.POST or None, request.FILES or None, municipality=fixed)
    context: dict[str, Any] = {
        "form": form,
        "history": _history(request),
        "municipality": fixed,
        "required_fields": _required_fields(),
    }
    if request.method == "POST" and form.is_valid():
        storage.purge_stale()
        municipality: Municipality = form.cleaned_data["municipality"]
        mapping_obj: ColumnMapping | None = form.cleaned_data.get("mapping")
        token, sources = storage.store(form.cleaned_data["files"])
        batch = ImportBatch(
            municipality=municipality,
            created_by_id=request.user.pk,
            status=ImportBatch.Status.PENDING,
            file_names=[s.name for s in sources],
            end_missing=form.cleaned_data["end_missing"],
            mapping=mapping_obj,
            mapping_data=dict(mapping_obj.mapping) if mapping_obj else {},
            storage_token=token,
        )
        if mapping_obj is None and len(sources) == 1 and _needs_mapping(sources[0]):
            batch.source_format = ImportBatch.Format.GENERIC
            batch.sheet = _likeliest_sheet(sources[0])
            batch.save()
            return redirect("staff:import_mapping", token=token)
        plan = prepare(sources, municipality, mapping=batch.mapping_data or None, end_missing=batch.end_missing)
        if plan.errors:
            # The files go; the history keeps who tried, when and why (one row, written whole).
            storage.discard(token)
            batch.storage_token = ""
            batch.status = ImportBatch.Status.REJECTED
            batch.source_format = plan.parsed.source_format
            batch.counts = _check_counts(plan)
            batch.checked_at = timezone.now()
            batch.save()  # the history below lists it (its query runs as the page is drawn)
            rejected = ngettext("Filen blev afvist", "Filerne blev afvist", len(sources))
            context.update(errors=plan.errors, warnings=plan.warnings, rejected=rejected)
            return render(request, "staff/importing/upload.html", context, status=422)
        batch.source_format = plan.parsed.source_format
        batch.save()
        return redirect("staff:import_preview", token=token)
    return render(request, "staff/importing/upload.html", context)


# The template's columns: one header each, among the names the column mapping guesses from, so
# the mapping step finds every column by itself.
TEMPLATE_COLUMNS = [
    ("employment_number", "Ansættelsesnummer", 18),
    ("person_id", "Medarbejder-id", 16),
    ("name", "Navn", 28),
    ("email", "E-mail", 28),
    ("birth_year", "Fødselsår", 10),
    ("education", "Uddannelse", 24),
    ("education_relevant", "Relevant uddannelse", 12),
    ("facility", "Tilbud", 32),
    ("job_group", "Faggruppe", 28),
    ("kind", "Ansættelsestype", 16),
    ("title", "Stilling", 24),
    ("weekly_hours", "Ugentlige timer", 10),
    ("is_contact_person", "Kontaktperson", 12),
    ("start_date", "Startdato", 12),
    ("end_date", "Slutdato", 12),
    ("status", "Status", 10),
    ("hourly_wage", "Timeløn", 12),
]


@requires(OBJECT_TYPE, CREATE)
@login_required
def template(request: HttpRequest) -> HttpResponse:
    """A workbook to fill in for the general import: the columns (no example row, which would be
    imported), the municipality's facilities by the names the import knows, and the words the
    coded columns take, each list on a sheet of its own (the import reads the first sheet)."""
    _require(request)
    municipality = importing_municipality(request)
    facilities = (
        [
            [name]
            for name in municipal_facilities(municipality.pk).order_by(collated("name")).values_list("name", flat=True)
        ]
        if municipality is not None
        else []
    )
    with in_record_language():  # the words the import reads: Danish, whatever the page's language
        return attachment(_template_workbook(facilities), "ansatte-skabelon.xlsx")


def _template_workbook(facilities: list[list[str]]) -> bytes:
    words = [
        (_("Faggruppe"), [str(label) for _value, label in JobGroup.choices]),
        (_("Ansættelsestype"), [str(label) for _value, label in Employment.Kind.choices]),
        (_("Status"), [str(label) for _value, label in Employment.Status.choices]),
        (_("Ja/nej-kolonner"), [_("ja"), _("nej")]),
    ]
    longest = max(len(values) for _title, values in words)
    return write_xlsx(
        [
            Sheet(
                _("Ansatte"),
                [header for _key, header, _width in TEMPLATE_COLUMNS],
                [],
                column_widths=[w for *_x, w in TEMPLATE_COLUMNS],
            ),
            Sheet(
                pgettext("one facility", "Tilbud"), [pgettext("one facility", "Tilbud")], facilities, column_widths=[48]
            ),
            Sheet(
                _("Værdier"),
                [title for title, _values in words],
                [[values[i] if i < len(values) else "" for _title, values in words] for i in range(longest)],
                column_widths=[36, 18, 12, 16],
            ),
        ]
    )


def _needs_mapping(source: Any) -> bool:
    """A single file that is not one of the five standard files needs a column mapping."""
    try:
        table = open_table(source, IssueList())
    except FileUnreadableError:
        return False  # prepare() reports why
    table.close()  # only the header is needed; an open workbook would hold the file until collected
    if role_of(table) is None:
        return True
    # One file is never a whole five-file set: a header that holds all a one-file staff list needs
    # (employment number, name, start date, person, facility, job) is such a list, even when its
    # 'BrugerId' and 'Navn' columns make it look like the set's user file.
    return not mapping_problems(guess_mapping(table.headers))


def _likeliest_sheet(source: SourceFile) -> str:
    """For a workbook of several worksheets, the one whose header names the most import fields
    (the first of equals): a cover or summary sheet in front is passed over. Empty otherwise."""
    headers = sheet_headers(source)
    if not headers:
        return ""
    hits = {name: len(guess_mapping(header)) for name, header in headers.items()}
    return max(hits, key=lambda name: hits[name])  # max keeps the first of equals


def _mapping_table(batch: ImportBatch) -> tuple[Table, list[str]]:
    """The file's header, and the headers of its columns whose values look like CPR numbers."""
    sources = storage.sources_of(batch)
    try:
        table = open_table(sources[0], IssueList())
    except (FileUnreadableError, IndexError):
        raise Http404 from None
    try:
        cpr_like = [table.column(i) for i in cpr_columns(table)]
    except FileUnreadableError:
        cpr_like = []  # the check names what is wrong with the rows
    finally:
        table.close()
    return table, cpr_like


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Pick which column holds which field; optionally save the choice for next time."""
    _require(request)
    batch = _pending(request, token)
    if request.method == "POST" and "choose_sheet" in request.POST:
        # Another worksheet of the workbook: its columns are offered instead.
        sheets = _mapping_table(batch)[0].sheets
        sheet = request.POST.get("sheet", "")
        if sheet in sheets:
            batch.sheet = sheet
            batch.mapping_data = {}
            batch.save(update_fields=["sheet", "mapping_data"])
        return redirect("staff:import_mapping", token=token)
    table, cpr_like = _mapping_table(batch)
    headers = table.headers
    form = MappingForm(request.POST or None, headers=headers)
    shown = batch.mapping_data or guess_mapping(headers)
    if request.method == "GET":
        form.initial_from(shown)
    if request.method == "POST" and form.is_valid():
        chosen = form.mapping()
        name = form.cleaned_data.get("save_as", "").strip()
        with transaction.atomic():  # the mapping, its log entry and the upload's choice: all or none
            if name:
                batch.mapping = save_mapping(batch.municipality, name, chosen, request.user)
                messages.success(request, _("Kolonneopsætningen %(name)s er gemt.") % {"name": name})
            batch.mapping_data = chosen
            batch.save(update_fields=["mapping", "mapping_data"])
        return redirect("staff:import_preview", token=token)
    # Named by header only: the values are never echoed.
    cpr_notices = [
        _(UNUSED_CPR) % {"column": column}
        for column in cpr_like
        if column not in (shown.get("cpr"), shown.get("person_id"))
    ]
    context = {
        "form": form,
        "batch": batch,
        "headers": headers,
        "sheet": table.sheet,
        "sheets": table.sheets,
        "cpr_notices": cpr_notices,
    }
    return render(request, "staff/importing/mapping.html", context)


def save_mapping(municipality: Municipality, name: str, chosen: dict[str, str], user: Any) -> ColumnMapping:
    """Save the column mapping ``name`` of the municipality (new, or replacing the one of that name),
    and log it: who, which mapping, which of its fields and which import fields' columns changed.
    The columns themselves (the file's headers) are not logged. Call inside a transaction."""
    old = ColumnMapping.objects.select_for_update().filter(municipality=municipality, name=name).first()
    columns: dict[str, str] = dict(old.mapping) if old is not None else {}
    before: dict[str, Any] = {"mapping": columns, "created_by_id": old.created_by_id} if old is not None else {}
    saved, created = ColumnMapping.objects.update_or_create(
        municipality=municipality, name=name, defaults={"mapping": chosen, "created_by_id": user.pk}
    )
    after: dict[str, Any] = {"mapping": chosen, "created_by_id": user.pk}
    log_action(
        saved,
        "staff.columnmapping.created" if created else "staff.columnmapping.updated",
        user,
        {
            "municipality": municipality.code,
            "name": name,
            "fields": [f.removesuffix("_id") for f in sorted(after) if created or before.get(f) != after[f]],
            "import_fields": sorted(k for k in set(columns) | set(chosen) if columns.get(k) != chosen.get(k)),
        },
    )
    return saved


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the import would do. POST: do it (everything or nothing)."""
    _require(request)
    batch = _pending(request, token)
    sources = storage.sources_of(batch)
    mapping_data = batch.mapping_data or None
    if batch.source_format == ImportBatch.Format.GENERIC and not mapping_data:
        return redirect("staff:import_mapping", token=token)
    if request.method == "POST":
        try:
            result = run_import(
                sources,
                batch.municipality,
                user=request.user,
                mapping=mapping_data,
                mapping_obj=batch.mapping,
                end_missing=batch.end_missing,
                batch=batch,
                expected_fingerprint=batch.preview_fingerprint,
                checked_since=batch.checked_since,
            )
        except ImportRejectedError as rejected:
            plan = prepare(sources, batch.municipality, mapping=mapping_data, end_missing=batch.end_missing)
            _remember_check(batch, plan)
            return _render_preview(request, batch, plan, 422, errors=rejected.errors)
        except PlanChangedError as changed:
            # Another import (or an edit) since the check: nothing is applied; the check is run
            # again against today's data and shown, with what made the old one stale.
            _remember_check(batch, changed.plan)
            return _render_preview(
                request, batch, changed.plan, 409, changed_since_check=True, superseded_by=changed.later
            )
        except ImportFailedError as failed:
            storage.release(batch, ImportBatch.Status.FAILED)
            messages.error(request, failed.message)
            return redirect("staff:import_upload")
        storage.release(result.batch)
        messages.success(request, result_message(result.counts))
        if result.plan.hand_edited:
            messages.warning(request, hand_edits_text(len(result.plan.hand_edited), applied=True))
        beyond = result.plan.bookings_left_behind()
        if beyond > 0:
            messages.warning(
                request,
                ngettext(
                    "%(count)s booking ligger nu på et hold, der slutter efter ansættelsens ophør. Se den under "
                    "Kurser, Bookinger med filteret »Kun efter ansættelsens ophør«.",
                    "%(count)s bookinger ligger nu på hold, der slutter efter ansættelsens ophør. Se dem under "
                    "Kurser, Bookinger med filteret »Kun efter ansættelsens ophør«.",
                    beyond,
                )
                % {"count": beyond},
            )
        return redirect("staff:import_upload")
    # Uploaded before another import was applied: the check below is against today's data.
    uploaded_before = later_import(batch.municipality, batch.created_at, exclude=batch)
    plan = prepare(sources, batch.municipality, mapping=mapping_data, end_missing=batch.end_missing)
    _remember_check(batch, plan)
    status = 422 if plan.errors else 200
    return _render_preview(request, batch, plan, status, uploaded_before=uploaded_before)


def result_message(counts: dict[str, int]) -> str:
    """What an applied import did, to employments and to the people themselves (a file that only
    renames people changes no employment, and said '0 opdateret')."""
    employments = ngettext(
        "Importen er gennemført: %(created)s ansættelse oprettet, %(updated)s opdateret, %(ended)s afsluttet.",
        "Importen er gennemført: %(created)s ansættelser oprettet, %(updated)s opdateret, %(ended)s afsluttet.",
        counts["employments_created"],
    ) % {
        "created": counts["employments_created"],
        "updated": counts["employments_updated"],
        "ended": counts["employments_ended"],
    }
    # Which fields an update may touch, only when someone was updated: after a no-change import
    # the list read as if those fields had changed.
    if counts["employees_updated"]:
        people = _("Medarbejdere: %(created)s oprettet, %(updated)s opdateret (navn, e-mail, fødselsår, uddannelse).")
    else:
        people = _("Medarbejdere: %(created)s oprettet, %(updated)s opdateret.")
    people %= {"created": counts["employees_created"], "updated": counts["employees_updated"]}
    return f"{employments} {people}"


def _render_preview(request: HttpRequest, batch: ImportBatch, plan: Plan, status: int, **extra: Any) -> HttpResponse:
    """The check page; the people in Styrbord whose data it shows are named in the access log."""
    context = preview_context(batch, plan)
    context.update(extra)
    shown = shown_employee_ids(context)
    if shown:
        log_access(request.user, "staff.importbatch.viewed", shown, {"municipality": batch.municipality.code})
    return render(request, "staff/importing/preview.html", context, status=status)


def _check_counts(plan: Any) -> dict[str, Any]:
    """What the history keeps of a check: for one that found errors, how many and the first of
    them without the cells' values (``ImportBatch.reasons``); nothing for one that passed."""
    return {"errors": plan.errors.total, "reasons": plan.errors.summary()} if plan.errors else {}


def _remember_check(batch: ImportBatch, plan: Any) -> None:
    """What the check page shows: the plan's fingerprint (applying refuses another plan), or the
    number of errors (the history shows the upload as rejected), and when it was planned (an
    import applied after that makes it stale)."""
    batch.preview_fingerprint = "" if plan.errors else plan.fingerprint()
    batch.counts = _check_counts(plan)
    batch.checked_at = timezone.now()
    batch.save(update_fields=["preview_fingerprint", "counts", "checked_at"])


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_http_methods(["GET"])
def changes(request: HttpRequest, token: str) -> HttpResponse:
    """Every change the checked upload would make, as a workbook (the check page shows the first
    ones): planned again against today's data, as the page is."""
    _require(request)
    batch = _pending(request, token)
    mapping_data = batch.mapping_data or None
    if batch.source_format == ImportBatch.Format.GENERIC and not mapping_data:
        return redirect("staff:import_mapping", token=token)
    plan = prepare(storage.sources_of(batch), batch.municipality, mapping=mapping_data, end_missing=batch.end_missing)
    if plan.errors:
        return redirect("staff:import_preview", token=token)
    content, people = changes_workbook(plan)
    if people:
        log_access(
            request.user,
            "staff.importbatch.exported",
            people,
            {"municipality": batch.municipality.code, "format": "xlsx"},
            kind=AuditEntry.Kind.EXPORT,
        )
    return attachment(content, "import-aendringer.xlsx")


@requires(OBJECT_TYPE, CREATE)
@login_required
@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Throw the upload away (its files are deleted)."""
    _require(request)
    batch = _pending(request, token)
    storage.release(batch, ImportBatch.Status.CANCELLED)
    messages.info(request, _("Importen er annulleret, og filerne er slettet."))
    return redirect("staff:import_upload")
