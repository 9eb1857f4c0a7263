"""Login throttling: repeated failures lock a username from an address, with a Danish message."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from styrbord.audit.models import AuditEntry

LOGIN = "/konto/login/"


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _attempt(client, username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_it_locks_a_username_after_repeated_failures_even_with_the_right_password(world, client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        response = _attempt(client, "leder", "wrong-password")
        assert "Brugernavn eller adgangskode er forkert." in response.content.decode()
    locked = _attempt(client, "leder", "wrong-password")
    assert "For mange mislykkede loginforsøg" in locked.content.decode()
    right = _attempt(client, "leder", "test-password-123")
    assert right.status_code == 200  # the form again, not a redirect
    assert "For mange mislykkede loginforsøg" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.SECURITY, action="accounts.login.locked").count() == 1


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_lock_is_per_address_and_per_username(world, client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        _attempt(client, "leder", "wrong-password")
    other_address = _attempt(client, "leder", "test-password-123", ip="10.0.0.2")
    assert other_address.status_code == 302
    client.logout()
    other_user = _attempt(client, "koordinator", "test-password-123")
    assert other_user.status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_successful_login_resets_the_count(world, client) -> None:  # type: ignore[no-untyped-def]
    _attempt(client, "leder", "wrong-password")
    _attempt(client, "leder", "wrong-password")
    assert _attempt(client, "leder", "test-password-123").status_code == 302
    client.logout()
    _attempt(client, "leder", "wrong-password")
    _attempt(client, "leder", "wrong-password")
    assert _attempt(client, "leder", "test-password-123").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=100, LOGIN_MAX_FAILURES_PER_IP=4)
def test_password_spraying_from_one_address_is_locked_too(world, client) -> None:  # type: ignore[no-untyped-def]
    for name in ["a-user", "b-user", "c-user", "d-user"]:
        _attempt(client, name, "guess")
    assert "For mange mislykkede loginforsøg" in _attempt(client, "leder", "test-password-123").content.decode()


def test_the_lock_expires(world, client) -> None:  # type: ignore[no-untyped-def]
    import time_machine

    with override_settings(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_MINUTES=1):
        with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False):
            _attempt(client, "leder", "x")
            _attempt(client, "leder", "x")
            assert "For mange" in _attempt(client, "leder", "test-password-123").content.decode()
        with time_machine.travel("2026-11-23 10:01:30+00:00", tick=False):
            assert _attempt(client, "leder", "test-password-123").status_code == 302


@override_settings(LOGIN_TRUST_FORWARDED_FOR=True, LOGIN_MAX_FAILURES=2)
def test_behind_the_proxy_the_last_forwarded_address_counts(world, client) -> None:  # type: ignore[no-untyped-def]
    def attempt(forwarded: str, code: str = "x"):  # type: ignore[no-untyped-def]
        return client.post(
            LOGIN, {"username": "leder", "password": code}, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded
        )

    attempt("1.1.1.1, 192.0.2.10")
    attempt("2.2.2.2, 192.0.2.10")  # a spoofed first entry does not give a fresh counter
    assert "For mange" in attempt("3.3.3.3, 192.0.2.10", "test-password-123").content.decode()
    assert attempt("192.0.2.11", "test-password-123").status_code == 302  # another client is not locked
