"""Shared bits of the training views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from styrbord.accounts.permissions import can
from styrbord.accounts.route_policy import RouteRule

F = TypeVar("F", bound=Callable[..., Any])


def require(request: HttpRequest, action: str, object_type: str) -> None:
    """403 for a role the policy does not allow at all (a row outside the scope is a 404 instead)."""
    if not can(request.user, action, object_type):
        raise PermissionDenied


def user_of(request: HttpRequest) -> Any:
    return request.user


def route(rule: RouteRule) -> Callable[[F], F]:
    """Declare a non-policy route rule (e.g. AUTHENTICATED) on a view, like ``requires`` does."""

    def decorate(view: F) -> F:
        view.route_policy = rule  # type: ignore[attr-defined]
        return view

    return decorate
