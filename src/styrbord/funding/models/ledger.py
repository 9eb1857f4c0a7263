"""The funding ledger: append-only entries on a grant. Nothing is edited or deleted; a mistake is
reversed (and, for a correction, posted again with the right amount)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.funding.models.grants import Grant
from styrbord.lib.costs import CostCategory
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.formatting import format_date, format_ore
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.staff.models import Employee


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a ledger entry."""


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("ledger entries cannot be updated; reverse them instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries cannot be deleted; reverse them instead")

    def spending(self) -> LedgerQuerySet:
        """Entries that use up the grant: planned, committed and actual (not income)."""
        return self.filter(balance__in=LedgerEntry.SPENDING)

    def unreversed(self) -> LedgerQuerySet:
        """Entries that have not been reversed (reversals themselves included)."""
        return self.filter(reversals__isnull=True)


class LedgerEntry(RuleFieldsMixin, models.Model):
    """One posting on a grant. ``amount`` is signed: a reversal carries the opposite amount.

    ``kind`` says what happened (commitment, actual, income, reversal, correction); ``balance``
    says which balance the amount counts in, so every balance is one SUM over one column.
    """

    scope_paths = ScopePaths(
        facility="grant__facility", municipality="grant__municipality", grantor="grant__pool__grantor"
    )

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Disponering")
        ACTUAL = "actual", _("Bogført udgift")
        INCOME = "income", _("Indtægt")
        REVERSAL = "reversal", _("Tilbageførsel")
        CORRECTION = "correction", _("Korrektion")

    class Balance(models.TextChoices):
        FORECAST = "forecast", _("Planlagt (prognose)")
        COMMITTED = "committed", _("Disponeret")
        ACTUAL = "actual", _("Forbrug")
        INCOME = "income", _("Modtaget")

    SPENDING = (Balance.FORECAST, Balance.COMMITTED, Balance.ACTUAL)
    OPEN_COMMITMENTS = (Balance.FORECAST, Balance.COMMITTED)

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="entries", verbose_name=_("tilsagn"))
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    balance = models.CharField(_("saldo"), max_length=10, choices=Balance.choices)
    category = models.CharField(_("udgiftsart"), max_length=20, choices=CostCategory.choices, blank=True)
    amount = MoneyField(_("beløb"))
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("tilbagefører"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("korrigerer"),
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("afløser"),
        help_text=_("Den disponering, en bogført udgift afløste; den genåbnes, hvis udgiften tilbageføres."),
    )
    booking = models.ForeignKey(
        "training.Booking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_entries",
        verbose_name=_("booking"),
    )
    # training rewrites a booking's cost lines (delete + insert) whenever its costs are refreshed, so
    # the link is cleared then; the entry keeps its own category, amount, booking and date. Clearing it
    # is the one UPDATE the PostgreSQL trigger allows (migration 0003).
    booking_cost = models.ForeignKey(
        "training.BookingCost",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_entries",
        verbose_name=_("bookingudgift"),
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_entries",
        verbose_name=_("deltager"),
        help_text=_("Kursusdeltageren, når posteringen gælder en kursusplads (bruges til loft pr. person)."),
    )
    posted_on = CalendarDateField(
        _("dato"), help_text=_("Den dato, udgiften hører til: kursusdatoen eller bogføringsdatoen.")
    )
    text = models.CharField(_("tekst"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oprettet af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["posted_on", "id"]
        verbose_name = _("postering")
        verbose_name_plural = _("posteringer")
        constraints = [
            models.CheckConstraint(
                name="ledger_reversal_references_entry",
                violation_error_code="ledger_reversal_references_entry",
                violation_error_message=_(
                    "En tilbageførsel skal henvise til den postering, den tilbagefører, og kun en tilbageførsel må det."
                ),
                condition=models.Q(kind="reversal", reverses__isnull=False)
                | (~models.Q(kind="reversal") & models.Q(reverses__isnull=True)),
            ),
            models.CheckConstraint(
                name="ledger_correction_references_entry",
                violation_error_code="ledger_correction_references_entry",
                violation_error_message=_(
                    "En rettelse skal henvise til den postering, den retter, og kun en rettelse må det."
                ),
                condition=models.Q(kind="correction", corrects__isnull=False)
                | (~models.Q(kind="correction") & models.Q(corrects__isnull=True)),
            ),
            models.CheckConstraint(
                name="ledger_income_in_income_balance",
                violation_error_code="ledger_income_in_income_balance",
                violation_error_message=_("En indtægt bogføres på indtægtssaldoen."),
                condition=~models.Q(kind="income") | models.Q(balance="income"),
            ),
            # An entry is reversed at most once (two people reversing it at once: one fails).
            models.UniqueConstraint(
                fields=["reverses"],
                name="ledger_reversed_once",
                violation_error_code="ledger_reversed_once",
                violation_error_message=_("Posteringen er allerede tilbageført."),
            ),
        ]
        indexes = [
            # Balances of a grant: SUM(amount) GROUP BY balance WHERE grant = ?.
            models.Index(fields=["grant", "balance"], name="ledger_grant_balance"),
            # Burn-down and period filter: a grant's entries by date.
            models.Index(fields=["grant", "posted_on"], name="ledger_grant_date"),
            # Ceiling per person per year: a person's charges in a year.
            models.Index(fields=["employee", "posted_on"], name="ledger_employee_date"),
            # Re-charging a booking: its open entries.
            models.Index(fields=["booking", "balance"], name="ledger_booking_balance"),
        ]

    def __str__(self) -> str:
        # "30-11-2026 · Disponering · Kursusgebyr · 3.050,95 kr. · KRAP – 30-11-2026" (a form's choice).
        parts = [
            format_date(self.posted_on),
            self.get_kind_display(),
            self.get_category_display(),
            format_ore(self.amount),
            self.text,
        ]
        return " · ".join(str(part) for part in parts if part)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("ledger entries cannot be updated; reverse them instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries cannot be deleted; reverse them instead")

    @property
    def is_spending(self) -> bool:
        return self.balance in self.SPENDING
