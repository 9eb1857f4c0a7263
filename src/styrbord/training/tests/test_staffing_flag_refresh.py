"""A booking's staffing flag follows what decides it besides bookings: leave entered in the admin,
an employment put on leave, ended, added or moved (API, admin, HR import), and a facility's
minimum staffing (its page, the API, the admin). A flag that changes counts the booking's
version up, so an API client holding the booking learns that it changed."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from styrbord.api.tests.conftest import ApiClient
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, StaffingPeriod
from styrbord.staff.models import Absence, Employment
from styrbord.staff.tests.test_import_support import FILES, FIVE
from styrbord.testing import factories
from styrbord.testing.fixtures import Clock, World, client_for
from styrbord.testing.forms import form_data, page_forms
from styrbord.training import services
from styrbord.training.models import Booking, BookingStatus
from styrbord.training.services.staffing import (
    group_staffing_warnings,
    refresh_staffing_flags_at,
    refresh_staffing_flags_for,
    staffing_flags_deferred,
)

from . import helpers

pytestmark = pytest.mark.django_db

ADMIN_FORM = "//form[@id and contains(@id, '_form')]"


def _day() -> dt.date:
    """A course day a month ahead, whatever day the suite runs (the flags of days gone by stay)."""
    return local_today() + dt.timedelta(days=30)


def house(minimum: int, people: int) -> tuple[Facility, list[Employment]]:
    """A Norddjurs facility (the world's coordinator's) with ``people`` employed and ``minimum``
    on every day (no weekend minimum of its own)."""
    facility = factories.facility(minimum_staff=minimum)
    return facility, [factories.employment(facility_obj=facility) for _ in range(people)]


def booked(employment: Employment, day: dt.date) -> Booking:
    return services.book(employment.employee, helpers.session(days=[day]), employment, BookingStatus.BOOKED)


def state(booking: Booking) -> tuple[bool, int]:
    booking.refresh_from_db()
    return booking.staffing_warning, booking.version


def admin_client(world: World) -> Client:
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    return client_for(world.admin)


def admin_form(client: Client, url: str) -> dict[str, Any]:
    """The admin change form of ``url`` as a browser would send it back unchanged."""
    page = client.get(url)
    assert page.status_code == 200, url
    return form_data(page_forms(page.content, ADMIN_FORM)[0])


# --- leave (absences) in the admin -------------------------------------------------------------------


def test_leave_entered_changed_and_deleted_in_the_admin_moves_the_flag(world: World) -> None:
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)  # 3 - 1 = 2 at work: enough
    flag, v = state(booking)
    assert flag is False
    client = admin_client(world)
    add = client.post(
        reverse("admin:staff_absence_add"),
        {"employee": staff[1].employee_id, "kind": "leave", "start_date": day.isoformat(), "end_date": day.isoformat()},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    assert state(booking) == (True, v + 1)  # 1 at work against 2; the flag's change counts the version up

    absence = Absence.objects.get(employee=staff[1].employee)
    change_url = reverse("admin:staff_absence_change", args=[absence.pk])
    later = day + dt.timedelta(days=1)
    moved = client.post(change_url, {**admin_form(client, change_url), "start_date": later, "end_date": later})
    assert moved.status_code == 302
    assert state(booking) == (False, v + 2)  # the day it left is judged again

    back = client.post(change_url, {**admin_form(client, change_url), "start_date": day, "end_date": day})
    assert back.status_code == 302
    assert state(booking) == (True, v + 3)
    deleted = client.post(reverse("admin:staff_absence_delete", args=[absence.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert state(booking) == (False, v + 4)


def test_leave_deleted_in_bulk_in_the_admin_clears_the_flag(world: World) -> None:
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    leave = [
        Absence.objects.create(employee=e.employee, start_date=day, end_date=day + dt.timedelta(days=3))
        for e in staff[1:]
    ]
    refresh_staffing_flags_for([e.employee_id for e in staff[1:]], day, day)
    assert state(booking)[0] is True
    response = admin_client(world).post(
        reverse("admin:staff_absence_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in leave], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Absence.objects.exists()
    assert state(booking)[0] is False


# --- employments: API, admin, HR import --------------------------------------------------------------


def test_an_employment_put_on_leave_through_the_api_flags_the_bookings_at_its_facility(world: World) -> None:
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    api = ApiClient(world.coordinator)
    seen = api.get(f"/bookings/{booking.pk}").json()
    assert seen["staffing_warning"] is False
    v = seen["version"]

    leave = api.patch(f"/employments/{staff[1].pk}", {"version": staff[1].version, "status": "leave"})
    assert leave.status_code == 200, leave.content
    now = api.get(f"/bookings/{booking.pk}").json()
    assert (now["staffing_warning"], now["version"]) == (True, v + 1)
    # The client that read the booking before is told it changed (409), not allowed to act on it.
    stale = api.patch(f"/bookings/{booking.pk}", {"version": v, "status": "cancelled"})
    assert stale.status_code == 409

    back = api.patch(f"/employments/{staff[1].pk}", {"version": leave.json()["version"], "status": "active"})
    assert back.status_code == 200, back.content
    assert state(booking) == (False, v + 2)


def test_an_employment_ended_or_added_through_the_api_moves_the_flag(world: World) -> None:
    day = _day()
    facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    api = ApiClient(world.coordinator)
    ended = api.patch(f"/employments/{staff[2].pk}", {"version": staff[2].version, "end_date": str(day)})
    assert ended.status_code == 200, ended.content
    assert state(booking)[0] is False  # still employed on its last day
    ended = api.patch(
        f"/employments/{staff[2].pk}", {"version": ended.json()["version"], "end_date": str(day - dt.timedelta(days=1))}
    )
    assert state(booking)[0] is True

    newcomer = factories.employment(facility_obj=world.glesborg).employee  # in the coordinator's scope
    added = api.post(
        "/employments",
        {
            "employee": newcomer.pk,
            "facility": facility.pk,
            "employment_number": "NY-1",
            "job_group": staff[0].job_group,
            "start_date": str(day - dt.timedelta(days=7)),
        },
    )
    assert added.status_code == 201, added.content
    assert state(booking)[0] is False

    gone = api.delete(f"/employments/{added.json()['id']}", version=added.json()["version"])
    assert gone.status_code == 204, gone.content
    assert state(booking)[0] is True


def test_an_employment_put_on_leave_in_the_admin_flags_the_bookings(world: World) -> None:
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    v = booking.version
    client = admin_client(world)
    url = reverse("admin:staff_employee_change", args=[staff[1].employee_id])
    data = admin_form(client, url)
    status = next(name for name in data if name.startswith("employments-") and name.endswith("-status"))
    response = client.post(url, {**data, status: "leave"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Employment.objects.get(pk=staff[1].pk).status == "leave"
    assert state(booking) == (True, v + 1)


def test_an_employment_moved_in_the_admin_refreshes_the_facility_it_left(world: World) -> None:
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    other = factories.facility(minimum_staff=0)
    booking = booked(staff[0], day)
    client = admin_client(world)
    url = reverse("admin:staff_employee_change", args=[staff[1].employee_id])
    data = admin_form(client, url)
    moved = next(name for name in data if name.startswith("employments-") and name.endswith("-facility"))
    response = client.post(url, {**data, moved: other.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert state(booking)[0] is True


def test_the_hr_import_ending_employments_flags_the_bookings_left_short(world: World) -> None:
    day = _day()
    _facility, staff = house(minimum=1, people=2)  # not in the delivery: --end-missing ends both
    booking = booked(staff[0], day)
    assert state(booking)[0] is False
    out, err = StringIO(), StringIO()
    paths = [str(FILES / "five_file_utf8" / f"{name}.csv") for name in FIVE]
    call_command("import_staff", *paths, "--municipality", "0707", "--end-missing", stdout=out, stderr=err)
    assert Employment.objects.get(pk=staff[1].pk).status == "ended"
    assert state(booking)[0] is True  # no one left at work on the day


# --- minimum staffing: the page, the API, the admin --------------------------------------------------


def test_a_minimum_raised_on_the_facility_page_flags_the_bookings(world: World) -> None:
    day = _day()
    facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    v = booking.version
    form = {
        "minimum_staff": "3",
        "minimum_staff_weekend": "3",
        **{f"perioder-{k}": v for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MAX_NUM_FORMS", "200"))},
        "perioder-MIN_NUM_FORMS": "0",
    }
    response = client_for(world.coordinator).post(reverse("organisations:minimum_staffing", args=[facility.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert state(booking) == (True, v + 1)


def test_minimums_and_periods_set_through_the_api_move_the_flag(world: World) -> None:
    day = _day()
    facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    api = ApiClient(world.coordinator)
    version = api.get(f"/minimum-staffing/{facility.pk}").json()["version"]
    raised = api.patch(f"/minimum-staffing/{facility.pk}", {"version": version, "minimum_staff": 3})
    assert raised.status_code == 200, raised.content
    assert state(booking)[0] is True
    lowered = api.patch(f"/minimum-staffing/{facility.pk}", {"version": raised.json()["version"], "minimum_staff": 1})
    assert lowered.status_code == 200, lowered.content
    assert state(booking)[0] is False

    period = api.post(
        "/staffing-periods", {"facility": facility.pk, "start_date": str(day), "end_date": str(day), "minimum": 3}
    )
    assert period.status_code == 201, period.content
    assert state(booking)[0] is True
    gone = api.delete(f"/staffing-periods/{period.json()['id']}", version=period.json()["version"])
    assert gone.status_code == 204, gone.content
    assert state(booking)[0] is False

    version = api.get(f"/facilities/{facility.pk}").json()["version"]
    through_facility = api.patch(f"/facilities/{facility.pk}", {"version": version, "minimum_staff": 3})
    assert through_facility.status_code == 200, through_facility.content
    assert state(booking)[0] is True


def test_a_period_added_in_the_admin_flags_the_bookings(world: World) -> None:
    day = _day()
    facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    client = admin_client(world)
    url = reverse("admin:organisations_facility_change", args=[facility.pk])
    data = admin_form(client, url)
    prefix = next(
        name.removesuffix("-TOTAL_FORMS")
        for name in data
        if name.endswith("-TOTAL_FORMS") and name.startswith("staffing_periods")
    )
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-start_date": day.isoformat(),
            f"{prefix}-0-end_date": day.isoformat(),
            f"{prefix}-0-minimum": "3",
            f"{prefix}-0-facility": str(facility.pk),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert StaffingPeriod.objects.filter(facility=facility).exists()
    assert state(booking)[0] is True


# --- the refresh itself --------------------------------------------------------------------------------


def test_a_booking_whose_course_is_over_keeps_its_flag(world: World, clock: Clock) -> None:
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    clock.to(day + dt.timedelta(days=2))
    Absence.objects.create(employee=staff[1].employee, start_date=day, end_date=day)
    assert refresh_staffing_flags_for([staff[1].employee_id], day, day) == {}
    assert state(booking)[0] is False  # a day gone by is not judged again


def test_inside_a_deferred_block_the_facilities_are_refreshed_at_its_end(world: World) -> None:
    day = _day()
    facility, staff = house(minimum=2, people=3)
    booking = booked(staff[0], day)
    with staffing_flags_deferred():
        Absence.objects.create(employee=staff[1].employee, start_date=day, end_date=day)
        assert refresh_staffing_flags_at([facility.pk], day, day) == {}
        assert state(booking)[0] is False
    assert state(booking)[0] is True


def test_the_refresh_gives_what_the_group_check_gives_each_session(world: World) -> None:
    from .test_understaffed import random_world

    seen: list[bool] = []
    for seed in range(4):
        facilities = random_world(seed)
        live = Booking.objects.filter(
            employment__facility__in=facilities, status__in=[BookingStatus.PLANNED, BookingStatus.BOOKED]
        ).select_related("session", "employment__facility")
        expected: dict[int, bool] = {}
        by_session: dict[int, list[Booking]] = {}
        for b in live:
            by_session.setdefault(b.session_id, []).append(b)
        for seats in by_session.values():
            expected.update({pk: bool(w) for pk, w in group_staffing_warnings(seats[0].session, seats).items()})
        assert refresh_staffing_flags_at([f.pk for f in facilities]) == expected
        assert dict(live.values_list("pk", "staffing_warning")) == expected
        seen.extend(expected.values())
    assert any(seen)  # the worlds have flags to agree on
    assert not all(seen)  # and bookings without


def test_the_refresh_costs_the_same_few_queries_for_one_booking_or_many(world: World) -> None:
    day = _day()

    def queries(facilities: int, sessions: int) -> int:
        houses = [house(minimum=3, people=4) for _ in range(facilities)]
        for n in range(sessions):
            session = helpers.session(days=[day + dt.timedelta(days=n), day + dt.timedelta(days=n + 40)])
            for _facility, staff in houses:
                for e in staff[:2]:
                    Booking.objects.create(
                        employee=e.employee, employment=e, session=session, status=BookingStatus.BOOKED
                    )
        with CaptureQueriesContext(connection) as done:
            flags = refresh_staffing_flags_at([f.pk for f, _s in houses])
        assert len(flags) == facilities * sessions * 2
        assert all(flags.values())  # 4 - 2 away = 2 at work against 3: every flag raised
        return len(done.captured_queries)

    assert queries(1, 1) == queries(4, 6) <= 12


def test_attendance_registered_for_a_session_is_not_refused_by_the_flags_it_moves(world: World, clock: Clock) -> None:
    """A no-show clears the flags of the others on the session; the page's versions of them still
    hold: the registration refreshes the flags once, at its end (``staffing_flags_deferred``)."""
    from styrbord.training.services.attendance import register_attendance

    day = _day()
    _facility, staff = house(minimum=2, people=3)
    first = booked(staff[0], day)
    second = services.book(staff[1].employee, first.session, staff[1], BookingStatus.BOOKED)
    assert (state(first)[0], state(second)[0]) == (True, True)
    clock.to(day)
    # The page's versions: the first not turning up clears the second's flag on the way.
    outcomes = {first.pk: ("no_show", first.version), second.pk: ("no_show", second.version)}
    register_attendance(first.session, outcomes)
    assert Booking.objects.get(pk=second.pk).status == "no_show"


def test_a_second_booking_on_the_day_flags_the_first_and_counts_its_version(world: World) -> None:
    """The flag a colleague's booking (or its cancellation) moves is a change of the first booking
    too: its version counts up, so an API client holding the first learns of it."""
    day = _day()
    _facility, staff = house(minimum=2, people=3)
    first = booked(staff[0], day)
    assert first.staffing_warning is False
    v = state(first)[1]
    second = services.book(staff[1].employee, first.session, staff[1], BookingStatus.BOOKED)
    assert second.staffing_warning is True
    assert state(first) == (True, v + 1)
    services.cancel(second, world.coordinator)
    assert state(first) == (False, v + 2)
