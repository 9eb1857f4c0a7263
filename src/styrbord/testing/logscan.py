"""pytest plugin: fail the run if any log line, URL or file name shows a CPR number or a person's name.

Installed from the root conftest (``pytest_plugins``). During the whole session it
- keeps every log record (a handler on the root logger; Styrbord's own loggers log DEBUG too),
- records the path of every request the test client or live server serves, and the file name
  of every download (Content-Disposition),
- collects the name of every Employee row saved (post_save), except anonymised ones.
At the end it scans the records for CPR-shaped numbers and those names, prints what it found
and turns the run into a failure. Under pytest-xdist each worker scans its own records and
the controller fails the run if any worker found something.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

# A CPR number: DDMMYY-SSSS (the dash optional), the date part a plausible day and month.
CPR_PATTERN = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?!\d)")
MIN_NAME_LENGTH = 5
WORKER_KEY = "styrbord_logscan"


@dataclass
class Scan:
    """What the session produced, and the names to look for."""

    lines: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    names: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, where: str, text: str) -> None:
        with self.lock:
            self.lines.append((where, text))

    def findings(self) -> list[str]:
        names = sorted((n for n in self.names if len(n) >= MIN_NAME_LENGTH), key=len, reverse=True)
        # Whole words only: "Medarbejder 1" is not found inside "Medarbejder 12".
        alternatives = "|".join(re.escape(n) for n in names)
        name_pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if names else None
        found: list[str] = []
        for where, text in self.lines:
            if CPR_PATTERN.search(text):
                found.append(f"CPR-like number in {where}: {text[:200]!r}")
            match = name_pattern.search(text) if name_pattern is not None else None
            if match is not None:
                found.append(f"person's name {match.group(0)!r} in {where}: {text[:200]!r}")
        return found


SCAN = Scan()


class CollectingHandler(logging.Handler):
    """Keeps the formatted message (and exception text) of every record."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is still a line someone could read
            text = f"{record.msg} {record.args}"
        if record.exc_info and record.exc_info[1] is not None:
            text = f"{text} {record.exc_info[1]}"
        SCAN.add(f"log {record.name}", text)


_handler = CollectingHandler(level=logging.DEBUG)


def _install_handler() -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    # Our own code at every level; third-party libraries at their configured level.
    logging.getLogger("styrbord").setLevel(logging.DEBUG)


_paused = threading.local()


@contextmanager
def names_not_watched() -> Iterator[None]:
    """Don't collect names saved in the block (a fuzzer's random strings are not people's names)."""
    _paused.active = True
    try:
        yield
    finally:
        _paused.active = False


def _collect_name(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(_paused, "active", False):
        return
    if instance._meta.label == "staff.Employee" and instance.anonymised_at is None and instance.name:
        name = str(instance.name).strip()
        if " " in name:  # a person's full name; single words are too common to scan for
            SCAN.names.add(name)


def _patch_request_handling() -> None:
    """Record each request path and download file name served in the session."""
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response
    if getattr(original, "_styrbord_logscan", False):
        return

    def get_response(self: Any, request: Any) -> Any:
        response = original(self, request)
        SCAN.add("URL", request.get_full_path())
        disposition = response.get("Content-Disposition") if hasattr(response, "get") else None
        if disposition:
            SCAN.add("file name", disposition)
        return response

    get_response._styrbord_logscan = True  # type: ignore[attr-defined]
    BaseHandler.get_response = get_response  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _install_handler()


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # Django is set up by pytest-django by now. LOGGING (dictConfig) may have replaced
    # root handlers since pytest_configure, so install again.
    from django.db.models.signals import post_save

    _install_handler()
    post_save.connect(_collect_name, dispatch_uid="styrbord_logscan_names", weak=False)
    _patch_request_handling()


_worker_findings: list[str] = []


def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: gather what each worker found."""
    _worker_findings.extend(getattr(node, "workeroutput", {}).get(WORKER_KEY, []))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    findings = SCAN.findings()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: report to the controller
        workeroutput[WORKER_KEY] = findings
        return
    findings += _worker_findings
    session.config.stash[_findings_key] = findings
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_findings_key = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if getattr(config, "workeroutput", None) is not None:
        return
    findings = config.stash.get(_findings_key, [])
    terminalreporter.section("personal data in logs, URLs and file names")
    terminalreporter.write_line(
        f"log scan: {len(SCAN.lines)} records scanned, {len(SCAN.names)} employee names watched, "
        f"{len(findings)} findings"
    )
    for finding in findings[:50]:
        terminalreporter.write_line(f"  {finding}", red=True)
