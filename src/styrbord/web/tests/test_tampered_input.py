"""A tampered query string is a message or an empty result, never a server error.

Crawls each persona's pages as ``test_links`` does, collects every query parameter the pages'
links and filter forms use, and requests each page again with hostile values in each one: an id
beyond 64 bits, a date at the calendar's end, text where a number belongs, a negative number.
Found this way: a 20-digit id (SQLite's driver refused it), ``?dato=9999-12-31`` (a month series
ran past year 9999), ``?kommune=abc`` (read with int()), ``?subject=-1`` (a link built from it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlparse

import pytest
from django.test import Client

from styrbord.testing.fixtures import World
from styrbord.web.tests.test_links import SKIP, _links

pytestmark = pytest.mark.django_db

MAX_PAGES = 60
HOSTILE = ["9" * 20, "9999-12-31", "abc", "-1", "NaN", "a\x00b"]
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


def _pages(client: Client) -> Iterator[tuple[str, str]]:
    """(path, HTML) of the pages a user reaches from the landing page by following links."""
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
        yield path, html
        queue.extend(_links(path, html))


def _parameters(client: Client) -> dict[str, set[str]]:
    """Query parameters per path, from the links and GET forms of the pages a user reaches."""
    found: dict[str, set[str]] = {}
    for path, html in _pages(client):
        forms = _GetForms(f"http://testserver{path}")
        forms.feed(html)
        for action, names in forms.fields.items():
            if not SKIP.search(action):
                found.setdefault(action, set()).update(names)
        for link in _links(path, html):
            url = urlparse(link)
            found.setdefault(url.path, set()).update(k for k, _ in parse_qsl(url.query, keep_blank_values=True))
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

    # The crawl found parameters to try; a grantor's pages (its pools, its package downloads) in this
    # world have none: no grants of its own here, and no document form (committee papers are not its).
    assert tried > 0 or persona == "grantor"
    assert not broken, "\n".join(broken)


# --- forms ------------------------------------------------------------------------------------

# Forms that end something (delete, cancel, anonymise, log out), start a plan run or change a
# password are left out: a valid post there does what it says, and they have tests of their own.
NOT_POSTED = re.compile(r"slet|delete|annuller|afbestil|anonymis|log-?ud|logout|adgangskode|password|/koer/|/konto/")
HOSTILE_FIELD = ["9" * 20, "9999-12-31", "-1", "NaN", "a\x00b"]


class _PostForms(HTMLParser):
    """Each POST form's action and its fields with the values the page filled in."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.forms: list[tuple[str, list[tuple[str, str, str]]]] = []
        self.current: list[tuple[str, str, str]] | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "").lower() == "post":
            self.current = []
            self.forms.append((urljoin(self.base, values.get("action") or self.base), self.current))
        elif self.current is None or tag not in ("input", "select", "option", "textarea"):
            return
        elif tag == "input" and values.get("name"):
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind not in ("submit", "button", "file"):
                self.current.append((values["name"], values.get("value", ""), kind))
        elif tag == "select" and values.get("name"):
            self.select, self.options = values["name"], []
        elif tag == "option" and self.select is not None:
            self.options.append((values.get("value", ""), "selected" in values))
        elif tag == "textarea" and values.get("name"):
            self.current.append((values["name"], "", "textarea"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options if v][:1]
            self.current.extend((self.select, v, "select") for v in chosen)
            self.select = None


@pytest.mark.parametrize("persona", ["coordinator", "finance", "facility_manager"])
def test_one_hostile_field_in_an_otherwise_filled_form_is_never_a_server_error(world: World, persona: str) -> None:
    """Each field of each form in turn gets a hostile value while the others keep what the page
    filled in, so the form gets as far as it can with it (found: a refused posting date that the
    charge page did not mention, and the 20-digit ids of the first test)."""
    client = Client(raise_request_exception=False)
    client.force_login(world.personas()[persona])
    forms: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {}
    for path, html in _pages(client):
        parser = _PostForms(f"http://testserver{path}")
        parser.feed(html)
        for action, fields in parser.forms:
            target = urlparse(action).path
            if not NOT_POSTED.search(target) and not SKIP.search(target):
                forms.setdefault(re.sub(r"/\d+/", "/N/", target), (path, target, fields))
    broken = []
    tried = 0
    for page, target, fields in forms.values():
        for i, (name, _value, kind) in enumerate(fields):
            if name == "csrfmiddlewaretoken" or kind == "hidden":
                continue
            for hostile in HOSTILE_FIELD:
                data: dict[str, list[str]] = {}
                for j, (other, value, _kind) in enumerate(fields):
                    data.setdefault(other, []).append(hostile if j == i else value)
                tried += 1
                status = client.post(target, data, HTTP_REFERER=f"http://testserver{page}").status_code
                if status >= 500:
                    broken.append(f"{target} {name}={hostile} -> {status}")

    assert tried > 0
    assert not broken, "\n".join(broken)
