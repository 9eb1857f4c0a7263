"""The landing page after login: who you are, where your role applies, and where to go."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import LIST, can
from styrbord.accounts.services import scope_label
from styrbord.lib.dates import local_today
from styrbord.web.dashboard import dashboard_for

# What each menu entry is for (shown on the landing page under the entry's label).
DESCRIPTIONS: dict[str, Any] = {
    "organisations:facility_list": _("Tilbuddene i dit område med medarbejdere, årsværk, uddannelse og kompetencer."),
    "requirements:overview": _("Hvor langt hvert tilbud er fra sine kompetencemål, og hvad der udløber snart."),
    "requirements:aggregate": _("Hvor langt kommunerne og tilbuddene i dit område er fra de fælles kompetencemål."),
    "workforce:overview": _("Antal ansatte, årsværk, alder, deltid, uddannelse, elever og stillingsopslag over årene."),
    "training:course_list": _("Kurser, hold og tilmeldinger med den fulde pris inklusive vikardækning."),
    "funding:pool_list": _("Puljer, tilskud, bevillinger og forbrug."),
    "planning:scenario_list": _("Uddannelsesplaner, der når målene inden for budgettet."),
    "reports:report_list": _("Udvalgssager, statusrapporter og regneark."),
    "staff:my_profile": _("Dine kompetencer, kurser og tilmeldinger."),
    "audit:log": _("Hvem har set, eksporteret eller ændret hvis data; opbevaring og anonymisering."),
    "audit:retention": _("Opbevaring af tidligere medarbejderes data og tilbageholdelser."),
    "accounts:user_list": _(
        "Logins til kommunens tilbudsledere, medarbejdere og kolleger: opret, ret rolle og omfang, luk."
    ),
}


# A grantor opens the same pages for its own pools only: no appropriations, no committee papers.
ROLE_DESCRIPTIONS: dict[str, dict[str, Any]] = {
    Role.GRANTOR: {
        "funding:pool_list": _("Dine puljer: tilskuddene, forbruget og advarslerne."),
        "reports:report_list": _("Statusrapport og tilskudsregnskab for dine puljer."),
    },
}


def description(user: Any, name: str) -> str:
    """What a menu entry is for, as this user will find it."""
    own = ROLE_DESCRIPTIONS.get(getattr(user, "role", ""), {})
    return str(own.get(name) or DESCRIPTIONS.get(name, ""))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A short overview of what the user can open."""
    from styrbord.web.context_processors import LANDING_ONLY, entries_for

    entries = [
        {**item, "description": description(request.user, item["name"])}
        for item in [*entries_for(request), *entries_for(request, LANDING_ONLY)]
    ]
    municipality_overview = None
    if can(request.user, LIST, "municipality"):
        try:
            municipality_overview = reverse("organisations:municipality_overview")
        except NoReverseMatch:
            municipality_overview = None
    context = {
        "dashboard": dashboard_for(request.user, local_today()),
        "scope_label": scope_label(request.user),
        "entries": entries,
        "municipality_overview": municipality_overview,
    }
    return render(request, "web/home.html", context)
