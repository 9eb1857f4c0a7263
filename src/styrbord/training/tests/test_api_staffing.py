"""Done when: a booking that would leave a facility under its minimum staffing is flagged by the API
(before booking, on the booking itself, and in its warnings), and not flagged when staffing holds."""

from __future__ import annotations

import datetime as dt

import pytest

from styrbord.api.tests.conftest import ApiClient
from styrbord.staff.models import Employment
from styrbord.testing.fixtures import World
from styrbord.training.models import Booking

from . import helpers

pytestmark = pytest.mark.django_db


def test_the_api_flags_a_booking_that_breaks_the_minimum_staffing(world: World) -> None:
    world.dolmer.minimum_staff = 2  # three staff: one away leaves 2 (fine), two away leave 1 (too few)
    world.dolmer.save()
    session = helpers.session(days=[dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
    first, second = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:2])
    api = ApiClient(world.manager)

    check = api.post("/bookings/staffing-check", {"session": session.pk, "employment": first.pk})
    assert check.status_code == 200, check.content
    assert check.json() == []
    response = api.post(
        "/bookings", {"session": session.pk, "employee": first.employee_id, "employment": first.pk, "status": "booked"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["staffing_warning"] is False

    check = api.post("/bookings/staffing-check", {"session": session.pk, "employment": second.pk})
    assert check.status_code == 200
    assert check.json() == [
        {"date": "2026-03-02", "facility": world.dolmer.pk, "remaining": 1, "minimum": 2},
        {"date": "2026-03-03", "facility": world.dolmer.pk, "remaining": 1, "minimum": 2},
    ]
    body = {"session": session.pk, "employee": second.employee_id, "employment": second.pk, "status": "booked"}
    # As on the session page: not booked until the understaffing is confirmed (the API booked it
    # with only a flag, while the page and the group booking asked first).
    refused = api.post("/bookings", body)
    assert refused.status_code == 422, refused.content
    assert refused.json()["detail"] == [
        {
            "loc": ["body", "payload", "confirm_understaffing"],
            "msg": "Bookingen bringer tilbuddet under minimumsbemandingen (02-03-2026: 1 på arbejde, mindst 2; "
            "03-03-2026: 1 på arbejde, mindst 2). Send confirm_understaffing: true for at booke alligevel.",
            "type": "understaffing",
        }
    ]
    assert not Booking.objects.filter(session=session, employee_id=second.employee_id).exists()
    english = api.post("/bookings", body, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"][0]["msg"].startswith("The booking takes the facility below its minimum staffing")
    response = api.post("/bookings", {**body, "confirm_understaffing": True})
    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["staffing_warning"] is True
    warnings = api.get(f"/bookings/{booking['id']}/staffing-warnings")
    assert warnings.status_code == 200
    assert [(w["date"], w["remaining"]) for w in warnings.json()] == [("2026-03-02", 1), ("2026-03-03", 1)]
    # The listing shows the flag too.
    listed = {b["id"]: b["staffing_warning"] for b in api.get("/bookings").json()["items"]}
    assert listed[booking["id"]] is True


def test_the_staffing_check_refuses_an_employment_outside_the_users_scope(world: World) -> None:
    session = helpers.session()
    other = Employment.objects.get(employee=world.glesborg_staff[0])
    response = ApiClient(world.manager).post(
        "/bookings/staffing-check", {"session": session.pk, "employment": other.pk}
    )
    assert response.status_code in (400, 422)
    assert "uden for dit omfang" in response.content.decode()


def test_the_api_books_a_group_all_or_none_after_the_staffing_is_confirmed(world: World) -> None:
    """POST /bookings/group: two of Dolmer's three staff break a minimum of two; the first call
    books nothing and returns the day; the confirmed call books both (201). Someone outside the
    manager's scope is refused by id (422), and nothing is booked."""
    world.dolmer.minimum_staff = 2
    world.dolmer.minimum_staff_weekend = 2
    world.dolmer.save()
    session = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    first, second = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:2])
    outside = Employment.objects.get(employee=world.glesborg_staff[0])
    api = ApiClient(world.manager)

    held = api.post("/bookings/group", {"session": session.pk, "employments": [first.pk, second.pk]})
    assert held.status_code == 200, held.content
    assert held.json() == {
        "booked": False,
        "bookings": [],
        "warnings": [{"date": "2026-03-02", "facility": world.dolmer.pk, "remaining": 1, "minimum": 2}],
        "waitlisted": 0,
    }
    assert not session.bookings.exists()

    refused = api.post("/bookings/group", {"session": session.pk, "employments": [first.pk, outside.pk]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == f"Ansættelse {outside.pk} findes ikke eller er uden for dit omfang."
    assert not session.bookings.exists()

    done = api.post(
        "/bookings/group",
        {"session": session.pk, "employments": [first.pk, second.pk], "confirm_understaffing": True},
    )
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["booked"] is True
    assert sorted(b["employment"] for b in body["bookings"]) == sorted([first.pk, second.pk])
    assert all(b["staffing_warning"] for b in body["bookings"])
    assert session.bookings.count() == 2


def test_api_errors_speak_the_client_s_language(world: World) -> None:
    """Accept-Language: en gives English messages, Danish by default."""
    session = helpers.session(days=[dt.date(2026, 3, 2)], capacity=10)
    outside = Employment.objects.get(employee=world.glesborg_staff[0])
    api = ApiClient(world.manager)
    body = {"session": session.pk, "employments": [outside.pk]}
    danish = api.post("/bookings/group", body)
    english = api.post("/bookings/group", body, HTTP_ACCEPT_LANGUAGE="en")
    assert (danish.status_code, english.status_code) == (422, 422)
    assert danish.json()["detail"][0]["msg"] == f"Ansættelse {outside.pk} findes ikke eller er uden for dit omfang."
    assert english.json()["detail"][0]["msg"] == f"Employment {outside.pk} does not exist or is outside your scope."
