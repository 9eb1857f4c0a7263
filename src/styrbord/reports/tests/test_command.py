"""`styrbord report`: the same documents from the command line, format by file extension."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from styrbord.reports.tests.conftest import SeedCase, pdf_text
from styrbord.testing.fixtures import World


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("suffix", "magic"), [(".docx", b"PK"), (".pdf", b"%PDF"), (".xlsx", b"PK")])
def test_it_writes_the_format_of_the_file_extension(
    seed_case: SeedCase, tmp_path: Path, suffix: str, magic: bytes
) -> None:
    target = tmp_path / f"frigivelse{suffix}"
    output = _run(
        "pool_release", "--scope", f"pool:{seed_case.pool.pk}", "--period", "2025-2027", "--output", str(target)
    )
    assert target.read_bytes().startswith(magic)
    assert "Frigivelse af puljer" in output


def test_the_pdf_from_the_command_line_holds_the_recommendations(seed_case: SeedCase, tmp_path: Path) -> None:
    target = tmp_path / "frigivelse.pdf"
    _run("pool_release", "--scope", f"pool:{seed_case.pool.pk}", "--output", str(target))
    assert "der gives tillægsbevilling på 0,322 mio. kr. i 2025" in pdf_text(target)


def test_options_fill_the_case_details(seed_case: SeedCase, tmp_path: Path) -> None:
    target = tmp_path / "tal.xlsx"
    _run(
        "pool_release",
        "--scope",
        f"pool:{seed_case.pool.pk}",
        "--output",
        str(target),
        "--option",
        "case_number=25/1234",
    )
    about = dict(openpyxl.load_workbook(target)["Oplysninger"].iter_rows(min_row=2, values_only=True))
    assert about["Sagsnummer"] == "25/1234"
    assert about["Dokumenttype"] == "Frigivelse af puljemidler (tillægsbevilling)"


def test_a_user_outside_the_scope_gets_a_danish_error(seed_case: SeedCase, world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="findes ikke, eller du har ikke adgang"):
        _run(
            "pool_release",
            "--scope",
            f"pool:{seed_case.pool.pk}",
            "--output",
            str(tmp_path / "x.docx"),
            "--as-user",
            world.other_coordinator.username,
        )
    assert not (tmp_path / "x.docx").exists()


def test_unknown_scope_and_extension_are_refused(seed_case: SeedCase, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Ukendt omfang"):
        _run("pool_release", "--scope", "pulje-12", "--output", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="Unknown file type"):
        _run("pool_release", "--scope", f"pool:{seed_case.pool.pk}", "--output", str(tmp_path / "x.odt"))


def test_a_dry_run_writes_nothing(seed_case: SeedCase, tmp_path: Path) -> None:
    output = _run("pool_release", "--scope", f"pool:{seed_case.pool.pk}", "--dry-run")
    assert "dry run" in output
    assert not list(tmp_path.iterdir())


def test_it_lists_the_document_types(db: object) -> None:
    output = _run("types")
    for key in ("pool_release", "competence_status", "initiative_economy"):
        assert key in output
