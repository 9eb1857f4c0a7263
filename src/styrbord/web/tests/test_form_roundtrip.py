"""Every page a demo login can reach opens, and every form it is shown can be sent.

On the demo data, each login walks its pages breadth-first (one page per URL shape) and posts
every POST form it is shown back unchanged, as a browser would send it. No page or form may
answer a server error, and a form a user is shown must not answer 403, 404 or 405: the page
would offer what the user may not do. (It found the booking list's confirm form, shown without
its checkboxes to users who may not confirm.)
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from lxml import html

from styrbord.accounts.models import User
from styrbord.demo.services import build_demo
from styrbord.testing.fixtures import DEMO_TEST_DAY
from styrbord.testing.forms import form_data

TODAY = DEMO_TEST_DAY
# Built for that day and looked at on it, whatever the calendar says.
pytestmark = pytest.mark.usefixtures("on_demo_day")
# login -> at least this many pages and posted forms: the walk must really reach the product.
LOGINS = {
    "koordinator": (50, 50),
    "leder-dolmer": (30, 30),
    "oekonomi": (30, 30),
    "medarbejder": (10, 10),
    "analytiker": (5, 3),
    "tilskudsgiver": (5, 3),
    "admin": (50, 50),
}
NOT_WALKED = ("/static/", "/media/", "/admin/", "/konto/logout/")  # the admin has its own test
PAGES_PER_LOGIN = 300


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _walk(client: Client) -> tuple[int, int, list[str]]:
    """(pages opened, forms posted, what went wrong)."""
    queue, seen, posted, found = ["/"], set(), set(), []
    opened = 0
    while queue and opened < PAGES_PER_LOGIN:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = client.get(path)
        opened += 1
        if response.streaming:
            # A download: read to the end, the test client then closes it (and its file) as a
            # server would. (Not response.close() here: outside the client, that also closes the
            # test's database connection.)
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.status_code >= 500:
            found.append(f"GET {path}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = html.fromstring(response.content)
        for href in page.xpath("//a/@href"):
            parts = urlsplit(urljoin(path, href))
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc in ("", "testserver") and target.startswith("/") and not target.startswith(NOT_WALKED):
                queue.append(target)
        for form in page.xpath("//form[translate(@method, 'POST', 'post') = 'post']"):
            action = urlsplit(urljoin(path, form.get("action") or path))
            if action.path.startswith(NOT_WALKED) or (_shape(path), _shape(action.path)) in posted:
                continue
            posted.add((_shape(path), _shape(action.path)))
            url = action.path + (f"?{action.query}" if action.query else "")
            headers = {"HX-Request": "true"} if form.get("hx-post") else {}
            answer = client.post(url, form_data(form), headers=headers)
            if answer.status_code >= 500 or answer.status_code in (403, 404, 405):
                found.append(f"POST {url} (a form on {path}): {answer.status_code}")
    return opened, len(posted), found


@pytest.mark.django_db
def test_every_page_opens_and_every_form_shown_can_be_sent_for_every_demo_login() -> None:
    build_demo(2024, TODAY)
    problems: list[str] = []
    for username, (min_pages, min_forms) in LOGINS.items():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        opened, posted, found = _walk(client)
        problems.extend(f"{username}: {issue}" for issue in found)
        assert opened >= min_pages, (username, opened)
        assert posted >= min_forms, (username, posted)
    assert not problems, problems
