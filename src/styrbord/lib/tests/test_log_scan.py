"""The log-scan plugin finds CPR numbers and employees' names in logs, URLs and file names."""

from __future__ import annotations

import logging

from styrbord.testing.logscan import CPR_PATTERN, Scan


def test_it_recognises_cpr_numbers_with_and_without_a_dash() -> None:
    assert CPR_PATTERN.search("person 010190-1234 imported")
    assert CPR_PATTERN.search("cpr=3112991234")
    assert not CPR_PATTERN.search("order 20261123-1200")  # day 20, month 26: not a date
    assert not CPR_PATTERN.search("id 123456789012")  # longer digit runs are not CPR numbers
    # Ten digits inside a random hex token (an upload's folder) are part of the token.
    assert not CPR_PATTERN.search("/medarbejdere/import/3bc525f4d84696021214b2107079894a/")


def test_it_reports_a_name_and_a_cpr_number_wherever_they_appear() -> None:
    scan = Scan()
    scan.names.update({"Karen Testesen", "Bo"})
    scan.add("log styrbord.staff", "imported row 4 for karen testesen")
    scan.add("URL", "/medarbejdere/?cpr=0101901234")
    scan.add("file name", 'attachment; filename="persondata-medarbejder-12.xlsx"')
    scan.add("log styrbord.x", "Bo is too short a name to scan for")
    findings = scan.findings()
    assert len(findings) == 2
    assert "karen testesen" in findings[0]
    assert "CPR-like" in findings[1]


def test_the_plugin_is_collecting_this_sessions_log_records(world) -> None:  # type: ignore[no-untyped-def]
    from styrbord.testing.logscan import SCAN

    before = len(SCAN.lines)
    logging.getLogger("styrbord.lib.tests").debug("a harmless debug line with no personal data")
    assert len(SCAN.lines) == before + 1
    # Employees created by the world fixture are watched for.
    assert world.dolmer_staff[0].name in SCAN.names


def test_a_finding_turns_the_session_into_a_failure(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    import pytest

    from styrbord.testing import logscan

    scan = Scan()
    scan.add("log styrbord.staff", "CPR 010190-1234 seen")
    monkeypatch.setattr(logscan, "SCAN", scan)
    config = SimpleNamespace(stash=pytest.Stash())
    session = SimpleNamespace(config=config, exitstatus=pytest.ExitCode.OK)
    logscan.pytest_sessionfinish(session, 0)  # type: ignore[arg-type]
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED
    assert len(config.stash[logscan._findings_key]) == 1


def test_names_are_matched_as_whole_words() -> None:
    scan = Scan()
    scan.names.add("Medarbejder 1")
    scan.add("log styrbord.x", "imported Medarbejder 12 rows")
    assert scan.findings() == []
    scan.add("log styrbord.x", "imported Medarbejder 1.")
    assert len(scan.findings()) == 1
