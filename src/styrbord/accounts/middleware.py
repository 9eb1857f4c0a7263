"""Middleware: enforce the route policy on pages, and add the security headers Django lacks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from styrbord.accounts.route_policy import allows, rule_for

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class RoutePolicyMiddleware:
    """Check the route's rule before the view runs: login, then the role's policy.

    Rows are still scoped by the view; this only refuses roles that may never use the route.
    A route missing from the table needs a login (and fails the route-policy test in CI).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is None:
            return None
        found = rule_for(view_func, match.url_name, match.namespace)
        allowed = allows(found, request.user)
        if allowed is None:
            return redirect_to_login(request.get_full_path())
        if not allowed:
            logger.info("route refused by policy: %s needs %s", match.view_name, found)
            raise PermissionDenied
        return None


class SecurityHeadersMiddleware:
    """Permissions-Policy for every response; no caching of pages shown to a logged-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
