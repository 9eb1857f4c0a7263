"""How a booking's costs are split over grants (a seat can be paid by several pools)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.funding.models.grants import Grant
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths


class FundingSplit(RuleFieldsMixin, models.Model):
    """The share of one booking's costs charged to one grant. Replaced as a whole on each charge,
    so a booking whose costs change can be charged again with the same split; a re-charge the
    grants refused is kept on it until the next charge succeeds."""

    scope_paths = ScopePaths(
        facility="grant__facility", municipality="grant__municipality", grantor="grant__pool__grantor"
    )

    booking = models.ForeignKey(
        "training.Booking", on_delete=models.CASCADE, related_name="funding_splits", verbose_name=_("booking")
    )
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="splits", verbose_name=_("tilsagn"))
    share = models.DecimalField(
        _("andel (%)"), max_digits=5, decimal_places=2, help_text=_("Den andel af pladsens udgifter, tilsagnet bærer.")
    )
    # The booking's costs changed and charging it again was refused (a grant closed, full, or the
    # new date outside its period): the grants still hold the old charge. Cleared when a charge or
    # posting of the booking succeeds, since that writes the split anew.
    recharge_refused_at = models.DateTimeField(
        _("nye udgifter afvist"),
        null=True,
        blank=True,
        help_text=_("Hvornår tilsagnet sidst ikke kunne tage bookingens nye udgifter."),
    )
    recharge_refusal = models.JSONField(
        _("begrundelse for afvisningen"),
        default=dict,
        blank=True,
        help_text=_("Tilsagnets begrundelse på hvert af sidens sprog."),
    )

    class Meta:
        ordering = ["booking", "-share", "grant"]
        verbose_name = _("finansieringsandel")
        verbose_name_plural = _("finansieringsandele")
        constraints = [
            models.UniqueConstraint(fields=["booking", "grant"], name="funding_split_unique"),
            models.CheckConstraint(
                name="funding_split_share_range",
                violation_error_code="funding_split_share_range",
                violation_error_message=_("Andelen skal være over 0 og højst 100 procent."),
                condition=models.Q(share__gt=0, share__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant} {self.share} %"
