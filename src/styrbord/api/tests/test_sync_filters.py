"""An HR sync finds one person or employment by its key, without pulling every row."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.api.tests.conftest import ApiClient
from styrbord.staff.models import Employee, Employment

pytestmark = pytest.mark.django_db


def test_an_employee_by_person_key_and_an_employment_by_number(world: Any) -> None:
    person = world.dolmer_staff[1]
    Employee.objects.filter(pk=person.pk).update(person_key="0707:sync-42")
    employment = Employment.objects.get(employee=person)
    Employment.objects.filter(pk=employment.pk).update(employment_number="LØN-4711")
    api = ApiClient(world.coordinator)

    found = api.get("/employees", person_key="0707:sync-42").json()["items"]
    numbered = api.get("/employments", employment_number="LØN-4711").json()["items"]
    other = api.get("/employees", person_key="0707:nobody").json()["items"]
    outside = ApiClient(world.other_coordinator).get("/employees", person_key="0707:sync-42").json()["items"]

    assert [e["id"] for e in found] == [person.pk]
    assert [e["id"] for e in numbered] == [employment.pk]
    assert other == []
    assert outside == []  # the key finds only people in scope
