"""The landing page's staff key figures: the workforce page's totals, scoped and suppressed alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from styrbord.competences.models import Competence
from styrbord.testing import factories
from styrbord.workforce.services import Selection, build_page, key_figures

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 4)


def texts(user) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    figures = key_figures(user, TODAY)
    assert figures is not None
    return {f.key: (f.now.text, f.before.text) for f in figures.figures}


def specialise(world) -> None:  # type: ignore[no-untyped-def]
    """Dolmer's first contact person gains a method competence in 2026; one colleague is educated."""
    method = factories.competence(category=Competence.Category.METHOD)
    factories.holding(world.dolmer_staff[0], method, acquired_on=dt.date(2026, 6, 1))
    educated = world.dolmer_staff[1]
    educated.education_relevant = True
    educated.save()


def test_a_coordinator_gets_the_municipality_today_and_at_last_year_end(world) -> None:
    specialise(world)

    shown = texts(world.coordinator)

    # Norddjurs: Dolmer 3 + Glesborg 2 people, all full FTE since 2020; 3 contact persons.
    assert shown["headcount"] == ("5", "5")
    assert shown["relevant_education"] == ("20 %", "20 %")
    assert shown["specialised_contacts"] == ("33 %", "0 %")  # 1 of 3 now, none on 31-12-2025


def test_the_figures_are_the_workforce_pages_totals(world) -> None:
    specialise(world)
    page = build_page(world.coordinator, Selection(municipality=None, facility=None, years=[2025, 2026]), TODAY)
    tables = {t.key: t for t in page.computed}

    figures = key_figures(world.coordinator, TODAY)

    assert figures is not None
    for figure in figures.figures:
        total = tables[figure.key].total
        assert total is not None
        before, now = (cell.value for cell in total.cells)
        assert (figure.now.value, figure.before.value) == (now, before), figure.key
        assert figure.now.value is not None


def test_an_analyst_gets_the_pages_suppression(world) -> None:
    # Midtjylland: 7 people, so the headcount shows; but only 4 contact persons
    # (Dolmer 2, Glesborg 1, Syddjurs 1), so the specialised share is hidden.
    shown = texts(world.analyst)

    assert shown["headcount"] == ("7", "7")
    assert shown["specialised_contacts"] == ("..", "..")
    # 3 of the 7 with a relevant education: a share of 7 people always tells a count under 5, so it
    # is hidden; 0 % or 100 % would tell it of each of the 7, so with all 7 educated it stays hidden.
    from styrbord.staff.models import Employee, Employment

    in_region = Employment.objects.filter(facility__municipality__region=world.dolmer.municipality.region)
    people = Employee.objects.filter(pk__in=in_region.values("employee_id")).order_by("pk")
    Employee.objects.filter(pk__in=[p.pk for p in people[:3]]).update(education_relevant=True)
    Employee.objects.filter(pk__in=[p.pk for p in people[3:]]).update(education_relevant=False)
    assert texts(world.analyst)["relevant_education"] == ("..", "..")
    people.update(education_relevant=True)
    assert texts(world.analyst)["relevant_education"] == ("..", "..")
    assert texts(world.coordinator)["relevant_education"][0] != ".."
    figures = key_figures(world.analyst, TODAY)
    assert figures is not None
    assert figures.suppressed is True


def test_an_analyst_of_a_small_region_sees_no_totals_at_all(world) -> None:
    # Hovedstaden has only the two people in København: every figure is hidden.
    analyst = factories.user("analyst", region=world.kbh_facility.municipality.region)

    shown = texts(analyst)

    assert set(shown.values()) == {("..", "..")}


@pytest.mark.parametrize("persona", ["finance", "employee_user", "grantor_user"])
def test_roles_without_workforce_figures_get_none(world, persona) -> None:
    assert key_figures(getattr(world, persona), TODAY) is None


def test_the_landing_page_shows_them_to_an_analyst_and_not_to_finance(client, world) -> None:
    client.force_login(world.analyst)
    page = client.get(reverse("web:home")).content.decode()
    assert 'id="key-figures"' in page
    assert 'data-key="headcount"><span class="value">7</span>' in page
    assert (
        "Skjulte tal vises som »..«: tal for færre end fem personer, og tal, der ellers ville lade dem regne ud."
        in page
    )

    client.force_login(world.finance)
    assert 'id="key-figures"' not in client.get(reverse("web:home")).content.decode()


def test_a_coordinator_sees_no_suppression_note(client, world) -> None:
    client.force_login(world.coordinator)

    page = client.get(reverse("web:home")).content.decode()

    assert 'data-key="headcount"><span class="value">5</span>' in page
    assert "Skjulte tal vises som" not in page
