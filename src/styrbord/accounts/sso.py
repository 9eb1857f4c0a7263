"""django-allauth adapters for the municipal OpenID Connect login.

Local self sign-up is closed: accounts are created by an administrator (or, when
STYRBORD_OIDC_ALLOW_SIGNUP is true, at the first municipal login, as an employee with no scope,
who sees nothing until an administrator gives the account a role and scope).
A municipal login is connected to an existing account by its verified e-mail address.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from styrbord.accounts.models import Role


class AccountAdapter(DefaultAccountAdapter):
    """No self sign-up with a local password; after login go to the home page."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Municipal logins: connect to existing accounts; create new ones only if configured."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return bool(getattr(settings, "OIDC_ALLOW_SIGNUP", False))

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        # A new account never gets more than the employee role, and no scope.
        user.role = Role.EMPLOYEE
        user.is_staff = False
        user.is_superuser = False
        return user


def municipal_login() -> dict[str, str] | None:
    """The configured municipal provider's id and button label, or None."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    apps = (providers.get("openid_connect") or {}).get("APPS") or []
    if not apps:
        return None
    return {"provider_id": apps[0]["provider_id"], "name": apps[0].get("name") or "Kommunalt login"}
