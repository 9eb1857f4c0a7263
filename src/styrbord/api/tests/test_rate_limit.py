"""The API's request budget per user (``STYRBORD_API_RATE_LIMIT``): 429 with Retry-After over it,
in the client's language; one user's tokens share the budget, another user has their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from styrbord.api.tests.conftest import ApiClient
from styrbord.lib.env import ConfigurationError, envrate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@override_settings(API_RATE_LIMIT="3/m")
def test_over_the_budget_answers_429_with_retry_after(world: Any) -> None:
    api = ApiClient(world.coordinator)
    statuses = [api.get("/facilities").status_code for _ in range(3)]
    refused = api.get("/facilities")
    english = api.client.get("/api/v1/facilities", HTTP_ACCEPT_LANGUAGE="en")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    seconds = int(refused["Retry-After"])
    assert 1 <= seconds <= 60
    assert refused.json() == {
        "detail": f"For mange forespørgsler: højst 3 i minuttet pr. bruger. Vent {seconds} sekunder "
        "(se Retry-After), og prøv igen."
    }
    assert english.status_code == 429
    assert english.json()["detail"].startswith("Too many requests: at most 3 a minute per user.")


@override_settings(API_RATE_LIMIT="2/m")
def test_the_budget_is_per_user_and_shared_by_their_tokens(world: Any) -> None:
    first, second = ApiClient(world.coordinator), ApiClient(world.coordinator)
    other = ApiClient(world.finance)

    assert [first.get("/facilities").status_code, second.get("/facilities").status_code] == [200, 200]
    assert first.get("/facilities").status_code == 429
    assert second.get("/facilities").status_code == 429
    assert other.get("/facilities").status_code == 200


@override_settings(API_RATE_LIMIT=None)
def test_off_means_no_limit(world: Any) -> None:
    api = ApiClient(world.coordinator)
    assert {api.get("/facilities").status_code for _ in range(30)} == {200}


def test_an_unreadable_rate_is_refused_when_the_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in [("600/min", "600/m"), ("20/s", "20/s"), ("1000 / hour", "1000/h"), ("off", None)]:
        monkeypatch.setenv("STYRBORD_API_RATE_LIMIT", value)
        assert envrate("STYRBORD_API_RATE_LIMIT", "600/min") == expected
    for value in ["600", "fast", "0/min", "10/week"]:
        monkeypatch.setenv("STYRBORD_API_RATE_LIMIT", value)
        with pytest.raises(ConfigurationError, match="STYRBORD_API_RATE_LIMIT"):
            envrate("STYRBORD_API_RATE_LIMIT", "600/min")


def test_the_openapi_document_tells_of_the_budget_and_the_idempotency_key(world: Any) -> None:
    schema = ApiClient(world.coordinator).client.get("/api/v1/openapi.json").json()
    operations = [(method, op) for ops in schema["paths"].values() for method, op in ops.items()]
    assert operations
    assert all("429" in op["responses"] for _method, op in operations)
    posts = [op for method, op in operations if method == "post"]
    assert posts
    assert all(any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"]) for op in posts)
    assert not any(
        any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
        for method, op in operations
        if method != "post"
    )


def test_errors_outside_the_operations_are_json_too(world: Any) -> None:
    api = ApiClient(world.coordinator)
    unknown = api.get("/nonexistent")
    not_allowed = api.client.put("/api/v1/employees/1", {}, content_type="application/json")
    english = api.client.delete("/api/v1/ledger/1", HTTP_ACCEPT_LANGUAGE="en")
    unauthenticated = api.client.get("/api/v1/employees", HTTP_AUTHORIZATION="")

    assert unknown.status_code == 404
    assert unknown.json() == {
        "detail": "API'et har ingen adresse /api/v1/nonexistent. Se dokumentationen på /api/v1/docs."
    }
    assert not_allowed.status_code == 405
    assert not_allowed["Allow"]
    assert not_allowed.json()["detail"].startswith("Metoden PUT kan ikke bruges her. Tilladt: ")
    assert english.status_code == 405
    assert english.json()["detail"].startswith("The method DELETE cannot be used here. Allowed: ")
    assert unauthenticated.status_code == 401
    assert unauthenticated["WWW-Authenticate"].startswith("Bearer")
