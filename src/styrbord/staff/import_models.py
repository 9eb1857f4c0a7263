"""Bookkeeping of the HR import: batches, saved column mappings and HR department links.

Imported at the bottom of ``staff/models.py`` so Django registers them in the staff app.
None of these rows holds personal data: a batch keeps counts and file names only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from styrbord.lib.collation import collated
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality

__all__ = ["STALE_AFTER", "ColumnMapping", "FacilityDepartment", "ImportBatch"]

# An upload nobody confirmed within this long is abandoned (its files are purged).
STALE_AFTER = dt.timedelta(hours=24)


class ColumnMapping(models.Model):
    """A saved mapping from Styrbord's import fields to the column headers of a municipality's file."""

    scope_paths = ScopePaths(municipality="municipality")

    name = models.CharField(_("navn"), max_length=100)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="column_mappings", verbose_name=_("kommune")
    )
    mapping = models.JSONField(
        _("kolonner"),
        default=dict,
        help_text=_('Styrbords felt -> kolonneoverskrift i filen, f.eks. {"start_date": "Ansat fra"}.'),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oprettet af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = [collated("municipality__name"), collated("name")]
        verbose_name = _("kolonneopsætning")
        verbose_name_plural = _("kolonneopsætninger")
        constraints = [
            models.UniqueConstraint(name="column_mapping_unique_name", fields=["municipality", "name"]),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityDepartment(models.Model):
    """The HR department (AfdelingsID) a facility is known by in a municipality's HR system.

    Units carry their department id themselves (``Unit.hr_department_id``); facilities are
    owned by the organisations app, so the link for a top-level department lives here.
    """

    scope_paths = ScopePaths(facility="facility", municipality="municipality")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="hr_departments", verbose_name=_("kommune")
    )
    department_id = models.CharField(_("afdelings-id (HR)"), max_length=40)
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="hr_departments", verbose_name=_("tilbud")
    )

    class Meta:
        ordering = ["municipality__name", "department_id"]
        verbose_name = _("HR-afdeling")
        verbose_name_plural = _("HR-afdelinger")
        constraints = [
            models.UniqueConstraint(name="facility_department_unique", fields=["municipality", "department_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.facility}"


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def hr_imports_applied_after(self, municipality: Any, since: Any) -> ImportBatchQuerySet:
        """The HR imports of ``municipality`` applied after ``since`` (a model or id and a time,
        or expressions such as ``OuterRef`` in a subquery). Certificate imports do not count: they
        write no people or employments."""
        return self.filter(municipality=municipality, status=ImportBatch.Status.APPLIED, applied_at__gt=since).exclude(
            source_format=ImportBatch.Format.HOLDINGS
        )


class ImportBatch(RuleFieldsMixin, models.Model):
    """One run of the HR import: who, when, which files, and what it created, updated and ended."""

    scope_paths = ScopePaths(municipality="municipality")

    class Status(models.TextChoices):
        PENDING = "pending", _("Afventer godkendelse")
        APPLIED = "applied", _("Indlæst")
        DRY_RUN = "dry_run", _("Prøvekørsel")
        CANCELLED = "cancelled", _("Annulleret")
        FAILED = "failed", _("Mislykkedes")
        # Refused at the upload's check: the files are deleted, the row says who, when and why.
        REJECTED = "rejected", pgettext_lazy("import status", "Afvist")

    class Format(models.TextChoices):
        FIVE_FILE = "five_file", _("Femfilssæt (bruger, organisation, engagement, stillingskode, leder)")
        GENERIC = "generic", _("CSV/XLSX med kolonneopsætning")
        HOLDINGS = "holdings", _("Kompetencebeviser (CSV/XLSX)")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("kommune")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("udført af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    applied_at = models.DateTimeField(_("indlæst"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    source_format = models.CharField(_("format"), max_length=20, choices=Format.choices, blank=True)
    file_names = models.JSONField(_("filer"), default=list)
    # The worksheet of a workbook with several: chosen on the mapping page or found by the
    # mapping's columns (empty for CSV and one-sheet workbooks).
    sheet = models.CharField(_("ark"), max_length=100, blank=True)
    mapping = models.ForeignKey(
        ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("kolonneopsætning")
    )
    mapping_data = models.JSONField(_("kolonner brugt"), default=dict, blank=True)
    end_missing = models.BooleanField(_("afslut manglende ansættelser"), default=False)
    dry_run = models.BooleanField(_("prøvekørsel"), default=False)
    counts = models.JSONField(_("antal"), default=dict, blank=True)
    # Random name of the folder under MEDIA_ROOT/imports/ holding the uploaded files between
    # preview and apply; empty once the files are deleted.
    storage_token = models.CharField(max_length=64, blank=True, editable=False)
    # What the check page last showed (``Plan.fingerprint``): applying refuses when the plan differs.
    preview_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # When the check page last planned it against Styrbord's data: another import applied for the
    # municipality after this makes the check stale (applying refuses, the history says so).
    checked_at = models.DateTimeField(_("kontrolleret"), null=True, blank=True, editable=False)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("importkørsel")
        verbose_name_plural = _("importkørsler")
        constraints = [
            models.UniqueConstraint(
                name="import_batch_unique_token",
                violation_error_code="import_batch_unique_token",
                violation_error_message=_("Denne importfil er allerede registreret."),
                fields=["storage_token"],
                condition=~models.Q(storage_token=""),
            ),
        ]
        indexes = [
            # The upload page: a municipality's latest batches.
            models.Index(fields=["municipality", "-created_at"], name="import_batch_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        """A pending upload that still waits for its check to be finished (not yet abandoned)."""
        if self.status != self.Status.PENDING:
            return False
        return self.created_at is None or self.created_at >= timezone.now() - STALE_AFTER

    @property
    def checked_since(self) -> dt.datetime | None:
        """From when its check holds: the last check, else the upload."""
        return self.checked_at or self.created_at

    @property
    def status_label(self) -> str:
        """The status as the history shows it: a pending upload whose check found errors is
        rejected, one checked (or uploaded) before another import of the municipality was applied
        is superseded (``superseded``, annotated by the history's query), one nobody confirmed
        within a day is abandoned (all from stored facts)."""
        errors = int((self.counts or {}).get("errors", 0))
        if errors and self.status in (self.Status.PENDING, self.Status.REJECTED):
            return ngettext("Afvist (%(count)s fejl)", "Afvist (%(count)s fejl)", errors) % {"count": errors}
        if self.status != self.Status.PENDING:
            return str(self.get_status_display())
        if getattr(self, "superseded", False):
            return gettext("Forældet: en senere import er gennemført")
        if self.created_at is not None and self.created_at < timezone.now() - STALE_AFTER:
            return gettext("Opgivet (ikke gennemført)")
        return str(self.get_status_display())

    @property
    def reasons(self) -> list[str]:
        """Why the check refused the upload, as the history shows it: its first errors, each with
        where it is ("bruger.csv, række 4, kolonne Navn: Feltet skal udfyldes."), in the reader's
        language (``IssueList.summary`` keeps them; never a cell's value)."""
        shown = []
        for kept in (self.counts or {}).get("reasons", []):
            if not isinstance(kept, dict) or not kept.get("msgid"):
                continue
            msgid = str(kept["msgid"])  # marked where the check raised it (gettext_noop)
            text = gettext(msgid) % _Given(kept.get("params") or {}) if "%(" in msgid else gettext(msgid)
            where = [str(kept["file"])] if kept.get("file") else []
            if kept.get("row"):
                where.append(gettext("række %(row)s") % {"row": kept["row"]})
            if kept.get("column"):
                where.append(gettext("kolonne %(column)s") % {"column": kept["column"]})
            shown.append(f"{', '.join(where)}: {text}" if where else text)
        return shown


class _Given(dict[str, Any]):
    """A kept message's parameters: one left out (it repeated a cell's value) reads "…"."""

    def __missing__(self, key: str) -> str:
        return "…"
