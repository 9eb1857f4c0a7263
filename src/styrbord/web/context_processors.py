"""The navigation shown in the page header, filtered by what the user's role may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.permissions import LIST, can

# (url name, label, object type whose LIST permission shows the entry)
NAVIGATION: list[tuple[str, Any, str]] = [
    ("organisations:facility_list", _("Tilbud"), "facility"),
    ("requirements:overview", _("Kompetencedækning"), "facility"),
    ("workforce:overview", _("Personaleforhold"), "workforce"),
    ("training:course_list", _("Kurser"), "course"),
    ("funding:pool_list", _("Puljer og økonomi"), "pool"),
    ("planning:scenario_list", _("Planlægning"), "scenario"),
    ("reports:report_list", _("Rapporter"), "report"),
    ("staff:my_profile", _("Min profil"), "own_profile"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries the current user may open; entries of apps not installed are skipped."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, object_type in NAVIGATION:
        try:
            allowed = can(user, LIST, object_type)
        except KeyError:
            continue
        if not allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items}
