"""API test helpers: a token-authenticated client per user."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from styrbord.accounts.tokens import create_token
from styrbord.testing.fixtures import Clock


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, user: Any) -> None:
        _token, raw = create_token(user, "test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, data: dict[str, Any], **headers: Any) -> Any:
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", **headers)

    def patch(self, path: str, data: dict[str, Any], **headers: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", **headers)

    def delete(self, path: str, **params: Any) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(f"/api/v1{path}?{query}")


@pytest.fixture
def api_as(world: Any) -> Any:
    """``api_as(world.coordinator)`` -> an ApiClient acting as that user."""
    return ApiClient


@pytest.fixture
def on_the_matrix_day(clock: Clock) -> Any:
    """The clock on ``data.MATRIX_DAY`` (ticking), whatever the calendar says."""
    from styrbord.api.tests.data import MATRIX_DAY

    return clock.to(MATRIX_DAY)
