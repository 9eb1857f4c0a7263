"""The one download helper: file names every browser and file system takes, content types by extension."""

from __future__ import annotations

import pytest

from styrbord.web.downloads import NAME_LENGTH, attachment, file_name


def test_a_file_name_is_an_ascii_slug_cut_to_length_with_its_extension() -> None:
    assert file_name("Posteringer tilsagn 7 Bofællesskaberne Glesborg", "xlsx") == (
        "posteringer-tilsagn-7-bofaellesskaberne-glesborg.xlsx"
    )
    assert (
        file_name("Plan 2027: Konflikthåndtering, Ørsted Å", "xlsx") == "plan-2027-konflikthaandtering-oersted-aa.xlsx"
    )
    long = file_name("Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud " * 3, "docx")
    assert long.endswith(".docx")
    stem = long.removesuffix(".docx")
    assert len(stem) <= NAME_LENGTH
    assert not stem.endswith("-")  # cut between words, no dangling hyphen
    assert file_name("»«", "pdf") == "styrbord.pdf"  # nothing left of the name


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.pdf", "application/pdf"),
        ("a.json", "application/json"),
        ("a.ics", "text/calendar; charset=utf-8"),
    ],
)
def test_the_content_type_follows_the_extension(name: str, content_type: str) -> None:
    response = attachment(b"x", name)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_a_name_with_danish_letters_is_sent_the_way_browsers_read_it() -> None:
    response = attachment(b"x", "udløber.xlsx")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''udl%C3%B8ber.xlsx"
