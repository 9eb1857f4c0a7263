"""Shared helpers of the HR import tests: the committed messy files and database snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from styrbord.organisations.models import Facility, Municipality, Unit
from styrbord.staff.import_models import FacilityDepartment
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import run_import
from styrbord.staff.models import Employee, Employment, JobCode

FILES = Path(__file__).resolve().parent / "files"
FIVE = ("bruger", "organisation", "engagement", "stillingskode", "leder")
GENERIC_MAPPING = {
    "person_id": "Medarbejdernr",
    "name": "Navn",
    "employment_number": "Ansættelsesnr",
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "title": "Stilling",
    "weekly_hours": "Timer pr. uge",
    "start_date": "Ansat fra",
    "end_date": "Ansat til",
    "hourly_wage": "Timeløn",
    "is_contact_person": "Kontaktperson",
}


def five_file(folder: str, *, without: tuple[str, ...] = ()) -> list[SourceFile]:
    """The five-file set in ``files/<folder>``."""
    return [SourceFile(name=f"{name}.csv", path=FILES / folder / f"{name}.csv") for name in FIVE if name not in without]


def one_file(name: str) -> list[SourceFile]:
    return [SourceFile(name=name, path=FILES / name)]


def copy_set(folder: str, target: Path) -> Path:
    """A writable copy of a committed set (for tests that change one file)."""
    destination = target / folder
    shutil.copytree(FILES / folder, destination)
    return destination


def norddjurs() -> Municipality:
    return Municipality.objects.get(code="0707")


def import_five(folder: str = "five_file_utf8", **kwargs: Any) -> Any:
    return run_import(five_file(folder), norddjurs(), **kwargs)


def snapshot() -> dict[str, Any]:
    """Every row the import may write, so 'nothing changed' can be checked exactly."""
    return {
        "employees": sorted(Employee.objects.values_list("id", "person_key", "name", "email", "birth_year", "version")),
        "employments": sorted(
            Employment.objects.values_list(
                "id",
                "employment_number",
                "employee_id",
                "facility_id",
                "unit_id",
                "job_group",
                "kind",
                "weekly_hours",
                "start_date",
                "end_date",
                "status",
                "version",
            )
        ),
        "job_codes": sorted(JobCode.objects.values_list("id", "code", "job_group")),
        "facilities": sorted(Facility.objects.values_list("id", "name")),
        "units": sorted(Unit.objects.values_list("id", "name", "hr_department_id", "facility_id")),
        "links": sorted(FacilityDepartment.objects.values_list("department_id", "facility_id")),
    }
