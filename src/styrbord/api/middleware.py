"""The API answers in JSON also where Django or Ninja answer before an operation runs: a method
the path does not take (405, with ``Allow``) and a path the API does not have (404, ``unknown_path``
in ``urls``). An integrator's client parses every answer as JSON; an HTML page in English broke it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy

from styrbord.accounts.route_policy import PUBLIC

PREFIX = "/api/v1/"
NOT_ALLOWED = gettext_lazy("Metoden %(method)s kan ikke bruges her. Tilladt: %(allowed)s.")
UNKNOWN_PATH = gettext_lazy("API'et har ingen adresse %(path)s. Se dokumentationen på /api/v1/docs.")


def _json(body: dict[str, object], status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


class JsonMethodNotAllowedMiddleware:
    """A 405 from Ninja (plain text) under ``/api/v1/`` as ``{"detail": ...}``, ``Allow`` kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            message = str(NOT_ALLOWED) % {"method": request.method, "allowed": allowed or "–"}
            json_response = _json({"detail": message}, 405)
            if allowed:
                json_response["Allow"] = allowed
            return json_response
        return response


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/v1/ that no operation has (after Ninja's own URLs)."""
    return _json({"detail": str(UNKNOWN_PATH) % {"path": request.path}}, 404)


unknown_path.route_policy = PUBLIC  # type: ignore[attr-defined]
