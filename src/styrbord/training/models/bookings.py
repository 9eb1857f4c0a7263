"""Bookings of people on sessions, and the cost lines derived from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.lib.costs import CostCategory
from styrbord.lib.dates import local_today
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.staff.models import Employee, Employment

from .sessions import Session


class BookingStatus(models.TextChoices):
    """planned → booked → (attended →) completed or incomplete, or cancelled / no_show; waitlisted
    when full. ``attended`` is a person seen on a course still running; once it is over, the
    outcome is final: completed (the competences are registered), incomplete (took part, did not
    complete: no competence, the costs stand) or no_show."""

    PLANNED = "planned", _("Planlagt")
    WAITLISTED = "waitlisted", _("På venteliste")
    BOOKED = "booked", _("Tilmeldt")
    ATTENDED = "attended", _("Deltaget")
    COMPLETED = "completed", _("Gennemført")
    INCOMPLETE = "incomplete", _("Deltaget, ikke gennemført")
    CANCELLED = "cancelled", _("Afbestilt")
    NO_SHOW = "no_show", _("Udeblevet")


# Statuses that hold a seat on the session (planned bookings are intentions and hold none).
# A no-show held (and was charged for) a seat: the provider counts it taken, and so does Styrbord.
SEAT_STATUSES = frozenset(
    {
        BookingStatus.BOOKED,
        BookingStatus.ATTENDED,
        BookingStatus.COMPLETED,
        BookingStatus.INCOMPLETE,
        BookingStatus.NO_SHOW,
    }
)
# Statuses in which the person is expected to be (or was) away on the session days.
AWAY_STATUSES = frozenset(
    {
        BookingStatus.PLANNED,
        BookingStatus.BOOKED,
        BookingStatus.ATTENDED,
        BookingStatus.COMPLETED,
        BookingStatus.INCOMPLETE,
    }
)
# Statuses that are still open (not ended one way or the other).
OPEN_STATUSES = frozenset({BookingStatus.PLANNED, BookingStatus.WAITLISTED, BookingStatus.BOOKED})


class Booking(RuleFieldsMixin, models.Model):
    """One person on one session, for one of their employments (whose facility pays and backfills)."""

    scope_paths = ScopePaths(facility="employment__facility", employee="employee")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("hold"))
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("medarbejder")
    )
    employment = models.ForeignKey(
        Employment, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("ansættelse")
    )
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.PLANNED)
    cancellation_fee = MoneyField(_("afbestillingsgebyr"), default=Decimal("0.00"))
    travel_amount = MoneyField(_("transport"), default=Decimal("0.00"))
    materials_amount = MoneyField(_("materialer"), default=Decimal("0.00"))
    other_refund_amount = MoneyField(
        _("anden refusion"), default=Decimal("0.00"), help_text=_("F.eks. refusion fra en kompetencefond.")
    )
    staffing_warning = models.BooleanField(
        _("under minimumsbemanding"),
        default=False,
        help_text=_("Bookingen bringer tilbuddet under minimumsbemandingen på mindst én kursusdag."),
    )
    note = models.CharField(_("bemærkning"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oprettet af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    waitlisted_at = models.DateTimeField(_("sat på venteliste"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status ændret"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["session__first_day", "employee__name"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookinger")
        constraints = [
            models.UniqueConstraint(
                name="booking_one_live_per_person_session",
                violation_error_code="booking_one_live_per_person_session",
                violation_error_message=_("Medarbejderen er allerede tilmeldt dette hold."),
                fields=["session", "employee"],
                condition=~models.Q(status__in=["cancelled", "no_show"]),
            ),
            models.CheckConstraint(
                name="booking_amounts_non_negative",
                violation_error_code="booking_amounts_non_negative",
                violation_error_message=_(
                    "Afbudsgebyr, rejseudgifter, materialer og andre refusioner kan ikke være negative."
                ),
                condition=models.Q(
                    cancellation_fee__gte=0, travel_amount__gte=0, materials_amount__gte=0, other_refund_amount__gte=0
                ),
            ),
        ]
        indexes = [
            # Seat counts and the waiting list: bookings of a session by status (in queue order).
            models.Index(fields=["session", "status", "waitlisted_at"], name="booking_session_status"),
            # "My bookings", clash checks: a person's bookings.
            models.Index(fields=["employee", "status"], name="booking_employee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.get_status_display()})"

    def status_on(self, today: dt.date) -> str:
        """The status as a person reads it on ``today``: a seat on a course that is over and not
        registered says so (as ``awaiting_attendance`` finds them), and so does a plan's seat on a
        course that has begun (``planned_after_start``)."""
        session = self.session
        if not session.cancelled and session.last_day is not None and session.last_day < today:
            if self.status == BookingStatus.BOOKED:
                return str(_("Tilmeldt, deltagelse ikke registreret"))
            if self.status == BookingStatus.ATTENDED:
                return str(_("Deltaget, gennemførelse ikke registreret"))
        if self.status == BookingStatus.PLANNED and not session.cancelled and session.has_started(today):
            if session.last_day is not None and session.last_day < today:
                return str(_("Planlagt, men holdet er slut"))
            return str(_("Planlagt, men holdet er begyndt"))
        return str(self.get_status_display())

    @property
    def status_now(self) -> str:
        """``status_on`` today (for templates)."""
        return self.status_on(local_today())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CostStage(models.TextChoices):
    """How certain a cost is. Each booking's lines have exactly one stage, so rows never double count.

    forecast: a planned (or waitlisted) booking, no commitment to the provider yet;
    committed: a booked seat, the municipality is bound by it;
    actual: the course was attended or completed, or a cancellation / no-show was charged.
    """

    COMMITTED = "committed", _("Disponeret")
    FORECAST = "forecast", _("Forventet")
    ACTUAL = "actual", _("Afholdt")


class BookingCost(RuleFieldsMixin, models.Model):
    """One derived cost line of a booking (fee, backfill, refunds ...). Refunds are negative.

    Rewritten by ``training.services.costing.refresh_booking_costs``; one row per
    (category, stage, year), where the year splits a session that runs over New Year.
    """

    scope_paths = ScopePaths(facility="booking__employment__facility", employee="booking__employee")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="costs", verbose_name=_("booking"))
    category = models.CharField(_("kategori"), max_length=20, choices=CostCategory.choices)
    stage = models.CharField(_("fase"), max_length=10, choices=CostStage.choices)
    year = models.PositiveSmallIntegerField(_("år"), help_text=_("Året udgiften falder i."))
    amount = MoneyField(_("beløb"), help_text=_("Negativt for refusioner."))
    basis = models.CharField(_("beregningsgrundlag"), max_length=500, blank=True)
    # How the line was worked out, as data (``training.costbasis``): shown in the reader's language.
    basis_terms = models.JSONField(_("beregningsgrundlag (data)"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def basis_text(self) -> str:
        """The basis in the active language (a line written before the terms were kept: as stored)."""
        from styrbord.training.costbasis import describe

        return (describe(self.basis_terms) if self.basis_terms else "") or self.basis

    class Meta:
        ordering = ["booking", "year", "category"]
        verbose_name = _("bookingudgift")
        verbose_name_plural = _("bookingudgifter")
        constraints = [
            models.UniqueConstraint(name="booking_cost_unique_line", fields=["booking", "category", "stage", "year"]),
            models.CheckConstraint(
                name="booking_cost_refund_sign",
                violation_error_code="booking_cost_refund_sign",
                violation_error_message=_(
                    "Refusioner bogføres som negative beløb og alle andre udgifter som positive."
                ),
                condition=(models.Q(category__in=["veu_refund", "other_refund"]) & models.Q(amount__lte=0))
                | (~models.Q(category__in=["veu_refund", "other_refund"]) & models.Q(amount__gte=0)),
            ),
        ]
        indexes = [
            # Budget follow-up and funding: costs by stage and year.
            models.Index(fields=["stage", "year", "category"], name="booking_cost_stage_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
