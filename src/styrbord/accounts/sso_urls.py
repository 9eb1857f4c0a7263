"""URLs of the municipal login (django-allauth), mounted without a namespace at konto/sso/.

Only the OpenID Connect flow and the social-account pages are exposed; allauth's own local
login, sign-up and logout point back at Styrbord's pages, so there is one local login
(with throttling) and no self sign-up.
"""

from __future__ import annotations

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True), name="account_login"),
    path("logout/", RedirectView.as_view(pattern_name="accounts:login"), name="account_logout"),
    path("signup/", RedirectView.as_view(pattern_name="accounts:login"), name="account_signup"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", RedirectView.as_view(pattern_name="accounts:login"), name="account_reauthenticate"),
    path("login/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("login/error/", social_views.login_error, name="socialaccount_login_error"),
    path("signup/municipal/", social_views.signup, name="socialaccount_signup"),
    path("connections/", social_views.connections, name="socialaccount_connections"),
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", oidc_views.login, name="openid_connect_login"),
                path("login/callback/", oidc_views.callback, name="openid_connect_callback"),
            ]
        ),
    ),
]
