"""``GET /employees/{id}/personal-data`` (everything held about a person): the person and the
personal-data administrators get it; a role that may read the person in its scope but not take out
the whole record is refused as such (403); a person outside the caller's scope is missing (404)."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.api.tests.conftest import ApiClient


@pytest.mark.django_db
def test_the_person_and_the_administrator_get_everything(world: Any) -> None:
    person = world.dolmer_staff[0]
    for user in (world.employee_user, world.admin):
        response = ApiClient(user).get(f"/employees/{person.pk}/personal-data")
        assert response.status_code == 200, (user.username, response.content[:200])
        assert response.json()["employee_id"] == person.pk


@pytest.mark.django_db
def test_a_reader_who_may_not_take_it_out_is_refused_not_told_it_is_missing(world: Any) -> None:
    person = world.dolmer_staff[1]
    for user in (world.manager, world.coordinator):
        assert ApiClient(user).get(f"/employees/{person.pk}").status_code == 200
        response = ApiClient(user).get(f"/employees/{person.pk}/personal-data")
        assert response.status_code == 403, (user.username, response.status_code)


@pytest.mark.django_db
def test_outside_the_scope_the_person_is_missing(world: Any) -> None:
    person = world.syddjurs_staff[0]
    for user in (world.manager, world.coordinator, world.employee_user):
        response = ApiClient(user).get(f"/employees/{person.pk}/personal-data")
        assert response.status_code == 404, (user.username, response.status_code)
