"""E-mail reminders before a session starts and before a competence expires, sent once each.

Idempotent: each reminder has a unique key in ReminderLog (e.g. ``session:<booking>:<first day>``);
the log row is written in the same transaction as the e-mail is handed to the backend, so a
second run (or a concurrent one: the unique key) never sends it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from styrbord.competences.services import lapsing_holdings
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date
from styrbord.organisations.services import current_employments
from styrbord.training.models import Booking, BookingStatus, ReminderLog

logger = logging.getLogger(__name__)

SESSION_DAYS_BEFORE = 7
EXPIRY_DAYS_BEFORE = 60


@dataclass
class ReminderRun:
    """What one run sent (or would send, in a dry run)."""

    sessions: list[str] = field(default_factory=list)
    expiries: list[str] = field(default_factory=list)
    skipped_no_email: int = 0

    @property
    def count(self) -> int:
        return len(self.sessions) + len(self.expiries)


@dataclass(frozen=True)
class _Reminder:
    kind: str
    key: str
    employee_id: int
    email: str
    subject: str
    body: str


def _session_reminders(today: dt.date, days_before: int) -> list[_Reminder]:
    horizon = today + dt.timedelta(days=days_before)
    bookings = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED, session__first_day__gt=today, session__first_day__lte=horizon
        )
        # Not to someone whose employment has ended by the first day (resigned since the booking):
        # the booking list and the landing page point the seat out to the manager instead.
        .exclude(employment__end_date__lt=F("session__first_day"))
        .select_related("session__course", "employee")
    )
    reminders = []
    for booking in bookings:
        session = booking.session
        if session.first_day is None:  # excluded by the filter; keeps the type checker informed
            continue
        key = f"session:{booking.pk}:{session.first_day.isoformat()}"
        subject = _("Påmindelse: %(course)s starter %(date)s") % {
            "course": session.course.name,
            "date": format_date(session.first_day),
        }
        body = _("Du er tilmeldt %(course)s, som starter %(date)s kl. 08.30. Sted: %(place)s.") % {
            "course": session.course.name,
            "date": format_date(session.first_day),
            "place": session.place or "-",
        }
        reminders.append(_Reminder("session", key, booking.employee_id, booking.employee.email, subject, body))
    return reminders


def _expiry_reminders(today: dt.date, days_before: int) -> list[_Reminder]:
    # The certificates the 90-day list shows: lapsing and not outlasted by a renewal, of people
    # employed today. A former employee keeps their certificates (and e-mail address) until the
    # retention period ends, but is not told to talk to a manager they no longer have.
    holdings = lapsing_holdings(current_employments(today), today, days_before).select_related("competence", "employee")
    reminders = []
    for holding in holdings:
        if holding.expires_on is None:  # excluded by the filter; keeps the type checker informed
            continue
        key = f"expiry:{holding.pk}:{holding.expires_on.isoformat()}"
        subject = _("Din kompetence %(competence)s udløber %(date)s") % {
            "competence": holding.competence.name,
            "date": format_date(holding.expires_on),
        }
        body = _("Kompetencen %(competence)s udløber %(date)s. Tal med din leder om vedligeholdelse.") % {
            "competence": holding.competence.name,
            "date": format_date(holding.expires_on),
        }
        reminders.append(_Reminder("expiry", key, holding.employee_id, holding.employee.email, subject, body))
    return reminders


def send_reminders(
    today: dt.date | None = None,
    *,
    dry_run: bool = False,
    session_days: int = SESSION_DAYS_BEFORE,
    expiry_days: int = EXPIRY_DAYS_BEFORE,
) -> ReminderRun:
    """Send every reminder that is due and not yet sent."""
    today = today or local_today()
    run = ReminderRun()
    due = _session_reminders(today, session_days) + _expiry_reminders(today, expiry_days)
    sent_keys = set(ReminderLog.objects.filter(key__in=[r.key for r in due]).values_list("key", flat=True))
    for reminder in due:
        if reminder.key in sent_keys:
            continue
        if not reminder.email:
            run.skipped_no_email += 1
            continue
        if not dry_run:
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(kind=reminder.kind, key=reminder.key, employee_id=reminder.employee_id)
                    send_mail(reminder.subject, reminder.body, None, [reminder.email])
            except IntegrityError:
                continue  # another run sent it a moment ago
        (run.sessions if reminder.kind == "session" else run.expiries).append(reminder.key)
    logger.info("reminders: %s sessions, %s expiries, dry_run=%s", len(run.sessions), len(run.expiries), dry_run)
    return run
