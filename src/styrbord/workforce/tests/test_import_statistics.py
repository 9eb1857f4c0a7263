"""`styrbord import_workforce_statistics`: turnover, sickness absence and postings from a file."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from styrbord.audit.models import AuditEntry
from styrbord.workforce.models import JobPosting, WorkforceStatistic

pytestmark = pytest.mark.django_db

STATISTICS = (
    "År;Faggruppe;Nøgletal;Værdi;Kilde\r\n"
    "2024;;Sygefravær;6,4;HR-rapport 2024\r\n"
    "2024;Socialpædagog;Personaleomsætning;12,5;HR-rapport 2024\r\n"
    "2024;Sygeplejerske;turnover;17;HR-rapport 2024\r\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "cp1252") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_turnover_and_sickness_absence_are_imported_and_updated(world, tmp_path) -> None:
    path = write(tmp_path, "noegletal.csv", STATISTICS)

    out = StringIO()
    call_command("import_workforce_statistics", path, "--municipality", "0707", stdout=out)

    assert "3 nøgletal oprettet" in out.getvalue()
    stat = WorkforceStatistic.objects.get(metric="sickness_absence")
    assert (stat.job_group, stat.value, stat.year, stat.source) == ("", Decimal("6.40"), 2024, "HR-rapport 2024")
    assert WorkforceStatistic.objects.get(job_group="social_educator").metric == "turnover"
    assert AuditEntry.objects.filter(action="workforce.statistics.imported").count() == 1

    write(tmp_path, "noegletal.csv", STATISTICS.replace("6,4", "5,9"))
    call_command("import_workforce_statistics", path, "--municipality", "0707", stdout=StringIO())

    assert WorkforceStatistic.objects.count() == 3
    assert WorkforceStatistic.objects.get(metric="sickness_absence").value == Decimal("5.90")


def test_a_bad_row_rejects_the_whole_file(world, tmp_path) -> None:
    path = write(tmp_path, "noegletal.csv", STATISTICS + "2024;Kok;Sygefravær;3;x\r\n2024;;Humør;9;x\r\n")
    err = StringIO()

    with pytest.raises(CommandError, match="2 fejl"):
        call_command("import_workforce_statistics", path, "--municipality", "0707", stderr=err)

    assert "Ukendt faggruppe" in err.getvalue()
    assert "Ukendt nøgletal" in err.getvalue()
    assert not WorkforceStatistic.objects.exists()


def test_job_postings_are_recognised_by_the_applicants_column(world, tmp_path) -> None:
    path = write(
        tmp_path,
        "opslag.csv",
        "Opslået,Stillingstype,Faggruppe,Ansøgere\n01-03-2024,Sygeplejerske,Sygeplejerske,5\n15.04.2024,Administrativ,,44\n",
    )

    call_command(
        "import_workforce_statistics", path, "--municipality", "0707", "--source", "Jobportal", stdout=StringIO()
    )

    assert sorted(JobPosting.objects.values_list("job_type", "job_group", "applicants", "source")) == [
        ("Administrativ", "", 44, "Jobportal"),
        ("Sygeplejerske", "nurse", 5, "Jobportal"),
    ]


def _workbook(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> str:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "hr_noegletal.xlsx"
    workbook.save(path)
    return str(path)


COVER = [["HR-nøgletal, Norddjurs Kommune"], ["Udarbejdet:", "01-03-2025"], ["Indhold", "Side", "Note"]]
POSTINGS = [["Opslået", "Stillingstype", "Faggruppe", "Ansøgere"], ["01-03-2024", "Sygeplejerske", "Sygeplejerske", 5]]
FIGURES = [["År", "Faggruppe", "Nøgletal", "Værdi", "Kilde"], [2024, "", "Sygefravær", 6.4, "HR-rapport 2024"]]


def test_from_a_workbook_the_first_sheet_with_a_table_is_read_or_the_one_named(world, tmp_path) -> None:
    path = _workbook(tmp_path, {"Forside": COVER, "Opslag": POSTINGS, "Nøgletal": FIGURES})
    out = StringIO()

    call_command("import_workforce_statistics", path, "--municipality", "0707", stdout=out)
    call_command("import_workforce_statistics", path, "--municipality", "0707", "--sheet", "nøgletal", stdout=out)

    assert "1 stillingsopslag oprettet" in out.getvalue()  # the cover passed over: the first sheet with a table
    assert list(JobPosting.objects.values_list("job_type", "applicants")) == [("Sygeplejerske", 5)]
    stat = WorkforceStatistic.objects.get()
    assert (stat.metric, stat.value, stat.year) == ("sickness_absence", Decimal("6.40"), 2024)


def test_a_workbook_with_no_table_it_reads_is_refused_naming_what_is_missing(world, tmp_path) -> None:
    path = _workbook(tmp_path, {"Forside": COVER, "Noter": [["Note", "Dato"], ["Foreløbige tal", "01-03-2025"]]})
    err = StringIO()

    with pytest.raises(CommandError, match="Intet er ændret"):
        call_command("import_workforce_statistics", path, "--municipality", "0707", stderr=err)
    with pytest.raises(CommandError):
        call_command("import_workforce_statistics", path, "--municipality", "0707", "--sheet", "Løn", stderr=err)

    assert "Påkrævede kolonner mangler: År, Nøgletal, Værdi." in err.getvalue()  # read from the first sheet
    assert "Arket Løn findes ikke i filen. Filens ark: Forside, Noter." in err.getvalue()
    assert not WorkforceStatistic.objects.exists()
    assert not JobPosting.objects.exists()
