"""Grants (tilsagn) from a pool to a facility or a municipality, with an approved budget by line and year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.funding.models.pools import Pool
from styrbord.lib.collation import collated
from styrbord.lib.costs import CostCategory
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality


class Grant(RuleFieldsMixin, models.Model):
    """A grant commitment (tilsagn): an amount from a pool to one recipient, a facility or a municipality."""

    scope_paths = ScopePaths(facility="facility", municipality="municipality", grantor="pool__grantor")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Ansøgt")
        APPROVED = "approved", _("Tilsagn givet")
        CLOSED = "closed", pgettext_lazy("grant status", "Afsluttet")
        REJECTED = "rejected", _("Afslået")

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="grants", verbose_name=_("pulje"))
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("modtager (tilbud)"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("modtager (kommune)"),
        help_text=_("Udfyldes, når tilsagnet gives til kommunen og ikke til ét tilbud."),
    )
    title = models.CharField(_("titel"), max_length=300, blank=True)
    amount = MoneyField(_("tilsagnsbeløb"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPROVED)
    case_number = models.CharField(_("sagsnummer"), max_length=40, blank=True)
    approved_on = CalendarDateField(_("tilsagnsdato"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = ["pool", collated("facility__name"), "id"]
        verbose_name = _("tilsagn")
        verbose_name_plural = pgettext_lazy("plural", "tilsagn")
        constraints = [
            models.CheckConstraint(
                name="grant_amount_non_negative",
                violation_error_code="grant_amount_non_negative",
                violation_error_message=_("Tilskuddets beløb kan ikke være negativt."),
                condition=models.Q(amount__gte=0),
            ),
            # Exactly one recipient: a facility or a municipality.
            models.CheckConstraint(
                name="grant_one_recipient",
                violation_error_code="grant_one_recipient",
                # The one check of this rule, in forms and the API alike (full_clean) and in the database.
                violation_error_message=_("Vælg én modtager: et tilbud eller en kommune."),
                condition=(models.Q(facility__isnull=False) & models.Q(municipality__isnull=True))
                | (models.Q(facility__isnull=True) & models.Q(municipality__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool.name} – {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.facility_id is not None:
            return self.facility.name  # type: ignore[union-attr]
        return str(self.municipality)

    @property
    def recipient_municipality_id(self) -> int | None:
        if self.facility_id is not None:
            return self.facility.municipality_id  # type: ignore[union-attr]
        return self.municipality_id

    @property
    def is_open_for_charges(self) -> bool:
        return self.status == self.Status.APPROVED


class GrantBudgetLine(RuleFieldsMixin, models.Model):
    """One line of a grant's approved budget: a cost category in one year."""

    scope_paths = ScopePaths(
        facility="grant__facility", municipality="grant__municipality", grantor="grant__pool__grantor"
    )

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("tilsagn"))
    category = models.CharField(_("udgiftsart"), max_length=20, choices=CostCategory.choices)
    year = models.PositiveSmallIntegerField(_("år"))
    amount = MoneyField(_("budget"))

    class Meta:
        ordering = ["grant", "year", "category"]
        verbose_name = _("budgetlinje")
        verbose_name_plural = _("budgetlinjer")
        constraints = [
            models.UniqueConstraint(fields=["grant", "category", "year"], name="budget_line_unique_per_year"),
            models.CheckConstraint(
                name="budget_line_amount_non_negative",
                violation_error_code="budget_line_amount_non_negative",
                violation_error_message=_("Budgetlinjens beløb kan ikke være negativt."),
                condition=models.Q(amount__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.year}"
