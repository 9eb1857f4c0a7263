"""Regions, municipalities, grantors and the facilities (tilbud) they operate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Collate
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from styrbord.lib.collation import COLLATION, collated
from styrbord.lib.dates import staffed_as_weekend
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations import reference


class Region(models.Model):
    """One of the five Danish regions (official DAGI codes 1081-1085)."""

    code = models.CharField(_("regionskode"), max_length=4, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    nuts2 = models.CharField("NUTS2", max_length=4, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regioner")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """One of the 98 municipalities (4-digit zero-padded code, e.g. 0707 Norddjurs)."""

    scope_paths = ScopePaths(municipality="")

    code = models.CharField(_("kommunekode"), max_length=4, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return self.official_name

    @property
    def official_name(self) -> str:
        """As the municipality names itself: "Norddjurs Kommune", but "Københavns Kommune" and
        "Bornholms Regionskommune"."""
        return OFFICIAL_NAMES.get(self.code, f"{self.name} Kommune")


# The two municipalities whose official name is not "<name> Kommune" (by municipality code).
OFFICIAL_NAMES = {"0101": "Københavns Kommune", "0400": "Bornholms Regionskommune"}


class Grantor(models.Model):
    """An authority or fund that grants money, e.g. Social- og Boligstyrelsen."""

    name = models.CharField(_("navn"), max_length=200, unique=True)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, blank=True)

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("tilskudsgiver")
        verbose_name_plural = _("tilskudsgivere")

    def __str__(self) -> str:
        return self.name


class CodeListItem(models.Model):
    """Base for the small code lists a facility is described by.

    ``name`` is stored in Danish, and the API gives it so. A page shows ``display_name`` (also
    ``str()``, so form choices too): a name the data migration seeded (``catalogue_names``, from
    ``reference``) in the active language, any other name (added by an administrator) as written.
    """

    # The names seeded for this list, which have a translation in the catalogue.
    catalogue_names: ClassVar[frozenset[str]] = frozenset()

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=120)

    class Meta:
        abstract = True
        ordering = [collated("name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language if it is a seeded one, otherwise as written."""
        return self.translate_name(self.name)

    @classmethod
    def translate_name(cls, name: str) -> str:
        """A stored name of this list as a page shows it (for names read without their rows)."""
        # Only a seeded name: gettext would also "translate" a custom name that happened to be
        # some other message of the catalogues ("Andet", "Region").
        return gettext(name) if name in cls.catalogue_names else name


class LegalBasis(CodeListItem):
    """A legal basis for a residential offer, e.g. SEL § 108."""

    catalogue_names = reference.LEGAL_BASIS_NAMES

    class Meta(CodeListItem.Meta):
        verbose_name = _("lovgrundlag")
        verbose_name_plural = pgettext_lazy("plural", "lovgrundlag")


class TargetGroup(CodeListItem):
    """A target group (målgruppe), e.g. psychiatric diagnosis or autism."""

    catalogue_names = reference.TARGET_GROUP_NAMES

    class Meta(CodeListItem.Meta):
        verbose_name = _("målgruppe")
        verbose_name_plural = _("målgrupper")


class Method(CodeListItem):
    """A professional method or approach, e.g. KRAP, Low Arousal, Housing First."""

    catalogue_names = reference.METHOD_NAMES

    class Meta(CodeListItem.Meta):
        verbose_name = _("metode")
        verbose_name_plural = _("metoder")


# People on duty a day: a facility's minimum, never a typo's 99999 that puts every day "under minimum".
MAX_MINIMUM_STAFF = 999
MINIMUM_STAFF_VALIDATORS = [
    MaxValueValidator(MAX_MINIMUM_STAFF, message=_("Minimumsbemandingen kan højst være %(limit_value)s personer."))
]


class Facility(RuleFieldsMixin, models.Model):
    """A service offer (tilbud), e.g. a social-psychiatric residential facility.

    The tenant that owns a facility in Styrbord is its municipality, or, for a regional
    operator, its operator region: see ``accounts.permissions``.
    """

    scope_paths = ScopePaths(facility="")

    class OperatorKind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommune")
        REGION = "region", _("Region")
        PRIVATE = "private", _("Privat")

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Botilbud")
        SHARED_LIVING = "shared_living", _("Bofællesskab")
        SUPPORT = "support", _("Bostøtte / § 85")
        HOSPITAL_UNIT = "hospital_unit", _("Psykiatrisk afsnit")
        DAY = "day", _("Dagtilbud")
        OTHER = "other", _("Andet")

    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("tilbudstype"), max_length=20, choices=Kind.choices, default=Kind.RESIDENTIAL)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("kommune"),
        help_text=_("Kommunen, hvor tilbuddet ligger, og som administrerer det i Styrbord."),
    )
    operator_kind = models.CharField(
        _("driftsherre"), max_length=20, choices=OperatorKind.choices, default=OperatorKind.MUNICIPALITY
    )
    operator_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_facilities",
        verbose_name=_("driftsherre (region)"),
    )
    operator_name = models.CharField(
        _("driftsorganisation"), max_length=200, blank=True, help_text=_("F.eks. Socialpsykiatri og rusmidler.")
    )
    legal_bases = models.ManyToManyField(LegalBasis, blank=True, verbose_name=_("lovgrundlag"))
    target_groups = models.ManyToManyField(TargetGroup, blank=True, verbose_name=_("målgrupper"))
    methods = models.ManyToManyField(Method, blank=True, verbose_name=_("metoder"))
    places = models.PositiveIntegerField(_("pladser"), default=0)
    tilbudsportalen_id = models.CharField(_("Tilbudsportalen-id"), max_length=20, blank=True)
    minimum_staff = models.PositiveIntegerField(
        _("minimumsbemanding"),
        default=0,
        validators=MINIMUM_STAFF_VALIDATORS,
        help_text=_("Det mindste antal medarbejdere, der skal være på arbejde (ikke på kursus) en hverdag."),
    )
    minimum_staff_weekend = models.PositiveIntegerField(
        _("minimumsbemanding i weekender og på helligdage"),
        null=True,
        blank=True,
        validators=MINIMUM_STAFF_VALIDATORS,
        help_text=_("Lørdag, søndag og helligdage. Tom: som på hverdage."),
    )
    backfill_factor = models.DecimalField(
        _("vikarfaktor"),
        max_digits=4,
        decimal_places=2,
        default=1,
        help_text=_("Hvor mange timers vikardækning én kursustime kræver (1,00 = én til én)."),
    )

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("tilbud")
        verbose_name_plural = pgettext_lazy("several facilities", "tilbud")
        indexes = [
            # Lists of facilities read in Danish order (styrbord.lib.collation), a municipality's
            # and all of them, without sorting on each request.
            models.Index(F("municipality"), Collate(F("name"), COLLATION), name="facility_municipality_name_da"),
            models.Index(Collate(F("name"), COLLATION), name="facility_name_da"),
        ]
        constraints = [
            models.CheckConstraint(
                name="facility_region_operator_has_region",
                violation_error_code="facility_region_operator_has_region",
                violation_error_message=_("Et tilbud, som en region driver, skal have den region, der driver det."),
                condition=~models.Q(operator_kind="region") | models.Q(operator_region__isnull=False),
            ),
            models.CheckConstraint(
                name="facility_backfill_factor_non_negative",
                violation_error_code="facility_backfill_factor_non_negative",
                violation_error_message=_("Vikarfaktoren kan ikke være negativ."),
                condition=models.Q(backfill_factor__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.pk is None:
            return
        stored = Facility.objects.filter(pk=self.pk).values_list("municipality_id", flat=True).first()
        if stored is not None and stored != self.municipality_id and self.employments.exists():  # type: ignore[attr-defined]
            # The municipality is its staff's employer and data controller (``staff.models``): their
            # people, employment numbers and history belong to it and do not move with a facility.
            raise ValidationError(
                {
                    "municipality": _(
                        "Tilbuddet har ansættelser i sin kommune, og kan ikke flyttes til en anden kommune: "
                        "medarbejderne, deres ansættelsesnumre og historik hører til den kommune, der er "
                        "arbejdsgiver. Opret tilbuddet i den nye kommune, og lad den nye kommunes HR-udtræk "
                        "indlæse medarbejderne."
                    )
                }
            )

    def minimum_on(self, day: dt.date, periods: Iterable[StaffingPeriod]) -> int:
        """The minimum staffing on ``day``: a period covering it (the highest, if several), else
        the weekend minimum on Saturdays, Sundays and public holidays, else the weekday minimum.
        ``periods`` are this facility's (``minimums`` fetches them); the same rule as the
        planner's ``StaffingRule.minimum_on``."""
        covering = [p.minimum for p in periods if p.start_date <= day <= p.end_date]
        if covering:
            return max(covering)
        return self.usual_minimum(staffed_as_weekend(day))

    def usual_minimum(self, weekend: bool) -> int:
        """The minimum outside periods: the weekend one on weekend days (if set), else the weekday one."""
        if weekend and self.minimum_staff_weekend is not None:
            return self.minimum_staff_weekend
        return self.minimum_staff

    def minimums(self, days: Iterable[dt.date]) -> dict[dt.date, int]:
        """The minimum staffing on each of ``days`` (one query for the periods over them)."""
        return minimums_by_facility([self], days)[self.pk]


def periods_by_facility(facility_ids: Iterable[int], first: dt.date, last: dt.date) -> dict[int, list[StaffingPeriod]]:
    """The staffing periods of these facilities that touch ``first``..``last``, in one query."""
    periods: dict[int, list[StaffingPeriod]] = {pk: [] for pk in facility_ids}
    if periods and first <= last:
        for period in StaffingPeriod.objects.filter(
            facility__in=list(periods), start_date__lte=last, end_date__gte=first
        ).order_by("start_date"):
            periods[period.facility_id].append(period)
    return periods


def minimums_by_facility(facilities: Iterable[Facility], days: Iterable[dt.date]) -> dict[int, dict[dt.date, int]]:
    """The minimum staffing of each facility on each of ``days``: one query for all the periods."""
    wanted = sorted(set(days))
    facilities = list(facilities)
    if not wanted:
        return {f.pk: {} for f in facilities}
    periods = periods_by_facility([f.pk for f in facilities], wanted[0], wanted[-1])
    weekend = {day: staffed_as_weekend(day) for day in wanted}  # once, not per facility
    result: dict[int, dict[dt.date, int]] = {}
    for f in facilities:
        own = periods[f.pk]
        if own:
            result[f.pk] = {day: f.minimum_on(day, own) for day in wanted}
        else:  # most facilities: no period, so only the weekday or weekend minimum
            usual = {True: f.usual_minimum(True), False: f.usual_minimum(False)}
            result[f.pk] = {day: usual[weekend[day]] for day in wanted}
    return result


PERIOD_ENDS_BEFORE_IT_BEGINS = _("Perioden slutter, før den begynder: „til og med“ skal ligge på eller efter „fra“.")


class StaffingPeriod(RuleFieldsMixin, models.Model):
    """A span of days on which a facility needs another minimum staffing than usual.

    E.g. 1:1 support for a newly moved-in resident for six weeks, or a themed day with all
    residents at home. It overrides the weekday and weekend minimums on its days.
    """

    scope_paths = ScopePaths(facility="facility")

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="staffing_periods", verbose_name=_("tilbud")
    )
    start_date = CalendarDateField(_("fra"))
    end_date = CalendarDateField(_("til og med"))
    minimum = models.PositiveIntegerField(_("minimumsbemanding"), validators=MINIMUM_STAFF_VALIDATORS)
    reason = models.CharField(_("begrundelse"), max_length=200, blank=True)

    class Meta:
        ordering = [collated("facility__name"), "start_date"]
        verbose_name = _("periode med anden minimumsbemanding")
        verbose_name_plural = _("perioder med anden minimumsbemanding")
        constraints = [
            models.CheckConstraint(
                name="staffing_period_end_after_start",
                violation_error_code="staffing_period_end_after_start",
                condition=models.Q(end_date__gte=models.F("start_date")),
                violation_error_message=PERIOD_ENDS_BEFORE_IT_BEGINS,
            )
        ]
        indexes = [models.Index(fields=["facility", "start_date"], name="staffing_period_facility_start")]

    def __str__(self) -> str:
        return f"{self.facility.name}: {self.minimum} ({self.start_date:%d.%m.%Y}–{self.end_date:%d.%m.%Y})"


class Unit(RuleFieldsMixin, models.Model):
    """A unit (afdeling) of a facility; HR systems know it by its department id."""

    scope_paths = ScopePaths(facility="facility")

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="units", verbose_name=_("tilbud"))
    name = models.CharField(_("navn"), max_length=200)
    hr_department_id = models.CharField(_("afdelings-id (HR)"), max_length=40, blank=True)

    class Meta:
        ordering = [collated("facility__name"), collated("name")]
        verbose_name = _("afdeling")
        verbose_name_plural = _("afdelinger")
        constraints = [
            models.UniqueConstraint(
                name="unit_unique_hr_department_id",
                violation_error_code="unit_unique_hr_department_id",
                violation_error_message=_("En anden afdeling har allerede dette afdelings-id fra lønsystemet."),
                fields=["hr_department_id"],
                condition=~models.Q(hr_department_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.facility.name} – {self.name}"
