"""The competence catalogue and the list of certificates that lapse soon."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring_world(world: World) -> dict[str, object]:
    today = local_today()
    conflict = factories.competence("konflikt-udloeb", validity_months=24, name="Konflikthåndtering")
    soon, later, renewed = world.dolmer_staff
    factories.holding(soon, conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=10))
    factories.holding(later, conflict, today - dt.timedelta(days=300), today + dt.timedelta(days=400))
    factories.holding(renewed, conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=20))
    factories.holding(renewed, conflict, today - dt.timedelta(days=5), today + dt.timedelta(days=725))
    factories.holding(world.syddjurs_staff[0], conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=15))
    return {"soon": soon}


def test_the_expiry_list_shows_what_lapses_within_90_days_and_not_yet_renewed(
    world: World, expiring_world: dict[str, object]
) -> None:
    html = client_for(world.coordinator).get(reverse("competences:expiring")).content.decode()

    assert "Dolmer-medarbejder 1" in html
    assert "Dolmer-medarbejder 2" not in html  # lapses in 400 days
    assert "Dolmer-medarbejder 3" not in html  # already renewed
    assert "Syddjurs-medarbejder" not in html  # another municipality
    assert AuditEntry.objects.filter(action="competences.expiring.viewed").exists()


def test_a_longer_horizon_includes_later_expiries(world: World, expiring_world: dict[str, object]) -> None:
    html = client_for(world.coordinator).get(reverse("competences:expiring"), {"dage": "500"}).content.decode()
    assert "Dolmer-medarbejder 2" in html


def test_the_expiry_list_exports_to_xlsx(world: World, expiring_world: dict[str, object]) -> None:
    response = client_for(world.manager).get(reverse("competences:expiring_export"))

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:7] == ("Navn", "Tilbud", "Kompetence", "Opnået", "Udløber", "Dage tilbage", "Fornyes på kursus")
    assert rows[0][7] == "Dage uden gyldigt bevis"
    assert [(r[0], r[1], r[5], r[6]) for r in rows[1:]] == [("Dolmer-medarbejder 1", "Dolmer Have", 10, None)]
    assert AuditEntry.objects.filter(action="competences.expiring.exported", kind="export").count() == 1


def test_roles_without_staff_rights_are_refused_and_anonymous_sent_to_login(world: World) -> None:
    assert client_for(world.finance).get(reverse("competences:expiring")).status_code == 403
    assert client_for(world.employee_user).get(reverse("competences:expiring")).status_code == 403
    assert Client().get(reverse("competences:expiring")).status_code == 302


def test_the_catalogue_is_readable_by_staff_roles(world: World) -> None:
    factories.competence("katalog", name="Low Arousal")
    assert "Low Arousal" in client_for(world.employee_user).get(reverse("competences:competence_list")).content.decode()
    assert client_for(world.finance).get(reverse("competences:competence_list")).status_code == 403


def test_a_booked_renewal_course_is_shown_next_to_the_lapsing_certificate(
    world: World, expiring_world: dict[str, object]
) -> None:
    """Whom to book: a course that grants the competence, booked and not yet over, is shown
    (also in the XLSX); a cancelled booking or a course that grants something else is not."""
    from styrbord.competences.models import Competence
    from styrbord.training import services
    from styrbord.training.models import BookingStatus, CourseCompetence
    from styrbord.training.tests import helpers

    today = local_today()
    conflict = Competence.objects.get(code="konflikt-udloeb")
    renewing = helpers.course(name="Konflikthåndtering, opfølgning")
    CourseCompetence.objects.create(course=renewing, competence=conflict)
    other = helpers.course(name="KRAP")
    soon = expiring_world["soon"]
    first = today + dt.timedelta(days=5)
    services.book(soon, helpers.session(other, days=[today + dt.timedelta(days=2)]))  # grants nothing relevant
    cancelled = services.book(soon, helpers.session(renewing, days=[today + dt.timedelta(days=1)]))
    cancelled.status = BookingStatus.CANCELLED
    cancelled.save()
    html = client_for(world.coordinator).get(reverse("competences:expiring")).content.decode()
    assert "Ikke tilmeldt" in html.split("Dolmer-medarbejder 1")[1].split("</tr>")[0]
    services.book(soon, helpers.session(renewing, days=[first, first + dt.timedelta(days=1)]))
    row = client_for(world.coordinator).get(reverse("competences:expiring")).content.decode()
    row = row.split("Dolmer-medarbejder 1")[1].split("</tr>")[0]
    assert f'{first:%d-%m-%Y}</span> <span class="small">(Planlagt)</span>' in row  # services.book plans by default
    assert "Ikke tilmeldt" not in row
    sheet = client_for(world.manager).get(reverse("competences:expiring_export"))
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[1][6].date() == first


def test_a_certificate_nobody_renews_links_to_the_courses_that_give_it(
    world: World, expiring_world: dict[str, object]
) -> None:
    from styrbord.competences.models import Competence
    from styrbord.training.models import CourseCompetence
    from styrbord.training.tests import helpers

    conflict = Competence.objects.get(code="konflikt-udloeb")
    CourseCompetence.objects.create(course=helpers.course(name="Konflikthåndtering, opfølgning"), competence=conflict)
    CourseCompetence.objects.create(
        course=helpers.course(name="Low Arousal i praksis"), competence=factories.competence(name="Low Arousal")
    )
    client = client_for(world.coordinator)
    row = client.get(reverse("competences:expiring")).content.decode().split("Dolmer-medarbejder 1")[1]
    link = f"{reverse('training:course_list')}?kompetence={conflict.pk}"
    assert f'href="{link}">Find kursus</a>' in row.split("</tr>")[0]

    catalogue = client.get(link)
    names = [c.name for c in catalogue.context["courses"]]
    assert names == ["Konflikthåndtering, opfølgning"]
    assert "Kurser, der giver »Konflikthåndtering«." in catalogue.content.decode()
    everything = [c.name for c in client.get(reverse("training:course_list")).context["courses"]]
    assert "Low Arousal i praksis" in everything


def test_a_renewal_that_ends_after_the_certificate_lapses_says_how_long_the_person_is_without(
    world: World,
) -> None:
    """A plan may book the renewal months after the expiry: the list must not read as renewed in time."""
    from styrbord.training import services
    from styrbord.training.models import BookingStatus, CourseCompetence
    from styrbord.training.tests import helpers

    today = local_today()
    conflict = factories.competence("konflikt-sen", validity_months=24, name="Konflikthåndtering")
    late, on_time = world.dolmer_staff[:2]
    for person in (late, on_time):
        factories.holding(person, conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=10))
    course = helpers.course(name="Konflikthåndtering, genopfriskning")
    CourseCompetence.objects.create(course=course, competence=conflict)
    early = helpers.session(course, days=[today + dt.timedelta(days=5)], capacity=5)
    after = helpers.session(course, days=[today + dt.timedelta(days=40), today + dt.timedelta(days=41)], capacity=5)
    services.book(on_time, early, status=BookingStatus.PLANNED)
    services.book(late, after, status=BookingStatus.PLANNED)

    html = client_for(world.coordinator).get(reverse("competences:expiring")).content.decode()
    rows = {name: html.split(name, 1)[1].split("</tr>", 1)[0] for name in (late.name, on_time.name)}
    assert "Efter udløb: 31 dage uden gyldigt bevis" in rows[late.name]  # expires day 10, course ends day 41
    assert "badge-info" not in rows[late.name]
    assert "uden gyldigt bevis" not in rows[on_time.name]
    assert "badge-info" in rows[on_time.name]

    sheet = load_workbook(
        io.BytesIO(client_for(world.coordinator).get(reverse("competences:expiring_export")).content)
    ).active
    lapsed = {row[0]: row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert lapsed == {late.name: 31, on_time.name: None}
