"""A tampered query string is a message or an empty result, never a server error.

Crawls each persona's pages as ``test_links`` does, collects every query parameter the pages'
links and filter forms use, and requests each page again with hostile values in each one: an id
beyond 64 bits, a date at the calendar's end, text where a number belongs, a negative number.
Found this way: a 20-digit id (SQLite's driver refused it), ``?dato=9999-12-31`` (a month series
ran past year 9999), ``?kommune=abc`` (read with int()), ``?subject=-1`` (a link built from it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlparse

import pytest
from django.test import Client

from styrbord.testing.fixtures import World
from styrbord.web.tests.test_links import SKIP, _links

pytestmark = pytest.mark.django_db

MAX_PAGES = 60
HOSTILE = ["9" * 20, "9999-12-31", "abc", "-1"]
# Parameters that only page or sort (pagination and ordering are tested with their pages).
PASSIVE = {"side", "page", "sort", "tilbage", "next"}


class _GetForms(HTMLParser):
    """Field names of forms sent with GET, by the path they are sent to."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.action: str | None = None
        self.fields: dict[str, set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            method = (values.get("method") or "get").lower()
            self.action = (
                urlparse(urljoin(self.base, values.get("action") or self.base)).path if method == "get" else None
            )
        elif tag in ("input", "select", "textarea") and self.action is not None and values.get("name"):
            self.fields.setdefault(self.action, set()).add(str(values["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = None


def _parameters(client: Client) -> dict[str, set[str]]:
    """Query parameters per path, from the pages a user reaches by following links."""
    found: dict[str, set[str]] = {}
    queue, seen = ["/"], set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        forms = _GetForms(f"http://testserver{path}")
        forms.feed(html)
        for action, names in forms.fields.items():
            if not SKIP.search(action):
                found.setdefault(action, set()).update(names)
        for link in _links(path, html):
            url = urlparse(link)
            found.setdefault(url.path, set()).update(k for k, _ in parse_qsl(url.query, keep_blank_values=True))
            queue.append(link)
    return found


@pytest.mark.parametrize("persona", ["admin", "coordinator", "finance", "facility_manager", "analyst", "grantor"])
def test_hostile_query_values_never_break_a_page(world: World, persona: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.personas()[persona])
    parameters = _parameters(client)
    broken = []
    tried = 0
    for path, names in sorted(parameters.items()):
        for name in sorted(names - PASSIVE):
            if re.fullmatch(r"csrfmiddlewaretoken", name):
                continue
            for value in HOSTILE:
                tried += 1
                status = client.get(path, {name: value}).status_code
                if status >= 500:
                    broken.append(f"{path}?{name}={value} -> {status}")

    assert tried > 0  # the crawl found parameters to try
    assert not broken, "\n".join(broken)
