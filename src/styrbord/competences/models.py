"""The competence catalogue and the competences each person holds."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.lib.collation import collated
from styrbord.lib.dates import add_months
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.staff.models import Employee


class Competence(models.Model):
    """Something a person can know or be certified in, e.g. KRAP or conflict management."""

    class Category(models.TextChoices):
        CONFLICT = "conflict", _("Konflikthåndtering og sikkerhed")
        METHOD = "method", _("Pædagogisk metode")
        CLINICAL = "clinical", _("Psykiatri og sundhed")
        WELLBEING = "wellbeing", _("Arbejdsmiljø og trivsel")
        ROLE = "role", _("Funktion og certificering")
        EDUCATION = "education", _("Uddannelse")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    description = models.TextField(_("beskrivelse"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("gyldighed (måneder)"), null=True, blank=True, help_text=_("Tom betyder, at kompetencen ikke udløber.")
    )
    refresher_rule = models.CharField(
        _("vedligeholdelse"),
        max_length=200,
        blank=True,
        help_text=_("F.eks. en halv dags vedligeholdelsestræning om året."),
    )

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("kompetence")
        verbose_name_plural = _("kompetencer")

    def __str__(self) -> str:
        return self.name

    def expiry_for(self, acquired_on: dt.date) -> dt.date | None:
        """When a holding acquired on ``acquired_on`` lapses, or None if it never does."""
        if self.validity_months is None:
            return None
        return add_months(acquired_on, self.validity_months)


class CompetenceHolding(RuleFieldsMixin, models.Model):
    """That a person holds a competence from a date, possibly until an expiry date."""

    scope_paths = ScopePaths(facility="employee__employments__facility", employee="employee")

    class Source(models.TextChoices):
        COURSE = "course", _("Kursus")
        EDUCATION = "education", _("Uddannelse")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Manuel registrering")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="holdings", verbose_name=_("medarbejder")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("kompetence")
    )
    acquired_on = CalendarDateField(_("opnået"))
    expires_on = CalendarDateField(
        _("udløber"), null=True, blank=True, help_text=_("Sidste gyldige dag. Tom = udløber ikke.")
    )
    source = models.CharField(_("kilde"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    evidence = models.CharField(_("dokumentation"), max_length=300, blank=True)

    class Meta:
        ordering = ["-acquired_on"]
        verbose_name = _("kompetencebevis")
        verbose_name_plural = _("kompetencebeviser")
        constraints = [
            models.CheckConstraint(
                name="holding_expiry_after_acquired",
                violation_error_code="holding_expiry_after_acquired",
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("acquired_on")),
                violation_error_message=_("Udløbsdatoen ligger før den dag, kompetencen blev opnået."),
            )
        ]
        indexes = [
            # Coverage: the valid holdings of a competence on a date.
            models.Index(fields=["competence", "employee", "expires_on"], name="holding_competence_employee"),
            # What lapses soon (landing page, 90-day list): a range of expiry dates, then the people.
            models.Index(fields=["expires_on", "employee"], name="holding_expiry_employee"),
        ]

    def __str__(self) -> str:
        return f"{self.competence} ({self.acquired_on})"

    def is_valid_on(self, day: dt.date) -> bool:
        """Valid from the acquisition day through the expiry day, both inclusive."""
        return self.acquired_on <= day and (self.expires_on is None or day <= self.expires_on)


class CompetenceName(models.Model):
    """A name a municipality's certificate lists use for a catalogue competence, saved when the
    coordinator chose what it means ("Konflikthåndtering 2 dage v/ Kursushuset" is
    *konflikthaandtering*). The next list with that name is read without asking again.

    Per municipality: one municipality's course provider names mean nothing to another's.
    ``key`` is the name as the import compares it: casefolded, spacing aside, and whole (what is
    in brackets may be what tells two courses apart; see ``importing.name_key``)."""

    scope_paths = ScopePaths(municipality="municipality")

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        related_name="competence_names",
        verbose_name=_("kommune"),
    )
    written = models.CharField(_("navn i filen"), max_length=200)
    key = models.CharField(max_length=200, editable=False)
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="saved_names", verbose_name=_("kompetence")
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("gemt af")
    )
    created_at = models.DateTimeField(_("gemt"), auto_now_add=True)

    class Meta:
        ordering = [collated("written")]
        verbose_name = _("gemt kompetencenavn")
        verbose_name_plural = _("gemte kompetencenavne")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"],
                name="competence_name_unique_per_municipality",
                violation_error_message=_("Kommunen har allerede gemt dette navn."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.written} → {self.competence}"
