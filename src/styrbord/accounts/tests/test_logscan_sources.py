"""The log scan watches every source: non-propagating loggers, the CLI's stderr, and names saved in bulk or raw."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

from styrbord.accounts.models import Role
from styrbord.staff.models import Employee
from styrbord.testing import factories
from styrbord.testing.logscan import SCAN, Scan, _is_styrbord_command, collect_names_from_database


def test_a_logger_that_does_not_propagate_to_the_root_is_scanned_too(db) -> None:  # type: ignore[no-untyped-def]
    from styrbord.testing.logscan import _attach_to_non_propagating

    logger = logging.getLogger("styrbord.tests.isolated_logger")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    _attach_to_non_propagating()
    before = len(SCAN.lines)
    logger.info("a line from a logger that keeps its records to itself")
    assert SCAN.lines[before:] == [
        ("log styrbord.tests.isolated_logger", "a line from a logger that keeps its records to itself")
    ]
    # Django's request log for runserver does not propagate either; it is watched as well.
    assert any(h.__class__.__name__ == "CollectingHandler" for h in logging.getLogger("django.server").handlers)


def test_what_the_styrbord_command_line_writes_to_stderr_is_scanned() -> None:
    before = len(SCAN.lines)
    code = "import sys; sys.stderr.write('first stderr line\\nsecond stderr line\\n')"
    subprocess.run([sys.executable, "-c", code, "styrbord"], capture_output=True, text=True, check=True)
    assert SCAN.lines[before:] == [
        ("styrbord subprocess log", "first stderr line"),
        ("styrbord subprocess log", "second stderr line"),
    ]
    # Other programs' output (pdftotext, chromium, ...) is not ours to scan.
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert len(SCAN.lines) == before + 2
    assert _is_styrbord_command([sys.executable, "-m", "styrbord", "backup"])
    assert _is_styrbord_command([sys.executable, "-m", "styrbord.funding.tests.concurrency"])
    assert not _is_styrbord_command(["pdftotext", "-layout", "-", "-"])


def test_names_saved_in_bulk_or_behind_the_orms_back_are_watched(db) -> None:  # type: ignore[no-untyped-def]
    Employee.objects.bulk_create(
        [Employee(municipality=factories.municipality(), person_key="bulk-1", name="Bulkfrida Masseoprettet")]
    )
    assert "Bulkfrida Masseoprettet" in SCAN.names
    person = factories.employee(name="Rasmus Foreløbig")
    Employee.objects.filter(pk=person.pk).update(name="Rawdata Uden Signal")  # no post_save, like COPY
    assert "Rawdata Uden Signal" not in SCAN.names
    collect_names_from_database()
    assert "Rawdata Uden Signal" in SCAN.names


def test_the_full_names_of_user_accounts_are_watched(db) -> None:  # type: ignore[no-untyped-def]
    factories.user(Role.COORDINATOR, "kontonavn-test", first_name="Kontofrida", last_name="Brugersen")
    assert "Kontofrida Brugersen" in SCAN.names


def test_names_are_found_whatever_the_separator_and_thousands_of_them_scan_fast() -> None:
    scan = Scan()
    scan.names.update({f"Fornavn{i} Efternavn{i}" for i in range(5000)})
    scan.names.add("0 0 0 0")  # a fuzzer's string, not a name
    for i in range(20_000):
        scan.add("URL", f"/medarbejdere/{i}/?side=2&sortering=navn")
    scan.add("URL", "/medarbejdere/?soeg=fornavn17+efternavn17")
    scan.add("log styrbord.x", "matrix 0 0 0 0 ok")
    started = time.perf_counter()
    findings = scan.findings()
    assert time.perf_counter() - started < 20
    assert len(findings) == 1
    assert "fornavn17 efternavn17" in findings[0]
