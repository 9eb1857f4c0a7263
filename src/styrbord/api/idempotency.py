"""``Idempotency-Key`` on the API's POSTs: a retried request is answered, not carried out twice.

An integration that posts a booking, a group booking or a ledger entry and loses the answer (a
timeout, a dropped connection) cannot know whether it was saved. Sent again with the same
``Idempotency-Key`` header, the POST is not run again: the first answer is replayed (with
``Idempotent-Replayed: true``). The same key with a different request (path or body; a JSON body's
keys may come in any order) is refused with 422 at the header; while the first request is still
running, a second one with its key gets 409 with ``Retry-After``.

Keys belong to the token that sent them and are kept for ``KEEP``. An answer of 5xx, 401 or 429 is
not kept, so a retry runs the request again. Without the header nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from styrbord.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
PREFIX = "/api/v1/"
KEEP = dt.timedelta(hours=24)
NOT_KEPT = {401, 429}

KEY_INVALID = gettext_lazy("Idempotency-Key skal være 1-255 synlige ASCII-tegn (f.eks. et UUID).")
KEY_REUSED = gettext_lazy(
    "Idempotency-Key er allerede brugt til en anden forespørgsel (anden adresse eller andet indhold). "
    "Brug en ny nøgle til en ny forespørgsel."
)
KEY_RUNNING = gettext_lazy("En forespørgsel med samme Idempotency-Key er stadig i gang. Prøv igen om lidt.")


def _valid(key: str) -> bool:
    return 0 < len(key) <= 255 and all(33 <= ord(c) <= 126 for c in key)


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _detail(message: object, status: int, kind: str = "") -> JsonResponse:
    """The API's error shapes: a 422 lists its error at the header (as every 422 lists its errors,
    ``ValidationErrorOut``), a 409 says when to try again."""
    if status == 422:
        body: dict[str, object] = {"detail": [{"loc": ["header", HEADER], "msg": str(message), "type": kind}]}
    else:
        body = {"detail": str(message)}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 409:
        response["Retry-After"] = "1"
    return response


def _canonical_body(request: HttpRequest) -> bytes:
    """The body as compared between a request and its retry: JSON with its keys sorted (a client
    may serialise the same object in another order), anything else as sent."""
    if request.content_type == "application/json":
        try:
            return json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass
    return request.body


def forget_answers(*, everything: bool = False) -> int:
    """Delete the stored answers older than ``KEEP`` (or all of them): called before each keyed
    POST, by ``styrbord apply_retention``, and when a person is anonymised (an answer may name
    them; the answers only serve retries, so losing one costs at most a 409-free re-run)."""
    answers = IdempotentRequest.objects.all()
    if not everything:
        answers = answers.filter(created_at__lt=timezone.now() - KEEP)
    return int(answers.delete()[0])


class IdempotencyMiddleware:
    """Django middleware for ``POST /api/v1/...`` with an ``Idempotency-Key`` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if not _valid(key):
            return _detail(KEY_INVALID, 422, "idempotency_key_invalid")
        client = _digest(request.headers.get("Authorization", "").encode())
        asked = _digest(request.get_full_path().encode(), _canonical_body(request))
        try:
            with transaction.atomic():
                forget_answers()
                record = IdempotentRequest.objects.create(client=client, key=key, request_digest=asked)
        except IntegrityError:
            return self._earlier(client, key, asked)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotentRequest.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            IdempotentRequest.objects.filter(pk=record.pk).delete()
            return response
        IdempotentRequest.objects.filter(pk=record.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=bytes(response.content),
            location=response.get("Location", "")[:300],
        )
        return response

    def _earlier(self, client: str, key: str, asked: str) -> HttpResponse:
        earlier = IdempotentRequest.objects.filter(client=client, key=key).first()
        if earlier is None:  # pruned or given up between our insert and this read: ask again
            return _detail(KEY_RUNNING, 409)
        if earlier.request_digest != asked:
            return _detail(KEY_REUSED, 422, "idempotency_key_reused")
        if earlier.status is None:
            return _detail(KEY_RUNNING, 409)
        replay = HttpResponse(bytes(earlier.body), status=earlier.status, content_type=earlier.content_type or None)
        if earlier.location:
            replay["Location"] = earlier.location
        replay["Idempotent-Replayed"] = "true"
        return replay


__all__ = ["HEADER", "IdempotencyMiddleware", "forget_answers"]
