"""In a real browser: the landing page's panels fit their cards, also with long Danish words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from styrbord.lib.dates import local_today
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World, login
from styrbord.training import services
from styrbord.training.tests import helpers

# Panels whose content is wider than their card (a table that scrolls sideways inside it).
OVERFLOWING = """
() => [...document.querySelectorAll('.panels .card')]
  .filter(card => card.scrollWidth > card.clientWidth + 1)
  .map(card => card.querySelector('h3')?.textContent.trim())
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 1024, 768])
def test_no_landing_panel_scrolls_sideways_with_long_course_names(
    page: Any, live_server: Any, reference_data: None, world: World, width: int
) -> None:
    # Three panels side by side at 1280 px: a target gap, a short-staffed facility, a course.
    requirement(
        [factories.competence(name="Konflikthåndtering")], facility=world.dolmer, name="Alle i konflikthåndtering"
    )
    world.glesborg.minimum_staff = len(world.glesborg_staff) + 1
    world.glesborg.save()
    first = local_today() + dt.timedelta(days=10)
    name = "Vedligeholdelsestræning i konflikthåndtering (temadag)"
    session = helpers.session(helpers.course(name=name), days=[first], name="Bofællesskaberne Glesborg januar")
    services.book(world.dolmer_staff[0], session)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/")
    assert name in page.inner_text("#upcoming")
    assert page.locator(".panels .card").count() >= 3
    assert page.evaluate(OVERFLOWING) == []
