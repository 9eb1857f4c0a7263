"""The API's routers, one module per area. Areas whose app has no models yet are skipped."""

from __future__ import annotations

from importlib import import_module

from ninja import Router

AREAS = ["organisations", "code_lists", "staff", "competences", "requirements", "training", "funding", "aggregates"]


def _load() -> list[tuple[str, Router]]:
    routers: list[tuple[str, Router]] = []
    for area in AREAS:
        module = import_module(f"styrbord.api.resources.{area}")
        router = module.build()
        if router is not None:
            routers.append(("/", router))
    return routers


ROUTERS = _load()
