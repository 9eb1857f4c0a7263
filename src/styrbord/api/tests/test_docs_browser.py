"""In a real browser: the API documentation linked in the footer shows the operations (it was
blank: Swagger UI came from a CDN with an inline script, both blocked by the CSP)."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.testing.fixtures import World, login


@pytest.mark.browser
def test_the_api_documentation_page_shows_the_operations_under_the_csp(
    transactional_db: Any, live_server: Any, page: Any, world: World
) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text) if message.type == "error" else None)
    login(page, live_server.url, "koordinator")
    page.click("#api-docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 50
    assert "Styrbord API" in page.inner_text(".swagger-ui .title")
    assert not [m for m in blocked if "Content Security Policy" in m]


def test_the_openapi_document_has_no_key_twice(client: Any, world: World) -> None:
    """JSON parsers keep the last of two equal keys; Swagger UI's YAML parser refuses the document."""
    import json

    client.force_login(world.coordinator)
    repeated: list[list[str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) < len(keys):
            repeated.append(keys)
        return dict(items)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert repeated == []
