"""The coverage benchmark runs on small data and the engine agrees with its raw SQL baseline."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from styrbord.requirements import benchmarks
from styrbord.requirements.models import Requirement
from styrbord.staff.models import JobGroup
from styrbord.testing import factories

pytestmark = pytest.mark.django_db


def small_country() -> None:
    rng = random.Random(7)
    competences = [factories.competence(validity_months=rng.choice([None, 12, 24])) for _ in range(5)]
    facilities = [factories.facility(f"Tilbud {i}", code) for i, code in enumerate(["0707", "0707", "0706", "0101"])]
    groups = list(JobGroup.values)
    for i in range(120):
        person = factories.employee()
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2400))
        end = start + dt.timedelta(days=rng.randint(30, 900)) if i % 7 == 0 else None
        factories.employment(
            person,
            rng.choice(facilities),
            job_group=rng.choice(groups),
            weekly_hours=rng.choice(["37", "30", "18.5", "32"]),
            is_contact_person=rng.random() < 0.5,
            start_date=start,
            end_date=end,
        )
        for comp in rng.sample(competences, rng.randint(0, 3)):
            acquired = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 2800))
            factories.holding(person, comp, acquired, comp.expiry_for(acquired))


def test_the_engine_and_the_raw_sql_give_identical_numbers_and_nothing_is_left_behind() -> None:
    small_country()

    result = benchmarks.run({"requirements": 30, "repeat": 1, "seed": 3, "on": dt.date(2026, 11, 23)})

    assert result["identical"] is True, result["mismatches"]
    assert result["requirements"] == 30
    assert result["rows"] > 30
    assert 0 < result["compliant_total"] < result["people_in_scope_total"]
    assert result["not_yet_due_total"] > 0  # the within-M-months rules' people not yet due are compared too
    assert result["ratio_engine_to_sql"] > 0
    assert not Requirement.objects.exists()  # the bench's requirements are rolled back


def test_the_benchmark_refuses_an_empty_database() -> None:
    with pytest.raises(RuntimeError, match="generate"):
        benchmarks.run({"requirements": 3, "repeat": 1})
