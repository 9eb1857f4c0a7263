"""pytest fixtures shared by every app: a two-region world, role personas and a browser."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from styrbord.accounts.models import Role, User
from styrbord.organisations.models import Facility, Grantor
from styrbord.staff.models import Employee
from styrbord.testing import factories

CHROMIUM = "/usr/bin/chromium"


@dataclass
class World:
    """Norddjurs (Region Midtjylland) with two facilities, Syddjurs next door, København elsewhere.

    Tenant relations for authorisation tests: ``own`` (dolmer), ``same_municipality`` (glesborg),
    ``other_municipality`` (syddjurs_facility, same region), ``other_region`` (kbh_facility).
    """

    dolmer: Facility
    glesborg: Facility
    syddjurs_facility: Facility
    kbh_facility: Facility
    grantor: Grantor
    dolmer_staff: list[Employee]
    glesborg_staff: list[Employee]
    syddjurs_staff: list[Employee]
    kbh_staff: list[Employee]
    admin: User
    coordinator: User
    finance: User
    manager: User
    employee_user: User
    analyst: User
    national_analyst: User
    grantor_user: User
    other_coordinator: User

    def personas(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "coordinator": self.coordinator,
            "finance": self.finance,
            "facility_manager": self.manager,
            "employee": self.employee_user,
            "analyst": self.analyst,
            "grantor": self.grantor_user,
        }


def _staff(facility: Facility, n: int, prefix: str) -> list[Employee]:
    people = []
    for i in range(n):
        emp = factories.employee(name=f"{prefix} {i + 1}")
        factories.employment(emp, facility, is_contact_person=i % 2 == 0, weekly_hours="37" if i % 3 else "30")
        people.append(emp)
    return people


@pytest.fixture
def reference_data(db: Any) -> None:
    """The reference data that migrations load, present whatever tests ran before."""
    factories.load_reference_data()


@pytest.fixture
def world(db: Any, reference_data: None) -> World:
    dolmer = factories.facility("Dolmer Have", "0707")
    glesborg = factories.facility("Bofællesskaberne Glesborg", "0707")
    syddjurs = factories.facility("Syddjurs Botilbud", "0706")
    kbh = factories.facility("Københavns Bosted", "0101")
    grantor = Grantor.objects.create(name="Social- og Boligstyrelsen")
    dolmer_staff = _staff(dolmer, 3, "Dolmer-medarbejder")
    glesborg_staff = _staff(glesborg, 2, "Glesborg-medarbejder")
    syddjurs_staff = _staff(syddjurs, 2, "Syddjurs-medarbejder")
    kbh_staff = _staff(kbh, 2, "KBH-medarbejder")
    norddjurs = factories.municipality("0707")
    return World(
        dolmer=dolmer,
        glesborg=glesborg,
        syddjurs_facility=syddjurs,
        kbh_facility=kbh,
        grantor=grantor,
        dolmer_staff=dolmer_staff,
        glesborg_staff=glesborg_staff,
        syddjurs_staff=syddjurs_staff,
        kbh_staff=kbh_staff,
        admin=factories.user(Role.ADMIN, "admin"),
        coordinator=factories.user(Role.COORDINATOR, "koordinator", municipality=norddjurs),
        finance=factories.user(Role.FINANCE, "oekonomi", municipality=norddjurs),
        manager=factories.user(Role.FACILITY_MANAGER, "leder", facilities=[dolmer]),
        employee_user=factories.user(Role.EMPLOYEE, "medarbejder", employee=dolmer_staff[0]),
        analyst=factories.user(Role.ANALYST, "analytiker", region=norddjurs.region),
        national_analyst=factories.user(Role.ANALYST, "national"),
        grantor_user=factories.user(Role.GRANTOR, "tilskudsgiver", grantor=grantor),
        other_coordinator=factories.user(Role.COORDINATOR, "syddjurs", municipality=factories.municipality("0706")),
    )


# The day the demo-based tests build the demo for (``build_demo(seed, DEMO_TEST_DAY)``).
DEMO_TEST_DAY = dt.date(2026, 11, 23)


@pytest.fixture
def on_demo_day() -> Iterator[dt.date]:
    """The clock on DEMO_TEST_DAY (ticking from 09:00 UTC) for a test that builds the demo for that
    day: the pages, plan runs and checks after the build then see the day the demo was built for,
    whatever the calendar says (the demo's courses and the seed's pool period are fixed dates)."""
    import time_machine

    with time_machine.travel(dt.datetime.combine(DEMO_TEST_DAY, dt.time(9, 0), tzinfo=dt.UTC), tick=True):
        yield DEMO_TEST_DAY


class Clock:
    """A test's clock: ``clock.to(day)`` sets it to 09:00 UTC on ``day`` and lets it tick from there.

    For tests that live through a course: book before it begins, register attendance once it has.
    """

    def __init__(self) -> None:
        self._travel: Any = None
        self._coordinates: Any = None

    def to(self, day: dt.date) -> dt.date:
        import time_machine

        destination = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
        if self._coordinates is None:
            self._travel = time_machine.travel(destination, tick=True)
            self._coordinates = self._travel.start()
        else:
            self._coordinates.move_to(destination)
        return day

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The test's clock, left where it was until the test moves it (see ``Clock``)."""
    moved = Clock()
    yield moved
    moved.stop()


# The day tests with fixed spring-2026 courses book on: a month before the training helpers'
# default course day (02-03-2026). Such tests move ``clock`` on to register attendance.
BOOKING_DAY = dt.date(2026, 2, 2)


@pytest.fixture
def before_the_courses(clock: Clock) -> dt.date:
    """The clock on BOOKING_DAY, for tests that book courses held in spring 2026: from a course's
    first day a seat can no longer be planned or waitlisted, so they book before it, whatever
    the calendar says."""
    return clock.to(BOOKING_DAY)


@pytest.fixture(autouse=True, scope="session")
def _suite_day() -> Iterator[None]:
    """``STYRBORD_TEST_TODAY=2027-03-15 ./scripts/test`` runs the whole suite as if on that day (the
    clock ticks from 09:00 UTC), to find tests that hold only until a fixed date in them passes."""
    day = os.environ.get("STYRBORD_TEST_TODAY", "")
    if not day:
        yield
        return
    import time_machine

    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9, 0), tzinfo=dt.UTC)
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def _danish_after_each_test() -> Iterator[None]:
    """Each test starts and ends in Danish. A request activates its language in the thread and
    nothing deactivates it, so an English request (the switch, Accept-Language on the API) would
    otherwise leave the next test in the same worker speaking English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Every transactional test restores the reference data; ``postgres`` tests need PostgreSQL.

    A transactional test empties the tables when it ends. Without serialized rollback Django
    then re-creates content types and permissions, and the next test that restores the
    serialized reference data collides with them (an IntegrityError that depends on the order
    the tests run in). So every transactional test gets ``serialized_rollback``.
    """
    from django.conf import settings

    for item in items:
        _serialize_if_transactional(item)
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _serialize_if_transactional(item: Any) -> None:
    marker = item.get_closest_marker("django_db")
    kwargs = dict(marker.kwargs) if marker else {}
    fixtures = getattr(item, "fixturenames", ())
    transactional = kwargs.get("transaction") or "transactional_db" in fixtures or "live_server" in fixtures
    if transactional and not kwargs.get("serialized_rollback"):
        # First, not last: pytest-django reads the closest django_db marker, which is the test's own
        # decorator when the new one is appended (the test would then flush without it).
        marker = pytest.mark.django_db(**{**kwargs, "transaction": True, "serialized_rollback": True})
        item.add_marker(marker, append=False)


def browser_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


def _test_database_connections() -> dict[str, Any]:
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


def _keep_test_database_connections(test_databases: dict[str, Any]) -> None:
    """Let the tests that run after Playwright started use the test database connections they had.

    Playwright's sync API leaves its event loop as this thread's running loop (in the main
    greenlet too) until the session ends. Django keeps its connections in an asgiref ``Local``
    that, while a loop is running, looks them up in a context variable instead of the thread:
    ``connections["default"]`` would then be a new ``DatabaseWrapper`` without the
    ``_test_serialized_contents`` that ``setup_databases`` stored on the old one. Every later
    ``serialized_rollback`` test on the worker would neither restore the reference data when it
    starts nor keep ``post_migrate`` from re-creating content types when it flushes, and the
    tests after the first browser test found no municipalities (or collided on content types).
    """
    from django.db import connections

    for alias, wrapper in test_databases.items():
        connections[alias] = wrapper
        assert connections[alias] is wrapper


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright. Under CI=true a missing browser fails."""
    if not browser_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made by tests in the same
    # thread are still synchronous, so Django's async guard is relaxed for browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    test_databases = _test_database_connections()
    with sync_playwright() as p:
        _keep_test_database_connections(test_databases)
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    # Let requests still in flight (HTMX parts fetched after the page) finish before the test's
    # database is flushed: the live server would otherwise hold a table lock (SQLite) during it.
    with contextlib.suppress(Exception):  # a page that never settles must not hide the test's own result
        pg.wait_for_load_state("networkidle", timeout=15_000)
    context.close()


# For locator.evaluate: how many pixels an element's content is wider than the element (a table
# that scrolls sideways inside its frame); 0 when it fits.
SIDEWAYS_OVERFLOW = "el => el.scrollWidth - el.clientWidth"


def client_for(user: Any) -> Client:
    """A Django test client logged in as ``user`` (no password, no login form)."""
    client = Client()
    client.force_login(user)
    return client


def follow(page: Any, selector: str, **kwargs: Any) -> None:
    """Click a link or submit button that loads a new page, and wait for that page's ``load`` event."""
    with page.expect_navigation():
        page.click(selector, **kwargs)


def login(page: Any, live_server_url: str, username: str, password: str = "test-password-123") -> None:
    """Log in through the real login form."""
    page.goto(f"{live_server_url}/konto/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
