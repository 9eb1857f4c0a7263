"""Competence requirements (kompetencekrav) as data: who must hold what, by which rule, by when, and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.competences.models import Competence
from styrbord.lib.collation import collated
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality, Region, Unit
from styrbord.staff.models import Employment, JobGroup, in_force

if TYPE_CHECKING:
    from django.db.models import QuerySet

HUNDRED = Decimal("100")


class ScopeLevel(models.TextChoices):
    """Where a requirement applies. National and regional scopes serve regional and national targets."""

    NATIONAL = "national", _("Hele landet")
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Kommune")
    FACILITY = "facility", pgettext_lazy("one facility", "Tilbud")
    UNIT = "unit", _("Afdeling")


class Population(models.TextChoices):
    """Which people of the scope the requirement is about."""

    CONTACT_PERSONS = "contact_persons", _("Kun kontaktpersoner")
    ALL_STAFF = "all_staff", _("Alle medarbejdere")
    NEW_STAFF = "new_staff", _("Nyansatte")


class Rule(models.TextChoices):
    """How compliance is measured."""

    EVERY_PERSON = "every_person", _("Alle personer skal have kompetencen")
    PERCENT_PEOPLE = "percent_people", _("Mindst N % af personerne")
    PERCENT_FTE = "percent_fte", _("Mindst N % af årsværkene")
    WITHIN_MONTHS_OF_HIRE = "within_months_of_hire", _("Inden for M måneder efter ansættelse")
    RENEW_EVERY = "renew_every", _("Fornyes hver K. måned")


class SourceKind(models.TextChoices):
    """Why the requirement exists."""

    ORDER = "order", _("Påbud fra Socialtilsynet")
    RECOMMENDATION = "recommendation", _("Henstilling fra Socialtilsynet")
    STRATEGY = "strategy", _("Strategi eller politik")
    GRANT_CONDITION = "grant_condition", _("Tilskudsbetingelse")
    REGIONAL_TARGET = "regional_target", _("Regionalt mål")
    OTHER = "other", _("Andet")


class Priority(models.IntegerChoices):
    HIGH = 1, _("Høj")
    MEDIUM = 2, _("Middel")
    LOW = 3, _("Lav")


# Rules that need a number of months, and rules where every person must comply (target 100 %).
RULES_WITH_MONTHS = (Rule.WITHIN_MONTHS_OF_HIRE, Rule.RENEW_EVERY)
RULES_FOR_EVERYONE = (Rule.EVERY_PERSON, Rule.WITHIN_MONTHS_OF_HIRE)


def rule_words(rule: str, target: Decimal | str, months: int | None) -> str:
    """A rule in words in the active language, e.g. 'Mindst 75 % af personerne'."""
    from styrbord.lib.formatting import format_percent

    if rule in (Rule.PERCENT_PEOPLE, Rule.PERCENT_FTE):
        unit = _("personerne") if rule == Rule.PERCENT_PEOPLE else _("årsværkene")
        return str(_("Mindst %(pct)s af %(unit)s")) % {"pct": format_percent(Decimal(target), 0), "unit": unit}
    if rule == Rule.WITHIN_MONTHS_OF_HIRE:
        return str(_("Inden for %(m)s måneder efter ansættelse")) % {"m": months}
    if rule == Rule.RENEW_EVERY:
        return str(_("Fornyes hver %(m)s. måned")) % {"m": months}
    return str(_("Alle personer"))


class Requirement(RuleFieldsMixin, models.Model):
    """A competence requirement: scope, population, competence (or alternatives), rule, deadline, source.

    A person complies when they hold a valid holding of any one of ``competences`` on the date
    (for ``renew_every``: acquired within the last ``months`` months). Under
    ``within_months_of_hire`` a person without it is "not yet due" while ``months`` months after
    the start have not yet passed: not complying, not in breach, and left out of the share.
    The engine that counts this for thousands of people at once is ``requirements.coverage``.
    """

    scope_paths = ScopePaths(facility="facility", municipality="municipality")

    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    scope_level = models.CharField(
        _("gælder for"), max_length=20, choices=ScopeLevel.choices, default=ScopeLevel.MUNICIPALITY
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("kommune"),
        help_text=_("For krav på kommuneniveau: gælder kommunens egne tilbud (ikke regionens)."),
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("tilbud"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="requirements", verbose_name=_("afdeling")
    )
    job_groups = models.JSONField(
        _("faggrupper"),
        default=list,
        blank=True,
        help_text=_("Tom betyder alle faggrupper."),
    )
    population = models.CharField(
        _("personkreds"), max_length=20, choices=Population.choices, default=Population.ALL_STAFF
    )
    effective_from = CalendarDateField(
        _("gælder fra"),
        null=True,
        blank=True,
        help_text=_("For nyansatte: personer ansat denne dag eller senere."),
    )
    competences = models.ManyToManyField(
        Competence,
        related_name="requirements",
        verbose_name=_("kompetencer"),
        help_text=_("Vælg flere, hvis én af dem er nok (alternativer)."),
    )
    rule = models.CharField(_("regel"), max_length=30, choices=Rule.choices, default=Rule.EVERY_PERSON)
    target_percent = models.DecimalField(
        _("mål (%)"),
        max_digits=5,
        decimal_places=2,
        default=HUNDRED,
        help_text=_("Andel af personer eller årsværk, der skal opfylde kravet."),
    )
    months = models.PositiveSmallIntegerField(
        _("måneder"),
        null=True,
        blank=True,
        help_text=_("M måneder efter ansættelse, eller fornyelse hver K. måned."),
    )
    deadline = CalendarDateField(_("frist"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("prioritet"), choices=Priority.choices, default=Priority.MEDIUM)
    source_kind = models.CharField(_("kilde"), max_length=20, choices=SourceKind.choices, default=SourceKind.STRATEGY)
    source_reference = models.CharField(
        _("kildehenvisning"),
        max_length=300,
        blank=True,
        help_text=_("F.eks. tilsynsrapport fra Socialtilsyn Midt af 12-03-2026, punkt 4."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        ordering = ["priority", collated("name")]
        verbose_name = _("kompetencekrav")
        verbose_name_plural = pgettext_lazy("plural", "kompetencekrav")
        constraints = [
            models.CheckConstraint(
                name="requirement_target_between_0_and_100",
                violation_error_code="requirement_target_between_0_and_100",
                violation_error_message=_("Målet skal være mellem 0 og 100 procent."),
                condition=Q(target_percent__gte=0, target_percent__lte=100),
            ),
            models.CheckConstraint(
                name="requirement_months_for_month_rules",
                violation_error_code="requirement_months_for_month_rules",
                violation_error_message=_("Denne regel kræver et antal måneder (mindst 1)."),
                condition=~Q(rule__in=RULES_WITH_MONTHS) | Q(months__gte=1),
            ),
            models.CheckConstraint(
                name="requirement_everyone_rules_target_100",
                violation_error_code="requirement_everyone_rules_target_100",
                violation_error_message=_("Når kravet gælder alle i målgruppen, skal målet være 100 procent."),
                condition=~Q(rule__in=RULES_FOR_EVERYONE) | Q(target_percent=100),
            ),
            models.CheckConstraint(
                name="requirement_new_staff_has_start",
                violation_error_code="requirement_new_staff_has_start",
                violation_error_message=_("Et krav til nyansatte skal have den dato, det gælder fra."),
                condition=~Q(population=Population.NEW_STAFF) | Q(effective_from__isnull=False),
            ),
            models.CheckConstraint(
                name="requirement_scope_fields_match_level",
                violation_error_code="requirement_scope_fields_match_level",
                violation_error_message=_(
                    "Vælg den region, kommune eller det tilbud, som kravets niveau angiver, og intet andet."
                ),
                condition=(
                    Q(scope_level=ScopeLevel.NATIONAL)
                    | Q(scope_level=ScopeLevel.REGION, region__isnull=False)
                    | Q(scope_level=ScopeLevel.MUNICIPALITY, municipality__isnull=False)
                    | Q(scope_level=ScopeLevel.FACILITY, facility__isnull=False)
                    | Q(scope_level=ScopeLevel.UNIT, unit__isnull=False, facility__isnull=False)
                ),
            ),
        ]
        indexes = [
            # Heat map and requirement list: the active requirements of a municipality.
            models.Index(fields=["municipality", "is_active"], name="requirement_municipality"),
        ]

    def __str__(self) -> str:
        return self.name

    # --- what the rule means -------------------------------------------------------------

    @property
    def is_fte_based(self) -> bool:
        return self.rule == Rule.PERCENT_FTE

    @property
    def target(self) -> Decimal:
        """The share (percent) that must comply."""
        return HUNDRED if self.rule in RULES_FOR_EVERYONE else Decimal(self.target_percent)

    @property
    def renew_months(self) -> int | None:
        return self.months if self.rule == Rule.RENEW_EVERY else None

    @property
    def hire_months(self) -> int | None:
        return self.months if self.rule == Rule.WITHIN_MONTHS_OF_HIRE else None

    def rule_text(self) -> str:
        """The rule in words, e.g. 'Mindst 75 % af personerne'."""
        return rule_words(self.rule, self.target, self.months)

    def rule_parameters(self) -> dict[str, Any]:
        """What ``rule_words`` needs, as JSON (stored with a plan run, worded when shown)."""
        return {"rule": str(self.rule), "target": str(self.target), "months": self.months}

    def job_group_labels(self) -> list[str]:
        """The job groups by their Danish names."""
        return [str(JobGroup(g).label) for g in (self.job_groups or []) if g in JobGroup.values]

    def scope_text(self) -> str:
        """Where it applies, in words."""
        if self.scope_level == ScopeLevel.NATIONAL:
            return str(_("Hele landet"))
        if self.scope_level == ScopeLevel.REGION:
            return str(self.region)
        if self.scope_level == ScopeLevel.MUNICIPALITY:
            return str(self.municipality)
        if self.scope_level == ScopeLevel.UNIT:
            return str(self.unit)
        return str(self.facility)

    # --- which facilities and people it covers (set-based Q objects) --------------------------

    def facility_q(self, prefix: str = "") -> Q:
        """Facilities in scope, as a filter on a path to Facility (``prefix`` 'facility__' from Employment)."""
        if self.scope_level == ScopeLevel.NATIONAL:
            return Q()
        if self.scope_level == ScopeLevel.REGION:
            return Q(**{f"{prefix}municipality__region_id": self.region_id})
        if self.scope_level == ScopeLevel.MUNICIPALITY:
            return Q(**{f"{prefix}municipality_id": self.municipality_id}) & ~Q(
                **{f"{prefix}operator_kind": Facility.OperatorKind.REGION}
            )
        return Q(**{f"{prefix}id" if prefix else "pk": self.facility_id})

    def facilities(self) -> QuerySet[Facility]:
        """The facilities this requirement applies to."""
        return Facility.objects.filter(self.facility_q())

    def employment_q(self) -> Q:
        """Employments in scope regardless of date: facility/unit, job groups and population."""
        q = self.facility_q("facility__")
        if self.scope_level == ScopeLevel.UNIT:
            q &= Q(unit_id=self.unit_id)
        if self.job_groups:
            q &= Q(job_group__in=list(self.job_groups))
        if self.population == Population.CONTACT_PERSONS:
            q &= Q(is_contact_person=True)
        elif self.population == Population.NEW_STAFF:
            q &= Q(start_date__gte=self.effective_from)
        # An ended employment without an end date has no period in which it counts.
        q &= ~Q(status=Employment.Status.ENDED, end_date__isnull=True)
        return q

    def applies_to_facility(self, facility: Facility) -> bool:
        """Python twin of ``facility_q`` for one facility (profile pages)."""
        level = self.scope_level
        if level == ScopeLevel.NATIONAL:
            return True
        if level == ScopeLevel.REGION:
            return facility.municipality.region_id == self.region_id
        if level == ScopeLevel.MUNICIPALITY:
            return (
                facility.municipality_id == self.municipality_id
                and facility.operator_kind != Facility.OperatorKind.REGION
            )
        return facility.pk == self.facility_id

    def applies_to_employment(self, employment: Employment, on: dt.date) -> bool:
        """Python twin of ``employment_q`` plus 'employed on the date', for one employment."""
        if not self.applies_to_facility(employment.facility):
            return False
        if self.scope_level == ScopeLevel.UNIT and employment.unit_id != self.unit_id:
            return False
        if self.job_groups and employment.job_group not in self.job_groups:
            return False
        if self.population == Population.CONTACT_PERSONS and not employment.is_contact_person:
            return False
        if (
            self.population == Population.NEW_STAFF
            and self.effective_from is not None
            and employment.start_date < self.effective_from
        ):
            return False
        if employment.status == Employment.Status.ENDED and employment.end_date is None:
            return False
        # In force on the date: the coverage engine's rule (``staff.models.in_force_q``).
        return in_force(employment.start_date, employment.end_date, employment.status, on)

    # --- validation ----------------------------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, str] = {}
        valid_groups = set(JobGroup.values)
        unknown = [g for g in (self.job_groups or []) if g not in valid_groups]
        if unknown:
            errors["job_groups"] = str(_("Ukendte faggrupper: %(groups)s")) % {"groups": ", ".join(map(str, unknown))}
        level = self.scope_level
        if level == ScopeLevel.REGION and self.region_id is None:
            errors["region"] = str(_("Vælg den region, kravet gælder for."))
        if level == ScopeLevel.MUNICIPALITY and self.municipality_id is None:
            errors["municipality"] = str(_("Vælg den kommune, kravet gælder for."))
        if level == ScopeLevel.FACILITY and self.facility_id is None:
            errors["facility"] = str(_("Vælg det tilbud, kravet gælder for."))
        if level == ScopeLevel.UNIT and self.unit_id is None:
            errors["unit"] = str(_("Vælg den afdeling, kravet gælder for."))
        if self.rule in RULES_WITH_MONTHS and not self.months:
            errors["months"] = str(_("Angiv antal måneder for denne regel."))
        if self.population == Population.NEW_STAFF and self.effective_from is None:
            errors["effective_from"] = str(_("Angiv fra hvilken dato, nyansatte er omfattet."))
        if self.target_percent is not None and not (0 <= self.target_percent <= 100):
            errors["target_percent"] = str(_("Målet skal være mellem 0 og 100 %."))
        if errors:
            raise ValidationError(errors)

    def save(self, *args: object, **kwargs: object) -> None:
        # Keep the scope fields consistent with the level, so scoping and the engine agree.
        if self.scope_level == ScopeLevel.UNIT and self.unit_id is not None:
            self.facility_id = Unit.objects.values_list("facility_id", flat=True).get(pk=self.unit_id)
        if self.scope_level in (ScopeLevel.NATIONAL, ScopeLevel.REGION):
            self.municipality_id = None
            self.facility_id = None
            self.unit_id = None
        if self.scope_level == ScopeLevel.MUNICIPALITY:
            self.facility_id = None
            self.unit_id = None
        if self.scope_level == ScopeLevel.FACILITY:
            self.unit_id = None
        if self.scope_level in (ScopeLevel.FACILITY, ScopeLevel.UNIT):
            # Facility-level requirements are scoped through their facility only.
            self.municipality_id = None
        if self.scope_level != ScopeLevel.REGION:
            self.region_id = None
        if self.rule in RULES_FOR_EVERYONE:
            self.target_percent = HUNDRED
        if self.rule not in RULES_WITH_MONTHS:
            self.months = None
        super().save(*args, **kwargs)  # type: ignore[arg-type]
