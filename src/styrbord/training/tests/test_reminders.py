"""Reminders before sessions and before expiry are sent once, and a dry run sends none."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from styrbord.testing import factories
from styrbord.training import services
from styrbord.training.models import BookingStatus, ReminderLog
from styrbord.training.tasks import send_reminders_task

from . import helpers

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--today", "2026-02-24", *args, stdout=out)
    return out.getvalue()


def test_reminders_are_sent_once_and_a_dry_run_sends_nothing() -> None:
    person = factories.employee(email="anne@example.dk")
    factories.employment(person)
    booking = services.book(person, helpers.session(days=[dt.date(2026, 3, 2)]), status=BookingStatus.BOOKED)
    services.book(
        factories.employment().employee, helpers.session(days=[dt.date(2026, 3, 20)]), status=BookingStatus.BOOKED
    )
    expiring = factories.holding(
        person, factories.competence(validity_months=24), dt.date(2024, 4, 1), dt.date(2026, 4, 10)
    )
    renewed_competence = factories.competence(validity_months=24)
    factories.holding(person, renewed_competence, dt.date(2024, 4, 1), dt.date(2026, 4, 1))
    factories.holding(person, renewed_competence, dt.date(2026, 2, 1), dt.date(2028, 2, 1))

    assert "Would send 1 session reminder(s) and 1 expiry reminder(s)" in _run("--dry-run")
    assert len(mail.outbox) == 0
    assert not ReminderLog.objects.exists()

    assert "Sent 1 session reminder(s) and 1 expiry reminder(s)" in _run()
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@example.dk", "anne@example.dk"]
    assert set(ReminderLog.objects.values_list("key", flat=True)) == {
        f"session:{booking.pk}:2026-03-02",
        f"expiry:{expiring.pk}:2026-04-10",
    }
    assert "Sent 0 session reminder(s) and 0 expiry reminder(s)" in _run()
    assert len(mail.outbox) == 2


def test_a_person_without_an_email_is_counted_not_mailed() -> None:
    person = factories.employee(email="")
    factories.employment(person)
    services.book(person, helpers.session(days=[dt.date(2026, 3, 2)]), status=BookingStatus.BOOKED)
    assert "1 without an e-mail address" in _run()
    assert len(mail.outbox) == 0


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=IMMEDIATE)
def test_the_task_runs_the_same_idempotent_send() -> None:
    # Today is the real date here: book a session 3 days ahead of it.
    from styrbord.lib.dates import local_today

    person = factories.employee(email="bo@example.dk")
    factories.employment(person, start_date=local_today() - dt.timedelta(days=400))
    start = local_today() + dt.timedelta(days=3)
    services.book(person, helpers.session(days=[start]), status=BookingStatus.BOOKED)
    first = send_reminders_task.enqueue()
    second = send_reminders_task.enqueue()
    assert first.return_value == {"sessions": 1, "expiries": 0, "skipped_no_email": 0}
    assert second.return_value == {"sessions": 0, "expiries": 0, "skipped_no_email": 0}
    assert len(mail.outbox) == 1


def test_no_reminders_to_people_who_have_left_or_will_have_left_by_the_course() -> None:
    """Former employees keep their certificates (and address) until the retention period ends; they
    are not told to talk to their manager. Someone who resigned after being booked gets no reminder
    of a course that starts after their last day (the manager is shown the seat instead)."""
    left = factories.employee(email="tidligere@example.dk")
    factories.employment(left, start_date=dt.date(2020, 1, 1), end_date=dt.date(2025, 12, 31))
    factories.holding(left, factories.competence(validity_months=24), dt.date(2024, 4, 1), dt.date(2026, 4, 10))
    resigning = factories.employee(email="fratraeder@example.dk")
    factories.employment(resigning, start_date=dt.date(2020, 1, 1))
    services.book(resigning, helpers.session(days=[dt.date(2026, 3, 2)]), status=BookingStatus.BOOKED)
    employment = resigning.employments.get()
    employment.end_date = dt.date(2026, 2, 28)  # resigned after being booked
    employment.save(update_fields=["end_date"])
    staying = factories.employee(email="bliver@example.dk")
    factories.employment(staying, start_date=dt.date(2020, 1, 1), end_date=dt.date(2026, 3, 2))  # the course day
    services.book(staying, helpers.session(days=[dt.date(2026, 3, 2)]), status=BookingStatus.BOOKED)

    assert "Sent 1 session reminder(s) and 0 expiry reminder(s)" in _run()
    assert [m.to[0] for m in mail.outbox] == ["bliver@example.dk"]
