"""`styrbord check --deploy` is clean under production settings (run in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRODUCTION_ENV = {
    "STYRBORD_ENV": "production",
    "STYRBORD_SECRET_KEY": "k3Q9v-Zr8wX2pL5mN7bT4yH6jF1cV0sD9gA8eR3tU2iO5pW7qE6rT4yU1iO3pA5sD",
    "STYRBORD_PERSON_KEY_SECRET": "another-long-random-secret-only-for-this-test-0123456789",
    "STYRBORD_ALLOWED_HOSTS": "styrbord.norddjurs.dk",
    "STYRBORD_CSRF_TRUSTED_ORIGINS": "https://styrbord.norddjurs.dk",
    "DATABASE_URL": "postgres://styrbord@127.0.0.1:5432/styrbord",
    "STYRBORD_DEBUG": "false",
}


def _run(extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STYRBORD_") and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    env.update(extra or {})
    return subprocess.run(
        [sys.executable, "-m", "styrbord", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings() -> None:
    result = _run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _run({"STYRBORD_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "STYRBORD_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_hashes_passwords_with_argon2_and_sends_secure_cookies() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STYRBORD_") and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    code = (
        "from django.conf import settings as s; "
        "print(s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['frame-ancestors'])"
    )
    result = subprocess.run(
        [sys.executable, "-m", "styrbord", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "True",
        "True",
        "31536000",
        "[\"'none'\"]",
    ]


@pytest.mark.slow
def test_the_embedded_default_shows_the_danish_error_pages_and_serves_static_files_without_collectstatic(
    tmp_path: object,
) -> None:
    """No variables set (the demo, a small install): DEBUG is off, so a wrong address gives the
    Danish 404 page rather than Django's technical one listing the URL patterns, and the CSS is
    still served from the app folders."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STYRBORD_") and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["STYRBORD_DATA_DIR"] = str(tmp_path)
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'styrbord.settings'); django.setup()\n"
        "from django.conf import settings; from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment(debug=settings.DEBUG)\n"
        "client = Client()\n"
        "missing = client.get('/findes-ikke/')\n"
        "css = client.get('/static/styrbord/styrbord.css')\n"
        "print(settings.DEBUG, missing.status_code, 'Siden findes ikke' in missing.content.decode(), css.status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "404", "True", "200"], result.stdout + result.stderr
