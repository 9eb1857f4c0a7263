"""Small cells are hidden from analysts, and a hidden cell cannot be derived from the totals."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from styrbord.staff.models import JobGroup
from styrbord.testing import factories
from styrbord.workforce import figures as f
from styrbord.workforce.tables import HIDDEN, learner_table, mask_for, staff_tables

TODAY = dt.date(2026, 11, 23)
SE, SOSU, NURSE, SW = JobGroup.SOCIAL_EDUCATOR, JobGroup.SOSU_ASSISTANT, JobGroup.NURSE, JobGroup.SOCIAL_WORKER


def figures_with(counts: dict[str, int]) -> f.StaffFigures:
    years = [2024]
    cells = {g: {2024: f.StaffCell(headcount=n, fte=Decimal(n), age_sum=40 * n, aged=n)} for g, n in counts.items()}
    totals = {2024: f.StaffCell()}
    for by_year in cells.values():
        totals[2024].add(by_year[2024])
    return f.StaffFigures(years=years, groups=list(counts), cells=cells, totals=totals)


def shown(table) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {row.key or "total": row.cells[0].text for row in [*table.rows, table.total]}


def test_a_cell_under_five_is_hidden_with_a_complementary_cell_in_its_column() -> None:
    headcount = staff_tables(figures_with({SE: 10, SOSU: 6, NURSE: 3}), suppress=True)[0]

    # The nurses (3) are hidden; so are the SOSU-assistants, the next smallest, or 19 - 10 would give 3.
    assert shown(headcount) == {SE: "10", SOSU: HIDDEN, NURSE: HIDDEN, "total": "19"}


def test_no_single_hidden_cell_can_be_derived_from_a_shown_total() -> None:
    for counts in ({SE: 10, NURSE: 1}, {SE: 40, SOSU: 2, NURSE: 4, SW: 30}, {SE: 3}, {SE: 12, SOSU: 7, NURSE: 5}):
        table = staff_tables(figures_with(counts), suppress=True)[0]
        hidden = [row for row in table.rows if row.cells[0].hidden]
        total_shown = not table.total.cells[0].hidden
        assert len(hidden) != 1 or not total_shown, counts
        for row in table.rows:
            value = counts[row.key]
            assert row.cells[0].hidden or not 0 < value < 5, counts


def test_a_total_under_five_is_hidden_too() -> None:
    table = staff_tables(figures_with({SE: 3}), suppress=True)[0]

    assert shown(table) == {SE: HIDDEN, "total": HIDDEN}


def test_tables_about_the_same_people_hide_the_same_cells() -> None:
    tables = staff_tables(figures_with({SE: 10, SOSU: 6, NURSE: 3}), suppress=True)

    for table in tables:
        hidden = {row.key for row in table.rows if row.cells[0].hidden}
        if table.key in ("part_time", "relevant_education"):
            # A share is also hidden where none (or all) have it: 0 % part-time of the 10 social
            # educators tells it of each of them.
            assert hidden == {SE, SOSU, NURSE}, table.key
        else:
            assert hidden == {SOSU, NURSE}, table.key


def test_hidden_values_are_not_in_the_chart_data() -> None:
    headcount, fte = staff_tables(figures_with({SE: 10, SOSU: 6, NURSE: 3}), suppress=True)[:2]

    for table in (headcount, fte):
        data = json.dumps(table.chart.to_dict(), ensure_ascii=False)
        assert "Sygeplejerske" not in data
        assert "SOSU-assistent" not in data


def test_other_roles_see_every_number() -> None:
    headcount = staff_tables(figures_with({SE: 10, SOSU: 6, NURSE: 3}), suppress=False)[0]

    assert shown(headcount) == {SE: "10", SOSU: "6", NURSE: "3", "total": "19"}


def test_zero_is_shown_because_it_describes_nobody() -> None:
    mask = mask_for({"a": {2024: 0}, "b": {2024: 12}}, [2024], True)

    assert mask.cells == set()


def test_learner_counts_are_suppressed_per_year_column() -> None:
    counts = {
        ("trainee", SOSU): {2023: 2, 2024: 7},
        ("student", SE): {2023: 9, 2024: 8},
        ("intern", SW): {2023: 6, 2024: 6},
    }

    table = learner_table(counts, [2023, 2024], suppress=True)

    column_2023 = [row.cells[0] for row in table.rows]
    column_2024 = [row.cells[1] for row in table.rows]
    assert sum(c.hidden for c in column_2023) == 2  # the 2 and one more
    assert not any(c.hidden for c in column_2024)
    assert table.total.cells[0].text == "17"


@pytest.mark.django_db
def test_an_analyst_sees_small_cells_hidden_on_the_page(client, world) -> None:
    facility = world.dolmer
    for _ in range(6):
        factories.employment(factories.employee(birth_year=1980), facility, job_group=SE)
    for _ in range(2):
        factories.employment(factories.employee(birth_year=1990), facility, job_group=NURSE)
    client.force_login(world.analyst)

    response = client.get("/personale/", {"kommune": facility.municipality.pk, "fra": 2024, "til": 2025})

    assert response.status_code == 200
    page = response.context["page"]
    headcount = page.computed[0]
    nurses = next(row for row in headcount.rows if row.key == NURSE)
    assert [c.text for c in nurses.cells] == [HIDDEN, HIDDEN]
    assert 'title="Skjult: færre end 5 personer, eller så et skjult tal ikke kan regnes ud">..</td>' in (
        response.content.decode()
    )
    # With the world's Norddjurs staff there are 9 social educators among 13. Showing them would
    # give the nurses away with the others' rows, so they are hidden too and the total 13 is shown.
    educators = next(row for row in headcount.rows if row.key == SE)
    assert [c.text for c in educators.cells] == [HIDDEN, HIDDEN]
    assert [c.text for c in headcount.total.cells] == ["13", "13"]
    assert "Sygeplejerske" not in json.dumps(headcount.chart.to_dict(), ensure_ascii=False) if headcount.chart else True


def test_a_share_that_would_tell_a_count_under_five_is_hidden_where_the_headcount_shows() -> None:
    """20 % part-time of 10 social educators is 2 people: the headcount shows, the share does not,
    nor any share that would give it away. A shown share never rests on 1-4 people with or without."""
    counts = {SE: 10, SOSU: 15, SW: 7, NURSE: 20}
    part_time = {SE: 2, SOSU: 6, SW: 0, NURSE: 9}
    educated = {SE: 10, SOSU: 11, SW: 7, NURSE: 12}
    figures = figures_with(counts)
    for group in counts:
        figures.cells[group][2024].part_time = part_time[group]
        figures.cells[group][2024].relevant_education = educated[group]
    figures.totals = {2024: f.StaffCell()}
    for group in figures.groups:
        figures.totals[2024].add(figures.cells[group][2024])
    headcount, _fte, _age, part_time_table, education_table = staff_tables(figures, suppress=True)

    assert shown(headcount) == {SE: "10", SOSU: "15", SW: "7", NURSE: "20", "total": "52"}
    assert shown(part_time_table)[SE] == HIDDEN  # 2 part-timers
    assert shown(part_time_table)[NURSE] == "45 %"  # 9 of 20: no small count
    assert shown(education_table)[SOSU] == HIDDEN  # 4 without
    for table, part in ((part_time_table, part_time), (education_table, educated)):
        cells = shown(table)
        for group in counts:
            if cells[group] != HIDDEN:
                assert not 0 < part[group] < 5, (table.key, group)
                assert not 0 < counts[group] - part[group] < 5, (table.key, group)
        hidden = [g for g in counts if cells[g] == HIDDEN]
        assert cells["total"] == HIDDEN or len(hidden) != 1, table.key  # one hidden beside a total is derivable
    assert shown(staff_tables(figures, suppress=False)[3])[SE] == "20 %"  # other roles see every number


def test_the_specialised_contact_share_hides_what_would_tell_a_small_count() -> None:
    from styrbord.workforce.tables import contact_table

    figures = f.ContactFigures(
        years=[2024],
        groups=[SE, SOSU, NURSE],
        contacts={SE: {2024: 12}, SOSU: {2024: 9}, NURSE: {2024: 20}},
        specialised={SE: {2024: 3}, SOSU: {2024: 0}, NURSE: {2024: 10}},
    )
    cells = shown(contact_table(figures, suppress=True))
    assert cells[SE] == HIDDEN  # 3 of 12 are specialised
    assert cells["total"] == HIDDEN or sum(cells[g] == HIDDEN for g in (SE, SOSU, NURSE)) != 1
    assert shown(contact_table(figures, suppress=False))[SE] == "25 % (3/12)"
