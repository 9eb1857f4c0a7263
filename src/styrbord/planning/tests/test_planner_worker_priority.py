"""The solver's worker process runs at a lower CPU priority than the process that starts it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from styrbord.planner.runner import SolverProcess
from styrbord.planner.worker import SOLVER_NICENESS


def _niceness(pid: int) -> int:
    # /proc/<pid>/stat: field 19 is the nice value (the command name in field 2 may hold spaces).
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_solver_worker_is_niced_below_the_web_process() -> None:
    ours = os.nice(0)
    worker = SolverProcess()
    try:
        expected = min(19, ours + SOLVER_NICENESS)
        deadline = time.monotonic() + 30
        seen = _niceness(worker.process.pid)
        while seen != expected and time.monotonic() < deadline:  # the spawned interpreter is starting
            time.sleep(0.1)
            seen = _niceness(worker.process.pid)
        assert seen == expected
    finally:
        worker.close()
