"""A requirement's target reads the same in every answer: a decimal string with two places, as
the requirement's own ``target_percent`` ("100.00", "75.00"). A walk found "100" for a rule that
everyone must meet (the target worked out as the constant 100) beside "75.00" for the others."""

from __future__ import annotations

import re
from typing import Any

from styrbord.api.tests.conftest import ApiClient
from styrbord.requirements.models import Rule, ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories

TWO_PLACES = re.compile(r"^\d{1,3}\.\d{2}$")


def _requirements(world: Any) -> tuple[Any, Any]:
    krap = factories.competence("krap-target", name="KRAP")
    region = world.dolmer.municipality.region
    everyone = requirement([krap], scope_level=ScopeLevel.REGION, region=region, name="Alle", target="100")
    share = requirement(
        [krap],
        scope_level=ScopeLevel.REGION,
        region=region,
        name="Tre fjerdedele",
        rule=Rule.PERCENT_PEOPLE,
        target="75",
    )
    return everyone, share


def test_coverage_gives_every_target_with_two_places(world: Any) -> None:
    everyone, share = _requirements(world)

    rows = ApiClient(world.coordinator).get("/coverage", on="2026-11-23").json()

    targets = {(row["requirement"], row["target"]) for row in rows}
    assert targets
    assert all(TWO_PLACES.match(t) for _r, t in targets)
    assert {t for r, t in targets if r == everyone.pk} == {"100.00"}
    assert {t for r, t in targets if r == share.pk} == {"75.00"}
    own = ApiClient(world.coordinator).get(f"/requirements/{everyone.pk}").json()
    assert own["target_percent"] == "100.00"  # the requirement itself says the same


def test_the_aggregates_give_every_target_with_two_places(world: Any) -> None:
    everyone, share = _requirements(world)
    api = ApiClient(world.admin)

    offered = {r["id"]: r["target"] for r in api.get("/aggregates/coverage/requirements").json()}
    one = api.get("/aggregates/coverage", requirement=everyone.pk, on="2026-11-23").json()
    other = api.get("/aggregates/coverage", requirement=share.pk, on="2026-11-23").json()

    assert (offered[everyone.pk], offered[share.pk]) == ("100.00", "75.00")
    assert (one["target"], other["target"]) == ("100.00", "75.00")


def test_the_schema_says_so(world: Any) -> None:
    schema = ApiClient(world.coordinator).get("/openapi.json").json()["components"]["schemas"]
    for name in ("CoverageOut", "CoverageAggregateOut", "AggregateRequirementOut"):
        target = schema[name]["properties"]["target"]
        assert target["type"] == "string", name
        assert "to decimaler" in target["description"], name
