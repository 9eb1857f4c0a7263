"""Hostile values in any operation's query parameter or body field are a 4xx, never a server error.

Schemathesis draws values from the schema; these are the ones a person or a broken client sends
against it: an id beyond 64 bits, a date at the calendar's end, text, -1, a list of a huge id.
Found this way: ``GET /coverage?on=9999-12-31`` (the API's date type checked nothing).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

HOSTILE_QUERY = ["9" * 20, "9999-12-31", "abc", "-1", "NaN", "a\x00b"]
HOSTILE_BODY: list[Any] = [10**20, "9999-12-31", -1, [10**20], "NaN", "a\x00b"]


def _body_fields(spec: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return list(spec["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {})) if ref else []


def test_no_hostile_value_in_any_operation_is_a_server_error(world: Any, api_as: Any) -> None:
    import datetime as dt

    from styrbord.requirements.models import Population, Rule
    from styrbord.requirements.tests.helpers import requirement
    from styrbord.testing.factories import competence

    # Within 6 months of hire: coverage on a date computes a cutoff from that date.
    requirement(
        [competence("KRAP", validity_months=24)],
        facility=world.dolmer,
        rule=Rule.WITHIN_MONTHS_OF_HIRE,
        population=Population.NEW_STAFF,
        months=6,
        effective_from=dt.date(2025, 1, 1),
    )
    api = api_as(world.admin)
    spec = api.get("/openapi.json").json()
    client = api.client
    client.raise_request_exception = False
    broken, tried = [], 0
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", str(world.dolmer_staff[0].pk), path)  # an id that exists somewhere
        for method, operation in operations.items():
            if method == "get":
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") != "query":
                        continue
                    for value in HOSTILE_QUERY:
                        tried += 1
                        status = client.get(url, {parameter["name"]: value}).status_code
                        if status >= 500:
                            broken.append(f"GET {path}?{parameter['name']}={value} -> {status}")
            elif method in ("post", "patch", "put"):
                for field in _body_fields(spec, operation):
                    for value in HOSTILE_BODY:
                        tried += 1
                        body = json.dumps({field: value})
                        status = client.generic(method.upper(), url, body, content_type="application/json").status_code
                        if status >= 500:
                            broken.append(f"{method.upper()} {path} {field}={value!r} -> {status}")

    assert tried > 500  # every operation's parameters and fields were tried
    assert not broken, "\n".join(broken)
