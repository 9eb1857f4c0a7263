"""`styrbord bench import`: the HR import of 100.000 employment rows, as CSV and as XLSX.

The bench writes the files itself (in a temporary folder), in the Danish formats municipalities
send ("37,0", "01-02-2020", "312,50"), and times the full import (parse + validate + apply,
through ``run_import``) on the configured database, with the peak memory (RSS sampled by
psutil). In the same run it measures two baselines on the same rows:

- raw load: PostgreSQL COPY of the CSV file into a plain table of the same columns (text, no
  indexes or constraints); on SQLite, csv.reader + executemany into such a table. Goal: raw
  time / import time >= 0,5, validation included.
- one by one: ``Employee.objects.create`` + ``Employment.objects.create`` per row (parsing the
  same cells), timed on a sample and extrapolated. Goal: at least 10x slower than the import.

Everything the bench creates is in its own facilities (``Bench ...``) and removed afterwards
unless ``--keep``. On PostgreSQL the people and employment tables are vacuumed before each
import, so that every run starts from the same tables (``_vacuum``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil
from django.core.management import call_command
from django.db import connection, transaction

from styrbord.bench.registry import Benchmark
from styrbord.lib.formatting import parse_decimal
from styrbord.organisations.models import Facility, Municipality, Unit
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import read_delivery, run_import
from styrbord.staff.importing.values import parse_bool, parse_date
from styrbord.staff.models import EducationPeriod, Employee, Employment, JobCode, JobGroup

HEADERS = [
    "Medarbejdernr",
    "Navn",
    "E-mail",
    "Ansættelsesnr",
    "AfdelingsId",
    "Stillingskode",
    "Ansættelsestype",
    "Timer pr. uge",
    "Ansat fra",
    "Ansat til",
    "Timeløn",
    "Kontaktperson",
    "Fødselsår",
]
MAPPING = {
    "person_id": "Medarbejdernr",
    "name": "Navn",
    "email": "E-mail",
    "employment_number": "Ansættelsesnr",
    "department_id": "AfdelingsId",
    "job_code": "Stillingskode",
    "kind": "Ansættelsestype",
    "weekly_hours": "Timer pr. uge",
    "start_date": "Ansat fra",
    "end_date": "Ansat til",
    "hourly_wage": "Timeløn",
    "is_contact_person": "Kontaktperson",
    "birth_year": "Fødselsår",
}
JOB_CODES = [
    ("BENCH-SP", "Socialpædagog", JobGroup.SOCIAL_EDUCATOR),
    ("BENCH-SA", "Social- og sundhedsassistent", JobGroup.SOSU_ASSISTANT),
    ("BENCH-SH", "Social- og sundhedshjælper", JobGroup.SOSU_HELPER),
    ("BENCH-PM", "Pædagogmedhjælper", JobGroup.CARE_ASSISTANT),
    ("BENCH-SY", "Sygeplejerske", JobGroup.NURSE),
    ("BENCH-AL", "Afdelingsleder", JobGroup.MANAGER),
]
FACILITIES = 50
UNITS_PER_FACILITY = 4
FIRST_NAMES = ["Anne", "Søren", "Åse", "Mette", "Jørgen", "Lise", "Bo", "Ida", "Niels", "Karen"]
LAST_NAMES = ["Ærø", "Østergård", "Hansen", "Jensen", "Nielsen", "Bæk", "Krøyer", "Løvstrøm"]
KINDS = ["Fastansat"] * 7 + ["Timelønnet", "Tidsbegrænset", "Elev"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="employment rows in each file")
    parser.add_argument("--orm-sample", type=int, default=2000, help="rows saved one by one for the ORM baseline")
    parser.add_argument("--municipality", default="0316", help="municipality the bench facilities belong to")
    parser.add_argument("--formats", default="csv,xlsx", help="which files to import: csv, xlsx or both")
    parser.add_argument("--migrate", action="store_true", help="run migrations first (for a fresh bench database)")
    parser.add_argument("--keep", action="store_true", help="keep the imported rows afterwards")


# --- data ------------------------------------------------------------------------------------------


def _rows(count: int) -> Iterator[list[str]]:
    """Deterministic rows; every 20th person has a second employment."""
    person = 0
    for i in range(count):
        if i % 20 != 19:
            person += 1
        facility, unit = divmod(i % (FACILITIES * UNITS_PER_FACILITY), UNITS_PER_FACILITY)
        start = dt.date(2005 + i % 20, 1 + i % 12, 1 + i % 28)
        ended = i % 25 == 0
        hours = Decimal(37) - Decimal(i % 5) * Decimal("3.7") if i % 3 else Decimal(37)
        yield [
            f"BP-{person:06d}",
            f"{FIRST_NAMES[person % 10]} {LAST_NAMES[person % 8]} {person}",
            f"p{person}@example.dk",
            f"B-{i + 1:07d}",
            f"BENCH-U{facility:02d}-{unit}",
            JOB_CODES[i % len(JOB_CODES)][0],
            KINDS[i % len(KINDS)],
            format(hours.quantize(Decimal("0.0")), "f").replace(".", ","),
            start.strftime("%d-%m-%Y"),
            dt.date(2024, 12, 31).strftime("%d-%m-%Y") if ended else "",
            f"{280 + i % 90},{(i * 7) % 100:02d}",
            "ja" if i % 4 == 0 else "nej",
            str(1960 + person % 45),
        ]


def _write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(_rows(count))


def _write_xlsx(path: Path, count: int) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Ansatte")
    date_format = workbook.add_format({"num_format": "dd-mm-yyyy"})
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(_rows(count), start=1):
        for c, value in enumerate(row):
            if c in (7, 10):
                sheet.write_number(r, c, float(parse_decimal(value)))
            elif c in (8, 9) and value:
                sheet.write_datetime(r, c, dt.datetime.combine(parse_date(value), dt.time()), date_format)
            elif c == 12:
                sheet.write_number(r, c, int(value))
            else:
                sheet.write_string(r, c, value)
    workbook.close()


# --- setup and cleanup -------------------------------------------------------------------------------


def _setup(municipality: Municipality) -> None:
    for code, name, group in JOB_CODES:
        JobCode.objects.update_or_create(code=code, defaults={"name": name, "job_group": group})
    for f in range(FACILITIES):
        facility, _ = Facility.objects.get_or_create(name=f"Bench Botilbud {f:02d}", municipality=municipality)
        for u in range(UNITS_PER_FACILITY):
            Unit.objects.get_or_create(
                hr_department_id=f"BENCH-U{f:02d}-{u}", defaults={"facility": facility, "name": f"Afdeling {u}"}
            )


def _clear_imported(municipality: Municipality) -> None:
    """Remove what earlier runs imported. Raw deletes: nothing else refers to bench rows, and the
    ORM's cascade collector would take minutes over 100.000 rows."""
    with transaction.atomic():
        employments = Employment.objects.filter(
            facility__municipality=municipality, facility__name__startswith="Bench "
        )
        employments._raw_delete(employments.db)  # type: ignore[attr-defined]
        people = Employee.objects.filter(municipality=municipality, person_key__startswith=f"{municipality.code}:BP-")
        periods = EducationPeriod.objects.filter(employee__in=people)  # their education history
        periods._raw_delete(periods.db)  # type: ignore[attr-defined]
        people._raw_delete(people.db)  # type: ignore[attr-defined]
        ours = [
            batch.pk
            for batch in ImportBatch.objects.filter(municipality=municipality).only("file_names")
            if {"bench.csv", "bench.xlsx"} & set(batch.file_names)
        ]
        ImportBatch.objects.filter(pk__in=ours).delete()


def _vacuum() -> None:
    """PostgreSQL: VACUUM (ANALYZE) the tables the import writes, after ``_clear_imported``, so that
    every run imports into the same tables. The raw deletes leave each earlier run's 195.000 rows
    behind as dead rows until autovacuum comes by; until then the re-import's reads of the
    municipality's people and employments went over them too (a few runs in a row made those
    reads four times slower), so the figures depended on the runs before and on autovacuum's
    timing. VACUUM cannot run inside a transaction: there it is ANALYZE only."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (Employee, Employment))
    with connection.cursor() as cursor:
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {tables}")


def _remove_setup(municipality: Municipality) -> None:
    with transaction.atomic():
        Unit.objects.filter(hr_department_id__startswith="BENCH-U").delete()
        Facility.objects.filter(municipality=municipality, name__startswith="Bench Botilbud").delete()
        JobCode.objects.filter(code__startswith="BENCH-").delete()


# --- measuring ---------------------------------------------------------------------------------------


class PeakRss:
    """Samples the process's resident memory every 10 ms while a block runs."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self.start = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.01)

    def __enter__(self) -> PeakRss:
        self.start = self.process.memory_info().rss
        self.peak = self.start
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return round((self.peak - self.start) / (1024 * 1024), 1)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any, PeakRss]:
    with PeakRss() as memory:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return seconds, result, memory


def _raw_baseline(path: Path) -> tuple[float, str]:
    """Load the same file into a plain table of text columns, as fast as the database allows."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_raw")
        cursor.execute(f"CREATE TABLE bench_import_raw ({columns})")
    try:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with (
                    path.open("rb") as handle,
                    raw.copy("COPY bench_import_raw FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy,  # type: ignore[attr-defined]
                ):
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
                how = "PostgreSQL COPY FROM STDIN (csv) into a plain table of text columns, no indexes"
            else:
                with path.open(encoding="utf-8", newline="") as handle:
                    reader = csv.reader(handle, delimiter=";")
                    next(reader)
                    marks = ", ".join("?" for _ in HEADERS)
                    cursor.executemany(f"INSERT INTO bench_import_raw VALUES ({marks})", reader)  # type: ignore[arg-type]
                how = "SQLite: csv.reader + executemany into a plain table of text columns, no indexes (no COPY on SQLite)"
        seconds = time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_import_raw")
    return seconds, how


def _orm_baseline(path: Path, municipality: Municipality, sample: int) -> float:
    """Seconds to save ``sample`` rows one by one through the ORM (parsing the same cells)."""
    units = {
        u.hr_department_id: (u.pk, u.facility_id) for u in Unit.objects.filter(hr_department_id__startswith="BENCH-U")
    }
    codes = {c.code: (c.pk, c.job_group) for c in JobCode.objects.filter(code__startswith="BENCH-")}
    # The facilities as objects: an employment saved with its facility object takes its employer
    # (municipality) from it, as a careful one-by-one loader would, without a query per row.
    facilities = Facility.objects.in_bulk({facility_id for _, facility_id in units.values()})
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        rows = [next(reader) for _ in range(sample)]
    started = time.perf_counter()
    with transaction.atomic():
        for n, row in enumerate(rows):
            employee = Employee.objects.create(
                municipality=municipality,
                person_key=f"bench-orm-{n}",
                name=row[1],
                email=row[2],
                birth_year=int(row[12]),
            )
            unit_id, facility_id = units[row[4]]
            code_id, group = codes[row[5]]
            end = parse_date(row[9]) if row[9] else None
            Employment.objects.create(
                employee=employee,
                employment_number=f"ORM-{n:07d}",
                facility=facilities[facility_id],
                unit_id=unit_id,
                job_code_id=code_id,
                job_group=group,
                kind=Employment.Kind.PERMANENT,
                weekly_hours=parse_decimal(row[7]),
                start_date=parse_date(row[8]),
                end_date=end,
                status=Employment.Status.ENDED if end else Employment.Status.ACTIVE,
                hourly_wage=parse_decimal(row[10]),
                is_contact_person=parse_bool(row[11]),
            )
    seconds = time.perf_counter() - started
    with transaction.atomic():
        employments = Employment.objects.filter(employment_number__startswith="ORM-")
        employments._raw_delete(employments.db)  # type: ignore[attr-defined]
        people = Employee.objects.filter(person_key__startswith="bench-orm-")
        periods = EducationPeriod.objects.filter(employee__in=people)  # their education history
        periods._raw_delete(periods.db)  # type: ignore[attr-defined]
        people._raw_delete(people.db)  # type: ignore[attr-defined]
    return seconds


def _import(path: Path, municipality: Municipality) -> dict[str, Any]:
    source = [SourceFile(name=path.name, path=path)]
    parse_seconds, parsed, _ = _timed(lambda: read_delivery(source, municipality, MAPPING))
    if parsed.errors:
        raise RuntimeError(f"bench file rejected: {[str(i) for i in list(parsed.errors)[:5]]}")
    seconds, result, memory = _timed(lambda: run_import(source, municipality, mapping=MAPPING))
    again_seconds, again, _ = _timed(lambda: run_import(source, municipality, mapping=MAPPING))
    return {
        "seconds": round(seconds, 3),
        "rows_per_second": round(result.counts["rows"] / seconds),
        "peak_memory_growth_mb": memory.growth_mb,
        "parse_and_row_validation_seconds": round(parse_seconds, 3),
        "counts": result.counts,
        "reimport_seconds": round(again_seconds, 3),
        "reimport_counts": {k: v for k, v in again.counts.items() if v},
    }


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    count = int(options["rows"])
    sample = min(int(options["orm_sample"]), count)
    formats = [f.strip() for f in str(options["formats"]).split(",") if f.strip()]
    municipality = Municipality.objects.get(code=str(options["municipality"]).zfill(4))
    result: dict[str, Any] = {
        "benchmark": "import",
        "database": connection.vendor,
        "rows": count,
        "goals": {"raw_over_import_at_least": 0.5, "orm_over_import_at_least": 10},
    }
    _clear_imported(municipality)
    _vacuum()
    _setup(municipality)
    with tempfile.TemporaryDirectory(prefix="styrbord-bench-import-") as folder:
        csv_path = Path(folder) / "bench.csv"
        _write_csv(csv_path, count)
        result["csv_file_mb"] = round(csv_path.stat().st_size / (1024 * 1024), 1)
        raw_seconds, raw_how = _raw_baseline(csv_path)
        orm_sample_seconds = _orm_baseline(csv_path, municipality, sample)
        orm_seconds = orm_sample_seconds * count / sample
        result["baselines"] = {
            "raw": {"seconds": round(raw_seconds, 3), "how": raw_how},
            "orm_one_by_one": {
                "sample_rows": sample,
                "sample_seconds": round(orm_sample_seconds, 3),
                "extrapolated_seconds": round(orm_seconds, 1),
                "how": f"Employee.objects.create + Employment.objects.create per row in one transaction, "
                f"timed on {sample} rows and extrapolated to {count}",
            },
        }
        for kind in formats:
            path = csv_path
            if kind == "xlsx":
                path = Path(folder) / "bench.xlsx"
                _write_xlsx(path, count)
                result["xlsx_file_mb"] = round(path.stat().st_size / (1024 * 1024), 1)
            _clear_imported(municipality)
            _vacuum()
            measured = _import(path, municipality)
            measured["raw_over_import"] = round(raw_seconds / measured["seconds"], 3)
            measured["orm_over_import"] = round(orm_seconds / measured["seconds"], 1)
            result[kind] = measured
    if not options.get("keep"):
        _clear_imported(municipality)
        _remove_setup(municipality)
    return result


BENCHMARKS = {
    "import": Benchmark(
        help="HR import of 100.000 employment rows (CSV and XLSX) vs. a raw COPY and one-by-one ORM saves",
        run=run,
        add_arguments=add_arguments,
    )
}
