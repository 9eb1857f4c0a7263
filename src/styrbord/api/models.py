"""The API's own records: the answers to POSTs sent with an ``Idempotency-Key`` (see ``idempotency``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """One POST with an ``Idempotency-Key``: what was asked (a digest) and, once answered, the answer.

    ``client`` is a digest of the request's Authorization header (the token), so a key belongs to
    the token that sent it. Rows are kept for ``idempotency.KEEP`` and then deleted; the stored
    answer may name people, as the original answer did, and is never shown to anyone but the
    token that asked."""

    client = models.CharField(_("klient"), max_length=64)
    key = models.CharField(_("nøgle"), max_length=255)
    request_digest = models.CharField(_("forespørgsel"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)  # null: still running
    content_type = models.CharField(_("indholdstype"), max_length=100, blank=True)
    body = models.BinaryField(_("svar"), blank=True, default=b"")
    # A 201's Location header, replayed with the answer (the created object's path).
    location = models.CharField(_("placering"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent forespørgsel")
        verbose_name_plural = _("idempotente forespørgsler")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or '…'})"
