"""pytest plugin: fail the run if any log line, URL or file name shows a CPR number or a person's name.

Installed from the root conftest (``pytest_plugins``). During the whole session it
- keeps every log record (a handler on the root logger, and on every logger that does not
  propagate to it, such as ``django.server``; Styrbord's own loggers log DEBUG too),
- keeps what the ``styrbord`` command line, run by a test in a subprocess, writes to stderr
  (where its log goes),
- records the path of every request the test client or live server serves, and the file name
  of every download (Content-Disposition),
- collects the names of people: every Employee (and every User with a first and last name)
  saved one by one (post_save) or in bulk (``bulk_create``), and, at the end of each test that
  uses the database, the names in the Employee table (rows written with COPY or raw SQL by the
  HR import are seen there); anonymised people are left out.
At the end it scans the records for CPR-shaped numbers and those names, prints what it found
and turns the run into a failure. Under pytest-xdist each worker scans its own records and
the controller fails the run if any worker found something.

Being the one plugin every run loads, it also prints the counts other security tests report
with ``report_summary`` (the authorisation matrix, Schemathesis) in pytest's terminal summary,
so CI logs show them whatever the output capture and also under pytest-xdist.
"""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

# A CPR number: DDMMYY-SSSS (the dash optional), the date part a plausible day and month, standing
# on its own: ten digits inside a random hex token (an upload's folder name, "...4b2107079894a")
# are part of the token, not a CPR number.
CPR_PATTERN = re.compile(r"(?<![0-9A-Za-z])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?![0-9A-Za-z])")
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

    def add_name(self, name: str) -> None:
        name = " ".join(str(name).split())
        if " " in name:  # a person's full name; single words are too common to scan for
            self.names.add(name)

    def findings(self) -> list[str]:
        # Names as sequences of words, matched as whole words and case-insensitively: "Medarbejder 1"
        # is not found inside "Medarbejder 12". A set lookup per word run, so thousands of names
        # (a demo build) cost no more than a few.
        by_first: dict[str, set[tuple[str, ...]]] = {}
        longest = 0
        for name in self.names:
            if len(name) < MIN_NAME_LENGTH:
                continue
            words = tuple(_WORD.findall(name.casefold()))
            # Two words or more, with some letters: "0 0 0" from a fuzzer is not a person's name.
            if len(words) >= 2 and sum(c.isalpha() for c in name) >= 4:
                by_first.setdefault(words[0], set()).add(words)
                longest = max(longest, len(words))
        found: list[str] = []
        for where, text in self.lines:
            if CPR_PATTERN.search(text):
                found.append(f"CPR-like number in {where}: {text[:200]!r}")
            if by_first:
                match = _find_name(text, by_first, longest)
                if match is not None:
                    found.append(f"person's name {match!r} in {where}: {text[:200]!r}")
        return found


_WORD = re.compile(r"\w+")


def _find_name(text: str, by_first: dict[str, set[tuple[str, ...]]], longest: int) -> str | None:
    words = _WORD.findall(text.casefold())
    for i, word in enumerate(words):
        candidates = by_first.get(word)
        if not candidates:
            continue
        for size in range(2, longest + 1):
            run = tuple(words[i : i + size])
            if len(run) == size and run in candidates:
                return " ".join(run)
    return None


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
    _attach_to_non_propagating()


_seen_loggers = 0


def _attach_to_non_propagating() -> None:
    """Loggers that do not propagate (``django.server``, ...) never reach the root handler: add it there."""
    global _seen_loggers
    loggers = logging.Logger.manager.loggerDict
    if len(loggers) == _seen_loggers:
        return
    _seen_loggers = len(loggers)
    for logger in list(loggers.values()):
        if isinstance(logger, logging.Logger) and not logger.propagate and _handler not in logger.handlers:
            logger.addHandler(_handler)


_paused = threading.local()


@contextmanager
def names_not_watched() -> Iterator[None]:
    """Don't collect names saved in the block (a fuzzer's random strings are not people's names)."""
    _paused.active = True
    try:
        yield
    finally:
        _paused.active = False


def _person_name(instance: Any) -> str:
    label = instance._meta.label
    if label == "staff.Employee":
        return "" if instance.anonymised_at is not None else str(instance.name or "")
    if label == "accounts.User" and instance.first_name and instance.last_name:
        return f"{instance.first_name} {instance.last_name}"
    return ""


def _collect_name(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(_paused, "active", False):
        return
    name = _person_name(instance)
    if name:
        SCAN.add_name(name)


def _patch_bulk_create() -> None:
    """``bulk_create`` sends no post_save: collect the names of people created in bulk too."""
    from django.db.models.query import QuerySet

    original = QuerySet.bulk_create
    if getattr(original, "_styrbord_logscan", False):
        return

    def bulk_create(self: Any, objs: Any, *args: Any, **kwargs: Any) -> Any:
        created = original(self, objs, *args, **kwargs)
        if self.model._meta.label in {"staff.Employee", "accounts.User"} and not getattr(_paused, "active", False):
            for obj in created:
                name = _person_name(obj)
                if name:
                    SCAN.add_name(name)
        return created

    bulk_create._styrbord_logscan = True  # type: ignore[attr-defined]
    QuerySet.bulk_create = bulk_create  # type: ignore[method-assign]


def collect_names_from_database() -> None:
    """The names in the Employee table now (rows the ORM never saw: COPY, raw SQL)."""
    from django.db import transaction

    from styrbord.staff.models import Employee

    # In a savepoint: a failing query must not break the transaction the test's teardown rolls back.
    with transaction.atomic():
        names = list(Employee.objects.filter(anonymised_at__isnull=True).values_list("name", flat=True))
    for name in names:
        if name:
            SCAN.add_name(name)


def _is_styrbord_command(args: Any) -> bool:
    """A subprocess running Styrbord's own code (``python -m styrbord...`` or the ``styrbord`` script)."""
    parts = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
    return any(p == "styrbord" or p.startswith("styrbord.") or p.endswith("/styrbord") for p in parts)


def _patch_subprocess() -> None:
    """Keep what Styrbord's command line writes to stderr (its log) when a test runs it."""
    original = subprocess.run
    if getattr(original, "_styrbord_logscan", False):
        return

    def run(*popenargs: Any, **kwargs: Any) -> Any:
        completed = original(*popenargs, **kwargs)
        args = popenargs[0] if popenargs else kwargs.get("args", ())
        stderr = getattr(completed, "stderr", None)
        if stderr and _is_styrbord_command(args):
            text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else str(stderr)
            for line in text.splitlines():
                if line.strip():
                    SCAN.add("styrbord subprocess log", line)
        return completed

    run._styrbord_logscan = True  # type: ignore[attr-defined]
    subprocess.run = run  # type: ignore[assignment]


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
    _patch_bulk_create()
    _patch_subprocess()


def _uses_database(item: pytest.Item) -> bool:
    return "_django_db_helper" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    # Before the test's fixtures are torn down (its database rows rolled back or flushed).
    _attach_to_non_propagating()
    if _uses_database(item):
        # No database here after all (e.g. access blocked): nothing to collect.
        with contextlib.suppress(Exception):
            collect_names_from_database()


_worker_findings: list[str] = []
_worker_counts: list[tuple[int, int]] = []
SUMMARIES: dict[str, list[str]] = {}


def report_summary(title: str, line: str) -> None:
    """A line for the terminal summary under ``title`` (printed at the end of the run)."""
    SUMMARIES.setdefault(title, []).append(line)


def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: gather what each worker found."""
    output = getattr(node, "workeroutput", {})
    _worker_findings.extend(output.get(WORKER_KEY, []))
    _worker_counts.append(tuple(output.get(f"{WORKER_KEY}_counts", (0, 0))))  # type: ignore[arg-type]
    for title, lines in output.get(f"{WORKER_KEY}_summaries", {}).items():
        SUMMARIES.setdefault(title, []).extend(lines)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    findings = SCAN.findings()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: report to the controller
        workeroutput[WORKER_KEY] = findings
        workeroutput[f"{WORKER_KEY}_counts"] = (len(SCAN.lines), len(SCAN.names))
        workeroutput[f"{WORKER_KEY}_summaries"] = SUMMARIES
        return
    findings += _worker_findings
    session.config.stash[_findings_key] = findings
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_findings_key = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if getattr(config, "workeroutput", None) is not None:
        return
    for title, summary in SUMMARIES.items():
        terminalreporter.section(title)
        for text in summary:
            terminalreporter.write_line(text)
    findings = config.stash.get(_findings_key, [])
    terminalreporter.section("personal data in logs, URLs and file names")
    scanned, watched = len(SCAN.lines), len(SCAN.names)
    for worker in _worker_counts:
        scanned += worker[0]
        watched += worker[1]
    terminalreporter.write_line(
        f"log scan: {scanned} records scanned, {watched} names of people watched, {len(findings)} findings"
    )
    for finding in findings[:50]:
        terminalreporter.write_line(f"  {finding}", red=True)
