"""Accessibility checks in a real browser: axe-core (Deque) run on a Playwright page.

Danish public bodies must meet WCAG 2.1 AA (lov om tilgængelighed af offentlige organers
websteder og mobilapplikationer, via EN 301 549). ``violations(page)`` runs axe-core's rules for
WCAG 2.0, 2.1 and 2.2 at levels A and AA on the page as it is now and returns one readable
line per rule and element; ``crawl`` follows a logged-in user's links and checks every kind of
page it reaches. axe-core finds what a machine can find (names, labels, contrast, structure,
ARIA); keyboard use and reading order are checked by the browser tests of each page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()

# Links a crawl does not follow: files, Django's admin and the API (not our pages), and
# pages whose GET only asks to confirm an action (they are checked where their tests open them).
NOT_CRAWLED = re.compile(r"\.(xlsx|docx|pdf|ics|csv|json|png|zip)$|^/admin/|^/api/|/hent/|^/i18n/")


def violations(page: Any, where: str = "") -> list[str]:
    """axe-core's WCAG A/AA violations on the page: "rule (impact): help | page | element"."""
    result = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    found = []
    for violation in result.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} | {where} | {target}")
    return found


def shape(path: str) -> str:
    """A page's kind: its path with every number replaced (one facility page stands for all)."""
    return re.sub(r"\d+", "N", path.split("?", 1)[0])


@dataclass
class Crawl:
    """What a crawl opened, checked and found."""

    checked: list[str] = field(default_factory=list)  # pages axe-core checked
    opened: list[str] = field(default_factory=list)  # every page opened (checked or not)
    found: list[str] = field(default_factory=list)


def crawl(
    page: Any,
    base_url: str,
    start: Iterable[str] = ("/",),
    limit: int = 200,
    skip_shapes: set[str] | None = None,
) -> Crawl:
    """Open ``start`` and then every same-site link breadth-first, one page per shape, and run
    axe-core on each HTML page of a shape not in ``skip_shapes`` (which is updated). Pages of a
    shape checked before are still opened for their links: another role may see other links."""
    done = skip_shapes if skip_shapes is not None else set()
    queue = list(start)
    mine: set[str] = set()  # shapes this crawl opened
    out = Crawl()
    host = urlsplit(base_url).netloc
    while queue and len(out.opened) < limit:
        path = queue.pop(0)
        key = shape(path)
        if key in mine:
            continue
        mine.add(key)
        try:
            response = page.goto(base_url + path)
        except PlaywrightError as error:  # a file answered (a download has no page to check)
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200:
            out.found.append(f"answered {response.status if response else 'nothing'} | {path}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("networkidle")  # HTMX parts (charts) are loaded too
        out.opened.append(path)
        if key not in done:
            done.add(key)
            out.checked.append(path)
            out.found.extend(violations(page, path))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            parts = urlsplit(href)
            if (parts.netloc and parts.netloc != host) or not parts.path.startswith("/"):
                continue
            if NOT_CRAWLED.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query and "side=" not in parts.query else ""))
    return out
