"""The education on a person's profile, when someone else changed the person after the page was
read; and the "Uddannelser" page's figures and breadcrumb.

A walk found that the conflict message kept the typed text in the form, against the new version:
pressing save once more, as one does after an error, overwrote the other person's change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.staff.models import Employee, Employment
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.testing.forms import form_data, page_forms

pytestmark = pytest.mark.django_db

UPDATED = "staff.employee.updated"


def _education_form(content: bytes) -> dict[str, Any]:
    return form_data(page_forms(content, "//form[@id='education-form']")[0])


def _stale_form_after_an_import(world: World) -> tuple[Any, Employee, dict[str, Any]]:
    """The manager opens a profile; then an HR import sets the person's education."""
    person = world.dolmer_staff[1]
    client = client_for(world.manager)
    stale = _education_form(client.get(reverse("staff:employee_detail", args=[person.pk])).content)
    Employee.objects.filter(pk=person.pk).update(education="Sygeplejerske", education_relevant=True, version=2)
    return client, person, stale


def test_the_conflict_shows_what_is_stored_and_names_what_was_typed(world: World) -> None:
    client, person, stale = _stale_form_after_an_import(world)
    url = reverse("staff:employee_education", args=[person.pk])

    response = client.post(url, {**stale, "education": "Pædagog"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Personens oplysninger er ændret, siden du åbnede siden" in html
    assert "Du skrev: »Pædagog«, ikke markeret som relevant." in html
    shown = _education_form(response.content)
    assert shown == {
        "education": "Sygeplejerske",
        "education_relevant": "on",
        "version": "2",
        "csrfmiddlewaretoken": shown["csrfmiddlewaretoken"],
    }
    person.refresh_from_db()
    assert (person.education, person.education_relevant, person.version) == ("Sygeplejerske", True, 2)


def test_saving_again_as_shown_does_not_overwrite_the_other_change(world: World) -> None:
    client, person, stale = _stale_form_after_an_import(world)
    url = reverse("staff:employee_education", args=[person.pk])
    typed = {**stale, "education": "Pædagog"}  # and the box left unticked
    first = client.post(url, typed)
    assert first.status_code == 400

    # Save pressed again on the page the conflict gave: the stored values stand.
    again = client.post(url, _education_form(first.content))
    # The stale form sent once more (the browser's "resend"): refused again.
    resent = client.post(url, typed)

    assert again.status_code == 302
    assert resent.status_code == 400
    person.refresh_from_db()
    assert (person.education, person.education_relevant, person.version) == ("Sygeplejerske", True, 2)
    assert not AuditEntry.objects.filter(action=UPDATED).exists()


def test_a_conflict_with_nothing_typed_says_so(world: World) -> None:
    client, person, stale = _stale_form_after_an_import(world)

    response = client.post(reverse("staff:employee_education", args=[person.pk]), {**stale, "education": ""})

    assert "Du skrev: ingen uddannelse, ikke markeret som relevant." in response.content.decode()


# --- "Uddannelser" -------------------------------------------------------------------------------


def _people_count_queries(queries: list[dict[str, Any]]) -> list[str]:
    """The queries counting the people of the area over all (not per education text)."""
    return [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"] and '"staff_employee"' in q["sql"] and "GROUP BY" not in q["sql"]
    ]


def test_the_education_page_counts_its_figures_in_one_query(world: World) -> None:
    Employee.objects.filter(pk=world.dolmer_staff[0].pk).update(education="Pædagog", education_relevant=True)
    Employee.objects.filter(pk=world.dolmer_staff[1].pk).update(education="Pædagog")
    client = client_for(world.coordinator)
    url = reverse("staff:education_list")
    client.get(url)  # the session and the first request's lookups out of the way

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(_people_count_queries(queries.captured_queries)) == 1
    # Norddjurs: Dolmer 3 + Glesborg 2 people employed today; 1 relevant; 3 without an education.
    assert (response.context["headcount"], response.context["relevant"], response.context["without_education"]) == (
        5,
        1,
        3,
    )


def test_the_figures_leave_out_people_not_employed_today_and_other_municipalities(world: World) -> None:
    left = factories.employee(name="Fratrådt", education_relevant=True, education="Pædagog")
    factories.employment(left, world.dolmer, end_date=dt.date(2021, 1, 1), status=Employment.Status.ENDED)

    response = client_for(world.coordinator).get(reverse("staff:education_list"))

    assert (response.context["headcount"], response.context["relevant"], response.context["without_education"]) == (
        5,
        0,
        5,
    )


def test_the_breadcrumb_leads_back_to_personaleforhold(world: World) -> None:
    client = client_for(world.coordinator)
    overview = client.get(reverse("workforce:overview")).content.decode()
    assert f'href="{reverse("staff:education_list")}"' in overview  # where the coordinator comes from

    html = client.get(reverse("staff:education_list")).content.decode()

    crumbs = html.split('id="breadcrumbs"')[1].split("</nav>")[0]
    assert f'<a href="{reverse("workforce:overview")}">Personaleforhold</a>' in crumbs
    assert "Find medarbejder" not in crumbs
