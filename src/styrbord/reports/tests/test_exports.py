"""Streaming XLSX downloads and the export benchmark's plumbing (no timing is asserted here)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
from django.core.signals import request_finished
from django.db import close_old_connections

from styrbord.lib.spreadsheets import Sheet
from styrbord.reports.benchmarks import run
from styrbord.reports.exports import bench_rows, run_worker, xlsx_response


def test_a_large_export_streams_from_a_temporary_file_that_is_removed_afterwards(db: object) -> None:
    sheet = Sheet(name="Rækker", headers=["Nr", "Navn"], rows=([i, f"=CMD|{i}"] for i in range(5000)))
    response = xlsx_response([sheet], "eksport.xlsx")
    path = response.file_to_stream.path  # type: ignore[union-attr]
    assert os.path.exists(path)
    assert response["Content-Disposition"] == 'attachment; filename="eksport.xlsx"'
    content = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)  # as the test client does
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert not os.path.exists(path)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == 5001
    assert rows[1] == (0, "'=CMD|0")  # formula injection neutralised


def test_both_benchmark_writers_write_the_same_cells(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    assert run_worker("exporter", 50, str(ours))["rows"] == 50
    run_worker("xlsxwriter", 50, str(theirs))
    a = list(openpyxl.load_workbook(ours).active.iter_rows(values_only=True))
    b = list(openpyxl.load_workbook(theirs).active.iter_rows(values_only=True))
    assert a == b
    assert len(a) == 51
    assert next(iter(bench_rows(1)))[0] == "E0000000"


def test_the_benchmark_reports_both_ratios() -> None:
    result = run({"rows": 200, "repeat": 1})
    assert set(result) >= {
        "speed_ratio",
        "speed_ratio_wall",
        "memory_ratio",
        "speed_ok",
        "memory_ok",
        "exporter",
        "xlsxwriter_constant_memory",
    }
    assert result["rows"] == 200
    assert result["exporter"]["bytes"] > 0
    assert result["exporter"]["best_cpu_seconds"] > 0


def test_a_workers_peak_memory_is_its_own_not_the_parents() -> None:
    # Linux carries a parent's peak RSS over fork and exec into ru_maxrss; the worker must not
    # report this process's 100 MB as the memory its 200 rows needed.
    ballast = b"\x01" * (100 * 1024 * 1024)
    result = run({"rows": 200, "repeat": 1})
    assert len(ballast) > 0
    for writer in ("exporter", "xlsxwriter_constant_memory"):
        assert result[writer]["peak_kib"] < 20 * 1024, result[writer]
        assert result[writer]["peak_total_kib"] < 100 * 1024, result[writer]
