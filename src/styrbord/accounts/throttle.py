"""Login throttling in the cache: too many failed logins lock the username (from that address).

Two counters, each in a fixed window of LOGIN_LOCK_MINUTES:
- username + client address: LOGIN_MAX_FAILURES failures lock that pair for the window;
- client address alone: LOGIN_MAX_FAILURES_PER_IP failures lock every login from it
  (password spraying across many usernames).
Keys are hashed, so neither usernames nor addresses are kept in the cache in clear text.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"styrbord:login:{kind}:{digest}"


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind our reverse proxy the last X-Forwarded-For entry.

    Only the last entry is trusted: it is the one our proxy added; earlier ones come from the client.
    """
    if getattr(settings, "LOGIN_TRUST_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _window() -> int:
    return int(settings.LOGIN_LOCK_MINUTES) * 60


def _keys(username: str, ip: str) -> tuple[str, str, str, str]:
    name = username.strip().lower()
    return (
        _key("fail", name, ip),
        _key("lock", name, ip),
        _key("ipfail", ip),
        _key("iplock", ip),
    )


def is_locked(username: str, ip: str) -> bool:
    """Whether logins for this username from this address are refused right now."""
    _, lock, _, ip_lock = _keys(username, ip)
    return bool(cache.get(lock) or cache.get(ip_lock))


def _increment(key: str) -> int:
    # add() sets the window only on the first failure; incr() keeps the original expiry.
    if cache.add(key, 1, _window()):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, _window())
        return 1


def record_failure(username: str, ip: str) -> bool:
    """Count a failed login; returns True when this failure locked the username or address."""
    fail, lock, ip_fail, ip_lock = _keys(username, ip)
    locked = False
    if _increment(fail) >= int(settings.LOGIN_MAX_FAILURES):
        cache.set(lock, 1, _window())
        locked = True
    if _increment(ip_fail) >= int(settings.LOGIN_MAX_FAILURES_PER_IP):
        cache.set(ip_lock, 1, _window())
        locked = True
    if locked:
        logger.warning("login locked after repeated failures (key %s)", lock.rsplit(":", 1)[-1][:12])
    return locked


def record_success(username: str, ip: str) -> None:
    """A successful login clears the username's failure count (not the address-wide one)."""
    fail, lock, _, _ = _keys(username, ip)
    cache.delete_many([fail, lock])


# At most this many "forgotten password" e-mails per address and per client in a window: enough
# for a person who asks twice, too few to fill someone's inbox.
RESET_MAILS_PER_ADDRESS = 3
RESET_MAILS_PER_IP = 20


def allow_reset_mail(email: str, ip: str) -> bool:
    """Count a request for a password link; False when the address or the client asked too often."""
    per_address = _increment(_key("reset", email.strip().lower()))
    per_ip = _increment(_key("reset-ip", ip))
    return per_address <= RESET_MAILS_PER_ADDRESS and per_ip <= RESET_MAILS_PER_IP
