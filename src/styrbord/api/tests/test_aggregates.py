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
