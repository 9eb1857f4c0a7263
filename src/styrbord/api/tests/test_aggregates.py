"""Analysts get aggregates only: counts by municipality and job group, small cells suppressed."""

from __future__ import annotations

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
