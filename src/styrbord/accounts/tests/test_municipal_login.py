"""Municipal login (OpenID Connect via django-allauth): configuration wiring, without network."""

from __future__ import annotations

import pytest
from django.test import override_settings

from styrbord.accounts import oidc_config
from styrbord.lib.env import ConfigurationError

ENV = {
    "STYRBORD_OIDC_SERVER_URL": "https://login.norddjurs.dk/realms/ansatte",
    "STYRBORD_OIDC_CLIENT_ID": "styrbord",
    "STYRBORD_OIDC_CLIENT_SECRET": "hemmelig",
    "STYRBORD_OIDC_NAME": "Log ind med Norddjurs Kommune",
}


def test_no_provider_is_configured_without_the_variables() -> None:
    assert oidc_config.socialaccount_providers({}) == {}
    assert not oidc_config.oidc_enabled({})


def test_the_variables_produce_an_openid_connect_provider() -> None:
    providers = oidc_config.socialaccount_providers(ENV)
    app = providers["openid_connect"]["APPS"][0]
    assert app["provider_id"] == "kommune"
    assert app["client_id"] == "styrbord"
    assert app["secret"] == "hemmelig"
    assert app["settings"]["server_url"] == ENV["STYRBORD_OIDC_SERVER_URL"]
    assert app["name"] == "Log ind med Norddjurs Kommune"
    assert providers["openid_connect"]["OAUTH_PKCE_ENABLED"] is True
    assert providers["openid_connect"]["SCOPE"] == ["openid", "profile", "email"]


def test_half_a_configuration_or_plain_http_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        oidc_config.socialaccount_providers({"STYRBORD_OIDC_SERVER_URL": "https://idp"})
    with pytest.raises(ConfigurationError, match="https"):
        oidc_config.socialaccount_providers({**ENV, "STYRBORD_OIDC_SERVER_URL": "http://idp"})


def test_the_login_page_shows_the_municipal_button_only_when_configured(db, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/konto/login/").content.decode()
    assert "municipal-login" not in page
    with override_settings(SOCIALACCOUNT_PROVIDERS=oidc_config.socialaccount_providers(ENV)):
        page = client.get("/konto/login/").content.decode()
    assert 'id="municipal-login"' in page
    assert "Log ind med Norddjurs Kommune" in page
    assert 'action="/konto/sso/oidc/kommune/login/"' in page
    assert 'name="username"' in page  # local accounts remain


def test_allauth_builds_the_provider_from_the_settings(db, rf) -> None:  # type: ignore[no-untyped-def]
    from allauth.socialaccount.adapter import get_adapter

    request = rf.get("/")
    with override_settings(SOCIALACCOUNT_PROVIDERS=oidc_config.socialaccount_providers(ENV)):
        provider = get_adapter(request).get_provider(request, "kommune")
        assert provider.id == "openid_connect"
        assert provider.server_url == ENV["STYRBORD_OIDC_SERVER_URL"] + "/.well-known/openid-configuration"
        assert provider.get_login_url(request) == "/konto/sso/oidc/kommune/login/"
        assert provider.get_callback_url() == "/konto/sso/oidc/kommune/login/callback/"


def test_local_self_signup_is_closed_and_municipal_signup_only_when_allowed(rf) -> None:  # type: ignore[no-untyped-def]
    from styrbord.accounts.sso import AccountAdapter, SocialAccountAdapter

    request = rf.get("/")
    assert AccountAdapter().is_open_for_signup(request) is False
    with override_settings(OIDC_ALLOW_SIGNUP=False):
        assert SocialAccountAdapter().is_open_for_signup(request, None) is False
    with override_settings(OIDC_ALLOW_SIGNUP=True):
        assert SocialAccountAdapter().is_open_for_signup(request, None) is True


def test_allauths_local_signup_page_redirects_to_the_one_login(db, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/konto/sso/signup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_the_identity_provider_is_allowed_as_a_form_action() -> None:
    assert oidc_config.provider_origins(ENV) == ["https://login.norddjurs.dk"]
    assert oidc_config.provider_origins({}) == []
