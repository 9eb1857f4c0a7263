"""Workforce figures against hand-computed cases on small data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from styrbord.competences.models import Competence
from styrbord.staff.models import Employment, JobGroup
from styrbord.testing import factories
from styrbord.workforce import figures as f

TODAY = dt.date(2026, 11, 23)
YEARS = [2020, 2021]
SE, SOSU, NURSE = JobGroup.SOCIAL_EDUCATOR, JobGroup.SOSU_ASSISTANT, JobGroup.NURSE


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    """Six people at two facilities, with the cases the definitions must get right."""
    home = factories.facility("Hjemmet")
    other = factories.facility("Udehuset")
    method = factories.competence(category=Competence.Category.METHOD)
    clinical = factories.competence(category=Competence.Category.CLINICAL)
    conflict = factories.competence(category=Competence.Category.CONFLICT)

    p1 = factories.employee(birth_year=1980, education_relevant=True)
    factories.employment(
        p1, home, job_group=SE, weekly_hours="37", start_date=dt.date(2019, 1, 1), is_contact_person=True
    )
    factories.holding(p1, method, dt.date(2020, 5, 1), dt.date(2021, 4, 30))  # valid end of 2020 only

    p2 = factories.employee(birth_year=1990)  # left in the middle of 2021
    factories.employment(
        p2,
        home,
        job_group=SE,
        weekly_hours="30",
        start_date=dt.date(2020, 6, 1),
        end_date=dt.date(2021, 6, 30),
        status=Employment.Status.ENDED,
        is_contact_person=True,
    )
    factories.holding(p2, conflict, dt.date(2020, 1, 1))  # conflict management does not specialise

    p3 = factories.employee(birth_year=1970)
    factories.employment(p3, home, job_group=SOSU, weekly_hours="32", start_date=dt.date(2021, 3, 1))

    p4 = factories.employee()  # no birth year; a second, non-primary employment elsewhere
    factories.employment(p4, home, job_group=NURSE, weekly_hours="37", start_date=dt.date(2018, 1, 1))
    factories.employment(
        p4, other, job_group=NURSE, weekly_hours="10", start_date=dt.date(2020, 1, 1), is_primary=False, kind="hourly"
    )

    p5 = factories.employee(birth_year=2003)  # a trainee: only in the learners' figure
    factories.employment(p5, home, job_group=SOSU, kind=Employment.Kind.TRAINEE, start_date=dt.date(2021, 9, 1))

    p6 = factories.employee(birth_year=2000)  # ends on 31 December 2021: still counted that day
    factories.employment(
        p6,
        home,
        job_group=SE,
        weekly_hours="37",
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2021, 12, 31),
        status=Employment.Status.ENDED,
        is_contact_person=True,
    )
    factories.holding(p6, clinical, dt.date(2021, 6, 1))
    return {"home": home, "other": other}


def test_headcount_counts_people_once_on_31_december(staff) -> None:
    result = f.staff_figures(Employment.objects.all(), YEARS, TODAY)

    headcount = {g: {y: result.cells[g][y].headcount for y in YEARS} for g in result.groups}
    assert headcount == {SE: {2020: 2, 2021: 2}, SOSU: {2020: 0, 2021: 1}, NURSE: {2020: 1, 2021: 1}}
    assert [result.totals[y].headcount for y in YEARS] == [3, 4]


def test_fte_sums_every_active_employment(staff) -> None:
    result = f.staff_figures(Employment.objects.all(), YEARS, TODAY)

    # 2020: 1 + 30/37; 2021: p1 and p6 full time (p2 left in June).
    assert result.cells[SE][2020].fte == Decimal("1.8108")
    assert result.cells[SE][2021].fte == Decimal("2.0000")
    assert result.cells[SOSU][2021].fte == Decimal("0.8649")
    # The nurse's second employment (10 hours) counts in FTE, not in headcount.
    assert result.cells[NURSE][2021].fte == Decimal("1.2703")
    assert result.totals[2021].fte == Decimal("4.1352")


def test_average_age_by_group_and_for_the_whole(staff) -> None:
    result = f.staff_figures(Employment.objects.all(), YEARS, TODAY)

    assert result.cells[SE][2020].average_age == Decimal("35.0")  # 40 and 30
    assert result.cells[SE][2021].average_age == Decimal("31.0")  # 41 and 21
    assert result.cells[NURSE][2021].average_age is None  # no birth year known
    assert result.totals[2021].average_age == Decimal("37.7")  # (41 + 21 + 51) / 3


def test_part_time_and_relevant_education_shares(staff) -> None:
    result = f.staff_figures(Employment.objects.all(), YEARS, TODAY)

    assert result.cells[SE][2020].part_time_share == Decimal("50.0")
    assert result.totals[2020].part_time_share == Decimal("33.3")
    assert result.totals[2021].part_time_share == Decimal("25.0")  # the 32-hour SOSU
    assert result.cells[SE][2021].education_share == Decimal("50.0")
    assert result.totals[2021].education_share == Decimal("25.0")


def test_the_current_year_is_counted_today_not_on_31_december(staff) -> None:
    Employment.objects.filter(job_group=SOSU, kind="permanent").update(end_date=dt.date(2026, 12, 1))

    result = f.staff_figures(Employment.objects.all(), [2026], TODAY)

    assert result.cells[SOSU][2026].headcount == 1  # still employed on 23 November 2026


def test_specialised_contact_staff_need_a_valid_method_clinical_or_role_competence(staff) -> None:
    result = f.contact_figures(Employment.objects.all(), YEARS, TODAY)

    assert result.contacts[SE] == {2020: 2, 2021: 2}
    # 2020: p1's method course is valid, p2 only has conflict management. 2021: p1's has lapsed, p6 is clinical.
    assert result.specialised[SE] == {2020: 1, 2021: 1}


def test_trainees_are_counted_by_kind_and_job_group(staff) -> None:
    result = f.learner_figures(Employment.objects.all(), YEARS, TODAY)

    assert result == {(Employment.Kind.TRAINEE, SOSU): {2020: 0, 2021: 1}}


def test_figures_follow_the_queryset_they_are_given(staff) -> None:
    result = f.staff_figures(Employment.objects.filter(facility=staff["other"]), YEARS, TODAY)

    # Only p4's secondary employment is there: FTE but no person.
    assert result.cells[NURSE][2021].headcount == 0
    assert result.cells[NURSE][2021].fte == Decimal("0.2703")


def test_job_postings_give_applicants_per_posting_by_type(db) -> None:
    from styrbord.workforce.models import JobPosting

    municipality = factories.municipality("0707")
    for applicants in (4, 8):
        JobPosting.objects.create(
            municipality=municipality, job_group=NURSE, posted_on=dt.date(2024, 3, 1), applicants=applicants
        )
    JobPosting.objects.create(
        municipality=municipality, job_type="Administrativ", posted_on=dt.date(2024, 5, 1), applicants=44
    )

    result = f.posting_figures(JobPosting.objects.all(), [2024])

    assert result[(NURSE, "")][2024].per_posting == Decimal("6.0")
    assert result[("", "Administrativ")][2024].per_posting == Decimal("44.0")


def test_a_line_chart_with_more_groups_than_it_can_show_keeps_the_largest_and_says_so() -> None:
    """The chart took the table's first six rows, so with ten job groups it could leave the largest
    out without a word. It keeps the six with the most in the latest year and says the table has all."""
    from styrbord.workforce.tables import MAX_SERIES, Cell, Row, Table, _series_rows

    def row(label: str, *values: int | None) -> Row:
        return Row(label, [Cell.secret() if v is None else Cell.of(v, str) for v in values])

    sizes = {f"Gruppe {n}": n for n in range(1, 9)}  # the first rows are the smallest
    rows = [row(label, 100, size) for label, size in sizes.items()]
    rows[7] = row("Gruppe 8", 100, None)  # hidden in the latest year: counts as none
    table = Table(key="k", title="t", columns=["2025", "2026"], rows=rows)
    shown = {d["series"] for d in _series_rows(table)}
    assert shown == {"Gruppe 2", "Gruppe 3", "Gruppe 4", "Gruppe 5", "Gruppe 6", "Gruppe 7"}
    assert len(shown) == MAX_SERIES
    assert table.chart_note == "Diagrammet viser de 6 største af tabellens 8 rækker; tabellen har dem alle."

    few = Table(key="k", title="t", columns=["2026"], rows=[row("A", 1), row("B", 2)])
    assert {d["series"] for d in _series_rows(few)} == {"A", "B"}
    assert few.chart_note == ""
