"""The course catalogue: providers, courses, what a course grants and what it requires."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.competences.models import Competence
from styrbord.lib.collation import collated
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.staff.models import JobGroup

VAT_RATE = Decimal("0.25")


class Provider(models.Model):
    """Who runs courses: a university college, a SOSU school, a private firm or the municipality itself.

    The catalogue is shared reference data (like a price list), not tenant data.
    """

    class Kind(models.TextChoices):
        UNIVERSITY_COLLEGE = "university_college", _("Professionshøjskole")
        SOSU_SCHOOL = "sosu_school", _("SOSU-skole")
        PRIVATE = "private", _("Privat udbyder")
        IN_HOUSE = "in_house", _("Intern (egen organisation)")
        PUBLIC_AGENCY = "public_agency", _("Offentlig myndighed")

    name = models.CharField(_("navn"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, blank=True)
    website = models.URLField(_("hjemmeside"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("kursusudbyder")
        verbose_name_plural = _("kursusudbydere")

    def __str__(self) -> str:
        return self.name


class Course(RuleFieldsMixin, models.Model):
    """A course in the catalogue. Fees are stored EXCLUDING VAT.

    VAT: a municipality gets the VAT on purchased courses back through the VAT refund scheme
    (momsrefusionsordningen), and a region through its own compensation scheme, so the cost
    of a course to them is the fee ex VAT. ``vat_liable`` records that the provider adds 25 %
    VAT on top (private providers; AMU and public education are exempt); only a privately
    operated facility, which cannot recover VAT, pays that VAT as a cost.
    """

    class Kind(models.TextChoices):
        AMU = "amu", _("AMU-kursus")
        DIPLOMA_MODULE = "diploma_module", _("Diplommodul")
        CERTIFICATION = "certification", _("Certificering")
        SPECIALIST_EDUCATION = "specialist_education", _("Specialuddannelse")
        IN_HOUSE_TEAM_DAY = "inhouse_team_day", _("Intern temadag for teamet")
        E_LEARNING = "e_learning", _("E-læring")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses", verbose_name=_("udbyder"))
    kind = models.CharField(_("kursustype"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("beskrivelse"), blank=True)
    amu_number = models.CharField(_("AMU-nummer"), max_length=20, blank=True)
    ects = models.DecimalField(
        _("ECTS-point"), max_digits=4, decimal_places=1, null=True, blank=True, help_text=_("For diplommoduler.")
    )
    competences = models.ManyToManyField(
        Competence,
        through="CourseCompetence",
        related_name="granting_courses",
        blank=True,
        verbose_name=_("giver kompetencer"),
    )
    prerequisites = models.ManyToManyField(
        Competence,
        related_name="required_by_courses",
        blank=True,
        verbose_name=_("forudsætninger"),
        help_text=_("Kompetencer deltageren skal have, før kurset starter."),
    )
    duration_days = models.PositiveSmallIntegerField(_("varighed (dage)"), default=1)
    duration_hours = models.DecimalField(_("varighed (timer)"), max_digits=6, decimal_places=2, default=Decimal("7.40"))
    fee_per_participant = MoneyField(
        _("pris pr. deltager (ekskl. moms)"), default=Decimal("0.00"), help_text=_("Hele forløbet, ekskl. moms.")
    )
    fee_per_inhouse_day = MoneyField(
        _("pris pr. internt kursusdag (ekskl. moms)"),
        default=Decimal("0.00"),
        help_text=_("Samlet pris for en dag for hele holdet, fordeles ligeligt på deltagerne."),
    )
    vat_liable = models.BooleanField(
        _("momspligtig"),
        default=False,
        help_text=_(
            "Udbyderen lægger 25 % moms oven i prisen. Kommuner og regioner får momsen refunderet, "
            "så den indgår kun som udgift for private tilbud."
        ),
    )
    veu_eligible = models.BooleanField(
        _("giver VEU-godtgørelse"), default=False, help_text=_("AMU-kurser giver normalt VEU-godtgørelse.")
    )
    target_job_groups = models.JSONField(
        _("målgruppe (faggrupper)"),
        default=list,
        blank=True,
        help_text=_("Faggrupper kurset er rettet mod. Tom betyder alle."),
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("kursus")
        verbose_name_plural = _("kurser")
        constraints = [
            models.CheckConstraint(
                name="course_fees_non_negative",
                violation_error_code="course_fees_non_negative",
                violation_error_message=_("Kursets priser kan ikke være negative."),
                condition=models.Q(fee_per_participant__gte=0, fee_per_inhouse_day__gte=0),
            ),
            models.CheckConstraint(
                name="course_hours_non_negative",
                violation_error_code="course_hours_non_negative",
                violation_error_message=_("Kursets varighed kan ikke være negativ."),
                condition=models.Q(duration_hours__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_house(self) -> bool:
        """A team day is priced per day for the whole group, not per participant."""
        return self.kind == self.Kind.IN_HOUSE_TEAM_DAY

    def target_job_group_labels(self) -> list[str]:
        """The target job groups as Danish labels."""
        labels = dict(JobGroup.choices)
        return [str(labels.get(code, code)) for code in self.target_job_groups]


class CourseCompetence(models.Model):
    """That completing a course grants a competence, optionally valid for a course-specific time."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grants", verbose_name=_("kursus"))
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="course_grants", verbose_name=_("kompetence")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("gyldighed (måneder)"),
        null=True,
        blank=True,
        help_text=_("Tom betyder kompetencens egen gyldighed."),
    )

    class Meta:
        verbose_name = _("kompetence fra kursus")
        verbose_name_plural = _("kompetencer fra kursus")
        constraints = [
            models.UniqueConstraint(name="course_competence_unique", fields=["course", "competence"]),
        ]

    def __str__(self) -> str:
        return f"{self.course} → {self.competence}"


class CancellationRule(RuleFieldsMixin, models.Model):
    """A cancellation term: cancelled fewer than ``days_before`` days before start costs ``fee_percent``.

    Rules belong to a provider, or to a course (a course's own rules replace its provider's).
    The rule with the highest percentage among those that apply wins.
    """

    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cancellation_rules",
        verbose_name=_("udbyder"),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cancellation_rules",
        verbose_name=_("kursus"),
    )
    days_before = models.PositiveSmallIntegerField(
        _("færre end dage før start"), help_text=_("Gælder, når der afbestilles færre end så mange dage før start.")
    )
    fee_percent = models.DecimalField(_("gebyr (% af prisen)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["days_before"]
        verbose_name = _("afbestillingsregel")
        verbose_name_plural = _("afbestillingsregler")
        constraints = [
            models.CheckConstraint(
                name="cancellation_rule_one_owner",
                violation_error_code="cancellation_rule_one_owner",
                violation_error_message=_(
                    "En afbudsregel hører til enten en udbyder eller et kursus, præcis én af dem."
                ),
                condition=(models.Q(provider__isnull=False, course__isnull=True))
                | (models.Q(provider__isnull=True, course__isnull=False)),
            ),
            models.CheckConstraint(
                name="cancellation_rule_percent_range",
                violation_error_code="cancellation_rule_percent_range",
                violation_error_message=_("Afbudsgebyret skal være mellem 0 og 100 procent af prisen."),
                condition=models.Q(fee_percent__gte=0, fee_percent__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"< {self.days_before} dage: {self.fee_percent} %"
