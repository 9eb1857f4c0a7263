"""Coverage pages, gap lists and requirement forms: anonymous, wrong role, other tenant, right role."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.requirements.models import Population, Requirement, Rule, ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    """A Norddjurs 75 % target on contact persons and a Syddjurs requirement, with some holdings."""
    today = local_today()
    krap = factories.competence("krap-test", name="KRAP")
    recovery = factories.competence("recovery-test", name="Recovery")
    conflict = factories.competence("konflikt-test", validity_months=24, name="Konflikthåndtering")
    # Dolmer: staff 0 and 2 are contact persons; staff 0 holds KRAP.
    factories.holding(world.dolmer_staff[0], krap, today - dt.timedelta(days=400))
    factories.holding(world.dolmer_staff[1], conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=30))
    target = requirement(
        [krap, recovery],
        scope_level=ScopeLevel.MUNICIPALITY,
        municipality=world.dolmer.municipality,
        rule=Rule.PERCENT_PEOPLE,
        target="75",
        population=Population.CONTACT_PERSONS,
        name="75 % af kontaktpersonerne specialiseret",
        deadline=today + dt.timedelta(days=200),
    )
    everyone = requirement(
        [conflict], scope_level=ScopeLevel.MUNICIPALITY, municipality=world.dolmer.municipality, name="Konflikt"
    )
    syddjurs = requirement([conflict], facility=world.syddjurs_facility, name="Syddjurs-krav")
    return {"target": target, "everyone": everyone, "syddjurs": syddjurs, "conflict": conflict, "today": today}


# --- anonymous and wrong roles -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["overview", "requirement_list", "requirement_create"],
)
def test_anonymous_users_are_sent_to_the_login(world: World, name: str) -> None:
    response = Client().get(reverse(f"requirements:{name}"))
    assert response.status_code == 302
    assert "/konto/login/" in response["Location"]


@pytest.mark.parametrize(
    "name", ["facility_coverage", "gap_list", "gap_export", "evidence_sheet", "evidence_xlsx", "evidence_pdf"]
)
def test_anonymous_users_cannot_open_facility_pages(world: World, name: str) -> None:
    response = Client().get(reverse(f"requirements:{name}", args=[world.dolmer.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["employee", "analyst", "grantor"])
def test_roles_without_coverage_rights_are_refused(world: World, setup: dict[str, Any], persona: str) -> None:
    client = client_for(world.personas()[persona])
    assert client.get(reverse("requirements:overview")).status_code == 403
    assert client.get(reverse("requirements:gap_list", args=[world.dolmer.pk])).status_code == 403
    assert client.get(reverse("requirements:evidence_pdf", args=[world.dolmer.pk])).status_code == 403


def test_finance_sees_coverage_figures_but_no_names(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.finance)
    heat = client.get(reverse("requirements:overview"))
    facility = client.get(reverse("requirements:facility_coverage", args=[world.dolmer.pk]))
    assert heat.status_code == 200
    assert facility.status_code == 200
    assert "Dolmer-medarbejder" not in facility.content.decode()
    assert reverse("requirements:gap_list", args=[world.dolmer.pk]) not in facility.content.decode()
    assert client.get(reverse("requirements:gap_list", args=[world.dolmer.pk])).status_code == 403
    assert client.get(reverse("requirements:evidence_xlsx", args=[world.dolmer.pk])).status_code == 403
    assert client.get(reverse("requirements:requirement_list")).status_code == 403


def test_a_facility_manager_may_read_but_not_create_requirements(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.manager)
    listed = client.get(reverse("requirements:requirement_list"))
    assert listed.status_code == 200
    assert reverse("competences:import_upload") not in listed.content.decode()  # imports are the coordinator's
    coordinators = client_for(world.coordinator).get(reverse("requirements:requirement_list")).content.decode()
    assert f'href="{reverse("competences:import_upload")}" id="requirements-import-holdings"' in coordinators
    assert client.get(reverse("requirements:requirement_create")).status_code == 403
    assert client.get(reverse("requirements:requirement_update", args=[setup["target"].pk])).status_code == 403


# --- other tenants: 404 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["facility_coverage", "gap_list", "gap_export", "evidence_sheet", "evidence_xlsx", "evidence_pdf"]
)
def test_another_municipality_gets_404_for_our_facility(world: World, setup: dict[str, Any], name: str) -> None:
    response = client_for(world.other_coordinator).get(reverse(f"requirements:{name}", args=[world.dolmer.pk]))
    assert response.status_code == 404


def test_a_manager_gets_404_for_a_facility_that_is_not_theirs(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.manager)
    assert client.get(reverse("requirements:facility_coverage", args=[world.glesborg.pk])).status_code == 404
    assert client.get(reverse("requirements:facility_coverage", args=[world.dolmer.pk])).status_code == 200


def test_another_municipality_cannot_see_or_edit_our_requirement(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.other_coordinator)
    pk = setup["target"].pk
    assert client.get(reverse("requirements:requirement_detail", args=[pk])).status_code == 404
    assert client.get(reverse("requirements:requirement_update", args=[pk])).status_code == 404
    listing = client.get(reverse("requirements:requirement_list")).content.decode()
    assert "Syddjurs-krav" in listing
    assert "kontaktpersonerne" not in listing


# --- right role --------------------------------------------------------------------------------


def test_the_heat_map_shows_own_facilities_and_shares(world: World, setup: dict[str, Any]) -> None:
    response = client_for(world.coordinator).get(reverse("requirements:overview"))

    html = response.content.decode().replace("\u00ad", "")  # soft hyphens in the names
    assert response.status_code == 200
    assert "Dolmer Have" in html
    assert "Bofællesskaberne Glesborg" in html
    assert "Syddjurs Botilbud" not in html
    assert "75 % af kontaktpersonerne specialiseret" in html
    # Dolmer: contact persons are staff 0 and 2; only staff 0 holds an alternative: 1 of 2 = 50 %.
    assert "50 %" in html
    assert 'data-status="bad"' in html


def test_a_facility_requirement_names_its_facility_in_the_heat_map_head(world: World, setup: dict[str, Any]) -> None:
    """Two facilities' own requirements may share a name; the column head says whose each is."""
    requirement([setup["conflict"]], facility=world.glesborg, name="Konflikt")

    html = client_for(world.coordinator).get(reverse("requirements:overview")).content.decode()

    # The facility's name may break at a syllable (soft hyphens), not anywhere.
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0].replace("\u00ad", "")
    assert "mål 100 % · Bofællesskaberne Glesborg</span>" in head
    assert "mål 100 %</span>" in head  # the municipality's own "Konflikt": no place named
    assert "· Norddjurs" not in head


def test_the_facility_page_has_a_chart_and_the_coverage_table(world: World, setup: dict[str, Any]) -> None:
    response = client_for(world.manager).get(reverse("requirements:facility_coverage", args=[world.dolmer.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-vega-spec="' in html
    assert "/static/vendor/vega/vega-embed.min.js" in html
    assert "1 / 2" in html
    assert "mål 75 %" in html


def test_the_gap_list_names_people_with_reasons_and_sorts(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.coordinator)
    url = reverse("requirements:gap_list", args=[world.dolmer.pk])

    ascending = client.get(url, {"krav": setup["target"].pk}).content.decode()
    descending = client.get(url, {"krav": setup["target"].pk, "sort": "-navn"}).content.decode()

    assert "Dolmer-medarbejder 3" in ascending
    assert "Mangler" in ascending
    assert "Dolmer-medarbejder 1" not in ascending  # holds KRAP
    everything = client.get(url).content.decode()
    first, second = everything.index("Dolmer-medarbejder 1"), everything.index("Dolmer-medarbejder 3")
    assert first < second
    rev = client.get(url, {"sort": "-navn"}).content.decode()
    assert rev.index("Dolmer-medarbejder 3") < rev.index("Dolmer-medarbejder 1")
    assert 'aria-sort="descending"' in descending
    assert AuditEntry.objects.filter(action="requirements.gap_list.viewed", kind=AuditEntry.Kind.ACCESS).exists()


def test_the_gap_list_offers_coming_sessions_and_books_the_people_missing_the_competence(
    world: World, setup: dict[str, Any]
) -> None:
    """With one requirement chosen, the gap list shows the coming sessions whose course grants one
    of its competences (not past, not cancelled, not other courses), and its link opens group
    booking with exactly the people missing it ticked."""
    from styrbord.staff.models import Employment
    from styrbord.training.models import CourseCompetence
    from styrbord.training.tests import helpers as training

    today = setup["today"]
    granting = training.course(name="KRAP grundforløb")
    CourseCompetence.objects.create(course=granting, competence=setup["target"].competences.first())
    coming = training.session(granting, days=[today + dt.timedelta(days=20)], capacity=12, name="Forår")
    training.session(granting, days=[today - dt.timedelta(days=20)], name="Sidste år")
    training.session(granting, days=[today + dt.timedelta(days=30)], name="Aflyst", cancelled=True)
    training.session(training.course(name="Noget andet"), days=[today + dt.timedelta(days=10)])

    client = client_for(world.manager)
    url = reverse("requirements:gap_list", args=[world.dolmer.pk])
    page = client.get(url, {"krav": setup["target"].pk}).content.decode()
    section = page.split('id="sessions-for-requirement"', 1)[1].split("</section>", 1)[0]
    assert "KRAP grundforløb – Forår" in section
    assert "Sidste år" not in section
    assert "Aflyst" not in section
    assert "Noget andet" not in section
    assert ">12<" in section  # free seats
    assert "Slutter efter fristen" not in section
    # A session ending after the requirement's deadline says so.
    target = setup["target"]
    target.deadline = today + dt.timedelta(days=25)
    target.save()
    training.session(granting, days=[today + dt.timedelta(days=40)], name="Efterår")
    page = client.get(url, {"krav": target.pk}).content.decode()
    section = page.split('id="sessions-for-requirement"', 1)[1].split("</section>", 1)[0]
    autumn = section.split("KRAP grundforløb – Efterår", 1)[1].split("</tr>", 1)[0]
    spring = section.split("KRAP grundforløb – Forår", 1)[1].split("</tr>", 1)[0]
    deadline = f"{target.deadline:%d-%m-%Y}"
    assert f"Slutter efter fristen {deadline}" in autumn
    assert "Slutter efter fristen" not in spring
    # Without a chosen requirement there is nothing to match sessions against.
    assert 'id="sessions-for-requirement"' not in client.get(url).content.decode()

    link = section.split('class="book-missing" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    booking_page = client.get(link).content.decode()
    ticked = {
        e.employee.name
        for e in Employment.objects.filter(facility=world.dolmer)
        if f'value="{e.pk}" id="e-{e.pk}" checked' in booking_page
    }
    assert ticked == {"Dolmer-medarbejder 3"}  # the contact person without KRAP or Recovery
    assert coming.pk == int(link.split("/hold/", 1)[1].split("/", 1)[0])


def test_from_a_profile_the_gap_list_narrows_to_one_person_and_books_only_them(
    world: World, setup: dict[str, Any]
) -> None:
    from styrbord.training.models import CourseCompetence
    from styrbord.training.tests import helpers as training

    today = setup["today"]
    course = training.course(name="Konflikthåndtering, grundkursus")
    CourseCompetence.objects.create(course=course, competence=setup["conflict"])
    training.session(course, days=[today + dt.timedelta(days=20)])
    person = world.dolmer_staff[2]
    client = client_for(world.manager)
    url = reverse("requirements:gap_list", args=[world.dolmer.pk])

    response = client.get(url, {"krav": setup["everyone"].pk, "medarbejder": person.pk})

    assert {g.employee for g in response.context["gaps"]} == {person}
    page = response.content.decode()
    assert f"Viser kun {person.name}." in page
    assert f'name="medarbejder" value="{person.pk}"' in page  # kept when the filters change
    link = page.split('class="book-missing" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    employment = person.employments.get()
    assert link.endswith(f"?valgt={employment.pk}")
    # Everybody again, one click away.
    everybody = client.get(url, {"krav": setup["everyone"].pk})
    assert len({g.employee for g in everybody.context["gaps"]}) == 2
    # Someone outside the facility: nothing shown, and no name.
    other = client.get(url, {"krav": setup["everyone"].pk, "medarbejder": world.glesborg_staff[0].pk})
    assert other.context["gaps"] == []
    assert "Viser kun én person." in other.content.decode()
    assert world.glesborg_staff[0].name not in other.content.decode()


def test_the_gap_export_is_an_xlsx_with_the_same_rows_and_is_logged(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.coordinator)

    response = client.get(reverse("requirements:gap_export", args=[world.dolmer.pk]), {"sort": "navn"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Navn", "Faggruppe", "Kontaktperson", "Krav", "Årsag")
    names = [r[0] for r in rows[1:]]
    assert names == sorted(names)
    assert ("Dolmer-medarbejder 2", "Konflikt", "Udløber før fristen") not in [(r[0], r[3], r[4]) for r in rows]
    assert ("Dolmer-medarbejder 3", "Konflikt", "Mangler") in [(r[0], r[3], r[4]) for r in rows]
    entry = AuditEntry.objects.filter(action="requirements.gap_list.exported").first()
    assert entry is not None
    assert entry.kind == AuditEntry.Kind.EXPORT
    assert AuditEntry.objects.filter(action="requirements.gap_list.exported").count() == len(set(names))
    assert "Dolmer-medarbejder" not in str(entry.data)


def test_a_coordinator_creates_and_edits_a_requirement_and_both_are_logged(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world.coordinator)
    data = {
        "name": "Påbud: konflikthåndtering for alle",
        "scope_level": ScopeLevel.FACILITY,
        "facility": world.glesborg.pk,
        "population": Population.ALL_STAFF,
        "competences": [setup["conflict"].pk],
        "rule": Rule.EVERY_PERSON,
        "target_percent": "100",
        "deadline": "2027-03-31",
        "priority": 1,
        "source_kind": "order",
        "source_reference": "Tilsynsrapport 2026, punkt 3",
        "is_active": "on",
    }

    response = client.post(reverse("requirements:requirement_create"), data)

    assert response.status_code == 302
    created = Requirement.objects.get(name="Påbud: konflikthåndtering for alle")
    assert created.facility == world.glesborg
    assert AuditEntry.objects.filter(action="requirements.requirement.created", object_id=str(created.pk)).exists()
    data["target_percent"] = "80"
    data["rule"] = Rule.PERCENT_PEOPLE
    response = client.post(reverse("requirements:requirement_update", args=[created.pk]), data)
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.target_percent == 80
    entry = AuditEntry.objects.get(action="requirements.requirement.updated")
    assert entry.before["rule"] == Rule.EVERY_PERSON
    assert entry.after["rule"] == Rule.PERCENT_PEOPLE


def test_a_coordinator_cannot_create_a_national_requirement_or_one_for_another_municipality(
    world: World, setup: dict[str, Any]
) -> None:
    client = client_for(world.coordinator)
    base = {
        "name": "Forsøg",
        "population": Population.ALL_STAFF,
        "competences": [setup["conflict"].pk],
        "rule": Rule.EVERY_PERSON,
        "target_percent": "100",
        "priority": 2,
        "source_kind": "strategy",
    }

    national = client.post(reverse("requirements:requirement_create"), {**base, "scope_level": ScopeLevel.NATIONAL})
    other = client.post(
        reverse("requirements:requirement_create"),
        {**base, "scope_level": ScopeLevel.FACILITY, "facility": world.syddjurs_facility.pk},
    )

    assert national.status_code == 200
    assert other.status_code == 200
    assert not Requirement.objects.filter(name="Forsøg").exists()


def test_the_form_explains_missing_months_in_danish(world: World, setup: dict[str, Any]) -> None:
    response = client_for(world.coordinator).post(
        reverse("requirements:requirement_create"),
        {
            "name": "Nyansatte",
            "scope_level": ScopeLevel.MUNICIPALITY,
            "municipality": world.dolmer.municipality.pk,
            "population": Population.NEW_STAFF,
            "competences": [setup["conflict"].pk],
            "rule": Rule.WITHIN_MONTHS_OF_HIRE,
            "target_percent": "100",
            "priority": 2,
            "source_kind": "strategy",
        },
    )

    html = response.content.decode()
    assert "Angiv antal måneder for denne regel." in html
    assert "Angiv fra hvilken dato, nyansatte er omfattet." in html


def test_the_requirement_page_shows_coverage_per_facility(world: World, setup: dict[str, Any]) -> None:
    response = client_for(world.coordinator).get(reverse("requirements:requirement_detail", args=[setup["target"].pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Dolmer Have" in html
    assert "KRAP eller Recovery" in html
    assert "Mindst 75 % af personerne" in html


def test_a_deadline_beyond_the_calendar_is_a_message_and_a_date_filter_there_is_ignored(
    world: World, setup: dict[str, Any]
) -> None:
    client = client_for(world.coordinator)
    data = {
        "name": "Langt ude",
        "scope_level": ScopeLevel.MUNICIPALITY,
        "municipality": world.dolmer.municipality.pk,
        "population": Population.ALL_STAFF,
        "competences": [setup["conflict"].pk],
        "rule": Rule.PERCENT_PEOPLE,
        "target_percent": "75",
        "priority": 2,
        "source_kind": "strategy",
        "deadline": "9999-12-31",
    }

    response = client.post(reverse("requirements:requirement_create"), data)

    assert response.status_code == 200
    assert "Datoen skal ligge mellem 01-01-1900 og 31-12-2199." in response.content.decode()
    assert not Requirement.objects.filter(name="Langt ude").exists()
    # The coverage page's date filter: a date there once ran a month series past year 9999.
    page = client.get(reverse("requirements:requirement_detail", args=[setup["target"].pk]), {"dato": "9999-12-31"})
    assert page.status_code == 200
    assert "Datoen skal ligge mellem" in page.content.decode()


def test_the_facility_page_says_when_a_deadline_has_passed_without_the_target_met(world: World) -> None:
    """Past its deadline and not met: 'Fristen er overskredet'. Met, or with time left: no badge."""
    today = local_today()
    krap = factories.competence("krap-frist", name="KRAP")
    for person in world.dolmer_staff:
        factories.holding(person, krap, today - dt.timedelta(days=30))
    missed = requirement(
        [factories.competence("recovery-frist", name="Recovery")],
        facility=world.dolmer,
        name="Recovery for alle",
        deadline=today - dt.timedelta(days=1),
    )
    met = requirement([krap], facility=world.dolmer, name="KRAP for alle", deadline=today - dt.timedelta(days=1))
    coming = requirement(
        [factories.competence("psykopatologi-frist", name="Psykopatologi")],
        facility=world.dolmer,
        name="Psykopatologi for alle",
        deadline=today + dt.timedelta(days=1),
    )
    client = client_for(world.coordinator)
    page = client.get(reverse("requirements:facility_coverage", args=[world.dolmer.pk])).content.decode()
    rows = {r.name: page.split(f">{r.name}</a>")[1].split("</tr>")[0] for r in (missed, met, coming)}
    assert "Fristen er overskredet" in rows[missed.name]
    assert "Fristen er overskredet" not in rows[met.name]
    assert "Fristen er overskredet" not in rows[coming.name]
    # Looking back to a day before the deadline, it had not passed yet.
    earlier = (today - dt.timedelta(days=2)).isoformat()
    page = client.get(reverse("requirements:facility_coverage", args=[world.dolmer.pk]), {"dato": earlier})
    assert "Fristen er overskredet" not in page.content.decode()


def test_the_gap_list_says_who_is_already_booked_and_does_not_tick_them_again(world, client) -> None:  # type: ignore[no-untyped-def]
    """Camilla and Fatima (booked) and Gitte (planned) read as a bare "Mangler", and "Book de
    manglende" ticked them for a second seat."""
    import datetime as dt
    import re

    from styrbord.lib.dates import local_today
    from styrbord.staff.models import Employment
    from styrbord.testing import factories
    from styrbord.training import services
    from styrbord.training.models import CourseCompetence
    from styrbord.training.tests import helpers as training_helpers

    from .helpers import requirement

    krap = factories.competence("krap-gap-booked", name="KRAP")
    requirement([krap], facility=world.dolmer, name="KRAP for alle")
    course = training_helpers.course(name="KRAP grundkursus")
    CourseCompetence.objects.create(course=course, competence=krap)
    day = local_today() + dt.timedelta(days=30)
    session = training_helpers.session(course, days=[day], capacity=10)
    later = training_helpers.session(course, days=[day + dt.timedelta(days=20)], capacity=10)
    booked, planned, free = world.dolmer_staff
    services.book(booked, session, status="booked")
    services.book(planned, later)
    client.force_login(world.manager)
    page = client.get(f"/krav/tilbud/{world.dolmer.pk}/mangler/", {"krav": requirement_pk(krap)}).content.decode()
    rows = {p.name: page.split(p.name, 1)[1].split("</tr>", 1)[0] for p in world.dolmer_staff}
    assert f"Tilmeldt på kursus {day:%d-%m-%Y}" in rows[booked.name]
    assert f"Planlagt på kursus {day + dt.timedelta(days=20):%d-%m-%Y}" in rows[planned.name]
    assert "på kursus" not in rows[free.name]
    link = re.search(r'class="book-missing" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    ticked = {int(v) for v in re.findall(r"valgt=(\d+)", link)}
    assert ticked == {Employment.objects.get(employee=free).pk}


def requirement_pk(competence):  # type: ignore[no-untyped-def]
    from styrbord.requirements.models import Requirement

    return Requirement.objects.get(competences=competence).pk


def test_a_coordinators_new_requirement_has_their_municipality_chosen(world, client) -> None:  # type: ignore[no-untyped-def]
    """The only municipality a coordinator may choose was not chosen: the first save failed."""
    client.force_login(world.coordinator)
    page = client.get("/krav/nyt/").content.decode()
    option = page.split('name="municipality"', 1)[1].split("</select>", 1)[0]
    assert f'value="{world.coordinator.municipality_id}" selected' in option
