"""A query parameter an operation does not declare answers 422; it is never silently ignored.

Found by an integrator: ``GET /employments?facilty=3`` (a typo) returned every employment in
scope, so a sync job quietly read the wrong set.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

UNKNOWN = "zz_not_a_parameter"


def test_a_misspelt_filter_answers_422_naming_the_parameters_the_operation_takes(world: Any, api_as: Any) -> None:
    api = api_as(world.admin)
    accepted = ["page", "page_size", "facility", "employee", "employment_number"]

    danish = api.get("/employments", facilty=world.dolmer.pk)

    assert danish.status_code == 422, danish.content
    assert danish.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["query", "facilty"],
                "msg": "Ukendt query-parameter. Operationen tager: page, page_size, facility, employee, employment_number.",
                "ctx": {"accepted": accepted},
            }
        ]
    }
    english = api.client.get("/api/v1/employments", {"facilty": world.dolmer.pk}, HTTP_ACCEPT_LANGUAGE="en").json()[
        "detail"
    ]
    assert [e["msg"] for e in english] == [
        "Unknown query parameter. This operation takes: page, page_size, facility, employee, employment_number."
    ]
    # The parameter spelt right still filters.
    right = api.get("/employments", facility=world.dolmer.pk)
    assert right.status_code == 200
    assert {item["facility"] for item in right.json()["items"]} == {world.dolmer.pk}


def test_an_operation_without_query_parameters_says_so(world: Any, api_as: Any) -> None:
    api = api_as(world.admin)
    person = world.dolmer_staff[0]

    response = api.get(f"/employees/{person.pk}", expand="employments")

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["query", "expand"],
            "msg": "Ukendt query-parameter. Operationen tager ingen query-parametre.",
            "ctx": {"accepted": []},
        }
    ]
    english = api.client.get(f"/api/v1/employees/{person.pk}?expand=x", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"][0]["msg"] == "Unknown query parameter. This operation takes no query parameters."


def test_unknown_parameters_are_reported_with_the_invalid_ones_in_one_answer(world: Any, api_as: Any) -> None:
    response = api_as(world.admin).client.get("/api/v1/employments?page=0&facilty=1&sort=name")

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["query", "page"], "greater_than_equal"),
        (["query", "facilty"], "extra_forbidden"),
        (["query", "sort"], "extra_forbidden"),
    ]


def test_without_a_token_the_answer_is_401_whatever_the_parameters(world: Any) -> None:
    assert Client().get("/api/v1/employments", {"facilty": 1}).status_code == 401


def test_the_export_takes_the_filters_and_refuses_paging_it_would_ignore(world: Any, api_as: Any) -> None:
    """The CSV holds every row in scope: ``page=2`` there used to be accepted and ignored."""
    api = api_as(world.manager)
    assert api.get("/employments/export.csv", facility=world.dolmer.pk).status_code == 200
    paged = api.get("/employments/export.csv", page=2)
    assert paged.status_code == 422
    assert paged.json()["detail"][0]["loc"] == ["query", "page"]
    spec = api.get("/openapi.json").json()
    names = [p["name"] for p in spec["paths"]["/api/v1/employments/export.csv"]["get"]["parameters"]]
    assert names == ["facility", "employee", "employment_number"]


def test_every_operation_refuses_a_query_parameter_it_does_not_declare(world: Any, api_as: Any) -> None:
    """Each operation of the schema, with any method: 422 at ``["query", name]``, and the parameters it
    names as accepted are exactly the query parameters the OpenAPI schema declares for it."""
    api = api_as(world.admin)
    spec = api.get("/openapi.json").json()
    client = api.client
    pk = str(world.dolmer_staff[0].pk)
    checked = 0
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", pk, path) + f"?{UNKNOWN}=1"
        for method, operation in operations.items():
            declared = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            call = getattr(client, method)
            response = call(url, data={}, content_type="application/json") if method != "get" else call(url)
            assert response.status_code == 422, f"{method.upper()} {path}: {response.status_code}"
            unknown = [e for e in response.json()["detail"] if e["loc"] == ["query", UNKNOWN]]
            assert len(unknown) == 1, f"{method.upper()} {path}: {response.json()}"
            assert unknown[0]["type"] == "extra_forbidden"
            assert unknown[0]["ctx"]["accepted"] == declared, f"{method.upper()} {path}"
            assert 422 in map(int, operation["responses"]), f"{method.upper()} {path} does not document 422"
            checked += 1
    assert checked >= 60
