"""In a real browser: a form is sent once, however often its button is clicked."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from styrbord.competences.models import CompetenceHolding
from styrbord.testing import factories
from styrbord.testing.fixtures import World, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_sends_the_form_once(page: Any, live_server: Any, reference_data: None, world: World) -> None:
    person = world.dolmer_staff[1]
    krap = factories.competence(name="KRAP")
    login(page, live_server.url, world.manager.username)
    url = live_server.url + reverse("staff:holding_create", args=[person.pk])
    page.goto(url)
    page.select_option("#holding-form select[name=competence]", str(krap.pk))
    page.fill("#holding-form input[name=acquired_on]", "2025-03-15")

    held: list[Any] = []  # the POSTs the browser sends, held until both clicks are done

    def hold(route: Any) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(url, hold)
    page.dblclick("#holding-form button[type=submit]")
    page.keyboard.press("Enter")  # and Enter, for good measure
    page.wait_for_timeout(500)
    assert len(held) == 1, f"the form was sent {len(held)} times"
    with page.expect_navigation():
        held[0].continue_()
    assert "KRAP er registreret." in page.content()
    assert CompetenceHolding.objects.filter(employee=person, competence=krap).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_form_answered_with_a_download_can_be_sent_again(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    """The guard lasts while a request may be on its way, not for the rest of the page's life: when
    the answer is a download (the page stays), the form is released after a few seconds."""
    person = world.dolmer_staff[1]
    krap = factories.competence(name="KRAP")
    login(page, live_server.url, world.manager.username)
    url = live_server.url + reverse("staff:holding_create", args=[person.pk])
    page.goto(url)
    page.select_option("#holding-form select[name=competence]", str(krap.pk))
    page.fill("#holding-form input[name=acquired_on]", "2025-03-15")
    posts: list[Any] = []

    def fail_first(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route)
        if len(posts) == 1:  # answered with a file: the browser saves it and stays on the page
            route.fulfill(status=200, body="x", headers={"Content-Disposition": 'attachment; filename="x.txt"'})
        else:
            route.continue_()

    page.route(url, fail_first)
    page.click("#holding-form button[type=submit]")
    page.wait_for_timeout(500)
    page.click("#holding-form button[type=submit]")  # still guarded: not sent
    page.wait_for_timeout(500)
    assert len(posts) == 1
    page.wait_for_timeout(4000)  # the guard's release (RELEASE_AFTER_MS)
    with page.expect_navigation():
        page.click("#holding-form button[type=submit]")
    assert len(posts) == 2
    assert "KRAP er registreret." in page.content()
    assert CompetenceHolding.objects.filter(employee=person, competence=krap).count() == 1
