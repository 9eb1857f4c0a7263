"""Large XLSX exports: rows streamed to a temporary file, then streamed to the browser.

``xlsx_response`` writes the sheets with ``lib.spreadsheets.write_xlsx`` (XlsxWriter in
constant-memory mode: each row goes to disk as the next starts) into a temporary file and
answers with a ``FileResponse`` that reads it back in chunks, so neither the rows nor the
finished workbook is ever held in memory; the file is deleted when the response is closed.

``python -m styrbord.reports.exports WRITER ROWS PATH`` is the worker `styrbord bench export`
runs in a fresh process per measurement, so peak memory is measured cleanly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse

from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.web.downloads import CONTENT_TYPES


class _DeletingFile:
    """A read handle on a temporary file that removes the file when closed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by FileResponse

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def close(self) -> None:
        self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def xlsx_response(sheets: Sequence[Sheet], filename: str) -> FileResponse:
    """Write the sheets to a temporary file and stream it as a download."""
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="styrbord-export-")
    os.close(fd)
    try:
        write_xlsx(sheets, path)
    except BaseException:
        os.unlink(path)
        raise
    size = os.path.getsize(path)
    response = FileResponse(
        _DeletingFile(path), as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )
    response["Content-Length"] = str(size)
    return response


# --- the benchmark worker ------------------------------------------------------------------

HEADERS = ["Ansættelsesnummer", "Navn", "Tilbud", "Timer", "Timeløn", "Startdato", "Kontaktperson"]
FACILITIES = ["Dolmer Have", "Bofællesskaberne Glesborg", "Skovstjernen", "Syddjurs Botilbud"]
START = dt.date(2015, 1, 1)


def bench_rows(n: int) -> Iterator[list[Any]]:
    """The benchmark's rows, generated lazily (the same rows for every writer)."""
    for i in range(n):
        yield [
            f"E{i:07d}",
            f"Medarbejder {i}",
            FACILITIES[i % len(FACILITIES)],
            30 + i % 8,
            Decimal(250 + i % 150) + Decimal("0.75"),
            START + dt.timedelta(days=i % 3650),
            i % 3 == 0,
        ]


def write_with_exporter(n: int, path: str) -> None:
    """Our exporter: lib.spreadsheets.write_xlsx."""
    write_xlsx([Sheet(name="Medarbejdere", headers=HEADERS, rows=bench_rows(n), money_columns={4})], path)


def write_with_xlsxwriter(n: int, path: str) -> None:
    """The baseline: XlsxWriter constant-memory mode, a bare loop of ws.write_* calls."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = workbook.add_worksheet("Medarbejdere")
    money = workbook.add_format({"num_format": "#,##0.00"})
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    for c, header in enumerate(HEADERS):
        ws.write_string(0, c, header)
    for r, row in enumerate(bench_rows(n), start=1):
        ws.write_string(r, 0, row[0])
        ws.write_string(r, 1, row[1])
        ws.write_string(r, 2, row[2])
        ws.write_number(r, 3, row[3])
        ws.write_number(r, 4, row[4], money)
        ws.write_datetime(r, 5, dt.datetime.combine(row[5], dt.time()), date)
        ws.write_boolean(r, 6, row[6])
    workbook.close()


WRITERS = {"exporter": write_with_exporter, "xlsxwriter": write_with_xlsxwriter}


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmRSS: now, VmHWM: peak), in KiB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak() -> bool:
    """Start the peak-RSS mark (VmHWM) afresh from the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def run_worker(writer: str, n: int, path: str) -> dict[str, Any]:
    """Write once and report seconds and the peak memory the writing added (KiB).

    Not ``getrusage().ru_maxrss``: Linux carries the parent's peak RSS over an exec, so a worker
    started by a 100 MB Django process would report ~100 MB whatever it wrote. VmHWM belongs
    to this process's own memory map, and is reset just before writing.
    """
    import xlsxwriter  # noqa: F401 - loaded before measuring, so neither writer pays for the import

    gc.collect()
    before = _status_kib("VmRSS")
    reset = _reset_peak()
    start, cpu_start = time.perf_counter(), time.process_time()
    WRITERS[writer](n, path)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak = _status_kib("VmHWM")
    return {
        "writer": writer,
        "rows": n,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_kib": max(0, peak - before),
        "peak_total_kib": peak,
        "peak_reset": reset,
        "bytes": os.path.getsize(path),
    }


if __name__ == "__main__":
    writer_name, rows, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sys.stdout.write(json.dumps(run_worker(writer_name, rows, target)) + "\n")
