"""`styrbord bench export`: our streaming XLSX exporter against XlsxWriter's constant-memory mode.

Both write the same rows (100.000 by default) in the same run, each in a fresh Python process so
its peak memory is its own. Reported: the speed ratio (baseline CPU time / our CPU time, best of
``repeat``; goal >= 0,9; the wall-time ratio alongside)
and the peak-memory ratio (the peak RSS our writing adds / the peak the baseline's adds; goal <= 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from typing import Any

from styrbord.bench.registry import Benchmark
from styrbord.reports.exports import WRITERS

SPEED_GOAL = 0.9
MEMORY_GOAL = 2.0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="Rows to write (default 100.000).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs per writer; the best time counts (default 5).")


def _measure(writer: str, rows: int, path: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "styrbord.reports.exports", writer, str(rows), path],
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(options: dict[str, Any]) -> dict[str, Any]:
    """Alternate the writers ``repeat`` times; compare best times and median peak memory."""
    rows, repeat = int(options.get("rows") or 100_000), max(1, int(options.get("repeat") or 5))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in WRITERS}
    with tempfile.TemporaryDirectory(prefix="styrbord-bench-export-") as tmp:
        for i in range(repeat):
            order = list(WRITERS) if i % 2 == 0 else list(reversed(WRITERS))
            for writer in order:
                runs[writer].append(_measure(writer, rows, os.path.join(tmp, f"{writer}-{i}.xlsx")))
    ours, base = runs["exporter"], runs["xlsxwriter"]
    our_time = min(r["seconds"] for r in ours)
    base_time = min(r["seconds"] for r in base)
    our_cpu = min(r["cpu_seconds"] for r in ours)
    base_cpu = min(r["cpu_seconds"] for r in base)
    our_peak = statistics.median(r["peak_kib"] for r in ours)
    base_peak = statistics.median(r["peak_kib"] for r in base)
    our_total = statistics.median(r["peak_total_kib"] for r in ours)
    base_total = statistics.median(r["peak_total_kib"] for r in base)
    # Speed is compared on CPU time: both writers are single-threaded and CPU-bound (the temp
    # files stay in the page cache), and on a shared machine wall time mostly measures the
    # other processes. The wall-time ratio is reported next to it.
    speed = base_cpu / our_cpu if our_cpu else 0.0
    speed_wall = base_time / our_time if our_time else 0.0
    memory = our_peak / base_peak if base_peak else 0.0
    return {
        "benchmark": "export",
        "rows": rows,
        "repeat": repeat,
        "exporter": {
            "best_seconds": round(our_time, 3),
            "best_cpu_seconds": round(our_cpu, 3),
            "seconds": [round(r["seconds"], 3) for r in ours],
            "cpu_seconds": [round(r["cpu_seconds"], 3) for r in ours],
            "peak_kib": our_peak,
            "peak_total_kib": our_total,
            "bytes": ours[0]["bytes"],
        },
        "xlsxwriter_constant_memory": {
            "best_seconds": round(base_time, 3),
            "best_cpu_seconds": round(base_cpu, 3),
            "seconds": [round(r["seconds"], 3) for r in base],
            "cpu_seconds": [round(r["cpu_seconds"], 3) for r in base],
            "peak_kib": base_peak,
            "peak_total_kib": base_total,
            "bytes": base[0]["bytes"],
        },
        "speed_ratio": round(speed, 3),
        "speed_goal": f">= {SPEED_GOAL}",
        "speed_ok": speed >= SPEED_GOAL,
        "speed_ratio_wall": round(speed_wall, 3),
        "memory_ratio": round(memory, 3),
        "memory_goal": f"<= {MEMORY_GOAL}",
        "memory_ok": memory <= MEMORY_GOAL,
        # The whole process's peak (interpreter and imports included), for context only.
        "memory_total_ratio": round(our_total / base_total, 3) if base_total else 0.0,
        "memory_note": "peak_kib: peak RSS added while writing (VmHWM after a reset, minus RSS before)",
    }


BENCHMARKS = {
    "export": Benchmark(
        help="XLSX export of 100.000 rows: our exporter vs XlsxWriter constant-memory (time and peak memory ratios).",
        run=run,
        add_arguments=_add_arguments,
    )
}
