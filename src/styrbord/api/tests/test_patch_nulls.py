"""``null`` in a PATCH, one rule for every field: 422 at the field where the database keeps no
null (a text answered 409 "a duplicate", a facility's text was emptied silently, a yes/no gave
Django's raw text); a nullable field may be emptied with null."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.api.tests.conftest import ApiClient
from styrbord.staff.models import Employee, Employment

pytestmark = pytest.mark.django_db


def test_null_for_a_field_without_nulls_is_422_at_the_field(world: Any) -> None:
    person = world.dolmer_staff[0]
    Employee.objects.filter(pk=person.pk).update(email="a@b.dk", education="Pædagog")
    api = ApiClient(world.coordinator)
    version = api.get(f"/employees/{person.pk}").json()["version"]

    response = api.patch(f"/employees/{person.pk}", {"version": version, "email": None, "education_relevant": None})
    english = api.client.patch(
        f"/api/v1/employees/{person.pk}",
        {"version": version, "email": None},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422, response.content.decode()
    assert response.json()["detail"] == [
        {
            "loc": ["body", "payload", "email"],
            "msg": 'Feltet kan ikke være null. Send "" for at tømme det, eller udelad feltet for at lade det være.',
            "type": "null_not_allowed",
        },
        {
            "loc": ["body", "payload", "education_relevant"],
            "msg": "Feltet kan ikke være null. Udelad feltet for at lade det være.",
            "type": "null_not_allowed",
        },
    ]
    assert english.json()["detail"][0]["msg"].startswith("The field cannot be null.")
    person.refresh_from_db()
    assert person.email == "a@b.dk"
    emptied = api.patch(f"/employees/{person.pk}", {"version": version, "email": ""})
    assert emptied.status_code == 200, emptied.content.decode()


def test_null_empties_a_field_that_may_be_empty(world: Any) -> None:
    employment = Employment.objects.get(employee=world.dolmer_staff[0])
    api = ApiClient(world.coordinator)
    version = api.get(f"/employments/{employment.pk}").json()["version"]
    response = api.patch(f"/employments/{employment.pk}", {"version": version, "end_date": None})
    assert response.status_code == 200, response.content.decode()
    assert response.json()["end_date"] is None
