"""An integrator's walk of the API: CSV exports that say what the JSON says (in the request's
language, scoped by role alike), ``Location`` on every 201, a session's free seats, and a booking's
staffing flag that follows the bookings made and cancelled after it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from styrbord.api.main import api as ninja_api
from styrbord.funding.models import LedgerEntry
from styrbord.funding.services.booking_charges import charge_booking
from styrbord.funding.tests import helpers as funding_helpers
from styrbord.lib.dates import local_today
from styrbord.staff.models import Employment
from styrbord.training.models import Booking
from styrbord.training.tests import helpers as training_helpers

pytestmark = pytest.mark.django_db


def _monday() -> dt.date:
    """A Monday some weeks ahead: a session still to come, on weekdays."""
    day = local_today() + dt.timedelta(days=28)
    return day + dt.timedelta(days=-day.weekday() % 7)


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _header(response: Any) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


# --- 1. CSV exports ---------------------------------------------------------------------------


def test_csv_headings_follow_the_request_language_as_the_values_do(world: Any, api_as: Any) -> None:
    """With Accept-Language: en the values were English under Danish headings."""
    api = api_as(world.coordinator)
    danish = api.client.get(f"/api/v1/employments/export.csv?facility={world.dolmer.pk}")
    english = api.client.get(f"/api/v1/employments/export.csv?facility={world.dolmer.pk}", HTTP_ACCEPT_LANGUAGE="en")

    assert {"faggruppe", "status", "timeløn (lønomkostning)"} <= set(_header(danish))
    assert {"job group", "status", "hourly wage (wage cost)"} <= set(_header(english))
    assert not {"faggruppe", "ugentlige timer", "startdato"} & set(_header(english))
    assert {row["job group"] for row in _csv(english)} == {"Social educator"}


def test_the_employments_csv_has_every_field_of_the_json(world: Any, api_as: Any) -> None:
    """Unit, kind, title and hourly wage were in the JSON only; money is the exact decimal."""
    employment = Employment.objects.get(employee=world.dolmer_staff[0])
    Employment.objects.filter(pk=employment.pk).update(title="Pædagog", hourly_wage=Decimal("312.57"))
    api = api_as(world.coordinator)
    item = api.get(f"/employments/{employment.pk}").json()
    english = api.client.get(f"/api/v1/employments/export.csv?facility={world.dolmer.pk}", HTTP_ACCEPT_LANGUAGE="en")

    assert len(_header(english)) == len(item)  # one column a field of the JSON item
    row = next(r for r in _csv(english) if r["id"] == str(employment.pk))
    assert {"unit", "employment type", "position", "hourly wage (wage cost)"} <= set(row)
    assert row["position"] == "Pædagog"
    assert row["hourly wage (wage cost)"] == "312,57"  # decimal comma, as the CSV writes every amount
    assert row["employment type"] == "Permanent"
    assert row["version"] == str(item["version"])


def test_the_grants_csv_carries_the_balances_as_the_json_does(world: Any, api_as: Any) -> None:
    grant = funding_helpers.grant(funding_helpers.pool(), world.dolmer, amount="100000.50")
    api = api_as(world.finance)
    balances = api.get(f"/grants/{grant.pk}").json()["balances"]
    rows = _csv(api.get("/grants/export.csv"))
    row = next(r for r in rows if r["id"] == str(grant.pk))

    assert row["økonomi: givet i tilsagn"] == balances["granted"].replace(".", ",") == "100000,50"
    assert row["økonomi: tilbage"] == balances["remaining"].replace(".", ",")
    assert row["økonomi: modtaget fra tilskudsgiver"] == balances["income"].replace(".", ",")
    english = api.client.get("/api/v1/grants/export.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert "finances: remaining" in _header(english)


def _charged_booking(world: Any) -> tuple[Any, Booking]:
    pool = funding_helpers.pool(grantor=world.grantor_user.grantor)
    grant = funding_helpers.grant(pool, world.dolmer, amount="100000")
    booking = funding_helpers.booking(world.dolmer_staff[0], {"fee": "2400", "backfill": "5000"})
    charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)
    return grant, booking


def test_the_ledger_csv_names_reverses_and_people_only_for_those_the_json_names_them_to(
    world: Any, api_as: Any
) -> None:
    """The ledger's reverses/corrects were missing from the CSV; its booking and person are hidden
    from a grantor in the JSON (null) and so are no columns of the grantor's CSV."""
    grant, booking = _charged_booking(world)
    entry = LedgerEntry.objects.filter(grant=grant, booking=booking).first()
    assert entry is not None
    finance = api_as(world.finance)
    reversal = finance.post(
        f"/ledger/{entry.pk}/reverse",
        {"version": finance.get(f"/ledger/{entry.pk}").json()["version"], "reason": "Fejlpostering"},
    )
    assert reversal.status_code == 201, reversal.content

    rows = _csv(finance.get("/ledger/export.csv", grant=grant.pk))
    reversing = next(r for r in rows if r["id"] == str(reversal.json()["id"]))
    assert reversing["tilbagefører"] == str(entry.pk)
    assert "korrigerer" in reversing
    original = next(r for r in rows if r["id"] == str(entry.pk))
    assert original["booking"] == str(booking.pk)
    assert original["deltager"] == str(booking.employee_id)

    grantor = api_as(world.grantor_user)
    listed = grantor.get("/ledger", grant=grant.pk).json()["items"]
    assert listed
    assert all(item["booking"] is None and item["employee"] is None for item in listed)
    exported = grantor.get("/ledger/export.csv", grant=grant.pk)
    header = _header(exported)
    assert "booking" not in header
    assert "deltager" not in header
    assert "tilbagefører" in header
    assert str(booking.employee_id) not in {r.get("deltager") for r in _csv(exported)}


def test_a_pool_csv_has_no_balances_for_a_role_whose_json_has_none(world: Any) -> None:
    """A pool's balances are null in the JSON for a role that sees no grants: no columns either
    (no role lists pools without grants today; the rule holds should one)."""
    from styrbord.api.crud import csv_columns
    from styrbord.api.resources.funding import POOLS

    def balance_columns(user: Any) -> list[tuple[str, ...]]:
        return [c.path for c in csv_columns(POOLS, user) if c.path[0] == "balances"]

    assert len(balance_columns(world.finance)) == 7
    assert balance_columns(world.analyst) == []


# --- 2. Location on 201 -------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT=None)  # a request budget left by another test is not the point here
def test_a_201_says_where_the_new_object_is(world: Any, api_as: Any) -> None:
    api = api_as(world.admin)
    provider = training_helpers.course().provider
    created = api.post(
        "/courses", {"code": "loc-1", "name": "Førstehjælp", "provider": provider.pk, "kind": "certification"}
    )
    assert created.status_code == 201, created.content
    assert created["Location"] == f"/api/v1/courses/{created.json()['id']}"
    fetched = api.client.get(created["Location"])
    assert fetched.status_code == 200
    assert fetched.json()["code"] == "loc-1"

    # The same answer when a retry is answered from the idempotency store.
    body = {"code": "loc-2", "name": "Hygiejne", "provider": provider.pk, "kind": "certification"}
    first = api.post("/courses", body, HTTP_IDEMPOTENCY_KEY="walk-location")
    again = api.post("/courses", body, HTTP_IDEMPOTENCY_KEY="walk-location")
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"] == f"/api/v1/courses/{first.json()['id']}"


def test_a_reversal_says_where_it_is(world: Any, api_as: Any) -> None:
    grant, booking = _charged_booking(world)
    entry = LedgerEntry.objects.filter(grant=grant, booking=booking).first()
    assert entry is not None
    finance = api_as(world.finance)
    version = finance.get(f"/ledger/{entry.pk}").json()["version"]
    reversal = finance.post(f"/ledger/{entry.pk}/reverse", {"version": version, "reason": "Fejl"})
    assert reversal.status_code == 201, reversal.content
    assert reversal["Location"] == f"/api/v1/ledger/{reversal.json()['id']}"


def test_the_openapi_document_declares_location_on_the_creating_201s() -> None:
    paths = ninja_api.get_openapi_schema()["paths"]
    for path in ("/api/v1/courses", "/api/v1/bookings", "/api/v1/grants", "/api/v1/ledger"):
        created = paths[path]["post"]["responses"][201]
        assert "Location" in created["headers"], path
    assert "Location" in paths["/api/v1/ledger/{pk}/reverse"]["post"]["responses"][201]["headers"]
    # Several bookings, no one object: no Location.
    assert "headers" not in paths["/api/v1/bookings/group"]["post"]["responses"][201]


# --- 3. A session's free seats ------------------------------------------------------------------


def test_a_session_says_how_many_seats_are_free(world: Any, api_as: Any) -> None:
    session = training_helpers.session(days=[_monday()], capacity=2)
    api = api_as(world.manager)
    assert api.get(f"/sessions/{session.pk}").json()["free_seats"] == 2
    first, second, third = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:3])
    for employment, status in ((first, "booked"), (second, "planned")):
        made = api.post(
            "/bookings",
            {"session": session.pk, "employee": employment.employee_id, "employment": employment.pk, "status": status},
        )
        assert made.status_code == 201, made.content
    # A planned booking takes no seat: one is left, as the waiting list counts them.
    assert api.get(f"/sessions/{session.pk}").json()["free_seats"] == 1
    made = api.post(
        "/bookings",
        {"session": session.pk, "employee": third.employee_id, "employment": third.pk, "status": "booked"},
    )
    assert made.json()["status"] == "booked"
    listed = {s["id"]: s["free_seats"] for s in api.get("/sessions", page_size=100).json()["items"]}
    assert listed[session.pk] == 0


def test_the_session_list_counts_seats_in_one_query_for_the_page(world: Any, api_as: Any) -> None:
    api = api_as(world.manager)
    training_helpers.session(capacity=3)
    api.get("/sessions")  # warm up (token, caches)
    with CaptureQueriesContext(connection) as one:
        api.get("/sessions")
    for _ in range(5):
        training_helpers.session(capacity=3)
    with CaptureQueriesContext(connection) as six:
        response = api.get("/sessions")
    assert len(response.json()["items"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


# --- 4. The staffing flag follows later bookings ------------------------------------------------


def _flags_on_the_session_page(client: Client, session: Any) -> dict[int, bool]:
    page = client.get(reverse("training:session_detail", kwargs={"pk": session.pk}))
    assert page.status_code == 200
    return {b.pk: b.staffing_warning for b in page.context["participants"]}


def test_a_booking_s_staffing_flag_follows_the_bookings_made_and_cancelled_after_it(world: Any, api_as: Any) -> None:
    world.dolmer.minimum_staff = 2  # three staff: one away leaves 2 (fine), two away leave 1
    world.dolmer.minimum_staff_weekend = 2
    world.dolmer.save()
    monday = _monday()
    session = training_helpers.session(days=[monday, monday + dt.timedelta(days=1)], capacity=10)
    first, second = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:2])
    api = api_as(world.manager)
    page = Client()
    page.force_login(world.manager)

    a = api.post(
        "/bookings", {"session": session.pk, "employee": first.employee_id, "employment": first.pk, "status": "booked"}
    ).json()
    assert a["staffing_warning"] is False
    b = api.post(
        "/bookings",
        {
            "session": session.pk,
            "employee": second.employee_id,
            "employment": second.pk,
            "status": "booked",
            "confirm_understaffing": True,
        },
    ).json()
    assert b["staffing_warning"] is True

    assert api.get(f"/bookings/{a['id']}").json()["staffing_warning"] is True
    assert {i["id"]: i["staffing_warning"] for i in api.get("/bookings", session=session.pk).json()["items"]} == {
        a["id"]: True,
        b["id"]: True,
    }
    assert _flags_on_the_session_page(page, session) == {a["id"]: True, b["id"]: True}

    cancelled = api.patch(f"/bookings/{b['id']}", {"version": b["version"], "status": "cancelled"})
    assert cancelled.status_code == 200, cancelled.content
    assert api.get(f"/bookings/{a['id']}").json()["staffing_warning"] is False
    assert _flags_on_the_session_page(page, session)[a["id"]] is False


def test_a_booking_on_another_session_the_same_day_flags_the_first_too(world: Any, api_as: Any) -> None:
    """Not only the session's own bookings: someone from the same facility away on another course
    that day takes it under as well."""
    world.dolmer.minimum_staff = 2
    world.dolmer.save()
    day = _monday()
    one, other = training_helpers.session(days=[day]), training_helpers.session(days=[day])
    first, second = (Employment.objects.get(employee=e) for e in world.dolmer_staff[:2])
    api = api_as(world.manager)
    a = api.post(
        "/bookings", {"session": one.pk, "employee": first.employee_id, "employment": first.pk, "status": "booked"}
    ).json()
    assert a["staffing_warning"] is False
    b = api.post(
        "/bookings",
        {
            "session": other.pk,
            "employee": second.employee_id,
            "employment": second.pk,
            "status": "booked",
            "confirm_understaffing": True,
        },
    )
    assert b.status_code == 201, b.content
    assert api.get(f"/bookings/{a['id']}").json()["staffing_warning"] is True


# --- 5. The operations' summaries and descriptions ----------------------------------------------


def test_every_generated_operation_says_what_it_does_and_who_sees_what() -> None:
    paths = ninja_api.get_openapi_schema()["paths"]
    bookings = paths["/api/v1/bookings"]["get"]
    assert bookings["summary"] == "List bookings"
    assert "Roles: admin, coordinator, finance, facility_manager, employee." in bookings["description"]
    assert "an employee only their own" in bookings["description"]
    assert paths["/api/v1/bookings/{pk}"]["patch"]["summary"] == "Change a booking (send the version you read)"
    assert paths["/api/v1/courses/{pk}"]["delete"]["summary"] == "Delete a course (send the version you read)"
    assert "Shared reference data" in paths["/api/v1/courses"]["get"]["description"]
    assert "`booking` and `employee` are null" in paths["/api/v1/ledger"]["get"]["description"]
    assert "(422 otherwise)" in paths["/api/v1/grants"]["post"]["description"]
    generic = [
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation["operationId"].endswith(("_list", "_retrieve", "_create", "_update", "_delete", "_export"))
        and (not operation.get("description") or "one of" in operation["summary"])
    ]
    assert generic == []
