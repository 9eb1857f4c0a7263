"""The log of views, exports and logins is kept for STYRBORD_AUDIT_ACCESS_MONTHS, the change trail
for good: `styrbord apply_retention` deletes what is older, on both databases, and logs that it did."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from styrbord.accounts.privacy import apply_retention
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import access_log_cutoff, log_access, log_action, prune_access_log

TODAY = dt.date(2026, 12, 5)
pytestmark = pytest.mark.django_db


def _entries_at(when: dt.datetime, world: Any) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        log_access(world.manager, "staff.employee.viewed", [world.dolmer_staff[0].pk])
        log_access(world.manager, "requirements.gap_list.exported", [world.dolmer_staff[1].pk], kind="export")
        log_action(None, "accounts.login.locked", None, {"username": "x"}, kind="security")
        change = log_action(world.dolmer, "organisations.facility.updated", world.coordinator, {})
    return {"change": change.pk}


def test_the_cutoff_is_copenhagen_midnight_the_given_months_back() -> None:
    assert access_log_cutoff(TODAY, 6) == dt.datetime(2026, 6, 4, 22, 0, tzinfo=dt.UTC)  # summer time
    assert access_log_cutoff(dt.date(2026, 8, 31), 6) == dt.datetime(2026, 2, 27, 23, 0, tzinfo=dt.UTC)  # 28 Feb


def test_old_view_export_and_login_entries_go_and_the_change_trail_stays(world: Any, settings: Any) -> None:
    settings.AUDIT_ACCESS_RETENTION_MONTHS = 6
    cutoff = access_log_cutoff(TODAY, 6)
    old = _entries_at(cutoff - dt.timedelta(seconds=1), world)
    _entries_at(cutoff, world)  # on the cutoff: kept
    before = AuditEntry.objects.count()

    dry = apply_retention(TODAY, dry_run=True)
    assert (dry.log_cutoff, dry.log_entries) == (cutoff, 3)
    assert AuditEntry.objects.count() == before

    done = apply_retention(TODAY, dry_run=False)
    assert done.log_entries == 3
    remaining = AuditEntry.objects.filter(created_at__lt=cutoff)
    assert list(remaining.values_list("pk", flat=True)) == [old["change"]]
    assert AuditEntry.objects.filter(created_at=cutoff).count() == 4
    pruned = AuditEntry.objects.get(action="audit.access_log.pruned")
    assert pruned.kind == AuditEntry.Kind.CHANGE
    assert pruned.data == {"before": cutoff.isoformat(), "months": 6, "deleted": 3}
    # Again: nothing left to delete, and nothing more is logged.
    assert prune_access_log(TODAY, 6, dry_run=False)[1] == 0
    assert AuditEntry.objects.filter(action="audit.access_log.pruned").count() == 1


def test_the_command_says_what_it_deletes(world: Any, settings: Any, capsys: Any) -> None:
    settings.AUDIT_ACCESS_RETENTION_MONTHS = 60
    _entries_at(dt.datetime(2021, 12, 4, 12, 0, tzinfo=dt.UTC), world)
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat())
    assert "Ville slette 3 logposter om opslag og eksport fra før 05-12-2021 00:00." in capsys.readouterr().out
    call_command("apply_retention", "--today", TODAY.isoformat())
    assert "Slettede 3 logposter om opslag og eksport fra før 05-12-2021 00:00." in capsys.readouterr().out


@pytest.mark.postgres
def test_postgresql_lets_only_the_pruning_delete_and_never_a_change(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    access = AuditEntry.objects.create(kind="access", action="staff.employee.viewed")
    change = log_action(None, "test.something.happened", None, {})
    delete = "DELETE FROM audit_auditentry WHERE id = %s"
    # Without the transaction's setting, a view entry cannot be deleted either.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, [access.pk])
    # With it, a change entry still cannot.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('styrbord.audit_prune', 'on', true)")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(delete, [change.pk])
        cursor.execute(delete, [access.pk])  # while a view entry can
        assert cursor.rowcount == 1
        transaction.set_rollback(True)  # (kept: this test only asks whether it could)
    # The pruning's permission does not outlast it, even inside a longer transaction.
    prune_access_log(TODAY, 6, dry_run=False)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, [access.pk])
    assert AuditEntry.objects.filter(pk__in=[access.pk, change.pk]).count() == 2
