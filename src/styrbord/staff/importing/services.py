"""The HR import workflow: read -> validate everything -> apply all of it in one transaction, or nothing.

Used by the ``import_staff`` command and the upload page. ``ImportRejectedError`` carries the
row-level error report; when it is raised nothing has been written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action
from styrbord.lib.gcpause import cyclic_gc_paused
from styrbord.organisations.models import Facility, Municipality, Unit
from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.importing import five_file, generic
from styrbord.staff.importing.apply import apply_plan
from styrbord.staff.importing.errors import ImportFailedError, ImportRejectedError, PlanChangedError
from styrbord.staff.importing.plan import PERSON_FIELDS, Plan, build_plan
from styrbord.staff.importing.reading import FileUnreadableError, SourceFile, Table, open_table, sheet_where
from styrbord.staff.importing.records import FileInfo, ParsedSet
from styrbord.staff.importing.values import normalise_header
from styrbord.staff.models import Employee, Employment, JobCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    plan: Plan
    counts: dict[str, int]
    batch: ImportBatch


def _file_error(parsed: ParsedSet, name: str, exc: FileUnreadableError) -> None:
    parsed.errors.add(name, None, "", "", exc.msgid, **exc.params)


@cyclic_gc_paused()  # the rows of 100.000 people and employments stay alive: collection passes cost a third
def read_delivery(
    sources: Sequence[SourceFile], municipality: Municipality, mapping: dict[str, str] | None = None
) -> ParsedSet:
    """Read and check the files on their own (no database): the five-file set, or one generic
    file when a column mapping is given."""
    parsed = ParsedSet(source_format=ImportBatch.Format.GENERIC if mapping else ImportBatch.Format.FIVE_FILE)
    if mapping and len(sources) == 1:
        sources = [sheet_for_mapping(sources[0], mapping)]
    tables: list[Table] = []
    for source in sources:
        try:
            tables.append(open_table(source, parsed.warnings))
        except FileUnreadableError as exc:
            _file_error(parsed, source.name, exc)
    if not sources:
        parsed.errors.add("", None, "", "", gettext_noop("Vælg mindst én fil."))
    try:
        if parsed.errors:
            return parsed
        if mapping:
            _read_generic(tables, mapping, municipality, parsed)
        else:
            _read_five_file(tables, municipality, parsed)
    except FileUnreadableError as exc:
        _file_error(parsed, exc.file, exc)
    finally:
        for table in tables:  # those not read to the end (another file was unreadable, or a read stopped)
            table.close()
    return parsed


def sheet_for_mapping(source: SourceFile, mapping: dict[str, str]) -> SourceFile:
    """The source, set to the first worksheet that has a column for every required field of the
    mapping when the first lacks one (``reading.sheet_where``): an optional field's column may be
    missing, it is then left unused (``generic.parse_generic`` says so in a note)."""

    def has_required(headers: list[str]) -> bool:
        present = {normalise_header(header) for header in headers}
        found = {key: header for key, header in mapping.items() if header and normalise_header(header) in present}
        return not generic.missing_groups(found)

    return sheet_where(source, has_required)


def _info(table: Table, role: str) -> FileInfo:
    return FileInfo(
        name=table.file,
        role=role,
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet if len(table.sheets) > 1 else "",
    )


def _read_generic(tables: list[Table], mapping: dict[str, str], municipality: Municipality, parsed: ParsedSet) -> None:
    if len(tables) != 1:
        parsed.errors.add("", None, "", "", gettext_noop("Med en kolonneopsætning indlæses præcis én fil ad gangen."))
        return
    table = tables[0]
    parsed.files.append(_info(table, "generic"))
    generic.parse_generic(table, mapping, municipality.code, parsed)


def _read_five_file(tables: list[Table], municipality: Municipality, parsed: ParsedSet) -> None:
    by_role: dict[str, Table] = {}
    for table in tables:
        role = five_file.role_of(table)
        if role is None:
            parsed.errors.add(
                table.file,
                None,
                "",
                "",
                gettext_noop(
                    "Filen er ikke en af de fem standardfiler (bruger, organisation, engagement, stillingskode, leder). "
                    "Vælg en kolonneopsætning for at indlæse den som en generel fil."
                ),
            )
            continue
        if role in by_role:
            parsed.errors.add(
                table.file,
                None,
                "",
                "",
                gettext_noop("Der er to %(role)s-filer: %(first)s og %(second)s."),
                role=role,
                first=by_role[role].file,
                second=table.file,
            )
            continue
        by_role[role] = table
        parsed.files.append(_info(table, role))
    if parsed.errors:
        return
    five_file.parse_five_file(by_role, municipality.code, parsed)


def prepare(
    sources: Sequence[SourceFile],
    municipality: Municipality,
    *,
    mapping: dict[str, str] | None = None,
    end_missing: bool = False,
) -> Plan:
    """Read, validate and plan, writing nothing. The plan's ``errors`` say whether it may be applied."""
    parsed = read_delivery(sources, municipality, mapping)
    return build_plan(parsed, municipality, end_missing=end_missing)


@cyclic_gc_paused()  # 100.000 rows of live objects: collection passes cost 10-20 %
def run_import(
    sources: Sequence[SourceFile],
    municipality: Municipality,
    *,
    user: User | AnonymousUser | None = None,
    mapping: dict[str, str] | None = None,
    mapping_obj: ColumnMapping | None = None,
    end_missing: bool = False,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    expected_fingerprint: str = "",
    checked_since: dt.datetime | None = None,
) -> ImportResult:
    """Validate everything, then apply all of it in one transaction (or, for a dry run, only count).

    Raises ``ImportRejectedError`` with the full error report when anything is wrong; then the database
    is unchanged. ``batch`` is the pending batch of an upload being confirmed; with
    ``expected_fingerprint`` (what its check page showed) a plan that differs now raises
    ``PlanChangedError`` and nothing is applied; so does, with ``checked_since`` (when the check
    page planned it), another import of the municipality applied since (``later_import``).
    """
    parsed = read_delivery(sources, municipality, mapping)
    if parsed.errors:
        build_plan(parsed, municipality, end_missing=end_missing)  # adds what the valid rows refer to wrongly
        _log_rejected(municipality, parsed)
        raise ImportRejectedError(parsed.errors, parsed.warnings)
    try:
        with transaction.atomic():
            # One import per municipality at a time: a second one waits here, then plans against the
            # first one's result instead of inserting the same people twice.
            Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
            plan = build_plan(parsed, municipality, end_missing=end_missing)
            if plan.errors:
                _log_rejected(municipality, parsed)
                raise ImportRejectedError(plan.errors, plan.warnings)
            if checked_since is not None:
                later = later_import(municipality, checked_since, exclude=batch)
                if later is not None:
                    raise PlanChangedError(plan, later=later)
            if expected_fingerprint and plan.fingerprint() != expected_fingerprint:
                raise PlanChangedError(plan)
            counts = plan.counts() if dry_run else apply_plan(plan)
            batch = _record(
                batch, municipality, user, sources, parsed, mapping, mapping_obj, end_missing, dry_run, counts
            )
            if not dry_run:
                log_action(batch, "staff.import.applied", user, data=counts)
                _log_people_created(plan, user, batch)
                _log_people_changed(plan, user, batch)
    except (IntegrityError, DataError) as exc:
        # The checks should have refused whatever the database refuses; if one did not, nothing is
        # half-written (the transaction is rolled back) and the user gets a message, not an error page.
        constraint = _refused_constraint(exc)
        logger.warning(  # the constraint's name only: the database's text can hold a row's values
            "HR import for municipality %s failed at apply: %s (%s)",
            municipality.code,
            type(exc).__name__,
            constraint.name if constraint is not None else "unknown",
        )
        raise ImportFailedError(getattr(constraint, "violation_error_message", None)) from None
    logger.info("HR import for municipality %s: %s%s", municipality.code, counts, " (dry run)" if dry_run else "")
    return ImportResult(plan=plan, counts=counts, batch=batch)


def later_import(
    municipality: Municipality, since: dt.datetime, *, exclude: ImportBatch | None = None
) -> ImportBatch | None:
    """The latest HR import of the municipality applied after ``since`` (a check made before it
    planned against data it has changed since), or None (``hr_imports_applied_after``)."""
    later = ImportBatch.objects.hr_imports_applied_after(municipality, since)
    if exclude is not None and exclude.pk is not None:
        later = later.exclude(pk=exclude.pk)
    return later.order_by("-applied_at").first()


def _log_people_changed(plan: Plan, user: Any, batch: ImportBatch) -> None:
    """One change entry per person whose own data (name, e-mail, birth year, education) the
    import changed, naming the fields (never the values) and the import, so that the person's
    own log and the access export show it; people with the same changed fields are written in
    one statement."""
    by_fields: dict[tuple[str, ...], list[int]] = {}
    for person_id, fields in plan.person_changed_fields.items():
        by_fields.setdefault(fields, []).append(person_id)
    for fields, ids in by_fields.items():
        data = {"fields": list(fields), "import_batch": batch.pk}
        log_access(user, "staff.employee.updated", ids, data, kind=AuditEntry.Kind.CHANGE)


def _log_people_created(plan: Plan, user: Any, batch: ImportBatch) -> None:
    """One change entry per person the import created (``staff.employee.created``), naming the
    fields the delivery set (never the values) and the import: a person asking who put their
    data in Styrbord finds it in their own log. People with the same fields set are written in
    one statement (a handful of statements for 100.000 new people)."""
    provided = [name for name in PERSON_FIELDS if name in plan.parsed.person_fields]
    by_fields: dict[tuple[str, ...], list[int]] = {}
    for person in plan.new_people:
        fields = tuple(name for name in provided if name == "name" or getattr(person, name) is not None)
        by_fields.setdefault(fields, []).append(plan.person_ids[person.key])
    for fields, ids in by_fields.items():
        data = {"fields": list(fields), "import_batch": batch.pk}
        log_access(user, "staff.employee.created", ids, data, kind=AuditEntry.Kind.CHANGE)


def _refused_constraint(exc: Exception) -> models.BaseConstraint | None:
    """The check or unique constraint of the imported models that the database names in ``exc``."""
    text = str(exc)
    for model in (Employment, Employee, JobCode, Unit, Facility, ImportBatch):
        for constraint in model._meta.constraints:
            if constraint.name in text:
                return constraint
    return None


def _record(
    batch: ImportBatch | None,
    municipality: Municipality,
    user: Any,
    sources: Sequence[SourceFile],
    parsed: ParsedSet,
    mapping: dict[str, str] | None,
    mapping_obj: ColumnMapping | None,
    end_missing: bool,
    dry_run: bool,
    counts: dict[str, int],
) -> ImportBatch:
    if batch is None:
        batch = ImportBatch(municipality=municipality)
    batch.created_by = user if user is not None and user.is_authenticated else batch.created_by
    batch.status = ImportBatch.Status.DRY_RUN if dry_run else ImportBatch.Status.APPLIED
    batch.applied_at = None if dry_run else timezone.now()
    batch.source_format = parsed.source_format
    batch.file_names = [s.name for s in sources]
    batch.sheet = next((f.sheet for f in parsed.files if f.sheet), "")
    batch.mapping = mapping_obj
    batch.mapping_data = mapping or {}
    batch.end_missing = end_missing
    batch.dry_run = dry_run
    batch.counts = counts
    batch.save()
    return batch


def _log_rejected(municipality: Municipality, parsed: ParsedSet) -> None:
    # Counts only: an error's value could be a name.
    logger.info(
        "HR import for municipality %s rejected: %s errors in %s files",
        municipality.code,
        parsed.errors.total,
        len(parsed.files),
    )
