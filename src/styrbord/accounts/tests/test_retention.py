"""Retention: former employees are anonymised N years after their last employment ended, unless on hold."""

from __future__ import annotations

import datetime as dt
import re

from django.core.management import call_command

from styrbord.accounts.models import RetentionHold, RetentionRule
from styrbord.accounts.privacy import apply_retention
from styrbord.staff.models import Employee, Employment
from styrbord.testing import factories

TODAY = dt.date(2026, 11, 23)


def _former(world, facility, ended: dt.date, name: str) -> Employee:  # type: ignore[no-untyped-def]
    person = factories.employee(name=name)
    factories.employment(
        person, facility, start_date=dt.date(2010, 1, 1), end_date=ended, status=Employment.Status.ENDED
    )
    return person


def test_people_past_the_retention_period_are_anonymised_and_others_kept(world) -> None:  # type: ignore[no-untyped-def]
    old = _former(world, world.dolmer, dt.date(2020, 6, 30), "Gammel Medarbejder")
    recent = _former(world, world.dolmer, dt.date(2023, 6, 30), "Nyere Medarbejder")
    held = _former(world, world.dolmer, dt.date(2019, 1, 31), "Tilbageholdt Medarbejder")
    RetentionHold.objects.create(employee=held, reason="Arkivering")
    dry = apply_retention(TODAY, dry_run=True)
    assert dry.candidates == [old.pk]
    assert dry.held == [held.pk]
    assert Employee.objects.get(pk=old.pk).anonymised_at is None
    result = apply_retention(TODAY, dry_run=False)
    assert result.anonymised == [old.pk]
    assert Employee.objects.get(pk=old.pk).anonymised_at is not None
    assert Employee.objects.get(pk=recent.pk).anonymised_at is None
    assert Employee.objects.get(pk=held.pk).anonymised_at is None
    # Current staff are never touched.
    assert Employee.objects.get(pk=world.dolmer_staff[0].pk).anonymised_at is None


def test_a_municipal_rule_overrides_the_national_default(world) -> None:  # type: ignore[no-untyped-def]
    person = _former(world, world.dolmer, dt.date(2023, 6, 30), "Kort Opbevaring")
    RetentionRule.objects.create(municipality=world.dolmer.municipality, years_after_end=2)
    assert apply_retention(TODAY, dry_run=True).candidates == [person.pk]
    RetentionRule.objects.create(municipality=None, years_after_end=10)
    RetentionRule.objects.filter(municipality=world.dolmer.municipality).update(years_after_end=8)
    assert apply_retention(TODAY, dry_run=True).candidates == []


def test_someone_with_an_open_employment_is_kept(world) -> None:  # type: ignore[no-untyped-def]
    person = _former(world, world.dolmer, dt.date(2015, 6, 30), "Genansat Medarbejder")
    factories.employment(person, world.glesborg, start_date=dt.date(2024, 1, 1))
    assert apply_retention(TODAY, dry_run=True).candidates == []


def test_the_command_supports_a_dry_run(world, capsys) -> None:  # type: ignore[no-untyped-def]
    person = _former(world, world.dolmer, dt.date(2018, 1, 31), "Kommando Medarbejder")
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat())
    assert "Ville anonymisere 1 medarbejdere" in capsys.readouterr().out
    assert Employee.objects.get(pk=person.pk).anonymised_at is None
    call_command("apply_retention", "--today", TODAY.isoformat())
    assert "Anonymiserede 1 medarbejdere" in capsys.readouterr().out
    assert Employee.objects.get(pk=person.pk).anonymised_at is not None


def test_the_retention_page_shows_a_coordinator_only_their_own_municipality(world, client) -> None:  # type: ignore[no-untyped-def]
    own_due = _former(world, world.dolmer, dt.date(2012, 6, 30), "Egen Tidligere")
    _former(world, world.syddjurs_facility, dt.date(2012, 6, 30), "Anden Tidligere")
    own_held = _former(world, world.dolmer, dt.date(2012, 6, 30), "Egen Tilbageholdt")
    other_held = _former(world, world.syddjurs_facility, dt.date(2012, 6, 30), "Anden Tilbageholdt")
    RetentionHold.objects.create(employee=own_held, reason="Verserende sag i Norddjurs")
    RetentionHold.objects.create(employee=other_held, reason="Arkivering i Syddjurs")

    client.force_login(world.coordinator)
    response = client.get("/audit/opbevaring/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "slettes, når de er mere end 60 måneder gamle" in page
    assert "Verserende sag i Norddjurs" in page
    assert "Arkivering i Syddjurs" not in page
    assert str(other_held.pk) not in re.findall(r"<td>(?:<a [^>]*>)?(\d+)", page)
    assert (response.context["due"], response.context["held"]) == (1, 1)
    assert own_due.pk in apply_retention(TODAY, dry_run=True).candidates

    client.force_login(world.admin)
    response = client.get("/audit/opbevaring/")
    assert "Arkivering i Syddjurs" in response.content.decode()
    assert (response.context["due"], response.context["held"]) == (2, 2)

    client.force_login(world.finance)
    assert client.get("/audit/opbevaring/").status_code == 403
