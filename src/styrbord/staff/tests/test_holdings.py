"""Registering a competence by hand on a person's profile, and removing such a registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.competences.models import CompetenceHolding
from styrbord.lib.dates import local_today
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db


def test_a_manager_registers_a_certificate_from_elsewhere_with_the_expiry_from_its_validity(world: World) -> None:
    person = world.dolmer_staff[1]
    conflict = factories.competence(validity_months=24, name="Konflikthåndtering")
    client = client_for(world.manager)
    profile = client.get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert 'id="register-holding"' in profile

    response = client.post(
        reverse("staff:holding_create", args=[person.pk]),
        {"competence": conflict.pk, "acquired_on": "2025-03-15", "evidence": "Kursusbevis, Aarhus Kommune"},
    )

    assert response.status_code == 302
    holding = CompetenceHolding.objects.get(employee=person)
    assert holding.expires_on == dt.date(2027, 3, 15)
    assert holding.source == CompetenceHolding.Source.MANUAL
    assert holding.evidence == "Kursusbevis, Aarhus Kommune"
    entry = AuditEntry.objects.get(action="competences.holding.registered")
    assert entry.subject_employee_id == person.pk
    assert entry.actor_id == world.manager.pk
    page = client.get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert "Konflikthåndtering er registreret." in page
    assert "Manuel registrering" in page


def test_an_explicit_expiry_wins_and_bad_dates_are_refused_with_a_message(world: World) -> None:
    person = world.dolmer_staff[1]
    krap = factories.competence(name="KRAP")
    client = client_for(world.manager)
    url = reverse("staff:holding_create", args=[person.pk])
    future = (local_today() + dt.timedelta(days=3)).isoformat()
    refused = client.post(url, {"competence": krap.pk, "acquired_on": future})
    assert refused.status_code == 400
    assert "Datoen ligger i fremtiden." in refused.content.decode()
    backwards = client.post(url, {"competence": krap.pk, "acquired_on": "2025-03-15", "expires_on": "2025-01-01"})
    assert backwards.status_code == 400
    assert "Udløbsdatoen ligger før den dag, kompetencen blev opnået." in backwards.content.decode()
    assert backwards.context["form"].errors["expires_on"] == [
        "Udløbsdatoen ligger før den dag, kompetencen blev opnået."
    ]
    assert not CompetenceHolding.objects.exists()
    assert not AuditEntry.objects.filter(action="competences.holding.registered").exists()
    client.post(url, {"competence": krap.pk, "acquired_on": "2025-03-15", "expires_on": "2026-03-15"})
    assert CompetenceHolding.objects.get().expires_on == dt.date(2026, 3, 15)


def test_a_registration_sent_twice_is_registered_once(world: World) -> None:
    person = world.dolmer_staff[1]
    krap = factories.competence(name="KRAP")
    client = client_for(world.manager)
    url = reverse("staff:holding_create", args=[person.pk])
    form = {"competence": krap.pk, "acquired_on": "2025-03-15", "evidence": "Kursusbevis"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)  # a double click, or the form sent again after a reload
    assert again.status_code == 400
    assert again.context["form"].errors["acquired_on"] == [
        "Medarbejderen har allerede denne kompetence registreret med denne dato."
    ]
    assert CompetenceHolding.objects.filter(employee=person).count() == 1
    assert AuditEntry.objects.filter(action="competences.holding.registered").count() == 1
    # A renewal (another day) is a new certificate.
    assert client.post(url, {**form, "acquired_on": "2026-03-15"}).status_code == 302
    assert CompetenceHolding.objects.filter(employee=person).count() == 2


def test_only_people_in_scope_and_only_managing_roles(world: World) -> None:
    krap = factories.competence(name="KRAP")
    data = {"competence": krap.pk, "acquired_on": "2025-03-15"}
    assert (
        client_for(world.manager)
        .post(reverse("staff:holding_create", args=[world.glesborg_staff[0].pk]), data)
        .status_code
        == 404
    )
    assert (
        client_for(world.employee_user)
        .post(reverse("staff:holding_create", args=[world.dolmer_staff[0].pk]), data)
        .status_code
        == 403
    )
    assert (
        client_for(world.finance)
        .post(reverse("staff:holding_create", args=[world.dolmer_staff[0].pk]), data)
        .status_code
        == 403
    )
    assert not CompetenceHolding.objects.exists()
    own = client_for(world.employee_user).get(reverse("staff:my_profile")).content.decode()
    assert 'id="register-holding"' not in own


def test_a_manual_registration_is_removed_with_a_reason_kept_in_the_trail(world: World) -> None:
    person = world.dolmer_staff[1]
    krap = factories.competence(name="KRAP")
    manual = factories.holding(person, krap, dt.date(2025, 1, 1), source=CompetenceHolding.Source.MANUAL)
    imported = factories.holding(person, krap, dt.date(2024, 1, 1), source=CompetenceHolding.Source.IMPORT)
    client = client_for(world.manager)
    profile = client.get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert reverse("staff:holding_remove", args=[manual.pk]) in profile
    assert reverse("staff:holding_remove", args=[imported.pk]) not in profile

    assert client.post(reverse("staff:holding_remove", args=[manual.pk]), {"reason": ""}).status_code == 400
    response = client.post(
        reverse("staff:holding_remove", args=[manual.pk]), {"reason": "Registreret på forkert person"}
    )

    assert response.status_code == 302
    assert list(CompetenceHolding.objects.filter(employee=person)) == [imported]
    entry = AuditEntry.objects.get(action="competences.holding.removed")
    assert entry.data == {"reason": "Registreret på forkert person"}
    assert entry.before["acquired_on"] == "2025-01-01"
    assert entry.subject_employee_id == person.pk
    # Holdings from an import or a course are corrected at their source, not here.
    assert client.get(reverse("staff:holding_remove", args=[imported.pk])).status_code == 404
