"""A grantor's case number names one application: the same pool cannot be registered twice."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from styrbord.api.tests.conftest import ApiClient
from styrbord.funding.models import Pool
from styrbord.funding.services.errors import FundingError
from styrbord.funding.services.setup import create_pool
from styrbord.funding.tests import helpers
from styrbord.organisations.models import Grantor
from styrbord.testing.fixtures import client_for

pytestmark = pytest.mark.django_db

TAKEN = "Tilskudsgiveren har allerede en pulje med sagsnummeret 24/9263."


def _form(world, funded, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "Kompetenceudvikling (igen)",
        "grantor": world.grantor.pk,
        "municipality": funded.pool.municipality_id,
        "case_number": "24/9263",
        "kind": "state_grant",
        "total": "1.022.000",
        "period_start": "2025-01-01",
        "period_end": "2027-12-31",
        "eligible_categories": ["fee", "backfill"],
        "co_financing_share": "100",
        "budget_change_percent": "10",
        "budget_change_amount": "100.000",
        "repayment_waiver_limit": "500",
        "deadline-TOTAL_FORMS": "0",
        "deadline-INITIAL_FORMS": "0",
    }
    return data | changes


def test_the_form_refuses_a_case_number_the_grantor_already_has_and_says_so_at_the_field(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    before = Pool.objects.count()
    # With spaces around it, as pasted from an e-mail: still the same case number.
    response = client.post(reverse("funding:pool_create"), _form(world, funded, case_number=" 24/9263 "))
    assert response.status_code == 200
    page = response.content.decode()
    assert TAKEN in page
    assert Pool.objects.count() == before
    # Said at the case number field, not only above the form.
    field = page[page.index('name="case_number"') - 1500 : page.index('name="case_number"') + 800]
    assert TAKEN in field


def test_the_same_number_from_another_grantor_or_on_a_municipal_budget_pool_is_accepted(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    other = Grantor.objects.create(name="VELUX FONDEN")
    response = client.post(reverse("funding:pool_create"), _form(world, funded, grantor=other.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    # Municipal budget pools have no grantor; several may cite the same budget agreement.
    for year in ("2024", "2025"):
        municipal = _form(
            world,
            funded,
            grantor="",
            kind="municipal_budget",
            case_number="Budgetaftale 2024-2027",
            name=f"Kompetencepulje {year}",
            period_start=f"{year}-01-01",
            period_end=f"{year}-12-31",
        )
        response = client.post(reverse("funding:pool_create"), municipal)
        assert response.status_code == 302, response.content.decode()[:3000]
    assert Pool.objects.filter(case_number="Budgetaftale 2024-2027").count() == 2
    # A pool keeps its own number when it is saved again.
    funded.pool.full_clean()


def test_two_registrations_at_once_end_with_the_same_message_not_a_server_error(world, funded) -> None:  # type: ignore[no-untyped-def]
    # The other registration lands between this one's check and its save: the database refuses it.
    pool = Pool(
        grantor=world.grantor,
        municipality=funded.pool.municipality,
        name="Kompetenceudvikling (igen)",
        case_number="24/9263",
        total=funded.pool.total,
        period_start=funded.pool.period_start,
        period_end=funded.pool.period_end,
    )
    # Both checks before the save pass (the other pool is not there yet); the save then fails.
    with (
        mock.patch.object(Pool, "case_number_taken", side_effect=[False, True]),
        mock.patch.object(Pool, "validate_constraints"),
        pytest.raises(FundingError) as caught,
    ):
        create_pool(pool, world.finance)
    assert TAKEN in caught.value.message
    assert Pool.objects.filter(case_number="24/9263").count() == 1


def test_the_database_itself_refuses_the_second_pool(world, funded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        helpers.pool(world.grantor, name="Dublet", case_number="24/9263")
    helpers.pool(world.grantor, name="Uden sagsnummer 1", case_number="")
    helpers.pool(world.grantor, name="Uden sagsnummer 2", case_number="")


def test_the_api_takes_the_case_number_and_refuses_it_twice_in_danish_and_english(world, funded) -> None:  # type: ignore[no-untyped-def]
    api = ApiClient(world.finance)
    body = {
        "grantor": world.grantor.pk,
        "municipality": funded.pool.municipality_id,
        "name": "Kompetenceudvikling (igen)",
        "case_number": "24/9263",
        "total": "1022000.00",
        "period_start": "2025-01-01",
        "period_end": "2027-12-31",
    }
    response = api.post("/pools", body, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 422, response.content.decode()
    assert TAKEN in response.json()["detail"][0]["msg"]
    response = api.post("/pools", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "The grantor already has a pool with case number 24/9263." in response.json()["detail"][0]["msg"]
    assert Pool.objects.filter(case_number="24/9263").count() == 1
    response = api.post("/pools", body | {"case_number": "25/0001"})
    assert response.status_code == 201, response.content.decode()
    assert response.json()["case_number"] == "25/0001"


def test_the_migration_trims_case_numbers_and_names_pools_registered_twice(world, funded) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps

    migration = importlib.import_module("styrbord.funding.migrations.0006_pool_case_number_unique")
    padded = helpers.pool(world.grantor, name="Med mellemrum", case_number="25/0001")
    Pool.objects.filter(pk=padded.pk).update(case_number=" 25/0001 ")  # as stored before the rule
    migration.check_case_numbers(apps, None)
    padded.refresh_from_db()
    assert padded.case_number == "25/0001"
    # Before the constraint, the same number could be stored twice (here: once with a space after it).
    twin = helpers.pool(world.grantor, name="Dublet", case_number="25/0002")
    Pool.objects.filter(pk=twin.pk).update(case_number="24/9263 ")
    with pytest.raises(RuntimeError) as caught:
        migration.check_case_numbers(apps, None)
    assert f"{funded.pool.pk} (Kompetenceudvikling" in str(caught.value)
    assert f"{twin.pk} (Dublet)" in str(caught.value)
