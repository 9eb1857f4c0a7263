"""Analysts get aggregates only: counts by municipality and job group, small cells suppressed."""

from __future__ import annotations

import datetime as dt

from styrbord.api.tests.conftest import ApiClient


def _cells(body):  # type: ignore[no-untyped-def]
    return {(c["municipality"], c["job_group"]): c["people"] for c in body["cells"]}


def test_a_regional_analyst_sees_only_the_region_with_small_cells_hidden(world) -> None:  # type: ignore[no-untyped-def]
    response = ApiClient(world.analyst).get("/aggregates/staff", on="2026-11-23")
    assert response.status_code == 200
    cells = _cells(response.json())
    norddjurs, syddjurs = world.dolmer.municipality_id, world.syddjurs_facility.municipality_id
    assert {m for m, _ in cells if m is not None} == {norddjurs, syddjurs}  # not København
    # Syddjurs has 2 social educators: hidden, with its row total.
    assert cells[(syddjurs, "social_educator")] is None
    assert cells[(syddjurs, None)] is None
    shown = [v for v in cells.values() if v is not None]
    assert all(v == 0 or v >= 5 for v in shown)
    # Norddjurs' 5 and the column total 7 may not both be shown: 7 - 5 would give Syddjurs' 2 away.
    assert None in (cells[(norddjurs, "social_educator")], cells[(None, "social_educator")])
    # What is shown is true: the zero cells of other job groups.
    assert cells[(norddjurs, "nurse")] == 0


def test_people_lists_stay_closed_to_analysts(world) -> None:  # type: ignore[no-untyped-def]
    api = ApiClient(world.analyst)
    assert api.get("/employees").status_code == 403
    assert api.get(f"/employees/{world.dolmer_staff[0].pk}").status_code == 404
    assert ApiClient(world.employee_user).get("/aggregates/staff").status_code == 403


def test_coverage_by_municipality_is_suppressed_like_the_page(world) -> None:  # type: ignore[no-untyped-def]
    from styrbord.requirements.models import ScopeLevel
    from styrbord.requirements.tests.helpers import requirement
    from styrbord.testing import factories

    krap = factories.competence("krap-api-agg", name="KRAP")
    region = world.dolmer.municipality.region
    target = requirement([krap], scope_level=ScopeLevel.REGION, region=region, name="Regionalt mål")
    factories.holding(world.dolmer_staff[0], krap, dt.date(2024, 1, 1))
    other = requirement([krap], facility=world.kbh_facility, name="København")

    offered = ApiClient(world.analyst).get("/aggregates/coverage/requirements")
    assert offered.status_code == 200
    assert [(r["id"], r["scope_level"], r["scope"]) for r in offered.json()] == [(target.pk, "region", str(region))]
    assert ApiClient(world.coordinator).get("/aggregates/coverage/requirements").status_code == 403

    admin = ApiClient(world.admin).get("/aggregates/coverage", requirement=target.pk, on="2026-11-23")
    assert admin.status_code == 200
    body = admin.json()
    assert body["threshold"] is None
    assert body["level"] == "municipality"
    assert [(r["name"], r["people"], r["share"]) for r in body["rows"]] == [
        ("Norddjurs", 5, "20.0"),
        ("Syddjurs", 2, "0.0"),
    ]
    assert (body["total"]["people"], body["total"]["share"]) == (7, "14.3")

    analyst = ApiClient(world.analyst).get("/aggregates/coverage", requirement=target.pk, on="2026-11-23").json()
    assert analyst["threshold"] == 5
    # Syddjurs (2) is hidden, and so Norddjurs too: the total 7 would give it away.
    assert [(r["people"], r["share"], r["status"]) for r in analyst["rows"]] == [(None, None, "hidden")] * 2
    assert analyst["total"]["people"] == 7

    by_facility = (
        ApiClient(world.admin)
        .get("/aggregates/coverage", requirement=target.pk, municipality=world.dolmer.municipality_id, on="2026-11-23")
        .json()
    )
    assert [r["name"] for r in by_facility["rows"]] == ["Bofællesskaberne Glesborg", "Dolmer Have"]

    analyst_api = ApiClient(world.analyst)
    assert analyst_api.get("/aggregates/coverage", requirement=other.pk).status_code == 404
    copenhagen = world.kbh_facility.municipality_id
    assert analyst_api.get("/aggregates/coverage", requirement=target.pk, municipality=copenhagen).status_code == 404
    assert ApiClient(world.coordinator).get("/aggregates/coverage", requirement=target.pk).status_code == 403


def test_analysts_get_coverage_for_the_month_end_whatever_day_of_the_month_they_ask(world) -> None:  # type: ignore[no-untyped-def]
    """Two days of one month a person apart would tell whether that person met the requirement:
    analysts get the last month end on or before the day asked, and are told which day that is."""
    from styrbord.requirements.models import ScopeLevel
    from styrbord.requirements.tests.helpers import requirement
    from styrbord.testing import factories

    krap = factories.competence("krap-api-month", name="KRAP")
    target = requirement([krap], scope_level=ScopeLevel.REGION, region=world.dolmer.municipality.region)
    leaving = world.dolmer_staff[0].employments.get()
    leaving.end_date = dt.date(2025, 12, 27)  # in post on the 27th, gone on the 28th
    leaving.save()

    def coverage(user, on):  # type: ignore[no-untyped-def]
        response = ApiClient(user).get("/aggregates/coverage", requirement=target.pk, on=on)
        assert response.status_code == 200
        return response.json()

    analyst = [coverage(world.analyst, on) for on in ("2025-12-27", "2025-12-28")]
    assert analyst[0] == analyst[1]
    assert analyst[1]["on"] == "2025-11-30"
    assert analyst[1]["total"]["people"] == 7  # as on 30 November, not the 6 left on the 28th
    assert coverage(world.analyst, "2025-11-30")["on"] == "2025-11-30"  # the day answered gives itself back

    exact = [coverage(world.admin, on) for on in ("2025-12-27", "2025-12-28")]
    assert [(b["on"], b["total"]["people"]) for b in exact] == [("2025-12-27", 7), ("2025-12-28", 6)]


def test_the_staff_total_is_the_workforce_pages_headcount_without_trainees(world) -> None:  # type: ignore[no-untyped-def]
    """The landing page says "N medarbejdere uden elever"; the API's total for the same scope and day
    is that N: a trainee, and a second (not primary) employment of someone counted, are not counted."""
    from styrbord.staff.models import Employment
    from styrbord.testing import factories
    from styrbord.workforce.services import key_figures

    day = dt.date(2026, 11, 23)
    trainee = factories.employee(name="Elev Eriksen")
    factories.employment(trainee, world.dolmer, kind=Employment.Kind.TRAINEE)
    factories.employment(world.glesborg_staff[0], world.dolmer, is_primary=False, weekly_hours="8")

    cells = _cells(ApiClient(world.analyst).get("/aggregates/staff", on=day.isoformat()).json())
    headcount = next(f for f in key_figures(world.analyst, day).figures if f.key == "headcount")
    assert headcount.now.value == 7  # Norddjurs 5 and Syddjurs 2
    assert cells[(None, None)] == headcount.now.value
    admin = _cells(ApiClient(world.admin).get("/aggregates/staff", on=day.isoformat()).json())
    assert (
        admin[(None, None)] == next(f for f in key_figures(world.admin, day).figures if f.key == "headcount").now.value
    )


def test_two_days_of_staff_figures_cannot_be_subtracted(world) -> None:  # type: ignore[no-untyped-def]
    """A walk asked for 4 and 5 October and saw one social educator more: the one person hired on
    the 5th. Staff aggregates, like the coverage aggregates, describe the last month end on or before
    the day asked, in the API, on the workforce page and on the landing page."""
    from styrbord.staff.models import Employment
    from styrbord.testing import factories
    from styrbord.workforce.services import Selection, build_page, key_figures

    hired = factories.employee(name="Ny Nielsen")
    factories.employment(hired, world.dolmer, start_date=dt.date(2026, 10, 5), job_group="social_educator")
    assert Employment.objects.filter(employee=hired).exists()
    api = ApiClient(world.analyst)
    before, after = (api.get("/aggregates/staff", on=day).json() for day in ("2026-10-04", "2026-10-05"))
    assert before == after
    assert after["on"] == "2026-09-30"
    # The month end itself, and the next one, are answered as asked: the hire counts from October's end.
    october = api.get("/aggregates/staff", on="2026-10-31").json()
    assert october["on"] == "2026-10-31"
    assert _cells(october)[(None, None)] == _cells(after)[(None, None)] + 1
    figures = key_figures(world.analyst, dt.date(2026, 10, 5))
    assert figures is not None
    assert figures.today == dt.date(2026, 9, 30)
    page = build_page(world.analyst, Selection(municipality=None, facility=None, years=[2026]), dt.date(2026, 10, 5))
    assert page.on == dt.date(2026, 9, 30)
    # Those who see people see the day itself.
    assert key_figures(world.admin, dt.date(2026, 10, 5)).figures  # type: ignore[union-attr]
    assert build_page(
        world.admin, Selection(municipality=None, facility=None, years=[2026]), dt.date(2026, 10, 5)
    ).on == dt.date(2026, 10, 5)
