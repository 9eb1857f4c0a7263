"""Appropriations (bevillinger and tillægsbevillinger) decided by a committee, with income and
expenditure per year; a budget-neutral one must balance in every year."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from styrbord.funding.models.grants import Grant
from styrbord.funding.models.pools import Pool
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.formatting import format_kr
from styrbord.lib.money import ZERO, MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Municipality


class Appropriation(models.Model):
    """A decision to spend (bevilling) or to change a budget during the year (tillægsbevilling)."""

    scope_paths = ScopePaths(municipality="municipality")

    class Kind(models.TextChoices):
        APPROPRIATION = "appropriation", _("Bevilling")
        SUPPLEMENTARY = "supplementary", _("Tillægsbevilling")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="appropriations", verbose_name=_("kommune")
    )
    title = models.CharField(_("titel"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.SUPPLEMENTARY)
    decision_body = models.CharField(
        _("besluttende organ"), max_length=200, help_text=_("F.eks. Voksen- og Plejeudvalget.")
    )
    decision_date = CalendarDateField(_("beslutningsdato"))
    case_number = models.CharField(_("sagsnummer"), max_length=40, blank=True)
    decision = models.CharField(_("beslutning"), max_length=200, blank=True, help_text=_("F.eks. Tiltrådt."))
    budget_neutral = models.BooleanField(
        _("budgetneutral"), default=False, help_text=_("Indtægter og udgifter er lige store i hvert år.")
    )
    pool = models.ForeignKey(
        Pool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appropriations",
        verbose_name=_("pulje"),
        help_text=_("Puljen, hvis midler bevillingen frigiver."),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = ["-decision_date", "id"]
        verbose_name = _("bevilling")
        verbose_name_plural = _("bevillinger")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.decision_date:%d-%m-%Y})"

    def totals_by_year(self, lines: list[AppropriationLine] | None = None) -> dict[int, tuple[Decimal, Decimal]]:
        """(income, expenditure) per year, from the saved lines or from the given unsaved ones."""
        totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        if lines is None:
            rows = self.lines.values("year", "direction").annotate(total=models.Sum("amount"))
            for row in rows:
                index = 0 if row["direction"] == AppropriationLine.Direction.INCOME else 1
                totals[row["year"]][index] += row["total"]
        else:
            for line in lines:
                index = 0 if line.direction == AppropriationLine.Direction.INCOME else 1
                totals[line.year][index] += line.amount
        return {year: (pair[0], pair[1]) for year, pair in sorted(totals.items())}

    def neutrality_errors(self, lines: list[AppropriationLine] | None = None) -> list[str]:
        """Danish messages, one per year where a budget-neutral appropriation does not balance."""
        errors = []
        for year, (income, expenditure) in self.totals_by_year(lines).items():
            if income != expenditure:
                errors.append(
                    gettext(
                        "Bevillingen er budgetneutral, men i %(year)s er indtægterne %(income)s og udgifterne "
                        "%(expenditure)s: en forskel på %(difference)s"
                    )
                    % {
                        "year": year,
                        "income": format_kr(income, 2),
                        "expenditure": format_kr(expenditure, 2),
                        "difference": format_kr(abs(income - expenditure), 2),
                    }
                )
        return errors

    def is_neutral(self) -> bool:
        """Whether income equals expenditure in every year."""
        return not self.neutrality_errors()

    def clean(self) -> None:
        if self.budget_neutral and self.pk is not None:
            errors = self.neutrality_errors()
            if errors:
                raise ValidationError(errors)


class AppropriationLine(RuleFieldsMixin, models.Model):
    """Income or expenditure of an appropriation in one year (amounts are positive)."""

    scope_paths = ScopePaths(municipality="appropriation__municipality")

    class Direction(models.TextChoices):
        INCOME = "income", _("Indtægt")
        EXPENDITURE = "expenditure", _("Udgift")

    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("bevilling")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    direction = models.CharField(_("indtægt/udgift"), max_length=12, choices=Direction.choices)
    amount = MoneyField(_("beløb"))
    grant = models.ForeignKey(
        Grant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appropriation_lines",
        verbose_name=_("tilsagn"),
    )
    text = models.CharField(_("tekst"), max_length=300, blank=True)

    class Meta:
        ordering = ["appropriation", "year", "direction", "id"]
        verbose_name = _("bevillingslinje")
        verbose_name_plural = _("bevillingslinjer")
        constraints = [
            models.CheckConstraint(
                name="appropriation_line_amount_non_negative",
                violation_error_code="appropriation_line_amount_non_negative",
                violation_error_message=_(
                    "Beløbet kan ikke være negativt; retningen angiver, om det tilføres eller fratrækkes."
                ),
                condition=models.Q(amount__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_direction_display()} {self.amount}"
