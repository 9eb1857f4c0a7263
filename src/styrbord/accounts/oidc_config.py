"""Municipal single sign-on (OpenID Connect) configuration read from STYRBORD_OIDC_* variables.

Pure Python (no Django imports) so that settings.py can call it. Login through the municipal
identity provider is enabled only when the server URL and client id are both set; local
accounts always remain available for the embedded default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from styrbord.lib.env import ConfigurationError

DEFAULT_PROVIDER_ID = "kommune"
DEFAULT_BUTTON_LABEL = "Kommunalt login"


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    return (env.get(name) or default).strip()


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _get(env, name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={value!r} is not a boolean (use true or false)")


def oidc_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether a municipal identity provider is configured."""
    env = os.environ if env is None else env
    return bool(_get(env, "STYRBORD_OIDC_SERVER_URL") and _get(env, "STYRBORD_OIDC_CLIENT_ID"))


def socialaccount_providers(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The SOCIALACCOUNT_PROVIDERS setting for django-allauth ({} when OIDC is not configured)."""
    env = os.environ if env is None else env
    server_url = _get(env, "STYRBORD_OIDC_SERVER_URL")
    client_id = _get(env, "STYRBORD_OIDC_CLIENT_ID")
    secret = _get(env, "STYRBORD_OIDC_CLIENT_SECRET")
    if not server_url and not client_id:
        return {}
    if not (server_url and client_id):
        raise ConfigurationError("STYRBORD_OIDC_SERVER_URL and STYRBORD_OIDC_CLIENT_ID must be set together")
    if not server_url.startswith("https://") and not _bool(env, "STYRBORD_OIDC_ALLOW_HTTP", False):
        raise ConfigurationError("STYRBORD_OIDC_SERVER_URL must use https://")
    provider_id = _get(env, "STYRBORD_OIDC_PROVIDER_ID", DEFAULT_PROVIDER_ID)
    scopes = _get(env, "STYRBORD_OIDC_SCOPES", "openid profile email").split()
    app: dict[str, Any] = {
        "provider_id": provider_id,
        "name": _get(env, "STYRBORD_OIDC_NAME", DEFAULT_BUTTON_LABEL),
        "client_id": client_id,
        "secret": secret,
        "settings": {
            "server_url": server_url,
            "token_auth_method": "client_secret_basic" if secret else "none",
            "uid_field": _get(env, "STYRBORD_OIDC_UID_FIELD", "sub"),
        },
    }
    return {
        "openid_connect": {
            "APPS": [app],
            "SCOPE": scopes,
            "OAUTH_PKCE_ENABLED": _bool(env, "STYRBORD_OIDC_PKCE", True),
        }
    }


def provider_origins(env: Mapping[str, str] | None = None) -> list[str]:
    """The identity provider's origin (scheme://host[:port]), for the CSP form-action directive."""
    env = os.environ if env is None else env
    url = _get(env, "STYRBORD_OIDC_SERVER_URL")
    if not url:
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


def allow_signup(env: Mapping[str, str] | None = None) -> bool:
    """Whether a person unknown to Styrbord gets a (scope-less) account at first municipal login."""
    env = os.environ if env is None else env
    return _bool(env, "STYRBORD_OIDC_ALLOW_SIGNUP", False)
