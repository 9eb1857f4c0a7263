"""The share with a relevant education is one figure: the facility page, the facility list, the
municipality overview, the workforce page and the landing page's key figures give the same share
for the same facility on the same day (a walk found 65 % on Dolmer Have's page and 67 % on the
landing page: the facility pages counted the trainees, the workforce figures did not)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from styrbord.lib.dates import local_today
from styrbord.organisations import services
from styrbord.staff.models import Employment
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for
from styrbord.workforce import figures as workforce_figures

pytestmark = pytest.mark.django_db


def _with_learner_and_second_job(world: Any) -> None:
    """Dolmer Have: its 3 people, 2 of them with a relevant education (the share of those who
    could hold one: 67 %); an intern without one yet; and a colleague from Glesborg with a second,
    non-primary employment at Dolmer Have, counted at Glesborg."""
    for person in world.dolmer_staff[:2]:
        person.education_relevant = True
        person.education = "Pædagog"
        person.save()
    intern = factories.employee(name="Praktikant Pia")
    factories.employment(intern, world.dolmer, kind=Employment.Kind.INTERN)
    factories.employment(world.glesborg_staff[0], world.dolmer, is_primary=False, kind=Employment.Kind.HOURLY)


def _facility_page_share(client: Any, facility: Any) -> str:
    body = client.get(reverse("organisations:facility_detail", args=[facility.pk])).content.decode()
    found = re.search(r'<span class="value">([^<]*)</span><span class="label">med relevant uddannelse</span>', body)
    assert found, body
    return found.group(1)


def _landing_page_share(client: Any) -> str:
    body = client.get("/").content.decode()
    found = re.search(r'data-key="relevant_education"><span class="value">([^<]*)</span>', body)
    assert found, body
    return found.group(1)


def test_the_facility_page_and_the_landing_page_give_the_same_share(world: Any) -> None:
    _with_learner_and_second_job(world)
    client = client_for(world.manager)  # the facility manager of Dolmer Have: their landing page is the facility

    facility_share = _facility_page_share(client, world.dolmer)
    landing_share = _landing_page_share(client)

    assert facility_share == "67 %"
    assert landing_share.startswith("67")  # the landing page shows a decimal more or less: the same share
    number = Decimal(landing_share.removesuffix(" %").replace(",", "."))
    assert number.quantize(Decimal("1")) == Decimal("67")


def test_every_page_counts_the_share_of_the_same_people(world: Any) -> None:
    _with_learner_and_second_job(world)
    today = local_today()

    on_page = services.figures_of(services.facility_staff(world.dolmer.pk, today))
    in_list = services.StaffSnapshot([world.dolmer.pk], today).by_facility()[world.dolmer.pk]
    in_total = services.StaffSnapshot([world.dolmer.pk], today).total()
    workforce = workforce_figures.staff_figures(
        Employment.objects.filter(facility=world.dolmer), [today.year], today, detail=False
    ).totals[today.year]

    expected = Decimal("66.7")  # 2 of the 3 who could hold a relevant education
    assert on_page.relevant_share == in_list.relevant_share == in_total.relevant_share == expected
    assert workforce.education_share == expected
    # The facility's headcount still counts everybody employed there today, the intern included.
    assert on_page.headcount == in_list.headcount == 5
    assert on_page.education_counted == in_list.education_counted == workforce.headcount == 3


def test_the_pages_say_what_the_share_counts(world: Any) -> None:
    _with_learner_and_second_job(world)
    client = client_for(world.coordinator)

    detail = client.get(reverse("organisations:facility_detail", args=[world.dolmer.pk])).content.decode()
    listing = client.get(reverse("organisations:facility_list")).content.decode()
    overview = client.get(reverse("workforce:overview")).content.decode()

    assert "Andelen med relevant uddannelse er af 3 medarbejdere: elever, studerende og praktikanter" in detail
    assert 'id="relevant-education-basis"' in listing
    assert 'id="relevant-education-basis"' in overview
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("organisations:facility_detail", args=[world.dolmer.pk])).content.decode()
    assert "The share with a relevant education is of 3 staff" in body


def test_the_staff_figures_read_the_employments_from_the_index_alone(world: Any) -> None:
    """The facility list counts each facility's staff from the covering index, the primary flag and
    the kind included: without them in the index, SQLite reads every employment row of the page's
    facilities (twice the time at 100.000 staff, ``styrbord bench pages``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("the plan asked for is SQLite's; PostgreSQL picks its own by its statistics")
    with CaptureQueriesContext(connection) as captured:
        services.StaffSnapshot([world.dolmer.pk, world.glesborg.pk], local_today()).by_facility()
    (query,) = [q["sql"] for q in captured.captured_queries if "staff_employment" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING COVERING INDEX employment_facility_current" in plan, plan
