"""API test helpers: a token-authenticated client per user."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from styrbord.accounts.tokens import create_token


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, user: Any) -> None:
        _token, raw = create_token(user, "test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/v1{path}", data, content_type="application/json")

    def patch(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json")

    def delete(self, path: str, **params: Any) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(f"/api/v1{path}?{query}")


@pytest.fixture
def api_as(world: Any) -> Any:
    """``api_as(world.coordinator)`` -> an ApiClient acting as that user."""
    return ApiClient


# Filled by the authorisation matrix test; printed in the terminal summary so CI logs show it.
MATRIX_SUMMARY: dict[str, Any] = {}


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if MATRIX_SUMMARY:
        terminalreporter.section("authorisation matrix")
        terminalreporter.write_line(
            f"cases = {MATRIX_SUMMARY['cases']}, leaks = {MATRIX_SUMMARY['leaks']}, "
            f"wrong denials = {MATRIX_SUMMARY['wrong_denials']} "
            f"({MATRIX_SUMMARY['roles']} roles x {MATRIX_SUMMARY['relations']} tenant relations x "
            f"{MATRIX_SUMMARY['object_types']} object types; actions {MATRIX_SUMMARY['actions']})"
        )
