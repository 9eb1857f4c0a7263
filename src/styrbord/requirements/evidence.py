"""The supervisory evidence sheet (kompetenceoversigt): staff, education, methods and courses of a facility.

Handed to the Socialtilsyn at inspections. One builder gathers the data (three queries), and
the sheet is written as XLSX (lib.spreadsheets) or PDF (WeasyPrint, A4 landscape).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from styrbord.competences.models import CompetenceHolding
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.dates import local_now
from styrbord.lib.formatting import format_date, format_number, natural_places
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Facility, Method
from styrbord.organisations.services import LEARNER_KINDS, relevant_share
from styrbord.staff.models import Employee, Employment, JobGroup


@dataclass(frozen=True)
class HoldingLine:
    """One course or competence of a person, with its dates and whether it is valid on the date."""

    name: str
    category: str
    acquired_on: dt.date
    expires_on: dt.date | None
    valid: bool
    source: str
    evidence: str

    def text(self) -> str:
        """'KRAP (12-03-2024)' or 'Konflikthåndtering (01-02-2025, udløber 01-02-2027)'."""
        dates = format_date(self.acquired_on)
        if self.expires_on is not None:
            word = _("udløber") if self.valid else _("udløbet")
            dates += f", {word} {format_date(self.expires_on)}"
        return f"{self.name} ({dates})"


@dataclass
class StaffLine:
    """One staff member on the sheet."""

    employee: Employee
    job_group: str
    title: str
    is_contact_person: bool
    start_date: dt.date
    weekly_hours: Decimal
    unit: str
    holdings: list[HoldingLine] = field(default_factory=list)
    # Counts in the share with a relevant education (``organisations.services.education_counted_q``:
    # a primary employment here, not a trainee's, student's or intern's), as on the facility page.
    education_counted: bool = True

    @property
    def hours_text(self) -> str:
        """Weekly hours as written: 37, 32,5, 24,75 (a number in the workbook)."""
        return format_number(self.weekly_hours, natural_places(self.weekly_hours))

    @property
    def job_group_label(self) -> str:
        return str(JobGroup(self.job_group).label) if self.job_group else ""

    @property
    def education(self) -> str:
        return self.employee.education

    @property
    def education_relevant(self) -> bool:
        return self.employee.education_relevant


@dataclass(frozen=True)
class EvidenceSheet:
    facility: Facility
    on: dt.date
    methods: list[str]
    staff: list[StaffLine]
    generated_at: dt.datetime

    @property
    def relevant_education_share(self) -> Decimal | None:
        """The share with a relevant education as the facility page gives it (one definition:
        ``organisations.services.relevant_share``); it rounded its own way and counted trainees."""
        counted = [s for s in self.staff if s.education_counted]
        return relevant_share(sum(1 for s in counted if s.education_relevant), len(counted))


def build_sheet(facility: Facility, on: dt.date) -> EvidenceSheet:
    """Everyone employed at the facility on ``on`` with their education and holdings."""
    employments = (
        Employment.objects.in_force(on)
        .filter(facility=facility)
        .select_related("employee", "unit")
        .order_by(collated("employee__name"), "-start_date")
    )
    staff: dict[int, StaffLine] = {}
    for e in employments:
        counted = e.is_primary and e.kind not in LEARNER_KINDS
        if e.employee_id in staff:
            # a second employment at the same facility: the latest is shown; either may count
            staff[e.employee_id].education_counted = staff[e.employee_id].education_counted or counted
            continue
        staff[e.employee_id] = StaffLine(
            employee=e.employee,
            job_group=e.job_group,
            title=e.title,
            is_contact_person=e.is_contact_person,
            start_date=e.start_date,
            weekly_hours=e.weekly_hours,
            unit=e.unit.name if e.unit else "",
            education_counted=counted,
        )
    holdings: dict[int, list[HoldingLine]] = defaultdict(list)
    for h in (
        CompetenceHolding.objects.filter(employee_id__in=list(staff), acquired_on__lte=on)
        .select_related("competence")
        .order_by(collated("competence__name"), "-acquired_on")
    ):
        holdings[h.employee_id].append(
            HoldingLine(
                name=h.competence.name,
                category=h.competence.get_category_display(),
                acquired_on=h.acquired_on,
                expires_on=h.expires_on,
                valid=h.is_valid_on(on),
                source=h.get_source_display(),
                evidence=h.evidence,
            )
        )
    for employee_id, line in staff.items():
        line.holdings = holdings.get(employee_id, [])
    # In the language the sheet is built in: the page's, or Danish for the files (the caller's
    # ``in_record_language``). A seeded method's name is translated, another stays as written.
    methods = sorted(
        (Method.translate_name(name) for name in facility.methods.values_list("name", flat=True)), key=sort_key
    )
    return EvidenceSheet(facility, on, methods, list(staff.values()), local_now())


def _yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nej")


def sheet_xlsx(sheet: EvidenceSheet) -> bytes:
    """Three worksheets: staff with education and courses, one row per course, and the facility."""
    people = Sheet(
        _("Medarbejdere"),
        [
            _("Navn"),
            _("Faggruppe"),
            _("Stilling"),
            _("Afdeling"),
            _("Kontaktperson"),
            _("Ansat siden"),
            _("Timer pr. uge"),
            _("Uddannelse"),
            _("Relevant uddannelse"),
            _("Kurser og kompetencer"),
        ],
        (
            [
                s.employee.name,
                s.job_group_label,
                s.title,
                s.unit,
                _yes_no(s.is_contact_person),
                s.start_date,
                s.weekly_hours,
                s.education,
                _yes_no(s.education_relevant),
                "; ".join(h.text() for h in s.holdings),
            ]
            for s in sheet.staff
        ),
        column_widths=[28, 24, 22, 20, 13, 12, 12, 28, 12, 90],
    )
    courses = Sheet(
        _("Kurser og kompetencer"),
        [
            _("Navn"),
            _("Faggruppe"),
            _("Kompetence/kursus"),
            _("Kategori"),
            _("Opnået"),
            _("Udløber"),
            _("Gyldig"),
            _("Kilde"),
            _("Dokumentation"),
        ],
        (
            [
                s.employee.name,
                s.job_group_label,
                h.name,
                h.category,
                h.acquired_on,
                h.expires_on,
                _yes_no(h.valid),
                h.source,
                h.evidence,
            ]
            for s in sheet.staff
            for h in s.holdings
        ),
        column_widths=[28, 24, 40, 28, 12, 12, 8, 16, 36],
    )
    facility = Sheet(
        pgettext("one facility", "Tilbud"),
        [_("Felt"), _("Værdi")],
        [
            [pgettext("one facility", "Tilbud"), sheet.facility.name],
            [_("Kommune"), str(sheet.facility.municipality)],
            [_("Opgjort pr."), sheet.on],
            [_("Metoder"), ", ".join(sheet.methods)],
            [_("Antal medarbejdere"), len(sheet.staff)],
            [_("Andel med relevant uddannelse (%)"), sheet.relevant_education_share],
        ],
        column_widths=[34, 80],
    )
    return write_xlsx([people, courses, facility])


def sheet_html(sheet: EvidenceSheet) -> str:
    """The print layout (A4 landscape) as HTML, also used for the PDF."""
    return render_to_string("requirements/evidence_sheet_print.html", {"sheet": sheet})


def sheet_pdf(sheet: EvidenceSheet) -> bytes:
    """The sheet as a PDF (WeasyPrint), ready to hand to the Socialtilsyn."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=sheet_html(sheet)).write_pdf()
    return pdf
