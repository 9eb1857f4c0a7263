"""``Idempotency-Key`` on POST: a retried ledger posting is answered once and saved once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from styrbord.api.models import IdempotentRequest
from styrbord.api.tests.conftest import ApiClient
from styrbord.funding.models import LedgerEntry
from styrbord.funding.tests import helpers

pytestmark = pytest.mark.django_db


def _posting(grant: Any, amount: str = "1250.50") -> dict[str, Any]:
    return {
        "grant": grant.pk,
        "kind": "actual",
        "category": "fee",
        "amount": amount,
        "posted_on": grant.pool.period_start.isoformat(),
        "text": "Kursusmaterialer",
    }


def test_a_retried_post_is_saved_once_and_answered_the_same(world: Any) -> None:
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    api = ApiClient(world.finance)

    first = api.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="3f1c-ledger-1")
    again = api.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="3f1c-ledger-1")
    without_key = api.post("/ledger", _posting(grant))

    assert first.status_code == again.status_code == 201, first.content.decode()
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert without_key.status_code == 201
    assert LedgerEntry.objects.filter(grant=grant, text="Kursusmaterialer").count() == 2


def test_the_same_key_with_another_request_is_refused(world: Any) -> None:
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    api = ApiClient(world.finance)
    assert api.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201

    other = api.post("/ledger", _posting(grant, amount="99.00"), HTTP_IDEMPOTENCY_KEY="k-1")
    english = api.post(
        "/ledger", _posting(grant, amount="99.00"), HTTP_IDEMPOTENCY_KEY="k-1", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert other.status_code == 422
    [error] = other.json()["detail"]  # a 422's errors are a list, as the schema says
    assert error["loc"] == ["header", "Idempotency-Key"]
    assert error["type"] == "idempotency_key_reused"
    assert error["msg"].startswith("Idempotency-Key er allerede brugt til en anden forespørgsel")
    assert english.json()["detail"][0]["msg"].startswith("The Idempotency-Key was already used for another request")
    assert LedgerEntry.objects.filter(grant=grant, text="Kursusmaterialer").count() == 1


def test_keys_belong_to_the_token_and_a_running_request_is_not_run_twice(world: Any) -> None:
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    first, second = ApiClient(world.finance), ApiClient(world.finance)
    assert first.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert second.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert LedgerEntry.objects.filter(grant=grant, text="Kursusmaterialer").count() == 2

    assert IdempotentRequest.objects.filter(key="shared").update(status=None, body=b"") == 2  # both "still running"
    for api in (first, second):
        running = api.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="shared")
        assert running.status_code == 409
        assert running["Retry-After"] == "1"
        assert "stadig i gang" in running.json()["detail"]
    assert LedgerEntry.objects.filter(grant=grant, text="Kursusmaterialer").count() == 2


def test_a_refusal_that_may_pass_later_is_not_kept_and_old_keys_expire(world: Any) -> None:
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    api = ApiClient(world.finance)
    denied = ApiClient(world.analyst).post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="k-2")
    assert denied.status_code == 403  # kept: the same token asking again is refused again
    unauthenticated = api.client.post(
        "/api/v1/ledger",
        _posting(grant),
        content_type="application/json",
        HTTP_AUTHORIZATION="",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    assert unauthenticated.status_code == 401
    assert not IdempotentRequest.objects.filter(key="k-3").exists()

    assert api.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="k-4").status_code == 201
    IdempotentRequest.objects.filter(key="k-4").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert api.post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="k-5").status_code == 201
    assert not IdempotentRequest.objects.filter(key="k-4").exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "nøgle", "two words"])
def test_an_unusable_key_is_refused_before_anything_runs(world: Any, key: str) -> None:
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    response = ApiClient(world.finance).post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 422
    assert "Idempotency-Key skal være 1-255 synlige ASCII-tegn" in response.json()["detail"][0]["msg"]
    assert not LedgerEntry.objects.filter(grant=grant).exists()


def test_anonymising_a_person_forgets_every_stored_answer(world: Any) -> None:
    """A stored answer may name the person; it only serves retries, so all of them go."""
    from styrbord.accounts.privacy import anonymise_employee

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    assert ApiClient(world.finance).post("/ledger", _posting(grant), HTTP_IDEMPOTENCY_KEY="k-6").status_code == 201
    assert IdempotentRequest.objects.exists()
    anonymise_employee(world.glesborg_staff[0], world.admin, "test")
    assert not IdempotentRequest.objects.exists()


def test_a_retry_with_the_same_json_in_another_key_order_is_the_same_request(world: Any) -> None:
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    api = ApiClient(world.finance)
    posting = _posting(grant)
    assert api.post("/ledger", posting, HTTP_IDEMPOTENCY_KEY="k-7").status_code == 201
    reordered = dict(reversed(list(posting.items())))
    again = api.post("/ledger", reordered, HTTP_IDEMPOTENCY_KEY="k-7")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.filter(grant=grant, text="Kursusmaterialer").count() == 1
