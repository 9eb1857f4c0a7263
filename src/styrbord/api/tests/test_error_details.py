"""What an integrator reads in an error: the client's language on 403/409, and a ``loc`` that points
at the item or nested field in question, not at the list or object around it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError

from styrbord.staff.models import Employee

pytestmark = pytest.mark.django_db


def test_a_403_speaks_the_clients_language(world: Any, api_as: Any) -> None:
    api = api_as(world.analyst)
    assert api.get("/employees").json() == {"detail": "Din rolle må ikke dette."}
    english = api.client.get("/api/v1/employees", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403
    assert english.json() == {"detail": "Your role may not do this."}


def test_a_broken_database_rule_answers_409_in_the_clients_language(
    world: Any, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def duplicate(*args: Any) -> Any:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("styrbord.api.crud.generic_create", duplicate)
    api = api_as(world.admin)
    body = {"facility": world.dolmer.pk, "name": "Ny afdeling"}

    danish = api.post("/units", body)
    english = api.post("/units", body, HTTP_ACCEPT_LANGUAGE="en")

    assert (danish.status_code, english.status_code) == (409, 409)
    assert danish.json() == {
        "detail": "Ændringen strider mod en regel i databasen (f.eks. en dublet).",
        "current_version": None,
    }
    assert english.json() == {
        "detail": "The change breaks a rule in the database (for example a duplicate).",
        "current_version": None,
    }


def test_a_group_bookings_unknown_employments_are_named_at_their_place_in_the_list(world: Any, api_as: Any) -> None:
    from styrbord.training.tests import helpers

    session = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    own = [e.employments.get().pk for e in world.dolmer_staff[:2]]
    outside = world.glesborg_staff[0].employments.get().pk
    api = api_as(world.manager)
    body = {"session": session.pk, "employments": [own[0], outside, own[1], 99999999]}

    danish = api.post("/bookings/group", body)
    english = api.post("/bookings/group", body, HTTP_ACCEPT_LANGUAGE="en")

    assert danish.status_code == 422, danish.content
    assert [(e["loc"], e["msg"]) for e in danish.json()["detail"]] == [
        (["body", "payload", "employments", 1], f"Ansættelse {outside} findes ikke eller er uden for dit omfang."),
        (["body", "payload", "employments", 3], "Ansættelse 99999999 findes ikke eller er uden for dit omfang."),
    ]
    assert [e["msg"] for e in english.json()["detail"]] == [
        f"Employment {outside} does not exist or is outside your scope.",
        "Employment 99999999 does not exist or is outside your scope.",
    ]
    # Pydantic's own errors in the list were already at the item; they still are.
    typed = api.post("/bookings/group", {"session": session.pk, "employments": [own[0], "x", -1]})
    assert [e["loc"] for e in typed.json()["detail"]] == [
        ["body", "payload", "employments", 1],
        ["body", "payload", "employments", 2],
    ]
    assert not session.bookings.exists()


def test_attendance_names_the_repeated_or_unknown_booking_at_its_item(world: Any, api_as: Any) -> None:
    from styrbord.training.tests import helpers

    session = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    api = api_as(world.manager)

    def item(pk: int) -> dict[str, Any]:
        return {"booking": pk, "outcome": "no_show", "version": 1}

    repeated = api.post(f"/sessions/{session.pk}/attendance", {"bookings": [item(7), item(8), item(7)]})
    assert repeated.status_code == 422
    assert [(e["loc"], e["msg"]) for e in repeated.json()["detail"]] == [
        (["body", "payload", "bookings", 2, "booking"], "En booking står flere gange.")
    ]
    unknown = api.post(
        f"/sessions/{session.pk}/attendance", {"bookings": [item(99999998), item(99999999)]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert [(e["loc"], e["msg"]) for e in unknown.json()["detail"]] == [
        (
            ["body", "payload", "bookings", 0, "booking"],
            "Booking 99999998 is not on the session or is outside your scope.",
        ),
        (
            ["body", "payload", "bookings", 1, "booking"],
            "Booking 99999999 is not on the session or is outside your scope.",
        ),
    ]


def test_a_requirements_unknown_competence_is_named_at_its_place_in_the_list(world: Any, api_as: Any) -> None:
    from styrbord.testing.factories import competence

    known = competence("KRAP")
    body = {"name": "Krav", "scope_level": "facility", "facility": world.dolmer.pk, "competences": [known.pk, 99999999]}

    response = api_as(world.admin).post("/requirements", body)

    assert response.status_code == 422, response.content
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [
        (["body", "payload", "competences", 1], "Kompetencen 99999999 findes ikke.")
    ]


def test_errors_in_a_new_employees_employment_point_into_the_employment(world: Any, api_as: Any) -> None:
    """``POST /employees`` with an ``employment`` object: its reference and model errors were
    located at the top level (``["body", "payload", "facility"]``), a field the employee has not."""
    api = api_as(world.manager)

    def body(key: str, **employment: Any) -> dict[str, Any]:
        fields = {"employment_number": f"N-{key}", "job_group": "social_educator", "start_date": "2024-01-01"}
        return {"person_key": key, "name": f"Ny {key}", "employment": {**fields, **employment}}

    outside = api.post("/employees", body("a", facility=world.glesborg.pk))
    assert outside.status_code == 422, outside.content
    assert [e["loc"] for e in outside.json()["detail"]] == [["body", "payload", "employment", "facility"]]

    ended = api.post("/employees", body("b", facility=world.dolmer.pk, status="ended"))
    assert ended.status_code == 422, ended.content
    assert [(e["loc"], e["msg"]) for e in ended.json()["detail"]] == [
        (["body", "payload", "employment", "end_date"], "En fratrådt ansættelse skal have en slutdato.")
    ]
    assert not Employee.objects.filter(person_key__in=["a", "b"]).exists()


def test_a_group_bookings_refused_people_are_each_named_at_their_place_in_the_list(world: Any, api_as: Any) -> None:
    """The booking service's refusals (leave on a course day) came as one error at ``__all__``."""
    from styrbord.staff.models import Absence
    from styrbord.training.tests import helpers

    session = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    staff = world.dolmer_staff
    for person in (staff[0], staff[2]):
        Absence.objects.create(
            employee=person, kind=Absence.Kind.HOLIDAY, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 2)
        )
    ids = [e.employments.get().pk for e in staff]

    answer = api_as(world.manager).post("/bookings/group", {"session": session.pk, "employments": ids})

    assert answer.status_code == 422, answer.content
    assert [(e["loc"], e["type"], e["msg"]) for e in answer.json()["detail"]] == [
        (
            ["body", "payload", "employments", index],
            "booking_error",
            f"{staff[index].name}: Medarbejderen har fravær (ferie) den 02-03-2026.",
        )
        for index in (0, 2)
    ]
    assert not session.bookings.exists()


def test_a_body_that_is_not_json_and_a_day_that_does_not_exist_are_said_in_the_clients_language(
    world: Any, api_as: Any
) -> None:
    """A walk sent ``{not json`` and read "Cannot parse request body" whatever it asked for; and
    "2026-02-31", written right, was told to be written as ÅÅÅÅ-MM-DD."""
    api = api_as(world.coordinator)
    for language, expected in (("da", "Indholdet er ikke gyldig JSON."), ("en", "The content is not valid JSON.")):
        response = api.client.post(
            "/api/v1/employees", "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 400
        assert response.json() == {"detail": expected}
    body = {"person_key": "hr-dato", "name": "Dato Test", "employment": {"facility": world.dolmer.pk}}
    body["employment"].update(employment_number="D-1", job_group="social_educator", start_date="2026-02-31")
    response = api.post("/employees", body)
    assert response.status_code == 422
    (date,) = [d for d in response.json()["detail"] if d["loc"][-1] == "start_date"]
    assert date["msg"] == "Datoen findes ikke i kalenderen (f.eks. 31-02)."
    malformed = api.post("/employees", {**body, "employment": {**body["employment"], "start_date": "31-02-2026"}})
    (date,) = [d for d in malformed.json()["detail"] if d["loc"][-1] == "start_date"]
    assert date["msg"] == "Skal være en dato som ÅÅÅÅ-MM-DD."


def test_a_status_a_booking_cannot_take_is_named_at_its_status(world: Any, api_as: Any) -> None:
    """A walk created a booking as "completed" and moved a planned one to "completed": both came
    back at ``__all__``, and the schema offered all eight statuses for a new booking."""
    from styrbord.training.tests import helpers

    session = helpers.session(days=[dt.date(2027, 3, 2)], capacity=10)
    api = api_as(world.coordinator)
    person = world.dolmer_staff[0]
    created = api.post("/bookings", {"session": session.pk, "employee": person.pk, "status": "completed"})
    assert created.status_code == 422
    (error,) = created.json()["detail"]
    assert error["loc"][-1] == "status"
    assert error["msg"] == "Skal være en af: 'planned' eller 'booked'."
    booking = api.post("/bookings", {"session": session.pk, "employee": person.pk}).json()
    moved = api.patch(f"/bookings/{booking['id']}", {"version": booking["version"], "status": "completed"})
    assert moved.status_code == 422
    (error,) = moved.json()["detail"]
    assert (error["loc"][-1], error["type"]) == ("status", "booking_error")
    schema = api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]["BookingCreate"]
    assert schema["properties"]["status"]["enum"] == ["planned", "booked"]
