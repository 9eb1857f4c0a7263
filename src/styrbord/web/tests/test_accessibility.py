"""WCAG 2.1 AA in a real browser: axe-core on every kind of page each demo login reaches.

Each role logs in and follows its links breadth-first (one page per kind: one facility page
stands for all), and axe-core checks each page with the HTMX parts loaded. Forms are also
checked with their error messages showing, and the layout in English. A rule broken anywhere
fails the test with the rule, the page and the element. The crawl also proves every page of the
apps is linked from somewhere for someone: a page found only by typing its address fails.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import URLResolver, get_resolver, resolve

from styrbord.demo.services import build_demo
from styrbord.testing.accessibility import crawl, violations
from styrbord.testing.fixtures import DEMO_TEST_DAY, World, follow, login

TODAY = DEMO_TEST_DAY
# Built for that day and looked at on it, whatever the calendar says.
pytestmark = pytest.mark.usefixtures("on_demo_day")
# Every login of the demo, the coordinator first (it reaches the most kinds of page).
ROLES = ["koordinator", "leder-dolmer", "oekonomi", "medarbejder", "analytiker", "tilskudsgiver", "admin"]
# The app URLs no link leads to, and why: everything else must be reached by some role's links.
NOT_LINKED = {
    # answers a POST (a form's action) or a file
    "staff:import_preview": "the upload form's answer",
    "staff:import_mapping": "the preview's column form",
    "staff:import_cancel": "a button on the preview",
    "competences:import_preview": "the certificate upload form's answer",
    "competences:import_cancel": "a button on the certificate preview",
    "competences:import_names": "the certificate check page's names form (browser-tested in test_import_browser)",
    "competences:import_name_delete": "a button per saved name on the certificate upload page (none in the demo)",
    "staff:holding_remove": "linked only for manual registrations (none in the demo)",
    "training:add_interest": "a button on a course",
    "training:withdraw_interest": "a button on a course wish (Mine kurser, the course page)",
    "training:booking_action": "buttons on a booking",
    "funding:deadline_done": "a button on a pool",
    "funding:booking_post_actuals": "a button on a booking's charges",
    "planning:run_start": "a button on a scenario",
    "planning:run_accept": "a button on a run",
    "reports:report_preview": "the report form (GET) opens it",
    "reports:report_create": "the report form's other button",
    "reports:template_deactivate": "a button on a template",
    "audit:employee_anonymise": "a form on a person's data",
    "staff:employee_education": "a form on a person's profile",
    # fragments fetched by a page (HTMX) and downloads
    "requirements:aggregate_trend": "the aggregate page's chart",
    "planning:run_status": "a run's progress",
    "reports:job_status": "a document's progress",
    "reports:job_download": "a finished document",
}
NOT_APP_PAGES = ("api", "admin", "account", "accounts", "bench")
# The pages' markup does not depend on the database: checked in the SQLite run only (minutes each).
markup_once = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="markup is checked in the SQLite run (same pages on both databases)"
)
# Forms sent empty (browser validation off) so the server's messages show: (login, page).
FORMS_WITH_ERRORS = [
    ("koordinator", "/krav/nyt/"),
    ("koordinator", "/kurser/kursus/nyt/"),
    ("oekonomi", "/oekonomi/puljer/ny/"),
    ("oekonomi", "/oekonomi/bevillinger/ny/"),
]


def _login(page: Any, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/konto/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "styrbord-demo")
    with page.expect_navigation():
        page.click("main button[type=submit]")


@markup_once
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_kind_of_page_meets_wcag_aa_for_every_role(live_server: Any, page: Any, reference_data: None) -> None:
    build_demo(2024, TODAY)
    found: list[str] = []
    page.goto(f"{live_server.url}/konto/login/")
    found += violations(page, "/konto/login/")
    checked: dict[str, list[str]] = {}
    opened: dict[str, list[str]] = {}
    shapes: set[str] = set()
    for username in ROLES:
        _login(page, live_server.url, username)
        result = crawl(page, live_server.url, skip_shapes=shapes)
        checked[username], opened[username] = result.checked, result.opened
        found += [f"{username}: {line}" for line in result.found]
    # The crawl reached the pages it should (a broken menu would check little and pass).
    assert len(checked["koordinator"]) >= 40, checked["koordinator"]
    assert sum(len(paths) for paths in checked.values()) >= 60, checked
    for must in ("/tilbud/", "/krav/", "/personale/", "/kurser/", "/oekonomi/", "/planlaegning/", "/rapporter/"):
        assert must in checked["koordinator"]
    assert "/krav/samlet/" in checked["analytiker"]
    assert "/audit/" in checked["admin"], checked["admin"]
    assert found == [], "\n".join(found)
    # Every page of the apps is linked from somewhere for someone (no page only found by its address).
    reached = {resolve(urlsplit(path).path).view_name for paths in opened.values() for path in paths}
    unlinked = sorted(set(_app_pages()) - reached - set(NOT_LINKED))
    assert unlinked == [], unlinked
    assert not reached & set(NOT_LINKED), "linked after all: remove from NOT_LINKED"


def _app_pages() -> list[str]:
    """The names of the apps' URLs that are pages (not files: those end in a file suffix)."""
    names = []

    def walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern))
            elif namespace and namespace not in NOT_APP_PAGES and pattern.name:
                route = prefix + str(pattern.pattern)
                if not re.search(r"\.(xlsx|docx|pdf|ics|json|csv)$|<str:fmt>|\.<", route):
                    names.append(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@markup_once
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_forms_with_errors_and_the_english_layout_meet_wcag_aa(
    live_server: Any, page: Any, reference_data: None
) -> None:
    build_demo(2024, TODAY)
    found: list[str] = []
    current = ""
    for username, path in FORMS_WITH_ERRORS:
        if username != current:
            _login(page, live_server.url, username)
            current = username
        page.goto(f"{live_server.url}{path}")
        page.evaluate("document.querySelectorAll('main form').forEach(f => f.noValidate = true)")
        with page.expect_navigation():
            page.click("main form[method=post] button[type=submit]")
        # The server answered with its messages (the form did not pass empty).
        assert page.locator(".error, .errorlist, .alert-error").count() > 0, path
        found += violations(page, f"{path} (with errors)")
    # In English: the landing page and the coverage heat map.
    follow(page, "button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    for path in ("/", "/krav/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        found += violations(page, f"{path} (English)")
    assert found == [], "\n".join(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_checker_finds_what_it_should(live_server: Any, page: Any) -> None:
    """A field without a label and pale text on a coloured cell are found (the check can fail)."""
    page.set_content(
        '<!doctype html><html lang="da"><title>Prøve</title><main>'
        '<input id="x" type="text"><table><tr><td style="background:#f4c2b9">'
        '<span style="color:#5c5c5c">3/14</span></td></tr></table></main></html>'
    )
    rules = {line.split(" ", 1)[0] for line in violations(page, "test")}
    assert {"label", "color-contrast"} <= rules


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_keyboard_reaches_the_content_first_and_sees_where_it_is(
    live_server: Any, page: Any, reference_data: None, world: World
) -> None:
    """On a page with the menu, the first Tab lands on the skip link, which shows itself and
    jumps past the menu; every focused control has a visible outline (WCAG 2.4.1 and 2.4.7,
    which axe-core cannot test)."""
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/tilbud/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["skip-link", "#main"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0  # on screen while focused (it waits off screen otherwise)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    style = "getComputedStyle(document.activeElement)"
    for _ in range(4):  # from the content: the search field, the filter button, the links after them
        page.keyboard.press("Tab")
        assert page.evaluate(f"{style}.outlineStyle + ' ' + {style}.outlineWidth") == "solid 3px", page.evaluate(
            "document.activeElement.outerHTML"
        )
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
