"""A person's competence profile: own profile, managers, other tenants, and what it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.accounts.models import Role
from styrbord.audit.models import AuditEntry
from styrbord.competences.models import CompetenceHolding
from styrbord.lib.dates import local_today
from styrbord.requirements.models import Requirement, Rule, ScopeLevel
from styrbord.staff.profiles.views import holding_statuses
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.training import services as training_services
from styrbord.training.tests import helpers as training_helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(world: World) -> dict[str, object]:
    today = local_today()
    person = world.dolmer_staff[0]
    conflict = factories.competence("konflikt-profil", validity_months=24, name="Konflikthåndtering")
    krap = factories.competence("krap-profil", name="KRAP")
    factories.holding(person, conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=20))
    req = Requirement.objects.create(
        name="KRAP for alle",
        scope_level=ScopeLevel.MUNICIPALITY,
        municipality=world.dolmer.municipality,
        rule=Rule.EVERY_PERSON,
    )
    req.competences.set([krap])
    return {"person": person, "requirement": req}


def test_an_employee_sees_their_own_profile_with_holdings_and_unmet_requirements(
    world: World, profile: dict[str, object]
) -> None:
    response = client_for(world.employee_user).get(reverse("staff:my_profile"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Min kompetenceprofil" in html
    assert "Dolmer-medarbejder 1" in html
    assert "Konflikthåndtering" in html
    assert "Udløber inden for 90 dage" in html
    assert "KRAP for alle" in html
    assert "Mangler" in html
    assert AuditEntry.objects.filter(action="staff.own_profile.viewed").exists()
    # Their bookings are one click away.
    assert f'href="{reverse("training:my_bookings")}" id="my-bookings"' in html


def test_an_employee_cannot_open_a_colleagues_profile(world: World, profile: dict[str, object]) -> None:
    client = client_for(world.employee_user)
    assert client.get(reverse("staff:employee_detail", args=[world.dolmer_staff[1].pk])).status_code == 404
    assert client.get(reverse("staff:employee_detail", args=[world.dolmer_staff[0].pk])).status_code == 200


def test_a_manager_sees_own_staff_and_gets_404_for_others(world: World, profile: dict[str, object]) -> None:
    client = client_for(world.manager)
    own = client.get(reverse("staff:employee_detail", args=[world.dolmer_staff[0].pk]))
    assert own.status_code == 200
    assert "Dolmer Have" in own.content.decode()
    assert client.get(reverse("staff:employee_detail", args=[world.glesborg_staff[0].pk])).status_code == 404
    entry = AuditEntry.objects.get(action="staff.employee.viewed")
    assert entry.subject_employee_id == world.dolmer_staff[0].pk


def test_a_manager_sees_the_employment_in_their_facility_not_the_persons_other_one(world: World) -> None:
    """Employed at Dolmer Have and at Glesborg: Dolmer's manager sees the Dolmer employment and its
    requirements, and only that there is one more; the coordinator of both sees both."""
    person = world.dolmer_staff[0]
    factories.employment(person, world.glesborg, weekly_hours="7", title="Nattevagt Glesborg")
    krap = factories.competence("krap-to-steder", name="KRAP")
    glesborg_only = Requirement.objects.create(
        name="Glesborgs eget krav", scope_level=ScopeLevel.FACILITY, facility=world.glesborg, rule=Rule.EVERY_PERSON
    )
    glesborg_only.competences.set([krap])
    manager = client_for(world.manager).get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert "Dolmer Have" in manager
    assert "Nattevagt Glesborg" not in manager
    assert "Glesborgs eget krav" not in manager
    assert "Personen har også 1 ansættelse uden for dit område." in manager
    coordinator = client_for(world.coordinator).get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert "Nattevagt Glesborg" in coordinator
    assert "Glesborgs eget krav" in coordinator
    assert 'id="employments-elsewhere"' not in coordinator
    # Each employment with its number (what the user pages tie an employee login by).
    numbers = [e.employment_number for e in person.employments.order_by("pk")]
    assert f'<span class="employment-number">{numbers[0]}</span>' in manager
    assert f'<span class="employment-number">{numbers[1]}</span>' not in manager
    assert all(f'<span class="employment-number">{n}</span>' in coordinator for n in numbers)


def test_an_employment_reads_as_it_stands_today_not_as_the_last_import_left_it(world: World) -> None:
    """An import marks employments active; the profile reads 'Fratrådt' once the end date has
    passed and 'Tiltræder ...' before the first day."""
    from styrbord.staff.models import Employment

    today = local_today()
    person = factories.employee(name="Skifter Job")
    factories.employment(person, world.dolmer, start_date=dt.date(2019, 1, 1), end_date=today - dt.timedelta(days=1))
    factories.employment(person, world.glesborg, start_date=today + dt.timedelta(days=14))
    assert set(Employment.objects.filter(employee=person).values_list("status", flat=True)) == {"active"}
    page = client_for(world.coordinator).get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert "<td>Fratrådt</td>" in page
    assert f"<td>Tiltræder {today + dt.timedelta(days=14):%d-%m-%Y}</td>" in page
    assert "<td>Aktiv</td>" not in page


def test_a_manager_sees_the_persons_bookings_and_a_way_to_sessions_for_each_unmet_requirement(
    world: World, profile: dict[str, object]
) -> None:
    person = world.dolmer_staff[0]
    first = local_today() + dt.timedelta(days=30)
    session = training_helpers.session(training_helpers.course(name="KRAP grundforløb"), days=[first], name="Forår")
    booking = training_services.book(person, session)
    # A second employment at Glesborg, outside the manager's scope: its booking is not shown.
    glesborg_job = factories.employment(person, world.glesborg)
    later = first + dt.timedelta(days=7)
    other = training_helpers.session(training_helpers.course(name="Glesborg-kursus"), days=[later])
    training_services.book(person, other, employment=glesborg_job)

    html = client_for(world.manager).get(reverse("staff:employee_detail", args=[person.pk])).content.decode()

    dolmer = reverse("organisations:facility_detail", args=[world.dolmer.pk])
    assert f'<a href="{dolmer}">Dolmer Have</a> › {person.name}</nav>' in html
    assert f'href="{reverse("organisations:facility_detail", args=[world.glesborg.pk])}"' not in html
    assert "Tilmeldinger til kurser" in html
    assert f'<a href="{reverse("training:booking_detail", args=[booking.pk])}">KRAP grundforløb</a>' in html
    assert "Glesborg-kursus" not in html
    requirement = profile["requirement"]
    gap_list = reverse("requirements:gap_list", args=[world.dolmer.pk])
    assert f'href="{gap_list}?krav={requirement.pk}&amp;medarbejder={person.pk}">Find hold</a>' in html  # type: ignore[attr-defined]


def test_the_own_profile_has_no_bookings_table_but_its_link(world: World, profile: dict[str, object]) -> None:
    html = client_for(world.employee_user).get(reverse("staff:my_profile")).content.decode()
    assert 'id="my-bookings"' in html
    assert 'id="bookings-table"' not in html
    assert "Find hold" not in html  # an employee has no gap list


def test_another_municipality_gets_404_and_wrong_roles_403(world: World, profile: dict[str, object]) -> None:
    url = reverse("staff:employee_detail", args=[world.dolmer_staff[0].pk])
    assert client_for(world.other_coordinator).get(url).status_code == 404
    assert client_for(world.finance).get(url).status_code == 403
    assert client_for(world.analyst).get(url).status_code == 403
    assert client_for(world.coordinator).get(reverse("staff:my_profile")).status_code == 403


def test_anonymous_users_are_sent_to_the_login(world: World) -> None:
    for url in (reverse("staff:my_profile"), reverse("staff:employee_detail", args=[world.dolmer_staff[0].pk])):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/konto/login/" in response["Location"]


def test_an_employee_user_without_a_person_gets_a_clear_message(world: World) -> None:
    lonely = factories.user(Role.EMPLOYEE, "uden-person")

    response = client_for(lonely).get(reverse("staff:my_profile"))

    assert response.status_code == 404
    assert "ikke knyttet til en medarbejder" in response.content.decode()


def test_holding_status_marks_expiring_expired_renewed_and_future() -> None:
    today = dt.date(2026, 11, 23)
    comp = factories.competence(validity_months=12)
    other = factories.competence()
    person = factories.employee()
    old = factories.holding(person, comp, dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    new = factories.holding(person, comp, dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    future = factories.holding(person, other, dt.date(2027, 1, 1))
    lapsed = factories.holding(person, other, dt.date(2020, 1, 1), dt.date(2026, 11, 22))
    gone = factories.holding(person, factories.competence(), dt.date(2020, 1, 1), dt.date(2022, 1, 1))

    statuses = {s.holding.pk: s for s in holding_statuses(list(CompetenceHolding.objects.all()), today)}

    assert (statuses[old.pk].status, statuses[old.pk].superseded) == ("expired", True)
    assert (statuses[new.pk].status, statuses[new.pk].superseded) == ("expiring", False)
    assert statuses[future.pk].status == "future"
    assert (statuses[lapsed.pk].status, statuses[lapsed.pk].superseded) == ("expired", True)
    # Red only for what has lapsed without a newer certificate; renewed ones are informational.
    assert [statuses[h.pk].badge for h in (old, new, future, lapsed, gone)] == ["info", "warn", "info", "info", "bad"]
    assert [statuses[h.pk].label for h in (old, new, future, lapsed, gone)] == [
        "Fornyet",
        "Udløber inden for 90 dage",
        "Fremtidig",
        "Fornyet",
        "Udløbet",
    ]


def test_an_older_certificate_still_valid_beside_a_newer_one_reads_superseded() -> None:
    """Low Arousal 2024 and Low Arousal 2026 (never lapsing, or the older one about to lapse): the
    older one read "Gyldig" or warned that it expires, though the newer one is what counts."""
    today = dt.date(2026, 11, 23)
    forever, yearly = factories.competence(), factories.competence(validity_months=12)
    person = factories.employee()
    older = factories.holding(person, forever, dt.date(2024, 8, 14))
    newer = factories.holding(person, forever, dt.date(2026, 2, 3))
    soon = factories.holding(person, yearly, dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    renewal = factories.holding(person, yearly, dt.date(2026, 11, 1), dt.date(2027, 11, 1))

    statuses = {s.holding.pk: s for s in holding_statuses(list(CompetenceHolding.objects.all()), today)}

    assert [(statuses[h.pk].label, statuses[h.pk].badge) for h in (older, newer, soon, renewal)] == [
        ("Afløst af nyere bevis", "info"),
        ("Gyldig", "ok"),
        ("Afløst af nyere bevis", "info"),  # no warning: the renewal is in place
        ("Gyldig", "ok"),
    ]
