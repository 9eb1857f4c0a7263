"""Danish first: pages are Danish until the user picks English with the switch.

Django's ``LocaleMiddleware`` would follow the browser's ``Accept-Language``, and many Danish
municipal PCs run an English Windows and browser: their staff would meet an English Styrbord
they never asked for. Pages therefore take the language only from the user's own choice (the
switch's cookie) and otherwise use ``LANGUAGE_CODE`` (Danish). The API keeps ``Accept-Language``:
that header is how an API client asks for English messages.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware

API_PREFIX = "/api/"


class DanishFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if not request.path_info.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
