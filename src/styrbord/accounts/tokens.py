"""Personal API tokens: create (shown once), authenticate, revoke."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from styrbord.accounts.models import ApiToken
from styrbord.audit.services import log_action

if TYPE_CHECKING:
    from styrbord.accounts.models import User

TOKEN_PREFIX = "sb_"  # noqa: S105 - a label, not a secret
# Writing last_used_at on every request would turn each read into a write: once a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the raw token (never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    max_age = int(getattr(settings, "API_TOKEN_MAX_AGE_DAYS", 365))
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[:10],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=max_age) if max_age > 0 else None,
    )
    log_action(token, "accounts.api_token.created", user, {"token_id": token.pk})
    return token, raw


def authenticate_token(raw: str) -> User | None:
    """The active user behind a raw token, or None (unknown, revoked, expired, inactive user)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw), revoked_at=None).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(token: ApiToken, by: User) -> None:
    """Revoke a token at once; it can never be used again."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(token, "accounts.api_token.revoked", by, {"token_id": token.pk})
