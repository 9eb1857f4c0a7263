"""`styrbord import_staff`: dry run, apply, rejection, mappings, and idempotent re-runs."""

from __future__ import annotations

import gc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from styrbord.staff.import_models import ColumnMapping, ImportBatch
from styrbord.staff.models import Employment
from styrbord.staff.tests.test_import_support import FILES, FIVE, GENERIC_MAPPING, snapshot

pytestmark = pytest.mark.django_db


def paths(folder: str = "five_file_utf8") -> list[str]:
    return [str(FILES / folder / f"{name}.csv") for name in FIVE]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_staff", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_counts_and_changes_nothing(world) -> None:
    before = snapshot()

    out, _ = run(*paths(), "--municipality", "0707", "--dry-run")

    assert "Prøvekørsel" in out
    assert "8 ansættelser oprettet" in " ".join(out.split())
    assert snapshot() == before
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.dry_run, batch.counts["employments_created"]) == ("dry_run", True, 8)


def test_it_imports_and_a_second_run_changes_nothing(world) -> None:
    out, _ = run(*paths(), "--municipality", "707", "--user", "koordinator")
    assert Employment.objects.filter(employment_number__in=["1001-101", "1001-300"]).count() == 2
    assert ImportBatch.objects.get().created_by == world.coordinator
    before = snapshot()

    out, _ = run(*paths(), "--municipality", "0707", "-v", "2")

    assert snapshot() == before
    assert "8 ansættelser uændret" in " ".join(out.split())
    assert gc.isenabled()  # the import pauses the collector only while it runs


def test_a_rejected_delivery_prints_the_errors_and_fails(world) -> None:
    before = snapshot()
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 fejl\. Intet er ændret"):
        call_command("import_staff", *paths("duplicated_employment"), "--municipality", "0707", stderr=err)

    assert "engagement.csv:4 [BrugerId + AfdelingsId] '1002-102'" in err.getvalue()
    assert snapshot() == before
    assert gc.isenabled()


def test_a_generic_file_is_read_with_a_saved_mapping_that_names_the_municipality(world) -> None:
    ColumnMapping.objects.create(name="Løn", municipality=world.dolmer.municipality, mapping=GENERIC_MAPPING)

    run(str(FILES / "generic_latin1_tab.csv"), "--mapping", "Løn")

    assert Employment.objects.get(employment_number="A-2").facility == world.dolmer


def test_end_missing_is_passed_on(world) -> None:
    import datetime as dt

    from styrbord.lib.dates import local_today
    from styrbord.training import services
    from styrbord.training.tests import helpers

    # Booked on a course next month, and not in the delivery: the import ends the employment.
    services.book(world.dolmer_staff[0], helpers.session(days=[local_today() + dt.timedelta(days=30)]))

    _, err = run(*paths(), "--municipality", "0707", "--end-missing")

    # The world's five Norddjurs employments are not in the files.
    assert Employment.objects.filter(facility__municipality__code="0707", status="ended").count() == 5
    assert "Advarsel: 1 booking ligger nu på hold, der slutter efter ansættelsens ophør" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent.csv", "--municipality", "0707"], "findes ikke"),
        ([str(FILES / "generic.xlsx")], "--municipality"),
        ([str(FILES / "generic.xlsx"), "--municipality", "9999"], "Ukendt kommunekode"),
        ([str(FILES / "generic.xlsx"), "--mapping", "Findes ikke"], "Ukendt kolonneopsætning"),
    ],
)
def test_bad_arguments_are_explained(world, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
