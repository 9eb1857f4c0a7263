"""Report jobs (a document being made in the background, and the file it made) and the Word
templates a municipality uploads for its own letterhead and styles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Municipality


class OutputFormat(models.TextChoices):
    """The file a report job makes."""

    DOCX = "docx", _("Word (DOCX)")
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Regneark (XLSX)")

    @property
    def content_type(self) -> str:
        from styrbord.web.downloads import CONTENT_TYPES

        return CONTENT_TYPES[self.value]


class ReportJob(RuleFieldsMixin, models.Model):
    """One request for a document: who asked, for what, how far it has come, and the file.

    Only the person who asked (and administrators) may download the file: a document can hold
    figures from a scope another user of the same municipality does not have.
    """

    scope_paths = ScopePaths(municipality="municipality")

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("I gang")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_jobs", verbose_name=_("bestilt af")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("kommune"),
        help_text=_("Kommunen, dokumentet handler om (brevhoved og skabelon)."),
    )
    document_type = models.CharField(_("dokumenttype"), max_length=40)
    output_format = models.CharField(_("format"), max_length=4, choices=OutputFormat.choices)
    scope = models.CharField(_("omfang"), max_length=60, help_text=_("F.eks. pool:12 eller facility:3."))
    scope_label = models.CharField(_("omfang (navn)"), max_length=300, blank=True)
    period = models.CharField(_("periode"), max_length=30)
    options = models.JSONField(_("valg"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("fremdrift (%)"), default=0)
    message = models.CharField(_("besked"), max_length=500, blank=True)
    file = models.FileField(_("fil"), upload_to="reports/%Y/%m/", blank=True)
    filename = models.CharField(_("filnavn"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rapportjob")
        verbose_name_plural = pgettext_lazy("plural", "rapportjob")
        constraints = [
            models.CheckConstraint(
                name="report_job_progress_max_100",
                violation_error_code="report_job_progress_max_100",
                violation_error_message=_("Fremdriften kan ikke være over 100 procent."),
                condition=models.Q(progress__lte=100),
            ),
        ]
        indexes = [
            # The reports page: a user's latest jobs.
            models.Index(fields=["created_by", "-created_at"], name="report_job_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} {self.scope_label or self.scope} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def content_type(self) -> str:
        return OutputFormat(self.output_format).content_type


class DocumentTemplate(RuleFieldsMixin, models.Model):
    """A municipality's own Word template (letterhead, styles) using Styrbord's placeholders."""

    scope_paths = ScopePaths(municipality="municipality")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="document_templates", verbose_name=_("kommune")
    )
    document_type = models.CharField(
        _("dokumenttype"), max_length=40, blank=True, help_text=_("Tom: skabelonen bruges til alle dokumenttyper.")
    )
    name = models.CharField(_("navn"), max_length=200)
    file = models.FileField(_("fil"), upload_to="report-templates/%Y/")
    placeholders = models.JSONField(_("pladsholdere"), default=list, blank=True, editable=False)
    active = models.BooleanField(_("aktiv"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploadet af")
    )
    uploaded_at = models.DateTimeField(_("uploadet"), auto_now_add=True)

    class Meta:
        ordering = ["municipality", "document_type", "-uploaded_at"]
        verbose_name = _("dokumentskabelon")
        verbose_name_plural = _("dokumentskabeloner")
        constraints = [
            # One active template per municipality and document type ("" = all types).
            models.UniqueConstraint(
                fields=["municipality", "document_type"],
                condition=models.Q(active=True),
                name="document_template_one_active",
                violation_error_code="document_template_one_active",
                violation_error_message=_("Kommunen har allerede en aktiv skabelon for denne dokumenttype."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
