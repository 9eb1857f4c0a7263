"""A body field the operation does not declare answers 422, never silently dropped.

``POST /courses`` with ``"bogus": 1`` answered 201, and a PATCH with a misspelt field
(``"weekly_hour": 30``) answered 200 and changed nothing: a sync job never heard of its typo.
Every request body schema (and every object nested in one) inherits ``schemas.Input``, which
forbids extra fields; the OpenAPI schema says so with ``additionalProperties: false``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from styrbord.audit.models import AuditEntry
from styrbord.staff.models import Employee, Employment
from styrbord.training.models import Course

pytestmark = pytest.mark.django_db

UNKNOWN = "Feltet findes ikke."
UNKNOWN_EN = "No such field."


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref is None:
        return "", schema
    name = ref.rsplit("/", 1)[-1]
    return name, spec["components"]["schemas"][name]


def _input_objects(spec: dict[str, Any], schema: dict[str, Any], seen: dict[str, dict[str, Any]], path: str) -> None:
    """Every object schema reachable from a request body, by name (or path for inline ones)."""
    name, schema = _resolve(spec, schema)
    key = name or path
    if key in seen:
        return
    if schema.get("type") == "object" or "properties" in schema:
        seen[key] = schema
    for prop, sub in (schema.get("properties") or {}).items():
        _input_objects(spec, sub, seen, f"{key}.{prop}")
    if isinstance(schema.get("items"), dict):
        _input_objects(spec, schema["items"], seen, f"{key}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        _input_objects(spec, schema["additionalProperties"], seen, f"{key}{{}}")
    for combinator in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(combinator) or []):
            _input_objects(spec, sub, seen, f"{key}|{i}")


def _output_names(spec: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for content in (response.get("content") or {}).values():
                    found: dict[str, dict[str, Any]] = {}
                    _input_objects(spec, content.get("schema") or {}, found, "response")
                    names |= {n for n in found if "." not in n and "[" not in n and "|" not in n}
    return names


def test_every_body_schema_and_every_object_nested_in_one_refuses_other_fields(world: Any, api_as: Any) -> None:
    """The guard for new operations: a body schema that does not inherit ``schemas.Input`` fails here."""
    spec = api_as(world.admin).get("/openapi.json").json()
    found: dict[str, dict[str, Any]] = {}
    bodies = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            for media, content in body["content"].items():
                bodies += 1
                _input_objects(spec, content["schema"], found, f"{method.upper()} {path} {media}")
    loose = sorted(name for name, schema in found.items() if schema.get("additionalProperties") is not False)
    assert not loose, f"body schemas that accept undeclared fields: {loose}"
    assert bodies >= 30
    # The nested ones are reached too (a new employee's employment, attendance items).
    assert {"EmployeeCreate", "EmploymentFields", "AttendanceIn", "AttendanceItemIn", "GroupBookingIn"} <= set(found)
    # Output schemas stay open: a client reading them must tolerate fields added later.
    outputs = _output_names(spec)
    assert {"EmployeeOut", "CourseOut", "GroupBookingOut", "BookingOut"} <= outputs
    strict_outputs = sorted(n for n in outputs if spec["components"]["schemas"][n].get("additionalProperties") is False)
    assert not strict_outputs, f"output schemas that forbid extra fields: {strict_outputs}"


def test_an_unknown_field_on_create_answers_422_and_creates_nothing(world: Any, api_as: Any) -> None:
    from styrbord.training.tests import helpers

    provider = helpers.provider()
    api = api_as(world.admin)
    body = {"code": "ny-kursus", "name": "Nyt kursus", "provider": provider.pk, "kind": Course.Kind.CERTIFICATION}

    danish = api.post("/courses", {**body, "bogus": 1})
    english = api.post("/courses", {**body, "bogus": 1}, HTTP_ACCEPT_LANGUAGE="en")

    assert danish.status_code == 422, danish.content
    assert danish.json() == {
        "detail": [{"loc": ["body", "payload", "bogus"], "type": "extra_forbidden", "msg": UNKNOWN}]
    }
    assert english.status_code == 422
    assert english.json()["detail"] == [
        {"loc": ["body", "payload", "bogus"], "type": "extra_forbidden", "msg": UNKNOWN_EN}
    ]
    assert not Course.objects.filter(code="ny-kursus").exists()
    # Without the stray field the same body is fine.
    assert api.post("/courses", body).status_code == 201


def test_a_misspelt_field_in_a_patch_answers_422_and_changes_nothing(world: Any, api_as: Any) -> None:
    """``weekly_hour`` for ``weekly_hours`` was a silent no-op answered 200."""
    employment = Employment.objects.get(employee=world.dolmer_staff[0])
    before = (employment.version, employment.weekly_hours)
    api = api_as(world.coordinator)
    audited = AuditEntry.objects.count()  # after the token's own entry

    response = api.patch(f"/employments/{employment.pk}", {"version": employment.version, "weekly_hour": 30})

    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [
        {"loc": ["body", "payload", "weekly_hour"], "type": "extra_forbidden", "msg": UNKNOWN}
    ]
    employment.refresh_from_db()
    assert (employment.version, employment.weekly_hours) == before
    assert AuditEntry.objects.count() == audited
    # Every unknown field is named, together with the schema's other errors.
    several = api.patch(f"/employments/{employment.pk}", {"weekly_hour": 30, "id": employment.pk})
    assert sorted((e["loc"][-1], e["type"]) for e in several.json()["detail"]) == [
        ("id", "extra_forbidden"),
        ("version", "missing"),
        ("weekly_hour", "extra_forbidden"),
    ]


def test_an_unknown_field_inside_a_nested_object_is_named_at_its_place(world: Any, api_as: Any) -> None:
    api = api_as(world.admin)
    body = {
        "person_key": "hr-body-1",
        "name": "Ny Medarbejder",
        "employment": {
            "facility": world.dolmer.pk,
            "employment_number": "N-1",
            "job_group": "social_educator",
            "start_date": "2026-01-01",
            "weekly_hour": 30,
        },
    }

    danish = api.post("/employees", body)
    english = api.post("/employees", body, HTTP_ACCEPT_LANGUAGE="en")

    assert danish.status_code == 422, danish.content
    assert danish.json()["detail"] == [
        {"loc": ["body", "payload", "employment", "weekly_hour"], "type": "extra_forbidden", "msg": UNKNOWN}
    ]
    assert [e["msg"] for e in english.json()["detail"]] == [UNKNOWN_EN]
    assert not Employee.objects.filter(person_key="hr-body-1").exists()


def test_an_unknown_field_in_an_item_of_a_list_is_named_at_the_item(world: Any, api_as: Any) -> None:
    from styrbord.training import services
    from styrbord.training.tests import helpers

    session = helpers.session(days=[dt.date(2026, 3, 2)])
    booking = services.book(world.dolmer_staff[0], session, status="booked")
    api = api_as(world.coordinator)

    response = api.post(
        f"/sessions/{session.pk}/attendance",
        {"bookings": [{"booking": booking.pk, "outcome": "attended", "version": booking.version, "note": "x"}]},
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [
        {"loc": ["body", "payload", "bookings", 0, "note"], "type": "extra_forbidden", "msg": UNKNOWN}
    ]
    booking.refresh_from_db()
    assert booking.status == "booked"
    # A group booking's body too.
    group = api.post("/bookings/group", {"session": session.pk, "employments": [1], "confirm": True})
    assert [(e["loc"], e["type"]) for e in group.json()["detail"]] == [
        (["body", "payload", "confirm"], "extra_forbidden")
    ]
