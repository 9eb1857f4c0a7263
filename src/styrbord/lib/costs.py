"""Cost categories shared by training (what a booking costs), funding (what a pool covers)
and planning (what a plan spends)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CostCategory(models.TextChoices):
    """What a cost line is for. Refunds are negative amounts in their own categories."""

    FEE = "fee", _("Kursusgebyr")
    BACKFILL = "backfill", _("Vikardækning (løn)")
    TRAVEL = "travel", _("Transport")
    MATERIALS = "materials", _("Materialer")
    AUDIT = "audit", _("Revision")
    CANCELLATION = "cancellation", _("Afbestillingsgebyr")
    VEU_REFUND = "veu_refund", _("VEU-godtgørelse")
    OTHER_REFUND = "other_refund", _("Anden refusion")


REFUND_CATEGORIES = frozenset({CostCategory.VEU_REFUND, CostCategory.OTHER_REFUND})
