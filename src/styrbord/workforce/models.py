"""Imported workforce statistics and job postings.

Styrbord computes most workforce figures from its own staff data (see ``figures.py``). What it
cannot know itself comes in here: the municipality's yearly HR statistics (e.g. the figures of
a personalepolitisk redegørelse: headcount of the whole social area, turnover, sickness absence)
and job postings with their number of applicants.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.lib.fields import CalendarDateField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import JobGroup


class WorkforceStatistic(RuleFieldsMixin, models.Model):
    """One imported yearly figure: a municipality (or one facility), a year, a job group (blank =
    everyone), a metric and its value, with where it comes from."""

    scope_paths = ScopePaths(facility="facility", municipality="municipality")

    class Metric(models.TextChoices):
        HEADCOUNT = "headcount", _("Antal ansatte")
        FTE = "fte", _("Årsværk")
        AVERAGE_AGE = "average_age", _("Gennemsnitsalder (år)")
        PART_TIME_SHARE = "part_time_share", _("Andel deltidsansatte (%)")
        STUDENTS = "students", _("Elever og studerende")
        TURNOVER = "turnover", _("Personaleomsætning (%)")
        SICKNESS_ABSENCE = "sickness_absence", _("Sygefravær (%)")

    # Metrics that count people: small values are hidden from analysts.
    PEOPLE_METRICS = frozenset({Metric.HEADCOUNT, Metric.STUDENTS})

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="workforce_statistics", verbose_name=_("kommune")
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workforce_statistics",
        verbose_name=_("tilbud"),
        help_text=_("Tom for tal, der gælder hele kommunen (eller hele området)."),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    job_group = models.CharField(
        _("faggruppe"), max_length=30, choices=JobGroup.choices, blank=True, help_text=_("Tom = alle faggrupper.")
    )
    metric = models.CharField(_("nøgletal"), max_length=30, choices=Metric.choices)
    value = models.DecimalField(_("værdi"), max_digits=12, decimal_places=2)
    source = models.CharField(
        _("kilde"), max_length=200, help_text=_("F.eks. Personalepolitisk redegørelse 2024, Holbæk Kommune.")
    )
    imported_at = models.DateTimeField(_("indlæst"), auto_now_add=True)

    class Meta:
        ordering = ["municipality__name", "metric", "job_group", "year"]
        verbose_name = _("importeret personalenøgletal")
        verbose_name_plural = _("importerede personalenøgletal")
        constraints = [
            models.CheckConstraint(
                name="workforce_statistic_value_non_negative",
                violation_error_code="workforce_statistic_value_non_negative",
                violation_error_message=_("Tallet kan ikke være negativt."),
                condition=models.Q(value__gte=0),
            ),
            models.CheckConstraint(
                name="workforce_statistic_year_plausible",
                violation_error_code="workforce_statistic_year_plausible",
                violation_error_message=_("Året skal ligge mellem 1990 og 2100."),
                condition=models.Q(year__gte=1990, year__lte=2100),
            ),
            models.UniqueConstraint(
                name="workforce_statistic_unique_municipality",
                violation_error_code="workforce_statistic_unique_municipality",
                violation_error_message=_(
                    "Kommunen har allerede et tal for dette år, denne faggruppe og dette nøgletal."
                ),
                fields=["municipality", "year", "job_group", "metric"],
                condition=models.Q(facility__isnull=True),
            ),
            models.UniqueConstraint(
                name="workforce_statistic_unique_facility",
                violation_error_code="workforce_statistic_unique_facility",
                violation_error_message=_(
                    "Tilbuddet har allerede et tal for dette år, denne faggruppe og dette nøgletal."
                ),
                fields=["facility", "year", "job_group", "metric"],
                condition=models.Q(facility__isnull=False),
            ),
        ]
        indexes = [
            # The workforce page: a municipality's statistics of a metric over a range of years.
            models.Index(fields=["municipality", "metric", "year"], name="workforce_stat_metric_year"),
        ]

    def __str__(self) -> str:
        group = self.get_job_group_display() or _("alle")
        return f"{self.municipality.name} {self.year} {group}: {self.get_metric_display()} {self.value}"


class JobPosting(RuleFieldsMixin, models.Model):
    """A job advertisement and how many applied, for applicants per posting by job type."""

    scope_paths = ScopePaths(facility="facility", municipality="municipality")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="job_postings", verbose_name=_("kommune")
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_postings",
        verbose_name=_("tilbud"),
    )
    job_group = models.CharField(_("faggruppe"), max_length=30, choices=JobGroup.choices, blank=True)
    job_type = models.CharField(
        _("stillingstype"),
        max_length=100,
        blank=True,
        help_text=_("F.eks. Sygeplejerske eller Administrativ. Tom = faggruppens navn."),
    )
    title = models.CharField(_("stillingsopslag"), max_length=200, blank=True)
    posted_on = CalendarDateField(_("opslået"))
    applicants = models.PositiveIntegerField(_("ansøgere"))
    source = models.CharField(_("kilde"), max_length=200, blank=True)

    class Meta:
        ordering = ["-posted_on"]
        verbose_name = _("stillingsopslag")
        verbose_name_plural = pgettext_lazy("plural", "stillingsopslag")
        constraints = [
            models.CheckConstraint(
                name="job_posting_has_type",
                violation_error_code="job_posting_has_type",
                violation_error_message=_("Angiv en faggruppe eller en stillingstype."),
                condition=~models.Q(job_group="") | ~models.Q(job_type=""),
            ),
        ]
        indexes = [
            # Applicants per posting: a municipality's postings by year.
            models.Index(fields=["municipality", "posted_on"], name="job_posting_municipality_date"),
        ]

    def __str__(self) -> str:
        return f"{self.type_label} {self.posted_on}"

    @property
    def type_label(self) -> str:
        return self.job_type or str(self.get_job_group_display())
