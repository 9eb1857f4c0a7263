"""Versioned rates: backfill factors per facility and the VEU wage-compensation rate per hour.

Both are data, not code: a new rate is a new row with a ``valid_from`` date. A cost on a
given day uses the newest row valid on that day.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.lib.collation import collated
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.organisations.models import Facility


class BackfillFactor(RuleFieldsMixin, models.Model):
    """How many hours of cover one course hour needs at a facility (1,20 = 20 % overtime/temp premium).

    A row without a facility is the default for facilities that have no row of their own.
    """

    facility = models.ForeignKey(
        Facility,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="backfill_factors",
        verbose_name=_("tilbud"),
        help_text=_("Tom betyder standard for alle tilbud."),
    )
    valid_from = CalendarDateField(_("gælder fra"))
    factor = models.DecimalField(_("vikarfaktor"), max_digits=4, decimal_places=2)
    note = models.CharField(_("begrundelse"), max_length=300, blank=True)

    class Meta:
        ordering = [collated("facility__name"), "-valid_from"]
        verbose_name = _("vikarfaktor")
        verbose_name_plural = _("vikarfaktorer")
        constraints = [
            models.UniqueConstraint(name="backfill_factor_unique_from", fields=["facility", "valid_from"]),
            models.UniqueConstraint(
                name="backfill_factor_default_unique_from",
                violation_error_code="backfill_factor_default_unique_from",
                violation_error_message=_("Der findes allerede en standard-vikarfaktor fra denne dato."),
                fields=["valid_from"],
                condition=models.Q(facility__isnull=True),
            ),
            models.CheckConstraint(
                name="backfill_factor_non_negative",
                violation_error_code="backfill_factor_non_negative",
                violation_error_message=_("Vikarfaktoren kan ikke være negativ."),
                condition=models.Q(factor__gte=0),
            ),
        ]

    def __str__(self) -> str:
        where = self.facility.name if self.facility else _("Standard")
        return f"{where}: {self.factor} fra {self.valid_from}"


class VeuRate(RuleFieldsMixin, models.Model):
    """The VEU wage compensation (VEU-godtgørelse) paid per course hour, from a date."""

    valid_from = CalendarDateField(_("gælder fra"), unique=True)
    hourly_rate = MoneyField(_("sats pr. time"))
    weekly_rate = MoneyField(_("sats pr. uge (37 t)"), null=True, blank=True)
    source = models.CharField(
        _("kilde"), max_length=300, blank=True, help_text=_("Hvor satsen kommer fra, eller at den er skønnet.")
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("VEU-sats")
        verbose_name_plural = _("VEU-satser")
        constraints = [
            models.CheckConstraint(
                name="veu_rate_non_negative",
                violation_error_code="veu_rate_non_negative",
                violation_error_message=_("VEU-godtgørelsens timesats kan ikke være negativ."),
                condition=models.Q(hourly_rate__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hourly_rate} kr./t fra {self.valid_from}"
