"""A request budget per user for the API (``STYRBORD_API_RATE_LIMIT``, e.g. ``600/min``).

An integration that loops too fast, or retries without pausing, gets 429 with ``Retry-After``
instead of taking the server from everyone else. The budget is per user, not per token: one
user's tokens share it. The count lives in Django's cache (``STYRBORD_CACHE=redis`` shares it
between the processes and machines that serve the API, as the login throttle does). The rate is
read from the settings on every request, so a test or an operator's change applies at once.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class UserRateThrottle(SimpleRateThrottle):
    """Ninja's sliding-window throttle keyed by the authenticated user's id (off when the rate is)."""

    scope = "api-user"

    def __init__(self) -> None:  # the rate is read per request, not when the API is built
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        rate = settings.API_RATE_LIMIT
        if not rate:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        if user is None or getattr(user, "pk", None) is None:
            return None  # refused by authentication before this; nothing to count
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
