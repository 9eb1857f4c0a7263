"""Error pages: Danish, in the layout, and saying what the user can do (never Django's bare pages)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from styrbord.testing.fixtures import World

pytestmark = pytest.mark.django_db


def test_a_missing_page_answers_404_in_danish_inside_the_layout(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    response = client.get("/tilbud/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Siden findes ikke</h1>" in html
    assert 'aria-label="Hovedmenu"' in html  # the menu is there: the user can go on from here
    assert 'href="/">Til forsiden</a>' in html


def test_another_facilitys_page_looks_exactly_like_a_missing_one(world: World) -> None:
    client = Client()
    client.force_login(world.manager)  # Dolmer Have only
    other = client.get(f"/tilbud/{world.glesborg.pk}/")
    missing = client.get("/tilbud/999999/")
    assert other.status_code == missing.status_code == 404
    # Nothing tells that the facility exists (only the form tokens and the page's own path differ).
    assert _main(other.content.decode()) == _main(missing.content.decode())


def _main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_a_refused_page_answers_403_in_danish(world: World) -> None:
    client = Client()
    client.force_login(world.employee_user)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "<h1>Ingen adgang</h1>" in response.content.decode()


def test_error_pages_follow_the_language_switch(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/tilbud/999999/").content.decode()
    assert "<h1>Page not found</h1>" in html


def test_a_stale_form_gets_a_page_that_says_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Formularen er udløbet</h1>" in html
    assert "genindlæs siden" in html


def test_a_server_error_page_renders_without_a_request_context() -> None:
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Der opstod en fejl</h1>" in html
    assert "Prøv igen om lidt" in html


def test_a_host_not_allowed_answers_400_in_danish_not_500(settings: Any) -> None:
    """Host scanners send other names: the CommonMiddleware refuses them before anyone is logged
    in, so the error page must render without a user (it raised, and answered 500)."""
    settings.ALLOWED_HOSTS = ["styrbord.example"]
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Forespørgslen kan ikke behandles" in response.content.decode()
