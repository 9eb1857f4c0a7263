"""Sessions (hold): when and where a course runs, day by day, and the demand for courses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.lib.collation import collated
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import Employee

from .catalogue import Course


class Session(RuleFieldsMixin, models.Model):
    """One run of a course (a hold). Its days are SessionDay rows, so a session can spread over months."""

    # No scope_paths: sessions are part of the shared catalogue (like courses); who may see them is
    # decided by the policy alone (training.permissions.catalogue_for). Bookings carry the tenant.

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("kursus"))
    name = models.CharField(_("holdbetegnelse"), max_length=200, blank=True, help_text=_("F.eks. Hold 2 forår 2026."))
    place = models.CharField(_("sted"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("pladser"), default=20)
    fee_per_participant = MoneyField(
        _("pris pr. deltager (ekskl. moms)"),
        null=True,
        blank=True,
        help_text=_("Tom betyder kursets pris."),
    )
    fee_per_inhouse_day = MoneyField(
        _("pris pr. internt kursusdag (ekskl. moms)"),
        null=True,
        blank=True,
        help_text=_("Tom betyder kursets pris."),
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("internt hold for tilbud"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("arrangeret af kommune"),
    )
    first_day = CalendarDateField(_("første dag"), null=True, blank=True, editable=False)
    last_day = CalendarDateField(_("sidste dag"), null=True, blank=True, editable=False)
    cancelled = models.BooleanField(_("aflyst"), default=False)
    cancellation_reason = models.CharField(_("begrundelse for aflysning"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = ["first_day", collated("course__name")]
        verbose_name = _("hold")
        verbose_name_plural = pgettext_lazy("plural", "hold")
        constraints = [
            models.CheckConstraint(
                name="session_fees_non_negative",
                violation_error_code="session_fees_non_negative",
                violation_error_message=_("Holdets priser kan ikke være negative."),
                condition=(models.Q(fee_per_participant__isnull=True) | models.Q(fee_per_participant__gte=0))
                & (models.Q(fee_per_inhouse_day__isnull=True) | models.Q(fee_per_inhouse_day__gte=0)),
            ),
        ]
        indexes = [
            # Calendar and reminders: sessions starting in a date window.
            models.Index(fields=["first_day"], name="session_first_day"),
        ]

    def __str__(self) -> str:
        label = self.name or (self.first_day.isoformat() if self.first_day else "")
        return f"{self.course.name} – {label}" if label else self.course.name

    def has_started(self, today: dt.date) -> bool:
        """Whether the first course day has come (a session without days has not)."""
        return self.first_day is not None and self.first_day <= today

    def refresh_span(self) -> None:
        """Store the first and last day from the SessionDay rows (kept in step by ``set_days``)."""
        span = self.days.aggregate(first=models.Min("date"), last=models.Max("date"))
        self.first_day, self.last_day = span["first"], span["last"]
        self.save(update_fields=["first_day", "last_day"])

    def set_days(self, days: list[tuple[dt.date, Decimal]]) -> None:
        """Replace the session's days with (date, hours) pairs."""
        self.days.all().delete()
        SessionDay.objects.bulk_create([SessionDay(session=self, date=d, hours=h) for d, h in days])
        self.refresh_span()

    @property
    def total_hours(self) -> Decimal:
        return sum((d.hours for d in self.days.all()), Decimal("0"))

    def participant_fee(self) -> Decimal:
        """Fee per participant ex VAT: the session's own price, else the course's."""
        if self.fee_per_participant is not None:
            return self.fee_per_participant
        return self.course.fee_per_participant

    def inhouse_day_fee(self) -> Decimal:
        """Price of one in-house day for the whole group ex VAT."""
        if self.fee_per_inhouse_day is not None:
            return self.fee_per_inhouse_day
        return self.course.fee_per_inhouse_day


def usual_start_time() -> dt.time:
    """When a course day usually starts: 08:30. A callable default rather than a fixed time: Django's
    check for fixed date and time defaults (fields.W161) fires on a fixed time whenever the clock is
    within 10 seconds of it, which made `check --deploy` fail at 08:30 UTC."""
    return dt.time(8, 30)


class SessionDay(RuleFieldsMixin, models.Model):
    """One teaching day of a session, with its hours (a 45-day programme has 45 rows)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="days", verbose_name=_("hold"))
    date = CalendarDateField(_("dato"))
    hours = models.DecimalField(_("timer"), max_digits=4, decimal_places=2, default=Decimal("7.40"))
    start_time = models.TimeField(_("starttid"), default=usual_start_time)

    class Meta:
        ordering = ["date"]
        verbose_name = _("kursusdag")
        verbose_name_plural = _("kursusdage")
        constraints = [
            models.UniqueConstraint(name="session_day_unique", fields=["session", "date"]),
            models.CheckConstraint(
                name="session_day_hours_range",
                violation_error_code="session_day_hours_range",
                violation_error_message=_("En kursusdag skal vare mere end 0 og højst 24 timer."),
                condition=models.Q(hours__gt=0, hours__lte=24),
            ),
        ]
        indexes = [
            # Clash checks and the absence view: which sessions run on a date.
            models.Index(fields=["date", "session"], name="session_day_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} ({self.hours} t)"

    @property
    def end_time(self) -> dt.time:
        start = dt.datetime.combine(self.date, self.start_time)
        return (start + dt.timedelta(minutes=int(self.hours * 60))).time()


class CourseInterest(RuleFieldsMixin, models.Model):
    """The demand list: a person wants a course that has no session yet (or no suitable one)."""

    scope_paths = ScopePaths(facility="employee__employments__facility", employee="employee")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="course_interests", verbose_name=_("medarbejder")
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="interests", verbose_name=_("kursus"))
    note = models.CharField(_("bemærkning"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    fulfilled_by = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fulfilled_interests",
        verbose_name=_("opfyldt af hold"),
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("kursusønske")
        verbose_name_plural = _("kursusønsker")
        constraints = [
            models.UniqueConstraint(
                name="course_interest_open_unique",
                violation_error_code="course_interest_open_unique",
                violation_error_message=_("Medarbejderen har allerede en åben interesse for dette kursus."),
                fields=["employee", "course"],
                condition=models.Q(fulfilled_by__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.course)
