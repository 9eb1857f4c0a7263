"""The navigation shown in the page header, filtered by what the user's role may do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import LIST, can

# (url name, label, object type whose LIST permission shows the entry)
NAVIGATION: list[tuple[str, Any, str]] = [
    ("organisations:facility_list", _("Tilbud"), "facility"),
    ("requirements:overview", _("Kompetencedækning"), "facility"),
    # Analysts: the same heading, coverage summed per municipality (one entry per label is shown).
    ("requirements:aggregate", _("Kompetencedækning"), "coverage_aggregate"),
    ("workforce:overview", _("Personaleforhold"), "workforce"),
    ("training:course_list", _("Kurser"), "course"),
    ("funding:pool_list", _("Puljer og økonomi"), "pool"),
    ("planning:scenario_list", _("Planlægning"), "scenario"),
    ("reports:report_list", _("Rapporter"), "report"),
    ("staff:my_profile", _("Min profil"), "own_profile"),
]
# Entries on the landing page only (the menu stays one row): administrators get the audit log,
# coordinators retention and holds (the two pages link to each other), and the logins.
LANDING_ONLY: list[tuple[str, Any, str]] = [
    ("audit:log", _("Persondata"), "audit_entry"),
    ("audit:retention", _("Persondata"), "personal_data"),
    ("accounts:user_list", _("Brugere"), "user"),
]


# The menu's URLs per URLconf, script prefix and list: reversed once, not on every page.
_MENU_URLS: dict[tuple[object, str, int], list[tuple[str, Any, str, str]]] = {}


def _menu_urls(entries: list[tuple[str, Any, str]] = NAVIGATION) -> list[tuple[str, Any, str, str]]:
    """(url name, label, object type, url) of the entries whose URL exists."""
    # The resolver object changes when the URL caches are cleared (e.g. another ROOT_URLCONF).
    key = (get_resolver(get_urlconf()), get_script_prefix(), id(entries))
    found = _MENU_URLS.get(key)
    if found is None:
        found = []
        for url_name, label, object_type in entries:
            try:
                found.append((url_name, label, object_type, reverse(url_name)))
            except NoReverseMatch:
                continue
        if len(_MENU_URLS) > 16:
            _MENU_URLS.clear()
        _MENU_URLS[key] = found
    return found


def _has_own_profile(user: Any) -> bool:
    """'Min profil' is for a login tied to an employee, and for an employee login that is not
    tied yet (its page says whom to ask); an administrator without one got a 404 from the menu."""
    return getattr(user, "employee_id", None) is not None or getattr(user, "role", None) == Role.EMPLOYEE


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries the current user may open; entries of apps not installed are skipped."""
    return {"nav_items": entries_for(request)}


def entries_for(request: HttpRequest, entries: list[tuple[str, Any, str]] = NAVIGATION) -> list[dict[str, Any]]:
    """The entries of a list (the menu by default) the current user may open, one per label."""
    # No user on a request refused before the authentication middleware ran (a Host header
    # not in ALLOWED_HOSTS answers 400 from the CommonMiddleware): no menu, not a 500.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    labels: set[str] = set()
    for url_name, label, object_type, url in _menu_urls(entries):
        try:
            allowed = can(user, LIST, object_type)
        except KeyError:
            continue
        if not allowed or (url_name == "staff:my_profile" and not _has_own_profile(user)) or str(label) in labels:
            continue
        labels.add(str(label))
        items.append({"name": url_name, "url": url, "label": label, "active": request.path.startswith(url)})
    return items


def site(request: HttpRequest) -> dict[str, Any]:
    """Settings every page's layout shows: the link to the accessibility statement."""
    return {"accessibility_statement_url": settings.ACCESSIBILITY_STATEMENT_URL}
