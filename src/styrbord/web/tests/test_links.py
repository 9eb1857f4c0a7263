"""Every link a page shows its user leads somewhere that user may go: no link answers 403, 404 or
a server error.

Crawls each persona's pages from the landing page (same site, GET, two clicks deep), the way
the demo's users click through, and follows every link found.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from styrbord.testing.fixtures import World

pytestmark = pytest.mark.django_db

SKIP = re.compile(r"^/(static|konto/log|admin|api)|\.(xlsx|docx|pdf|ics|csv|png|svg|zip)$")
MAX_PAGES = 80


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urlparse(urljoin(f"http://testserver{base}", href))
        if url.netloc == "testserver" and not SKIP.search(url.path):
            found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


@pytest.mark.parametrize(
    "persona", ["admin", "coordinator", "finance", "facility_manager", "employee", "analyst", "grantor"]
)
def test_no_link_on_a_users_pages_is_refused_or_broken(world: World, persona: str) -> None:
    client = Client()
    client.force_login(world.personas()[persona])
    queue, seen, refused = [("/", "", 0)], set(), []
    while queue and len(seen) < MAX_PAGES:
        path, source, depth = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (403, 404) or response.status_code >= 500:
            refused.append(f"{path} answers {response.status_code} (linked from {source})")
            continue
        if depth < 2 and "html" in response.get("Content-Type", ""):
            queue += [(link, path, depth + 1) for link in _links(path, response.content.decode())]
    assert len(seen) >= 2
    assert refused == []


def test_my_profile_is_in_the_menu_of_logins_tied_to_an_employee_and_of_employees(world: World) -> None:
    """An administrator without an employee record got 'Min profil' in the menu and a 404 from it."""
    from styrbord.accounts.models import Role, User

    def menu(user: User) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/").content.decode().split("</nav>", 1)[0]

    assert "/medarbejdere/mig/" not in menu(world.admin)
    assert "/medarbejdere/mig/" in menu(world.employee_user)
    unlinked = User.objects.create_user("ny-medarbejder", password="x", role=Role.EMPLOYEE)
    assert "/medarbejdere/mig/" in menu(unlinked)  # its page says whom to ask
    superuser = User.objects.create_superuser("rod", password="x", role=Role.ADMIN)
    assert "/medarbejdere/mig/" not in menu(superuser)  # may open everything, but has no profile
