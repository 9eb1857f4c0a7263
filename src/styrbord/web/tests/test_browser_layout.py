"""In a real browser: layout details, the landing panels fitting their cards and readable buttons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from styrbord.funding.models import Grant, ReportingDeadline
from styrbord.funding.tests import helpers as funding_helpers
from styrbord.lib.dates import local_today
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import SIDEWAYS_OVERFLOW, World, login
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
    # A funding warning (a status report due soon): its panel of prose spans the whole row.
    pool = funding_helpers.pool(municipality=world.dolmer.municipality)
    funding_helpers.grant(pool, world.dolmer, status=Grant.Status.APPROVED)
    ReportingDeadline.objects.create(
        pool=pool, kind=ReportingDeadline.Kind.STATUS_REPORT, due_date=local_today() + dt.timedelta(days=10)
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/")
    assert name in page.inner_text("#upcoming")
    assert page.locator(".panels .card").count() >= 4
    assert page.evaluate(OVERFLOWING) == []
    funding = page.locator(".panels .card", has=page.locator("#funding-heading")).bounding_box()
    panels = page.locator(".panels").bounding_box()
    assert funding is not None
    assert panels is not None
    assert funding["width"] >= panels["width"] - 2


CONTRAST = """
(el) => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_buttons_keep_readable_text_under_the_pointer(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    """WCAG AA (4,5:1) for the primary and the secondary button, at rest and hovered."""
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/planlaegning/")
    page.emulate_media(reduced_motion="reduce")
    for selector in ("a.button:not(.button-secondary)", "a.button.button-secondary"):
        button = page.locator(selector).first
        assert button.evaluate(CONTRAST) >= 4.5, selector
        button.hover()
        page.wait_for_timeout(50)
        assert button.evaluate(CONTRAST) >= 4.5, f"{selector}:hover"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_secondary_button_element_looks_like_a_secondary_link(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    """<button class="button button-secondary"> (a form's "Vis", "Annullér") is light like the
    <a> of the same class; `button.button` used to outrank the secondary class and fill it."""
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/krav/")
    page.emulate_media(reduced_motion="reduce")
    style = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.borderColor]; }"
    link = page.locator("a.button.button-secondary").first.evaluate(style)
    button = page.locator("button.button.button-secondary").first
    assert button.evaluate(style) == link
    assert link[0] == "rgb(255, 255, 255)"
    button.hover()
    page.wait_for_timeout(50)
    assert button.evaluate(CONTRAST) >= 4.5
    assert button.evaluate(style)[0] != "rgb(255, 255, 255)"  # the hover shade, still light


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("persona", "entries"), [("manager", 7), ("admin", 8)])
def test_the_header_is_one_row_on_a_laptop(
    page: Any, live_server: Any, reference_data: None, world: World, persona: str, entries: int
) -> None:
    """The menu, the language switch and the name fit one row at 1280 px: a facility manager with
    a three-part name, and the widest header: a superuser administrator named after the role and
    tied to an employee, so that "Min profil" is its eighth entry."""
    user = getattr(world, persona)
    if persona == "admin":
        user.is_superuser, user.first_name = True, "Systemadministrator"
        user.employee = world.glesborg_staff[-1]
    else:
        user.first_name, user.last_name = "Bo", "Nowak Nissen"
    user.save()
    login(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/")
    assert page.locator(".main-nav li").count() == entries
    assert user.get_full_name() in page.inner_text(".user-badge")
    menu_top = page.evaluate("document.querySelector('.main-nav').getBoundingClientRect().top")
    tools_top = page.evaluate("document.querySelector('.header-tools').getBoundingClientRect().top")
    assert abs(menu_top - tools_top) < 20


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_coverage_heat_map_of_six_requirements_fits_a_laptop_screen(
    page: Any, live_server: Any, reference_data: None, world: World
) -> None:
    """Long requirement names head the columns; they wrap instead of pushing columns off screen."""
    competence = factories.competence(name="Konflikthåndtering")
    for n in range(6):
        requirement(
            [competence],
            facility=world.dolmer if n % 2 else world.glesborg,
            name=f"Vedligeholdelsestræning i konflikthåndtering hver 12. måned, krav nummer {n + 1}",
        )
    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/krav/")
    assert page.locator("#heatmap thead th").count() == 7
    wrap = "document.querySelector('#heatmap').closest('.table-wrap')"
    assert page.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 768])
def test_lists_fold_secondary_columns_under_the_name_on_a_tablet(
    page: Any, live_server: Any, reference_data: None, world: World, width: int
) -> None:
    """Course type and provider, facility type: own columns on a laptop, a line under the
    name on a tablet, so the facility list fits 768 px without scrolling sideways."""
    helpers.course(name="Konflikthåndtering og de-eskalering med simulationstræning")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, world.coordinator.username)
    folded = width == 768
    page.goto(f"{live_server.url}/kurser/")
    headers = page.locator("table.table thead th:visible").all_inner_texts()
    assert ("Udbyder" not in headers) is folded
    assert ("Type" not in headers) is folded
    assert page.locator("table.table tbody td .narrow-only:visible").count() == (1 if folded else 0)
    page.goto(f"{live_server.url}/tilbud/")
    headers = page.locator("table.table thead th:visible").all_inner_texts()
    assert ("Tilbudstype" not in headers) is folded
    assert "Kommune" not in headers  # one municipality in the coordinator's scope
    assert page.locator(".table-wrap").evaluate(SIDEWAYS_OVERFLOW) <= 1
