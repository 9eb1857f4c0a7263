"""`styrbord demo` runs background work in a child process at lower CPU priority."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from styrbord.demo.management.commands import demo


def test_the_worker_child_runs_at_lower_priority() -> None:
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpriority(os.PRIO_PROCESS, 0))"],
        preexec_fn=demo._background_child,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) == min(19, mine + demo.WORKER_NICENESS)


def test_the_demo_starts_db_worker_for_every_queue_without_the_reloader(settings: Any, monkeypatch) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    started: list[list[str]] = []

    class FakePopen:
        pid = 4242

        def __init__(self, command: list[str], **kwargs: Any) -> None:
            assert kwargs["preexec_fn"] is demo._background_child
            started.append(command)

    monkeypatch.setattr(demo.subprocess, "Popen", FakePopen)

    worker = demo.Command()._start_worker(verbosity=0)

    assert isinstance(worker, FakePopen)
    [command] = started
    assert command[:4] == [sys.executable, "-m", "styrbord.cli", "db_worker"]
    assert command[command.index("--queue-name") + 1] == "*"
    assert "--no-reload" in command


@pytest.mark.parametrize("backend", ["django_tasks.backends.immediate.ImmediateBackend", "django_tasks_rq.RQBackend"])
def test_no_worker_is_started_when_tasks_do_not_go_through_the_database(settings: Any, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": ["default"]}}

    assert demo.Command()._start_worker(verbosity=0) is None
