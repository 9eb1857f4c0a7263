"""Bearer-token authentication for the API: ``Authorization: Bearer sb_...``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from styrbord.accounts.tokens import authenticate_token


class TokenAuth(HttpBearer):
    """Resolve a personal API token to its user; the request then acts with that user's scope."""

    def __call__(self, request: HttpRequest) -> Any:
        # Ninja's HttpBearer logs an unexpected header in DEBUG; never log credentials.
        value = request.headers.get(self.header) or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        return user
