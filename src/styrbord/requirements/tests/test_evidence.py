"""The supervisory evidence sheet as XLSX and PDF, read back with openpyxl and pdftotext."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.audit.models import AuditEntry
from styrbord.organisations.models import Method
from styrbord.requirements.evidence import build_sheet, sheet_pdf
from styrbord.testing import factories
from styrbord.testing.fixtures import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet_world(world: World) -> dict[str, Any]:
    krap_method, _ = Method.objects.get_or_create(code="krap-metode", defaults={"name": "KRAP"})
    world.dolmer.methods.add(krap_method)
    first, second, _third = world.dolmer_staff
    first.employments.update(weekly_hours=Decimal("32.50"))
    first.education = "Pædagog"
    first.education_relevant = True
    first.save()
    second.education = "Butiksassistent"
    second.save()
    conflict = factories.competence("konflikt-bevis", validity_months=24, name="Konflikthåndtering")
    krap = factories.competence("krap-bevis", name="KRAP-uddannelse")
    factories.holding(first, krap, dt.date(2024, 3, 12), evidence="Kursusbevis, VIA")
    factories.holding(second, conflict, dt.date(2023, 2, 1), dt.date(2025, 2, 1))
    factories.holding(second, conflict, dt.date(2025, 2, 3), dt.date(2027, 2, 3))
    return {"first": first, "second": second}


def test_the_xlsx_lists_each_person_with_job_group_education_and_dated_courses(
    world: World, sheet_world: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(world.coordinator)

    response = client.get(reverse("requirements:evidence_xlsx", args=[world.dolmer.pk]), {"dato": "2026-11-23"})

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Medarbejdere", "Kurser og kompetencer", "Tilbud"]
    people = list(book["Medarbejdere"].iter_rows(values_only=True))
    assert people[0][:3] == ("Navn", "Faggruppe", "Stilling")
    by_name = {row[0]: row for row in people[1:]}
    assert set(by_name) == {"Dolmer-medarbejder 1", "Dolmer-medarbejder 2", "Dolmer-medarbejder 3"}
    assert by_name["Dolmer-medarbejder 1"][1] == "Socialpædagog/pædagog"
    assert by_name["Dolmer-medarbejder 1"][7:9] == ("Pædagog", "Ja")
    # Hours are numbers a spreadsheet can sum, shown with the decimals they have.
    assert by_name["Dolmer-medarbejder 1"][6] == 32.5
    assert by_name["Dolmer-medarbejder 2"][6] == 37
    hours_cell = book["Medarbejdere"].cell(row=2, column=7)
    assert hours_cell.data_type == "n"
    assert "KRAP-uddannelse (12-03-2024)" in by_name["Dolmer-medarbejder 1"][9]
    assert "Konflikthåndtering (03-02-2025, udløber 03-02-2027)" in by_name["Dolmer-medarbejder 2"][9]
    assert "Konflikthåndtering (01-02-2023, udløbet 01-02-2025)" in by_name["Dolmer-medarbejder 2"][9]
    courses = list(book["Kurser og kompetencer"].iter_rows(values_only=True))
    assert ("Dolmer-medarbejder 1", "KRAP-uddannelse", dt.datetime(2024, 3, 12)) in [
        (r[0], r[2], r[4]) for r in courses
    ]
    facility = dict(book["Tilbud"].iter_rows(values_only=True))
    assert facility["Tilbud"] == "Dolmer Have"
    assert facility["Metoder"] == "KRAP"
    assert AuditEntry.objects.filter(action="requirements.evidence_sheet.exported", kind="export").count() == 3


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_is_a4_landscape_with_danish_headings_names_and_dates(
    world: World, sheet_world: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(world.manager)

    response = client.get(reverse("requirements:evidence_pdf", args=[world.dolmer.pk]), {"dato": "2026-11-23"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Kompetenceoversigt: Dolmer Have" in text
    assert "Opgjort pr. 23-11-2026" in text
    # The title once on the first page (the running header starts on the next).
    assert text.split("\f", 1)[0].count("Kompetenceoversigt: Dolmer Have") == 1
    assert "Dolmer-medarbejder 1" in text
    assert "KRAP-uddannelse (12-03-2024)" in text
    assert "Relevant uddannelse" in text
    assert "Kurser og kompetencer" in text
    info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True, check=True).stdout.decode()
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(x) for x in re.findall(r"[\d.]+", size)[:2])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points


def test_people_who_left_before_the_date_are_not_on_the_sheet(world: World, sheet_world: dict[str, Any]) -> None:
    leaver = factories.employee(name="Fratrådt person")
    factories.employment(leaver, world.dolmer, start_date=dt.date(2020, 1, 1), end_date=dt.date(2026, 6, 30))

    before = build_sheet(world.dolmer, dt.date(2026, 6, 30))
    after = build_sheet(world.dolmer, dt.date(2026, 7, 1))

    assert "Fratrådt person" in [s.employee.name for s in before.staff]
    assert "Fratrådt person" not in [s.employee.name for s in after.staff]
    assert sheet_pdf(after).startswith(b"%PDF")


def test_the_screen_version_links_both_downloads(world: World, sheet_world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world.coordinator)

    html = client.get(reverse("requirements:evidence_sheet", args=[world.dolmer.pk])).content.decode()

    assert reverse("requirements:evidence_pdf", args=[world.dolmer.pk]) in html
    assert reverse("requirements:evidence_xlsx", args=[world.dolmer.pk]) in html
    assert "KRAP-uddannelse (12-03-2024)" in html


def test_the_files_are_danish_for_the_socialtilsyn_when_the_site_is_read_in_english(
    world: World, sheet_world: dict[str, Any]
) -> None:
    world.dolmer.methods.add(Method.objects.get(code="mentalisering"))
    client = Client()
    client.force_login(world.coordinator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = client.get(reverse("requirements:evidence_sheet", args=[world.dolmer.pk]), {"dato": "2026-11-23"})
    xlsx = client.get(reverse("requirements:evidence_xlsx", args=[world.dolmer.pk]), {"dato": "2026-11-23"})

    html = page.content.decode()
    assert "<h1>Competence overview: Dolmer Have</h1>" in html  # the page itself is English
    assert 'id="files-in-danish"' in html
    assert "Mentalization" in html  # a seeded method, in English here
    assert "Mentalisering" not in html
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Medarbejdere", "Kurser og kompetencer", "Tilbud"]
    facts = {row[0]: row[1] for row in book["Tilbud"].iter_rows(values_only=True)}
    assert facts["Metoder"] == "KRAP, Mentalisering"  # ... and in Danish in the file
    people = {row[0]: row for row in book["Medarbejdere"].iter_rows(values_only=True)}
    assert people["Dolmer-medarbejder 1"][1] == "Socialpædagog/pædagog"
    assert "Konflikthåndtering (03-02-2025, udløber 03-02-2027)" in people["Dolmer-medarbejder 2"][9]
    # The Danish site says nothing about it.
    client.post("/i18n/setlang/", {"language": "da", "next": "/"})
    danish = client.get(reverse("requirements:evidence_sheet", args=[world.dolmer.pk]))
    assert 'id="files-in-danish"' not in danish.content.decode()


def test_the_share_with_a_relevant_education_is_the_facility_pages(world: World, sheet_world: dict[str, Any]) -> None:
    """One definition of the share: a trainee is listed but not counted (the sheet counted all,
    and rounded 1 of 3 its own way, while the facility page left trainees out)."""
    from styrbord.organisations.services import figures_by_facility
    from styrbord.staff.models import Employment

    Employment.objects.filter(employee=sheet_world["second"]).update(kind=Employment.Kind.TRAINEE)
    sheet = build_sheet(world.dolmer, dt.date(2026, 11, 23))

    assert len(sheet.staff) == 3  # the trainee is still on the sheet
    assert sheet.relevant_education_share == Decimal("50.0")  # 1 of the 2 who could hold one
    page = figures_by_facility([world.dolmer.pk], dt.date(2026, 11, 23))[world.dolmer.pk]
    assert page.relevant_share == sheet.relevant_education_share
