"""Grant pools (puljer): who grants, how much, for what, and the grantor's rules and duties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from styrbord.lib.collation import collated
from styrbord.lib.costs import CostCategory
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.formatting import format_kr, format_percent, natural_places
from styrbord.lib.money import ZERO, MoneyField, to_money
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Grantor, Municipality

# Audit level by grant amount (the state's standard terms for grants):
# up to 100.000 kr. a declaration, above 100.000 kr. audited accounts, above 500.000 kr. extended audit.
DECLARATION_LIMIT = Decimal("100000.00")
EXTENDED_AUDIT_LIMIT = Decimal("500000.00")

# A refund reduces the cost it refunds, so it is eligible exactly when that cost is:
# VEU-godtgørelse compensates the wage of the person on the course (backfill), another refund the fee.
REFUND_OFFSETS = {CostCategory.VEU_REFUND: CostCategory.BACKFILL, CostCategory.OTHER_REFUND: CostCategory.FEE}


class AuditLevel(models.TextChoices):
    """What the grant accounts must be accompanied by."""

    DECLARATION = "declaration", _("Ledelseserklæring (op til 100.000 kr.)")
    AUDITED = "audited", _("Revideret regnskab (over 100.000 kr.)")
    EXTENDED = "extended", _("Udvidet revision (over 500.000 kr.)")


def _eligible_default() -> list[str]:
    return [CostCategory.FEE, CostCategory.BACKFILL, CostCategory.TRAVEL, CostCategory.MATERIALS]


def case_number_taken_message(case_number: str) -> str:
    """Said when a pool's case number is already registered for its grantor (pages, API, services)."""
    return gettext(
        "Tilskudsgiveren har allerede en pulje med sagsnummeret %(number)s. Den samme bevilling registreret "
        "to gange tæller pengene dobbelt: ret sagsnummeret, eller brug den pulje, der findes."
    ) % {"number": case_number}


# The pool's own rules take amounts of 0 or more and shares of 0–100 %: an error on the field, in
# every form and the API (full_clean), and a check in the database.
NOT_NEGATIVE = MinValueValidator(Decimal("0"), message=_("Beløbet kan ikke være negativt."))
PERCENT = [
    MinValueValidator(Decimal("0"), message=_("Andelen skal være mellem 0 og 100 procent.")),
    MaxValueValidator(Decimal("100"), message=_("Andelen skal være mellem 0 og 100 procent.")),
]


class Pool(RuleFieldsMixin, models.Model):
    """A pool of money from a grantor (or the municipality's own budget) for competence development."""

    # Finance and coordinators see the pools their municipality keeps, facility managers the pools that
    # fund their facility, grantors their own pools.
    scope_paths = ScopePaths(municipality="municipality", facility="grants__facility", grantor="grantor")

    class Kind(models.TextChoices):
        STATE_GRANT = "state_grant", _("Statslig tilskudspulje")
        LOAN_POOL = "loan_pool", _("Lånepulje")
        MUNICIPAL_BUDGET = "municipal_budget", _("Kommunal budgetpulje")
        CO_FINANCED_FUND = "co_financed_fund", _("Fond med medfinansiering")

    grantor = models.ForeignKey(
        Grantor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pools",
        verbose_name=_("tilskudsgiver"),
        help_text=_("Tom for kommunens egne budgetpuljer."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_pools",
        verbose_name=_("kommune"),
        help_text=_("Kommunen, der administrerer puljen i Styrbord (ved statslige puljer: ansøgerkommunen)."),
    )
    name = models.CharField(_("navn"), max_length=300)
    case_number = models.CharField(_("sags-/journalnummer"), max_length=40, blank=True, help_text=_("F.eks. 24/9263."))
    kind = models.CharField(_("puljetype"), max_length=20, choices=Kind.choices, default=Kind.STATE_GRANT)
    total = MoneyField(_("samlet beløb"))
    period_start = CalendarDateField(_("periode fra"))
    period_end = CalendarDateField(_("periode til"))
    purpose = models.TextField(_("formål"), blank=True)
    eligible_categories = models.JSONField(
        _("støtteberettigede udgifter"),
        default=_eligible_default,
        blank=True,
        help_text=_("De udgiftsarter, puljen dækker (kursusgebyr, vikardækning, transport, materialer, revision)."),
    )
    co_financing_share = models.DecimalField(
        _("tilskudsandel (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=PERCENT,
        help_text=_("Den andel af de støtteberettigede udgifter, puljen betaler. 100 % = fuld dækning."),
    )
    ceiling_per_person_year = MoneyField(
        _("loft pr. person pr. år"), null=True, blank=True, validators=[NOT_NEGATIVE], help_text=_("Tom: intet loft.")
    )
    ceiling_per_booking = MoneyField(
        _("loft pr. kursusplads"), null=True, blank=True, validators=[NOT_NEGATIVE], help_text=_("Tom: intet loft.")
    )
    conditions = models.TextField(_("vilkår"), blank=True)
    budget_change_percent = models.DecimalField(
        _("budgetændring kræver godkendelse over (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=PERCENT,
        help_text=_("Ændringer af en budgetlinje over denne andel kræver tilskudsgivers forudgående godkendelse."),
    )
    budget_change_amount = MoneyField(
        _("budgetændring kræver godkendelse over (kr.)"),
        default=Decimal("100000.00"),
        validators=[NOT_NEGATIVE],
        help_text=_("Ændringer af en budgetlinje over dette beløb kræver tilskudsgivers forudgående godkendelse."),
    )
    repayment_waiver_limit = MoneyField(
        _("tilbagebetaling frafaldes under"),
        default=Decimal("500.00"),
        validators=[NOT_NEGATIVE],
        help_text=_("Ikke-forbrugte midler tilbagebetales; beløb under denne grænse frafaldes."),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = ["-period_start", collated("name")]
        verbose_name = _("pulje")
        verbose_name_plural = _("puljer")
        constraints = [
            models.CheckConstraint(
                name="pool_total_non_negative",
                violation_error_code="pool_total_non_negative",
                violation_error_message=_("Puljens samlede beløb kan ikke være negativt."),
                condition=models.Q(total__gte=0),
            ),
            models.CheckConstraint(
                name="pool_period_end_after_start",
                violation_error_code="pool_period_end_after_start",
                violation_error_message=_("Puljens periode slutter, før den begynder."),
                condition=models.Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="pool_share_in_range",
                violation_error_code="pool_share_in_range",
                violation_error_message=_("Medfinansieringsandelen skal være mellem 0 og 100 procent."),
                condition=models.Q(co_financing_share__gte=0, co_financing_share__lte=100),
            ),
            models.CheckConstraint(
                name="pool_ceilings_non_negative",
                violation_error_code="pool_ceilings_non_negative",
                violation_error_message=_("Puljens lofter kan ikke være negative."),
                condition=(models.Q(ceiling_per_person_year__isnull=True) | models.Q(ceiling_per_person_year__gte=0))
                & (models.Q(ceiling_per_booking__isnull=True) | models.Q(ceiling_per_booking__gte=0)),
            ),
            models.CheckConstraint(
                name="pool_rule_limits_in_range",
                violation_error_code="pool_rule_limits_in_range",
                violation_error_message=_(
                    "Puljens regler for budgetændringer og tilbagebetaling skal være 0 eller mere (og højst 100 procent)."
                ),
                condition=models.Q(
                    budget_change_percent__gte=0,
                    budget_change_percent__lte=100,
                    budget_change_amount__gte=0,
                    repayment_waiver_limit__gte=0,
                ),
            ),
            # A grantor's case number names one application: the same pool registered twice would count
            # its money twice. Municipal budget pools (no grantor) may share a budget agreement's name.
            models.UniqueConstraint(
                fields=["grantor", "case_number"],
                condition=models.Q(grantor__isnull=False) & ~models.Q(case_number=""),
                name="pool_case_number_unique_per_grantor",
                violation_error_code="pool_case_number_unique_per_grantor",
                violation_error_message=_("Tilskudsgiveren har allerede en pulje med dette sagsnummer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.case_number})" if self.case_number else self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unknown = [c for c in self.eligible_categories or [] if c not in CostCategory.values]
        if unknown:
            errors["eligible_categories"] = gettext("Ukendte udgiftsarter: %(codes)s.") % {"codes": ", ".join(unknown)}
        if self.kind != self.Kind.MUNICIPAL_BUDGET and self.grantor_id is None:
            errors["grantor"] = gettext("Angiv tilskudsgiveren (kun kommunens egne puljer kan være uden).")
        self.case_number = (self.case_number or "").strip()
        if self.grantor_id is not None and self.case_number and self.case_number_taken():
            errors["case_number"] = case_number_taken_message(self.case_number)
        if errors:
            raise ValidationError(errors)

    def case_number_taken(self) -> bool:
        """Whether another pool from the same grantor has this case number (the same application)."""
        others = Pool.objects.filter(grantor=self.grantor_id, case_number=self.case_number)
        return others.exclude(pk=self.pk).exists() if self.pk else others.exists()

    # --- the grantor's rules -------------------------------------------------------------

    @property
    def reports_to_grantor(self) -> bool:
        """Whether the pool is money from a grantor, who gets a status report and grant accounts.
        A municipal budget pool is the municipality's own money: there is no one to report to."""
        return self.kind != self.Kind.MUNICIPAL_BUDGET

    def covers(self, category: str) -> bool:
        """Whether the pool pays for this cost category (a refund follows the cost it refunds)."""
        eligible = set(self.eligible_categories or [])
        offset = REFUND_OFFSETS.get(category)  # type: ignore[call-overload]
        return category in eligible or (offset is not None and offset in eligible)

    def contains(self, day: dt.date) -> bool:
        """Whether a date lies inside the project period (both ends included)."""
        return self.period_start <= day <= self.period_end

    @staticmethod
    def audit_level_for(amount: Decimal) -> AuditLevel:
        """The audit the grant accounts need: declaration up to 100.000 kr., audited accounts above,
        extended audit above 500.000 kr."""
        amount = to_money(amount)
        if amount > EXTENDED_AUDIT_LIMIT:
            return AuditLevel.EXTENDED
        if amount > DECLARATION_LIMIT:
            return AuditLevel.AUDITED
        return AuditLevel.DECLARATION

    def needs_prior_approval(self, approved: Decimal, changed: Decimal) -> bool:
        """Whether changing a budget line from ``approved`` to ``changed`` needs the grantor's prior
        approval: a change of more than 10 % of the line or more than 100.000 kr. (the pool's limits)."""
        change = abs(to_money(changed) - to_money(approved))
        if change > self.budget_change_amount:
            return True
        if approved == 0:
            return change > 0
        return change * 100 > abs(to_money(approved)) * self.budget_change_percent

    def repayment_due(self, unspent: Decimal) -> Decimal:
        """What must be repaid of the unspent funds: all of it, unless it is under the waiver limit."""
        unspent = to_money(unspent)
        if unspent < self.repayment_waiver_limit or unspent <= 0:
            return ZERO
        return unspent

    def describe_ceilings(self) -> str:
        """A short summary of share and ceilings for pages and reports, in the active language."""
        share = self.co_financing_share
        parts = [format_percent(share, natural_places(share))]
        if self.ceiling_per_person_year is not None:
            parts.append(
                gettext("højst %(amount)s pr. person pr. år") % {"amount": format_kr(self.ceiling_per_person_year)}
            )
        if self.ceiling_per_booking is not None:
            parts.append(gettext("højst %(amount)s pr. kursusplads") % {"amount": format_kr(self.ceiling_per_booking)})
        return ", ".join(parts)

    def eligible_labels(self) -> list[str]:
        labels: dict[Any, Any] = dict(CostCategory.choices)
        return [str(labels.get(c, c)) for c in self.eligible_categories or []]


class ReportingDeadline(models.Model):
    """A reporting duty to the grantor with a due date: a status report or the grant accounts."""

    scope_paths = ScopePaths(
        municipality="pool__municipality", facility="pool__grants__facility", grantor="pool__grantor"
    )

    class Kind(models.TextChoices):
        STATUS_REPORT = "status_report", _("Statusrapport")
        GRANT_ACCOUNTS = "grant_accounts", _("Tilskudsregnskab")

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("pulje"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    due_date = CalendarDateField(_("frist"))
    done_on = CalendarDateField(_("indsendt"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("rapporteringsfrist")
        verbose_name_plural = _("rapporteringsfrister")
        indexes = [
            # The deadline warning: open deadlines of a pool by due date.
            models.Index(fields=["pool", "done_on", "due_date"], name="deadline_pool_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date:%d-%m-%Y}"

    @property
    def done(self) -> bool:
        return self.done_on is not None
