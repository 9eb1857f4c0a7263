"""The log page's pages keep each event whole: one view of many people is one row on one page.

The page shows one row per event (``views.group_events``): a view of five people writes five
entries with one timestamp, shown as "5 personer". Paginated by entries, such a group at a page's
foot was cut in two ("2 personer" on one page, "3 personer" on the next); the pages now go by
the moments entries were written at, so a group is on one page, whole.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styrbord.audit import views
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action

pytestmark = pytest.mark.django_db


def _rows(client: Any, **params: Any) -> list[str]:
    html = client.get("/audit/", params).content.decode()
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]


def _subjects(row: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="\?subject=(\d+)">', row)]


@pytest.fixture
def straddling(world: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Newest first: two changes, a view of five people, one older change. Three to a page: by
    entries the view's five would be split 1 + 3 + 1 over three pages."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    people = sorted(p.pk for p in [*world.dolmer_staff, *world.glesborg_staff])
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})  # the oldest
    log_access(world.coordinator, "staff.employee.viewed", people, data={"facility_id": world.dolmer.pk})
    log_action(world.glesborg, "organisations.facility.updated", world.admin, {"field": "places"})
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "name"})
    assert AuditEntry.objects.count() == 8
    return people


def test_a_group_at_the_foot_of_a_page_is_shown_whole_on_that_page(world, client, straddling) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)

    first = _rows(client)
    assert len(first) == 3  # the two newer changes and the view
    (view,) = [row for row in first if "staff.employee.viewed" in row]
    assert "5 personer" in view
    assert _subjects(view) == straddling
    assert first.index(view) == 2  # at the page's foot
    page = client.get("/audit/").context["page"]
    assert (page.number, page.paginator.num_pages, len(page)) == (1, 2, 7)

    second = _rows(client, side=2)
    assert len(second) == 1  # the oldest change; none of the view's people again
    assert "organisations.facility.updated" in second[0]
    assert not any(_subjects(row) for row in second)
    assert client.get("/audit/", {"side": 3}).context["page"].number == 2  # past the end: the last page


def test_the_pages_keep_the_filters(world, client, straddling) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    log_access(world.coordinator, "staff.employee.viewed", straddling[:2], data={"facility_id": world.glesborg.pk})
    for person in straddling[2:4]:
        log_access(world.manager, "staff.employee.viewed", [person], data={"facility_id": world.dolmer.pk})

    html = client.get("/audit/", {"kind": "access"}).content.decode()
    assert "kind=access&amp;side=2" in html  # the link to the next page keeps the filter
    rows = _rows(client, kind="access")
    # Four views (moments), three to a page: the newest three, the two-person view whole.
    assert [len(_subjects(r)) for r in rows] == [1, 1, 2]
    older = _rows(client, kind="access", side=2)
    assert [_subjects(r) for r in older] == [straddling]
    assert not any("facility.updated" in r for r in [*rows, *older])


def test_the_page_costs_the_same_queries_however_many_entries_and_groups_it_shows(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    log_access(world.coordinator, "staff.employee.viewed", [world.dolmer_staff[0].pk], {"facility": world.dolmer.pk})
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/audit/").status_code == 200
        return len(captured)

    few = queries()
    people = [p.pk for p in [*world.dolmer_staff, *world.glesborg_staff, *world.syddjurs_staff]]
    for n in range(30):
        log_access(world.coordinator, "staff.employee.viewed", people[: 1 + n % 7], {"facility": world.glesborg.pk})
        log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})
    assert queries() == few
