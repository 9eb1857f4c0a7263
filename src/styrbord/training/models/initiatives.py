"""Initiatives (budgetinitiativer): multi-year staffing and operating costs of a competence effort."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.lib.collation import collated
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Municipality, Region


class Initiative(models.Model):
    """A proposed or decided initiative whose economic consequences are shown per year."""

    scope_paths = ScopePaths(municipality="municipality")

    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("kommune"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("region"),
        help_text=_("For regionale initiativer. Et initiativ uden kommune kan læses af alle koordinatorer."),
    )
    source = models.CharField(_("kilde"), max_length=300, blank=True, help_text=_("F.eks. budgetforslag og sagsnr."))
    financing = models.TextField(
        _("finansiering"),
        blank=True,
        help_text=_("De mulige finansieringskilder, én pr. linje, f.eks. en udviklingskasse eller et område."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [collated("name")]
        verbose_name = _("initiativ")
        verbose_name_plural = _("initiativer")

    def __str__(self) -> str:
        return self.name


class InitiativeYear(RuleFieldsMixin, models.Model):
    """One year's inputs: FTE x annual wage per FTE, plus other operating and establishment costs."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="years", verbose_name=_("initiativ")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    fte = models.DecimalField(_("årsværk"), max_digits=7, decimal_places=2, default=Decimal("0"))
    annual_wage_per_fte = MoneyField(_("årsløn pr. årsværk"), default=Decimal("0.00"))
    other_operating = MoneyField(_("øvrig drift"), default=Decimal("0.00"))
    establishment = MoneyField(_("etableringsudgifter"), default=Decimal("0.00"))

    class Meta:
        ordering = ["initiative", "year"]
        verbose_name = _("initiativår")
        verbose_name_plural = pgettext_lazy("plural", "initiativår")
        constraints = [
            models.UniqueConstraint(name="initiative_year_unique", fields=["initiative", "year"]),
            models.CheckConstraint(
                name="initiative_year_non_negative",
                violation_error_code="initiative_year_non_negative",
                violation_error_message=_(
                    "Årsværk, løn pr. årsværk, anden drift og etablering kan ikke være negative."
                ),
                condition=models.Q(
                    fte__gte=0, annual_wage_per_fte__gte=0, other_operating__gte=0, establishment__gte=0
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} {self.year}"
