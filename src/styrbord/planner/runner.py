"""Runs solver jobs in worker processes (spawn) and collects what they stream back.

The caller never imports a solver. Worker processes are kept and reused: starting one
(a fresh interpreter importing numpy and highspy) costs a second or more, so ``prestart()``
starts one while the caller builds the model and runs the greedy. If a worker crashes or
overruns its time limit by more than a grace period, it is terminated, the last incumbent
it reported is used, and the next job gets a fresh worker.

``in_process=True`` runs the job in the calling process; only code that is itself a worker
(the national run's municipality workers) may do that.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from styrbord.planner import worker
from styrbord.planner.linear import LinearModel

GRACE_S = 20.0  # start-up, model transfer and the solver's own overrun
KEEP_IDLE = 2  # idle workers kept for reuse

Listener = Callable[[str, dict[str, Any]], None]


class SolverProcess:
    """One worker process serving jobs over a duplex pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=worker.serve, args=(child,), daemon=True, name="styrbord-planner")
        self.process.start()
        child.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=1.0)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=2.0)
        self.conn.close()


_idle: list[SolverProcess] = []
_lock = threading.Lock()


def prestart() -> None:
    """Make sure an idle worker is starting, so the next job need not wait for one."""
    with _lock:
        if not any(p.alive() for p in _idle):
            _idle.append(SolverProcess())


def _acquire() -> SolverProcess:
    with _lock:
        while _idle:
            candidate = _idle.pop()
            if candidate.alive():
                return candidate
            candidate.kill()
    return SolverProcess()


def _release(process: SolverProcess) -> None:
    with _lock:
        if process.alive() and len(_idle) < KEEP_IDLE:
            _idle.append(process)
            return
    process.close()


@atexit.register
def shutdown() -> None:
    """Stop idle workers (they are daemons anyway; this just ends them politely)."""
    with _lock:
        while _idle:
            _idle.pop().close()


def run_job(
    model: LinearModel, job: worker.Job, listener: Listener | None = None, in_process: bool = False
) -> dict[str, Any]:
    """Run ``job`` on ``model``; returns the last message of each kind."""
    out: dict[str, Any] = {"incumbent": None, "lp": None, "bound": None, "done": None, "error": None}

    def receive(message: tuple[str, dict[str, Any]]) -> None:
        kind, data = message
        out[kind] = data
        if listener is not None:
            listener(kind, data)

    if in_process:
        worker.run(model, job, receive)
        return out
    process = _acquire()
    healthy = _exchange(process.conn, process, model, job, receive, out)
    if healthy:
        _release(process)
    else:
        process.kill()
    return out


def _exchange(
    conn: Connection,
    process: SolverProcess,
    model: LinearModel,
    job: worker.Job,
    receive: Callable[[tuple[str, dict[str, Any]]], None],
    out: dict[str, Any],
) -> bool:
    """Send the job and relay messages until it is done; False if the worker must be discarded."""
    deadline = time.monotonic() + job.time_limit_s + GRACE_S
    try:
        conn.send((model, job))
    except (OSError, BrokenPipeError):
        out["error"] = {"message": "worker could not be reached"}
        return False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            out["error"] = {"message": "worker overran its time limit"}
            return False
        try:
            ready = conn.poll(min(remaining, 0.25))
        except (OSError, EOFError):
            ready = False
        if ready:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                out["error"] = {"message": f"worker exited with code {process.process.exitcode}"}
                return False
            receive(message)
            if message[0] in ("done", "error"):
                return message[0] == "done"
        elif not process.alive():
            out["error"] = {"message": f"worker exited with code {process.process.exitcode}"}
            return False
